//===- ModelImpl.h - What a DSL Model holds ---------------------*- C++ -*-===//
//
// The finished graph, the compiled inference model (JIT) and the target it
// was compiled for; plus the file-writing helpers Model's save functions
// share.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_CPP_MODELIMPL_H
#define KILN_FRONTENDS_CPP_MODELIMPL_H

#include "GraphImpl.h"

#include "kiln/Frontends/DSL/Model.h"

#include "kiln/Training/Trainer.h"

#include <optional>

namespace kiln::dsl {

struct Model::Impl {
  std::unique_ptr<detail::GraphImpl> graph;
  Target target;
  /// The JIT-compiled inference function; reset when parameters change.
  std::optional<kiln::Model> compiled;

  /// Training, once compile() was given a loss.
  std::optional<Loss> loss;
  Optimizer optimizer;
  std::vector<Metric> metrics;
  /// Built on the first fit or evaluate (it needs the labels' type).
  std::unique_ptr<mlir::kiln::Trainer> trainer;
  /// Whether the trainer's output is the logits before a final softmax or
  /// sigmoid (which the metrics then apply themselves).
  bool trainsOnLogits = false;
  /// The batch size the trainer's step is compiled for (0: any).
  int64_t trainerBatch = 0;
};

namespace detail {

/// Writes `g`'s function as an ONNX model to `path` (see Model::saveOnnx).
void writeOnnx(GraphImpl &g, const std::string &path);

/// Writes `bytes` to a temporary file beside `path` and renames it there;
/// `what` prefixes error messages.
void writeFileAtomically(const std::string &path, const std::string &bytes,
                         const std::string &what);

} // namespace detail
} // namespace kiln::dsl

#endif // KILN_FRONTENDS_CPP_MODELIMPL_H
