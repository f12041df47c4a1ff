//===- ShapeOps.cpp - kiln shape ops --------------------------------------===//
//
// Type inference, verifiers, folders and canonicalizations of the ops that
// move data without computing (transpose, reshape, flatten, squeeze,
// expand, tile, pad), read shapes (shape_of, dynamic_reshape) or build
// tensors from a shape (constant_of_shape, range).
//
//===----------------------------------------------------------------------===//

#include "OpUtils.h"

#include "kiln/Dialect/Kiln/IR/ConstantOperands.h"
#include "kiln/Dialect/Kiln/IR/IndexRules.h"
#include "kiln/Dialect/Kiln/IR/ShapeValues.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
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

//===----------------------------------------------------------------------===//
// Shape values (ShapeValues.h)
//===----------------------------------------------------------------------===//

/// Integer arithmetic on known entries (numpy broadcasting of a single
/// entry); nothing for other ops or unknown entries.
static std::optional<int64_t> combineEntries(Operation *op, int64_t a,
                                             int64_t b) {
  if (isa<AddOp>(op))
    return a + b;
  if (isa<SubOp>(op))
    return a - b;
  if (isa<MulOp>(op))
    return a * b;
  if (isa<DivOp>(op) && b != 0)
    return a / b;
  if (isa<MaxOp>(op))
    return std::max(a, b);
  if (isa<MinOp>(op))
    return std::min(a, b);
  return std::nullopt;
}

static std::optional<SmallVector<ShapeEntry>> shapeEntries(Value value,
                                                           unsigned depth) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape() || type.getRank() > 1 ||
      !isa<IntegerType>(type.getElementType()))
    return std::nullopt;
  int64_t n = type.getNumElements();
  SmallVector<ShapeEntry> entries(n);
  if (auto values = getConstantInts(value)) {
    for (auto [entry, v] : llvm::zip(entries, *values))
      entry.value = v;
    return entries;
  }
  Operation *op = value.getDefiningOp();
  // Shape computations are short; a deep chain is something else.
  if (!op || depth > 16)
    return entries;
  auto entriesOf = [&](Value v) { return shapeEntries(v, depth + 1); };

  if (auto shapeOf = dyn_cast<ShapeOfOp>(op)) {
    auto source = shapeOf.getInput().getType();
    for (int64_t k = 0; k < n; ++k) {
      int64_t d = shapeOf.getStart() + k;
      if (d >= source.getRank())
        break;
      if (source.isDynamicDim(d))
        entries[k] = {std::nullopt, shapeOf.getInput(), d};
      else
        entries[k].value = source.getDimSize(d);
    }
    return entries;
  }
  if (auto concat = dyn_cast<ConcatOp>(op)) {
    SmallVector<ShapeEntry> joined;
    for (Value input : concat.getInputs()) {
      auto part = entriesOf(input);
      if (!part)
        return entries;
      llvm::append_range(joined, *part);
    }
    return joined.size() == (size_t)n ? joined : entries;
  }
  // Ops that keep the elements in order: the entries of their input.
  if (isa<ReshapeOp, DynamicReshapeOp, SqueezeOp, UnsqueezeOp, FlattenOp>(
          op)) {
    auto source = entriesOf(op->getOperand(0));
    return source && source->size() == (size_t)n ? *source : entries;
  }
  if (auto castOp = dyn_cast<CastOp>(op)) {
    // Widening integer casts keep the values.
    auto from = dyn_cast<IntegerType>(
        getElementTypeOrSelf(castOp.getInput().getType()));
    auto to = cast<IntegerType>(type.getElementType());
    auto source = entriesOf(castOp.getInput());
    if (from && source && from.getWidth() <= to.getWidth() &&
        from.isUnsigned() == to.isUnsigned())
      return *source;
    return entries;
  }
  if (auto gather = dyn_cast<GatherOp>(op)) {
    auto source = entriesOf(gather.getInput());
    auto indices = getConstantInts(gather.getIndices());
    if (!source || !indices || gather.getAxis() != 0 ||
        indices->size() != (size_t)n)
      return entries;
    int64_t extent = source->size();
    for (auto [entry, i] : llvm::zip(entries, *indices))
      if (i >= -extent && i < extent)
        entry = (*source)[i < 0 ? i + extent : i];
    return entries;
  }
  if (auto slice = dyn_cast<SliceOp>(op)) {
    auto source = entriesOf(slice.getInput());
    auto starts = getConstantInts(slice.getStarts());
    auto ends = getConstantInts(slice.getEnds());
    auto steps = getConstantInts(slice.getSteps());
    if (!source || !starts || !ends || !steps || starts->size() != 1 ||
        (*steps)[0] == 0)
      return entries;
    SliceBounds b = sliceBounds(source->size(), (*starts)[0], (*ends)[0],
                                (*steps)[0]);
    if (b.count != n)
      return entries;
    for (int64_t k = 0; k < n; ++k)
      entries[k] = (*source)[b.start + k * (*steps)[0]];
    return entries;
  }
  if (op->getNumOperands() == 2 && isa<AddOp, SubOp, MulOp, DivOp, MaxOp,
                                       MinOp>(op)) {
    auto lhs = entriesOf(op->getOperand(0));
    auto rhs = entriesOf(op->getOperand(1));
    if (!lhs || !rhs)
      return entries;
    for (int64_t k = 0; k < n; ++k) {
      const ShapeEntry &a = (*lhs)[lhs->size() == 1 ? 0 : k];
      const ShapeEntry &b = (*rhs)[rhs->size() == 1 ? 0 : k];
      if (a.isKnown() && b.isKnown())
        entries[k].value = combineEntries(op, *a.value, *b.value);
      // x * 1, x + 0 and friends keep what is known about x.
      else if (b.isKnown() && ((isa<MulOp, DivOp>(op) && *b.value == 1) ||
                               (isa<AddOp, SubOp>(op) && *b.value == 0)))
        entries[k] = a;
    }
    return entries;
  }
  return entries;
}

std::optional<SmallVector<ShapeEntry>>
mlir::kiln::getShapeEntries(Value value) {
  return shapeEntries(value, 0);
}

std::optional<SmallVector<std::optional<int64_t>>>
mlir::kiln::getKnownEntries(Value value) {
  auto entries = getShapeEntries(value);
  if (!entries)
    return std::nullopt;
  SmallVector<std::optional<int64_t>> values;
  for (const ShapeEntry &e : *entries)
    values.push_back(e.value);
  return values;
}

//===----------------------------------------------------------------------===//
// Shared helpers of the ops with shape operands
//===----------------------------------------------------------------------===//

/// The values of a shape-like operand when every entry is known.
static std::optional<SmallVector<int64_t>> allKnown(Value value) {
  auto known = getKnownEntries(value);
  if (!known || llvm::any_of(*known, [](auto e) { return !e; }))
    return std::nullopt;
  SmallVector<int64_t> values;
  for (auto e : *known)
    values.push_back(*e);
  return values;
}

/// The known entries of a shape-like operand of static length `n` (all
/// unknown when nothing is known).
static SmallVector<std::optional<int64_t>> knownEntries(Value value,
                                                        int64_t n) {
  auto known = getKnownEntries(value);
  if (!known || known->size() != (size_t)n)
    return SmallVector<std::optional<int64_t>>(n);
  return *known;
}

/// The static length of a 1-D operand type, or nothing.
static std::optional<int64_t> vectorLength(Type type) {
  auto ranked = dyn_cast<RankedTensorType>(type);
  if (!ranked || ranked.getRank() != 1 || ranked.isDynamicDim(0))
    return std::nullopt;
  return ranked.getDimSize(0);
}

/// A tensor of `rank` dynamic dimensions.
static RankedTensorType dynamicTensor(int64_t rank, Type elementType) {
  return RankedTensorType::get(
      SmallVector<int64_t>(std::max<int64_t>(rank, 0), ShapedType::kDynamic),
      elementType);
}

/// Folds to `value` reshaped to `type` when `value` is a constant and `type`
/// static (shape ops that keep the row-major order of the elements).
static OpFoldResult reshapeConstant(Attribute value, ShapedType type) {
  auto dense = constantValue(value);
  if (!dense || !type.hasStaticShape() ||
      dense.getElementType() != type.getElementType())
    return {};
  return dense.reshape(type);
}

//===----------------------------------------------------------------------===//
// ShapeOfOp
//===----------------------------------------------------------------------===//

LogicalResult ShapeOfOp::inferReturnTypes(MLIRContext *ctx,
                                          std::optional<Location>,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  if (!input)
    return failure();
  int64_t start = adaptor.getStart(), end = adaptor.getEnd();
  int64_t length = start >= 0 && start <= end && end <= input.getRank()
                       ? end - start
                       : ShapedType::kDynamic;
  types.push_back(RankedTensorType::get({length}, IntegerType::get(ctx, 64)));
  return success();
}

LogicalResult ShapeOfOp::verify() {
  int64_t rank = getInput().getType().getRank();
  int64_t start = getStart(), end = getEnd();
  if (start < 0 || start > end || end > rank)
    return emitOpError() << "dimensions [" << start << ", " << end
                         << ") are not a range within the " << rank
                         << " input dimensions";
  return success();
}

OpFoldResult ShapeOfOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> dims = getInput().getType().getShape();
  int64_t start = getStart(), end = getEnd();
  if (start < 0 || start > end || end > (int64_t)dims.size() ||
      !getType().hasStaticShape())
    return {};
  ArrayRef<int64_t> picked = dims.slice(start, end - start);
  if (llvm::any_of(picked, ShapedType::isDynamic))
    return {};
  return DenseElementsAttr::get(getType(), picked);
}

//===----------------------------------------------------------------------===//
// DynamicReshapeOp
//===----------------------------------------------------------------------===//

/// The result shape of a reshape to `spec` (ONNX entries: sizes, 0, -1);
/// with `allowZero` a 0 is an empty dimension rather than a copy.
static SmallVector<int64_t> dynamicReshapeShape(ArrayRef<int64_t> input,
                                                ArrayRef<int64_t> spec,
                                                bool allowZero) {
  if (llvm::any_of(spec, [](int64_t s) { return s < -1; }))
    return SmallVector<int64_t>(spec.size(), ShapedType::kDynamic);
  if (!allowZero || !llvm::is_contained(spec, 0))
    return reshapeShape(input, spec);
  // Zeros are extents; a -1 beside them is invalid (the verifier says so).
  SmallVector<int64_t> out;
  for (int64_t s : spec)
    out.push_back(s == -1 ? ShapedType::kDynamic : s);
  return out;
}

LogicalResult DynamicReshapeOp::inferReturnTypes(
    MLIRContext *, std::optional<Location>, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  if (!input)
    return failure();
  Value inputValue = adaptor.getInput();
  auto entries = getShapeEntries(adaptor.getShape());
  std::optional<int64_t> rank = vectorLength(adaptor.getShape().getType());
  if (!rank || !entries) {
    types.push_back(dynamicTensor(rank.value_or(0), input.getElementType()));
    return success();
  }
  bool allowZero = adaptor.getAllowzero();
  // Each entry: a known size, a copy of an input extent (0, or the extent
  // read by shape_of), or -1, inferred from the element count: input and
  // result extents that are the same dimension cancel out of it, so a
  // dynamic batch size does not hide the rest.
  SmallVector<int64_t> shape;
  SmallVector<bool> inputMatched(input.getRank(), false);
  SmallVector<bool> resultMatched(*rank, false);
  int64_t inferred = -1;
  bool invalid = false;
  for (auto [i, e] : llvm::enumerate(*entries)) {
    int64_t d = ShapedType::kDynamic;
    int64_t copied = -1;
    if (e.isKnown()) {
      int64_t v = *e.value;
      if (v > 0 || (v == 0 && allowZero))
        d = v;
      else if (v == 0 && (int64_t)i < input.getRank())
        copied = i;
      else if (v == -1 && inferred < 0)
        inferred = i;
      else
        invalid = true;
    } else if (e.source == inputValue) {
      copied = e.dim;
    }
    if (copied >= 0 && !inputMatched[copied]) {
      inputMatched[copied] = true;
      resultMatched[i] = true;
      d = input.getDimSize(copied);
    } else if (copied >= 0) {
      d = input.getDimSize(copied);
    }
    shape.push_back(d);
  }
  if (inferred >= 0 && !invalid) {
    int64_t inputRest = 1, resultRest = 1;
    for (auto [j, d] : llvm::enumerate(input.getShape()))
      if (!inputMatched[j])
        inputRest = ShapedType::isDynamic(d) || ShapedType::isDynamic(inputRest)
                        ? ShapedType::kDynamic
                        : inputRest * d;
    for (auto [i, d] : llvm::enumerate(shape))
      if ((int64_t)i != inferred && !resultMatched[i])
        resultRest = ShapedType::isDynamic(d) ||
                             ShapedType::isDynamic(resultRest)
                         ? ShapedType::kDynamic
                         : resultRest * d;
    if (!ShapedType::isDynamic(inputRest) &&
        !ShapedType::isDynamic(resultRest) && resultRest != 0 &&
        inputRest % resultRest == 0)
      shape[inferred] = inputRest / resultRest;
  }
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult DynamicReshapeOp::verify() {
  auto spec = getConstantInts(getShape());
  if (!spec)
    return success();
  auto inputType = getInput().getType();
  if (getAllowzero() && llvm::is_contained(*spec, 0) &&
      llvm::is_contained(*spec, -1))
    return emitOpError() << "shape [" << *spec
                         << "] has both 0 (an empty dimension, with "
                            "allowzero) and -1, so -1 is not determined";
  if (getAllowzero() && llvm::is_contained(*spec, 0)) {
    for (auto [i, s] : llvm::enumerate(*spec))
      if (s < 0)
        return emitOpError() << "shape entry " << i << " is " << s
                             << "; expected a size, 0 or -1";
    int64_t in = staticProduct(inputType.getShape());
    if (!ShapedType::isDynamic(in) && in != 0)
      return emitOpError() << "cannot reshape " << in << " elements ("
                           << formatShape(inputType.getShape()) << ") into "
                           << formatShape(*spec);
    return success();
  }
  std::string why;
  if (failed(verifyReshapeSpec(inputType.getShape(), *spec, why)))
    return emitOpError() << why;
  return success();
}

OpFoldResult DynamicReshapeOp::fold(FoldAdaptor adaptor) {
  return reshapeConstant(adaptor.getInput(), getType());
}

namespace {
/// A constant shape makes kiln.reshape, which later passes understand,
/// unless a 0 means an empty dimension (allowzero), which it cannot say.
struct ConstantShapeToReshape : public OpRewritePattern<DynamicReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DynamicReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto entries = getShapeEntries(op.getShape());
    if (!entries)
      return failure();
    // Known sizes stay; an input extent copied to its own position is a 0
    // (copy) entry. Anything else kiln.reshape cannot say.
    SmallVector<int64_t> spec;
    for (auto [i, e] : llvm::enumerate(*entries)) {
      if (e.isKnown() && !(op.getAllowzero() && *e.value == 0))
        spec.push_back(*e.value);
      else if (e.isDimOf(op.getInput(), i))
        spec.push_back(0);
      else
        return failure();
    }
    std::string why;
    if (failed(verifyReshapeSpec(op.getInput().getType().getShape(), spec,
                                 why)))
      return failure();
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), op.getInput(),
                                           spec);
    return success();
  }
};
} // namespace

void DynamicReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                   MLIRContext *context) {
  results.add<ConstantShapeToReshape>(context);
}

//===----------------------------------------------------------------------===//
// SqueezeOp / UnsqueezeOp
//===----------------------------------------------------------------------===//

LogicalResult SqueezeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location>,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  if (!input)
    return failure();
  int64_t count = vectorLength(adaptor.getAxes().getType()).value_or(0);
  int64_t rank = input.getRank() - count;
  auto axes = allKnown(adaptor.getAxes());
  std::optional<SmallVector<int64_t>> normalized;
  if (axes)
    normalized = normalizeAxes(*axes, input.getRank());
  if (!normalized || rank < 0) {
    types.push_back(dynamicTensor(rank, input.getElementType()));
    return success();
  }
  SmallVector<int64_t> shape;
  for (auto [i, d] : llvm::enumerate(input.getShape()))
    if (!llvm::is_contained(*normalized, (int64_t)i))
      shape.push_back(d);
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult SqueezeOp::verify() {
  auto inputType = getInput().getType();
  int64_t rank = inputType.getRank();
  int64_t count = getAxes().getType().getDimSize(0);
  if (count > rank)
    return emitOpError() << "cannot remove " << count << " dimensions from "
                         << rank;
  auto axes = getConstantInts(getAxes());
  if (!axes)
    return success();
  auto normalized = normalizeAxes(*axes, rank);
  if (!normalized)
    return emitOpError() << "axes [" << *axes
                         << "] are not distinct dimensions in [" << -rank
                         << ", " << rank << ")";
  for (int64_t a : *normalized)
    if (!inputType.isDynamicDim(a) && inputType.getDimSize(a) != 1)
      return emitOpError() << "dimension " << a << " has extent "
                           << inputType.getDimSize(a) << ", not 1";
  return success();
}

OpFoldResult SqueezeOp::fold(FoldAdaptor adaptor) {
  if (getAxes().getType().getDimSize(0) == 0 &&
      getInput().getType() == getType())
    return getInput();
  return reshapeConstant(adaptor.getInput(), getType());
}

LogicalResult UnsqueezeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location>,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  if (!input)
    return failure();
  int64_t count = vectorLength(adaptor.getAxes().getType()).value_or(0);
  int64_t rank = input.getRank() + count;
  auto axes = allKnown(adaptor.getAxes());
  std::optional<SmallVector<int64_t>> normalized;
  if (axes)
    normalized = normalizeAxes(*axes, rank);
  if (!normalized) {
    types.push_back(dynamicTensor(rank, input.getElementType()));
    return success();
  }
  SmallVector<int64_t> shape;
  ArrayRef<int64_t> rest = input.getShape();
  for (int64_t i = 0; i < rank; ++i) {
    if (llvm::is_contained(*normalized, i)) {
      shape.push_back(1);
    } else {
      shape.push_back(rest.front());
      rest = rest.drop_front();
    }
  }
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult UnsqueezeOp::verify() {
  auto axes = getConstantInts(getAxes());
  if (!axes)
    return success();
  int64_t rank = getType().getRank();
  if (!normalizeAxes(*axes, rank))
    return emitOpError() << "axes [" << *axes
                         << "] are not distinct positions in [" << -rank
                         << ", " << rank << ") of the result";
  return success();
}

OpFoldResult UnsqueezeOp::fold(FoldAdaptor adaptor) {
  if (getAxes().getType().getDimSize(0) == 0 &&
      getInput().getType() == getType())
    return getInput();
  return reshapeConstant(adaptor.getInput(), getType());
}

//===----------------------------------------------------------------------===//
// ExpandOp
//===----------------------------------------------------------------------===//

/// One result extent of expand: input extent `x` (or nothing where the
/// input has fewer dimensions) against target `s` (nothing likewise, or
/// dynamic when the target is not constant).
static int64_t expandExtent(std::optional<int64_t> x,
                            std::optional<int64_t> s) {
  if (!s)
    return *x;
  if (!x || *x == 1)
    return *s;
  if (ShapedType::isDynamic(*s))
    return *x;
  if (*s == 1 || ShapedType::isDynamic(*x) || *s == *x)
    return *s == 1 ? *x : *s;
  return ShapedType::kDynamic;
}

LogicalResult ExpandOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location>,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  if (!input)
    return failure();
  int64_t length = vectorLength(adaptor.getShape().getType()).value_or(0);
  auto target = knownEntries(adaptor.getShape(), length);
  int64_t rank = std::max(input.getRank(), length);
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t xi = i - (rank - input.getRank());
    int64_t si = i - (rank - length);
    std::optional<int64_t> x, s;
    if (xi >= 0)
      x = input.getDimSize(xi);
    if (si >= 0)
      s = target[si].value_or(ShapedType::kDynamic);
    if (s && !ShapedType::isDynamic(*s) && *s < 0)
      s = ShapedType::kDynamic;
    shape.push_back(expandExtent(x, s));
  }
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult ExpandOp::verify() {
  auto target = getConstantInts(getShape());
  if (!target)
    return success();
  for (auto [i, s] : llvm::enumerate(*target))
    if (s < 0)
      return emitOpError() << "shape entry " << i << " is " << s
                           << "; extents must not be negative";
  std::string why;
  if (failed(broadcastShapes(getInput().getType().getShape(), *target, &why)))
    return emitOpError() << why;
  return success();
}

OpFoldResult ExpandOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType() && getType().hasStaticShape() &&
      getConstantInts(getShape()))
    return getInput();
  auto value = constantValue(adaptor.getInput());
  if (value && value.isSplat() && getType().hasStaticShape())
    return value.resizeSplat(getType());
  return {};
}

//===----------------------------------------------------------------------===//
// TileOp
//===----------------------------------------------------------------------===//

LogicalResult TileOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  if (!input)
    return failure();
  auto repeats = knownEntries(adaptor.getRepeats(), input.getRank());
  SmallVector<int64_t> shape;
  for (auto [i, d] : llvm::enumerate(input.getShape())) {
    std::optional<int64_t> r = repeats[i];
    if (r && *r == 0)
      shape.push_back(0);
    else if (r && *r > 0 && !ShapedType::isDynamic(d))
      shape.push_back(d * *r);
    else
      shape.push_back(ShapedType::kDynamic);
  }
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult TileOp::verify() {
  int64_t rank = getInput().getType().getRank();
  int64_t length = getRepeats().getType().getDimSize(0);
  if (length != rank)
    return emitOpError() << "expects one repeat count per dimension (" << rank
                         << "), got " << length;
  if (auto repeats = getConstantInts(getRepeats()))
    for (auto [i, r] : llvm::enumerate(*repeats))
      if (r < 0)
        return emitOpError() << "repeat count " << i << " is " << r
                             << "; expected a count >= 0";
  return success();
}

OpFoldResult TileOp::fold(FoldAdaptor adaptor) {
  auto repeats = getConstantInts(getRepeats());
  if (repeats && llvm::all_of(*repeats, [](int64_t r) { return r == 1; }) &&
      getInput().getType() == getType())
    return getInput();
  auto value = constantValue(adaptor.getInput());
  if (value && value.isSplat() && getType().hasStaticShape())
    return value.resizeSplat(getType());
  return {};
}

//===----------------------------------------------------------------------===//
// PadOp
//===----------------------------------------------------------------------===//

LogicalResult PadOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  if (!input)
    return failure();
  int64_t rank = input.getRank();
  auto pads = knownEntries(adaptor.getPads(), 2 * rank);
  SmallVector<int64_t> shape;
  for (auto [i, d] : llvm::enumerate(input.getShape())) {
    std::optional<int64_t> lo = pads[i], hi = pads[i + rank];
    if (!lo || !hi || ShapedType::isDynamic(d)) {
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    int64_t size = d + *lo + *hi;
    shape.push_back(size >= 0 ? size : ShapedType::kDynamic);
  }
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult PadOp::verify() {
  StringRef mode = getMode();
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return emitOpError() << "mode '" << mode
                         << "' is not one of constant, reflect, edge";
  auto inputType = getInput().getType();
  int64_t rank = inputType.getRank();
  if (getValue().getType().getElementType() != inputType.getElementType())
    return emitOpError() << "expects the padding value to have the input's "
                            "element type "
                         << inputType.getElementType();
  int64_t length = getPads().getType().getDimSize(0);
  if (length != 2 * rank)
    return emitOpError() << "expects 2 pads per dimension (" << 2 * rank
                         << "), got " << length;
  auto pads = getConstantInts(getPads());
  if (!pads)
    return success();
  for (int64_t i = 0; i < rank; ++i) {
    int64_t d = inputType.getDimSize(i);
    int64_t lo = (*pads)[i], hi = (*pads)[i + rank];
    if (ShapedType::isDynamic(d))
      continue;
    if (d + lo + hi < 0)
      return emitOpError() << "pads " << lo << " and " << hi
                           << " remove more than the " << d
                           << " elements of dimension " << i;
    if (mode == "reflect" && (lo >= d || hi >= d) && (lo > 0 || hi > 0))
      return emitOpError() << "reflect pads " << lo << " and " << hi
                           << " must be smaller than dimension " << i
                           << " (" << d << ")";
    if (mode == "edge" && d == 0 && (lo > 0 || hi > 0))
      return emitOpError() << "edge padding of the empty dimension " << i
                           << " has no edge to repeat";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// ConstantOfShapeOp
//===----------------------------------------------------------------------===//

LogicalResult ConstantOfShapeOp::inferReturnTypes(
    MLIRContext *ctx, std::optional<Location>, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  Type elementType = adaptor.getValue() ? adaptor.getValue().getType()
                                        : Type(Float32Type::get(ctx));
  int64_t rank = vectorLength(adaptor.getShape().getType()).value_or(0);
  SmallVector<int64_t> shape;
  for (std::optional<int64_t> d : knownEntries(adaptor.getShape(), rank))
    shape.push_back(d && *d >= 0 ? *d : ShapedType::kDynamic);
  types.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

LogicalResult ConstantOfShapeOp::verify() {
  if (!isa<IntegerAttr, FloatAttr>(getValue()))
    return emitOpError() << "expects an integer or float value, got "
                         << getValue();
  if (auto shape = getConstantInts(getShape()))
    for (auto [i, d] : llvm::enumerate(*shape))
      if (d < 0)
        return emitOpError() << "shape entry " << i << " is " << d
                             << "; extents must not be negative";
  return success();
}

OpFoldResult ConstantOfShapeOp::fold(FoldAdaptor) {
  if (!getType().hasStaticShape() || !isa<IntegerAttr, FloatAttr>(getValue()))
    return {};
  return DenseElementsAttr::get(getType(), ArrayRef<Attribute>(getValue()));
}

//===----------------------------------------------------------------------===//
// RangeOp
//===----------------------------------------------------------------------===//

/// The constant length of a range, or nothing.
static std::optional<int64_t> constantRangeLength(Value start, Value limit,
                                                  Value delta) {
  auto scalar = [](Value v) -> std::optional<double> {
    if (auto c = getConstantScalar(v))
      return c;
    if (auto known = allKnown(v); known && known->size() == 1)
      return (double)known->front();
    return std::nullopt;
  };
  auto s = scalar(start), l = scalar(limit), d = scalar(delta);
  if (!s || !l || !d || *d == 0)
    return std::nullopt;
  if (isa<FloatType>(getElementTypeOrSelf(start.getType())))
    return rangeLength(*s, *l, *d);
  return rangeLength((int64_t)*s, (int64_t)*l, (int64_t)*d);
}

LogicalResult RangeOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  auto start = rankedType(adaptor.getStart());
  if (!start)
    return failure();
  int64_t length =
      constantRangeLength(adaptor.getStart(), adaptor.getLimit(),
                          adaptor.getDelta())
          .value_or(ShapedType::kDynamic);
  types.push_back(RankedTensorType::get({length}, start.getElementType()));
  return success();
}

LogicalResult RangeOp::verify() {
  if (auto delta = getConstantScalar(getDelta()); delta && *delta == 0)
    return emitOpError() << "delta is 0";
  return success();
}

OpFoldResult RangeOp::fold(FoldAdaptor) {
  // Small ranges only: a constant is stored element by element.
  constexpr int64_t kMaxFoldedElements = 1024;
  auto type = getType();
  if (!type.hasStaticShape() || type.getNumElements() > kMaxFoldedElements)
    return {};
  auto start = getConstantElements(getStart());
  auto delta = getConstantElements(getDelta());
  if (!start || !delta)
    return {};
  Type elementType = type.getElementType();
  int64_t n = type.getNumElements();
  if (auto floatType = dyn_cast<FloatType>(elementType)) {
    // numpy.arange: start + i * delta, rounded once to the element type.
    double s = *getConstantScalar(getStart());
    double d = *getConstantScalar(getDelta());
    SmallVector<APFloat> values;
    for (int64_t i = 0; i < n; ++i) {
      APFloat v(s + (double)i * d);
      bool lost;
      v.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                &lost);
      values.push_back(v);
    }
    return DenseElementsAttr::get(type, values);
  }
  APInt s = *start.getValues<APInt>().begin();
  APInt d = *delta.getValues<APInt>().begin();
  SmallVector<APInt> values;
  for (int64_t i = 0; i < n; ++i)
    values.push_back(s + d * APInt(s.getBitWidth(), i));
  return DenseElementsAttr::get(type, values);
}
