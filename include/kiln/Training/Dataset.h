//===- Dataset.h - Training data from NumPy archives -----------*- C++ -*-===//
//
// Training data comes as a NumPy .npz archive (numpy.savez or
// savez_compressed): one array per model input, named after it, and the
// labels. This reads such archives, checks them against what the training
// step takes, and cuts them into (shuffled) batches.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAINING_DATASET_H
#define KILN_TRAINING_DATASET_H

#include "kiln/Training/Trainer.h"
#include "kiln/runtime.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace mlir::kiln {

struct TensorDeleter {
  void operator()(kiln_tensor *tensor) const { kiln_tensor_destroy(tensor); }
};
using TensorPtr = std::unique_ptr<kiln_tensor, TensorDeleter>;

/// The arrays of an .npz archive by name (without the ".npy" suffix).
llvm::Expected<std::map<std::string, TensorPtr>> readNpz(llvm::StringRef path);

/// Samples for a Trainer: one tensor per model input and the labels, all
/// with the same number of rows (dimension 0).
class Dataset {
public:
  /// Takes the arrays named after `trainer`'s inputs (`x` also serves a
  /// model with one input) and the labels (`labels` or `y`) from the
  /// archive at `path`. Checks dtypes and shapes against the trainer, that
  /// every array has the same number of samples, that floating-point data
  /// is finite and that class labels lie in [0, classes) when `classes` is
  /// positive; each failure names the file, the array and the problem.
  static llvm::Expected<Dataset> load(llvm::StringRef path,
                                      const Trainer &trainer,
                                      int64_t classes);

  int64_t size() const { return rows; }

  /// The samples at `indices` (rows of every array, in that order).
  llvm::Error gather(llvm::ArrayRef<int64_t> indices,
                     std::vector<TensorPtr> &inputs, TensorPtr &labels) const;

private:
  std::vector<TensorPtr> inputs;
  TensorPtr labels;
  int64_t rows = 0;
};

} // namespace mlir::kiln

#endif // KILN_TRAINING_DATASET_H
