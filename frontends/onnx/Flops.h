//===- Flops.h - Estimated arithmetic of an ONNX model ----------*- C++ -*-===//
//
// What `kiln info` reports as a model's cost: floating-point operations of
// one inference, from the shapes ONNX's shape inference gives every value.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_ONNX_FLOPS_H
#define KILN_FRONTENDS_ONNX_FLOPS_H

#include <cstdint>

#include <onnx/onnx_pb.h>

namespace mlir::kiln {

struct FlopEstimate {
  int64_t flops = 0;
  /// Nodes whose cost is not estimated (unknown op or missing shapes).
  int64_t unestimatedNodes = 0;
};

/// Estimates one inference of `model` (a multiply-add counts 2). Dynamic
/// dimensions count as 1, so a symbolic batch gives the cost per item.
FlopEstimate estimateFlops(const onnx::ModelProto &model);

} // namespace mlir::kiln

#endif // KILN_FRONTENDS_ONNX_FLOPS_H
