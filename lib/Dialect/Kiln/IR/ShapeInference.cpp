//===- ShapeInference.cpp - Shape rules shared by ops and lowering --------===//
//
// Broadcasting, matmul, sliding-window and reshape shape rules. Dynamic
// extents are ShapedType::kDynamic throughout.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/Kiln/IR/ShapeInference.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::kiln;

static bool isDynamic(int64_t d) { return ShapedType::isDynamic(d); }

bool mlir::kiln::areRefinementsOf(TypeRange inferred, TypeRange actual) {
  if (inferred.size() != actual.size())
    return false;
  for (auto [inf, act] : llvm::zip(inferred, actual)) {
    if (inf == act)
      continue;
    auto infT = dyn_cast<RankedTensorType>(inf);
    auto actT = dyn_cast<RankedTensorType>(act);
    if (!infT || !actT || infT.getElementType() != actT.getElementType() ||
        infT.getRank() != actT.getRank())
      return false;
    for (auto [i, a] : llvm::zip(infT.getShape(), actT.getShape()))
      if (!isDynamic(i) && i != a)
        return false;
  }
  return true;
}

std::string mlir::kiln::formatShape(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(
      shape, os,
      [&](int64_t d) {
        if (isDynamic(d))
          os << "?";
        else
          os << d;
      },
      "x");
  return s;
}

int64_t mlir::kiln::staticProduct(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (isDynamic(d))
      return ShapedType::kDynamic;
    n *= d;
  }
  return n;
}

FailureOr<SmallVector<int64_t>>
mlir::kiln::broadcastShapes(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs,
                            std::string *why) {
  size_t rank = std::max(lhs.size(), rhs.size());
  SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Walk from the right; a missing dimension acts as 1.
    int64_t l = i < lhs.size() ? lhs[lhs.size() - 1 - i] : 1;
    int64_t r = i < rhs.size() ? rhs[rhs.size() - 1 - i] : 1;
    int64_t &out = result[rank - 1 - i];
    if (l == 1) {
      out = r;
    } else if (r == 1) {
      out = l;
    } else if (isDynamic(l)) {
      out = r;
    } else if (isDynamic(r) || l == r) {
      out = l;
    } else {
      if (why)
        *why = "shapes " + formatShape(lhs) + " and " + formatShape(rhs) +
               " do not broadcast: dimension " + std::to_string(rank - 1 - i) +
               " of the result would need " + std::to_string(l) + " and " +
               std::to_string(r);
      return failure();
    }
  }
  return result;
}

FailureOr<SmallVector<int64_t>>
mlir::kiln::matmulShape(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs,
                        std::string *why) {
  if (lhs.empty() || rhs.empty()) {
    if (why)
      *why = "matmul operands must have rank >= 1";
    return failure();
  }
  // Promote vectors to matrices as numpy does; remember to drop the dims.
  SmallVector<int64_t> a(lhs), b(rhs);
  bool lhsVector = a.size() == 1, rhsVector = b.size() == 1;
  if (lhsVector)
    a.insert(a.begin(), 1);
  if (rhsVector)
    b.push_back(1);
  int64_t k1 = a[a.size() - 1], k2 = b[b.size() - 2];
  if (!isDynamic(k1) && !isDynamic(k2) && k1 != k2) {
    if (why)
      *why = "contraction dimensions differ: lhs " + formatShape(lhs) +
             " has K = " + std::to_string(k1) + ", rhs " + formatShape(rhs) +
             " has K = " + std::to_string(k2);
    return failure();
  }
  ArrayRef<int64_t> aBatch = ArrayRef<int64_t>(a).drop_back(2);
  ArrayRef<int64_t> bBatch = ArrayRef<int64_t>(b).drop_back(2);
  std::string batchWhy;
  auto batch = broadcastShapes(aBatch, bBatch, &batchWhy);
  if (failed(batch)) {
    if (why)
      *why = "batch dimensions do not broadcast: " + batchWhy;
    return failure();
  }
  SmallVector<int64_t> result(*batch);
  if (!lhsVector)
    result.push_back(a[a.size() - 2]);
  if (!rhsVector)
    result.push_back(b[b.size() - 1]);
  return result;
}

int64_t mlir::kiln::windowOutputSize(int64_t size, int64_t kernel,
                                     int64_t stride, int64_t padBegin,
                                     int64_t padEnd, int64_t dilation,
                                     bool ceilMode) {
  if (isDynamic(size) || isDynamic(kernel) || stride <= 0)
    return ShapedType::kDynamic;
  int64_t span = dilation * (kernel - 1) + 1;
  int64_t room = size + padBegin + padEnd - span;
  if (room < 0)
    return 0;
  if (!ceilMode)
    return room / stride + 1;
  int64_t out = (room + stride - 1) / stride + 1;
  // A last window that would start in the end padding is dropped (PyTorch and
  // ONNX agree on this).
  if ((out - 1) * stride >= size + padBegin)
    --out;
  return out;
}

LogicalResult mlir::kiln::verifyReshapeSpec(ArrayRef<int64_t> input,
                                            ArrayRef<int64_t> spec,
                                            std::string &why) {
  int inferred = 0;
  for (auto [i, s] : llvm::enumerate(spec)) {
    if (s == -1) {
      if (++inferred > 1) {
        why = "shape has more than one -1";
        return failure();
      }
    } else if (s == 0) {
      if (i >= input.size()) {
        why = "shape entry " + std::to_string(i) +
              " is 0 (copy) but the input has rank " +
              std::to_string(input.size());
        return failure();
      }
    } else if (s < -1) {
      why = "shape entry " + std::to_string(i) + " is " + std::to_string(s) +
            "; expected a size, 0 or -1";
      return failure();
    }
  }
  SmallVector<int64_t> out = reshapeShape(input, spec);
  int64_t inCount = staticProduct(input);
  int64_t outCount = staticProduct(out);
  if (!isDynamic(inCount) && !isDynamic(outCount) && inCount != outCount) {
    why = "cannot reshape " + std::to_string(inCount) + " elements (" +
          formatShape(input) + ") into " + formatShape(out);
    return failure();
  }
  if (inferred && !isDynamic(inCount)) {
    int64_t known = 1;
    for (auto [i, s] : llvm::enumerate(spec))
      if (s != -1)
        known *= s == 0 ? input[i] : s;
    if (known == 0 || inCount % known != 0) {
      why = "cannot reshape " + std::to_string(inCount) + " elements (" +
            formatShape(input) + ") with -1 into a multiple of " +
            std::to_string(known);
      return failure();
    }
  }
  return success();
}

SmallVector<int64_t> mlir::kiln::reshapeShape(ArrayRef<int64_t> input,
                                              ArrayRef<int64_t> spec) {
  SmallVector<int64_t> out;
  SmallVector<bool> copied(input.size(), false);
  int64_t inferredIndex = -1;
  for (auto [i, s] : llvm::enumerate(spec)) {
    if (s == 0 && i < input.size()) {
      copied[i] = true;
      out.push_back(input[i]);
    } else if (s == 0) {
      out.push_back(ShapedType::kDynamic);
    } else {
      if (s == -1)
        inferredIndex = i;
      out.push_back(s == -1 ? ShapedType::kDynamic : s);
    }
  }
  if (inferredIndex < 0)
    return out;
  // Copied dimensions appear on both sides and cancel, so `[0, -1]` on
  // `?x3x4` still infers 12 even though the element count is unknown.
  int64_t inputRest = 1, outputRest = 1;
  for (auto [i, d] : llvm::enumerate(input)) {
    if (copied[i])
      continue;
    if (isDynamic(d))
      return out;
    inputRest *= d;
  }
  for (auto [i, d] : llvm::enumerate(out)) {
    if ((int64_t)i == inferredIndex || (i < copied.size() && copied[i]))
      continue;
    if (isDynamic(d))
      return out;
    outputRest *= d;
  }
  if (outputRest != 0 && inputRest % outputRest == 0)
    out[inferredIndex] = inputRest / outputRest;
  return out;
}
