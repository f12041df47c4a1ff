//===- ShapeOps.cpp - kiln shape ops --------------------------------------===//
//
// Type inference, verifiers, folders and canonicalizations of the ops that
// move data without computing: transpose, reshape, flatten.
//
//===----------------------------------------------------------------------===//

#include "OpUtils.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;

//===----------------------------------------------------------------------===//
// TransposeOp
//===----------------------------------------------------------------------===//

static bool isPermutation(ArrayRef<int64_t> perm, int64_t rank) {
  if ((int64_t)perm.size() != rank)
    return false;
  SmallVector<bool> seen(rank, false);
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[p])
      return false;
    seen[p] = true;
  }
  return true;
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location>,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  if (!input)
    return failure();
  ArrayRef<int64_t> perm = adaptor.getPermutation();
  SmallVector<int64_t> shape(input.getRank(), ShapedType::kDynamic);
  if (isPermutation(perm, input.getRank()))
    for (auto [i, p] : llvm::enumerate(perm))
      shape[i] = input.getDimSize(p);
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult TransposeOp::verify() {
  if (!isPermutation(getPermutation(), getInput().getType().getRank()))
    return emitOpError() << "permutation [" << getPermutation()
                         << "] is not a permutation of the "
                         << getInput().getType().getRank()
                         << " input dimensions";
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPermutation();
  bool identity = llvm::all_of(llvm::enumerate(perm), [](auto it) {
    return (int64_t)it.index() == it.value();
  });
  if (identity && getInput().getType() == getType())
    return getInput();
  auto value = constantValue(adaptor.getInput());
  if (value && value.isSplat() && getType().hasStaticShape())
    return value.resizeSplat(getType());
  return {};
}

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location>,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  if (!input)
    return failure();
  types.push_back(RankedTensorType::get(
      reshapeShape(input.getShape(), adaptor.getShape()),
      input.getElementType()));
  return success();
}

LogicalResult ReshapeOp::verify() {
  std::string why;
  auto inputType = getInput().getType();
  if (failed(verifyReshapeSpec(inputType.getShape(), getShape(), why)))
    return emitOpError() << why;
  int64_t in = staticProduct(inputType.getShape());
  int64_t out = staticProduct(getType().getShape());
  if (!ShapedType::isDynamic(in) && !ShapedType::isDynamic(out) && in != out)
    return emitOpError() << "result " << formatShape(getType().getShape())
                         << " does not hold the " << in << " input elements";
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType() && getType().hasStaticShape())
    return getInput();
  auto value = constantValue(adaptor.getInput());
  if (value && getType().hasStaticShape())
    return value.reshape(getType());
  return {};
}

namespace {
/// reshape(reshape(x)) -> reshape(x) when the outer shape is fully static,
/// since a static target needs nothing from the intermediate shape.
struct ComposeReshapes : public OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<ReshapeOp>();
    if (!inner || !op.getType().hasStaticShape())
      return failure();
    // The static shape becomes the new spec, where 0 means "copy": a zero
    // extent cannot be written as a size.
    if (llvm::is_contained(op.getType().getShape(), 0))
      return failure();
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), inner.getInput(),
                                           op.getType().getShape());
    return success();
  }
};
} // namespace

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<ComposeReshapes>(context);
}

//===----------------------------------------------------------------------===//
// FlattenOp
//===----------------------------------------------------------------------===//

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location>,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  if (!input)
    return failure();
  int64_t axis = adaptor.getAxis();
  ArrayRef<int64_t> shape = input.getShape();
  SmallVector<int64_t> out(2, ShapedType::kDynamic);
  if (axis >= 0 && axis <= input.getRank()) {
    out[0] = staticProduct(shape.take_front(axis));
    out[1] = staticProduct(shape.drop_front(axis));
  }
  types.push_back(RankedTensorType::get(out, input.getElementType()));
  return success();
}

LogicalResult FlattenOp::verify() {
  // I64Attr accessors return uint64_t: compare and print the signed value.
  int64_t rank = getInput().getType().getRank();
  int64_t axis = getAxis();
  if (axis < 0 || axis > rank)
    return emitOpError() << "axis " << axis << " is out of range [0, " << rank
                         << "]";
  return success();
}

OpFoldResult FlattenOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType() && getType().hasStaticShape())
    return getInput();
  auto value = constantValue(adaptor.getInput());
  if (value && getType().hasStaticShape())
    return value.reshape(getType());
  return {};
}
