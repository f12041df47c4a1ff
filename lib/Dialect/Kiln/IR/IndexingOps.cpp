//===- IndexingOps.cpp - Indexing kiln ops --------------------------------===//
//
// Type inference, verifiers and folders of the ops in IndexingOps.td:
// concat and slice, gathers and scatters, nonzero, trilu, one_hot and
// reverse_sequence. Folders evaluate small constant cases, which is what
// shape computations in exported models (Shape -> Gather -> Concat ->
// Reshape) reduce to once the shapes are static.
//
//===----------------------------------------------------------------------===//

#include "OpUtils.h"

#include "kiln/Dialect/Kiln/IR/ConstantOperands.h"
#include "kiln/Dialect/Kiln/IR/IndexRules.h"
#include "kiln/Dialect/Kiln/IR/ShapeValues.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::kiln;

/// Constants with more elements than this are not folded: they are stored
/// element by element.
static constexpr int64_t kMaxFoldedElements = 1024;

/// Row-major strides of a static shape.
static SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// The elements of a constant operand when they may be folded into a result
/// of `type`.
static DenseElementsAttr foldableConstant(Attribute attr, ShapedType type) {
  auto value = constantValue(attr);
  if (!value || !type.hasStaticShape() ||
      type.getNumElements() > kMaxFoldedElements)
    return {};
  return value;
}

/// The values of a shape-like operand when every entry is known (see
/// ShapeValues.h).
static std::optional<SmallVector<int64_t>> allKnown(Value value) {
  auto known = getKnownEntries(value);
  if (!known || llvm::any_of(*known, [](auto e) { return !e; }))
    return std::nullopt;
  SmallVector<int64_t> values;
  for (auto e : *known)
    values.push_back(*e);
  return values;
}

/// A tensor of `rank` dynamic dimensions.
static RankedTensorType dynamicTensor(int64_t rank, Type elementType) {
  return RankedTensorType::get(
      SmallVector<int64_t>(std::max<int64_t>(rank, 0), ShapedType::kDynamic),
      elementType);
}

//===----------------------------------------------------------------------===//
// ConcatOp
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location>,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  if (adaptor.getInputs().empty())
    return failure();
  auto first = rankedType(adaptor.getInputs().front());
  if (!first)
    return failure();
  int64_t rank = first.getRank();
  int64_t axis = adaptor.getAxis();
  SmallVector<int64_t> shape(rank, ShapedType::kDynamic);
  bool sameRanks = llvm::all_of(adaptor.getInputs(), [&](Value v) {
    auto t = rankedType(v);
    return t && t.getRank() == rank;
  });
  if (!sameRanks || axis < 0 || axis >= rank) {
    types.push_back(RankedTensorType::get(shape, first.getElementType()));
    return success();
  }
  int64_t sum = 0;
  for (Value v : adaptor.getInputs()) {
    auto type = cast<RankedTensorType>(v.getType());
    for (int64_t i = 0; i < rank; ++i) {
      int64_t d = type.getDimSize(i);
      if (i == axis)
        sum = ShapedType::isDynamic(d) || ShapedType::isDynamic(sum)
                  ? ShapedType::kDynamic
                  : sum + d;
      else if (ShapedType::isDynamic(shape[i]))
        shape[i] = d;
    }
  }
  shape[axis] = sum;
  types.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError() << "expects at least one input";
  auto first = cast<RankedTensorType>(getInputs().front().getType());
  int64_t rank = first.getRank();
  int64_t axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError() << "axis " << axis << " is out of range [0, "
                         << rank << ")";
  for (auto [n, v] : llvm::enumerate(getInputs())) {
    auto type = cast<RankedTensorType>(v.getType());
    if (type.getElementType() != first.getElementType())
      return emitOpError() << "expects inputs of one element type, got "
                           << first.getElementType() << " and "
                           << type.getElementType();
    if (type.getRank() != rank)
      return emitOpError() << "expects inputs of one rank, got " << rank
                           << " and " << type.getRank();
    for (int64_t i = 0; i < rank; ++i) {
      if (i == axis || type.isDynamicDim(i) || first.isDynamicDim(i))
        continue;
      if (type.getDimSize(i) != first.getDimSize(i))
        return emitOpError() << "input " << n << " has shape "
                             << formatShape(type.getShape())
                             << ", which does not match "
                             << formatShape(first.getShape())
                             << " outside dimension " << axis;
    }
  }
  return success();
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1 && getInputs().front().getType() == getType())
    return getInputs().front();
  ShapedType type = getType();
  if (!type.hasStaticShape() || type.getNumElements() > kMaxFoldedElements)
    return {};
  SmallVector<DenseElementsAttr> values;
  for (Attribute attr : adaptor.getInputs()) {
    auto value = constantValue(attr);
    if (!value)
      return {};
    values.push_back(value);
  }
  // The result is, for each index before `axis`, each input's block in turn.
  int64_t axis = getAxis();
  ArrayRef<int64_t> shape = type.getShape();
  int64_t outer = 1;
  for (int64_t i = 0; i < axis; ++i)
    outer *= shape[i];
  SmallVector<SmallVector<Attribute>> elements;
  SmallVector<int64_t> blocks;
  for (DenseElementsAttr v : values) {
    elements.emplace_back(v.getValues<Attribute>().begin(),
                          v.getValues<Attribute>().end());
    blocks.push_back(outer ? v.getNumElements() / outer : 0);
  }
  SmallVector<Attribute> result;
  for (int64_t o = 0; o < outer; ++o)
    for (auto [e, block] : llvm::zip(elements, blocks))
      for (int64_t j = 0; j < block; ++j)
        result.push_back(e[o * block + j]);
  return DenseElementsAttr::get(type, result);
}

//===----------------------------------------------------------------------===//
// SliceOp
//===----------------------------------------------------------------------===//

namespace {
/// The parameters of a slice whose axes, starts, ends and steps are all
/// constant: per input dimension, the first position and the step (a
/// dimension not sliced has start 0, step 1).
struct ConstantSlice {
  SmallVector<int64_t> starts, steps, sliced;
  SmallVector<int64_t> ends; ///< as given (clamping needs the extent)
};
} // namespace

/// Reads constant slice parameters; nothing when one is not constant or they
/// are invalid.
static std::optional<ConstantSlice>
constantSlice(Value starts, Value ends, Value axes, Value steps, int64_t rank) {
  auto s = allKnown(starts), e = allKnown(ends), a = allKnown(axes),
       k = allKnown(steps);
  if (!s || !e || !a || !k || s->size() != a->size() ||
      e->size() != a->size() || k->size() != a->size())
    return std::nullopt;
  auto normalized = normalizeAxes(*a, rank);
  if (!normalized || llvm::is_contained(*k, 0))
    return std::nullopt;
  ConstantSlice slice;
  slice.starts.assign(rank, 0);
  slice.ends.assign(rank, INT64_MAX);
  slice.steps.assign(rank, 1);
  slice.sliced.assign(rank, 0);
  for (auto [i, axis] : llvm::enumerate(*normalized)) {
    slice.starts[axis] = (*s)[i];
    slice.ends[axis] = (*e)[i];
    slice.steps[axis] = (*k)[i];
    slice.sliced[axis] = 1;
  }
  return slice;
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  if (!input)
    return failure();
  int64_t rank = input.getRank();
  SmallVector<int64_t> shape(rank, ShapedType::kDynamic);
  auto axes = allKnown(adaptor.getAxes());
  std::optional<SmallVector<int64_t>> normalized;
  if (axes)
    normalized = normalizeAxes(*axes, rank);
  if (normalized)
    for (int64_t i = 0; i < rank; ++i)
      if (!llvm::is_contained(*normalized, i))
        shape[i] = input.getDimSize(i);
  if (auto slice = constantSlice(adaptor.getStarts(), adaptor.getEnds(),
                                 adaptor.getAxes(), adaptor.getSteps(),
                                 rank))
    for (int64_t i = 0; i < rank; ++i)
      if (slice->sliced[i] && !input.isDynamicDim(i))
        shape[i] = sliceBounds(input.getDimSize(i), slice->starts[i],
                               slice->ends[i], slice->steps[i])
                       .count;
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult SliceOp::verify() {
  int64_t rank = getInput().getType().getRank();
  int64_t n = getAxes().getType().getDimSize(0);
  for (Value v : {getStarts(), getEnds(), getSteps()})
    if (cast<RankedTensorType>(v.getType()).getDimSize(0) != n)
      return emitOpError() << "expects starts, ends, axes and steps of one "
                              "length";
  if (n > rank)
    return emitOpError() << "slices " << n << " dimensions of a rank-"
                         << rank << " input";
  if (auto axes = getConstantInts(getAxes()); axes &&
                                               !normalizeAxes(*axes, rank))
    return emitOpError() << "axes [" << *axes
                         << "] are not distinct dimensions in [" << -rank
                         << ", " << rank << ")";
  if (auto steps = getConstantInts(getSteps());
      steps && llvm::is_contained(*steps, 0))
    return emitOpError() << "steps [" << *steps << "] contain 0";
  return success();
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  auto inputType = getInput().getType();
  int64_t rank = inputType.getRank();
  auto slice = constantSlice(getStarts(), getEnds(), getAxes(), getSteps(),
                             rank);
  if (!slice || !inputType.hasStaticShape())
    return {};
  SmallVector<int64_t> firsts, counts;
  for (int64_t i = 0; i < rank; ++i) {
    SliceBounds b = sliceBounds(inputType.getDimSize(i), slice->starts[i],
                                slice->ends[i], slice->steps[i]);
    firsts.push_back(b.start);
    counts.push_back(b.count);
  }
  // The whole input, in order.
  bool whole = llvm::all_of(llvm::seq<int64_t>(0, rank), [&](int64_t i) {
    return firsts[i] == 0 && slice->steps[i] == 1 &&
           counts[i] == inputType.getDimSize(i);
  });
  if (whole && inputType == getType())
    return getInput();
  DenseElementsAttr value = foldableConstant(adaptor.getInput(), getType());
  if (!value || ArrayRef<int64_t>(counts) != getType().getShape())
    return {};
  if (value.isSplat())
    return value.resizeSplat(getType());
  SmallVector<Attribute> elements(value.getValues<Attribute>().begin(),
                                  value.getValues<Attribute>().end());
  SmallVector<int64_t> strides = stridesOf(inputType.getShape());
  SmallVector<Attribute> result;
  int64_t total = getType().getNumElements();
  SmallVector<int64_t> index(rank, 0);
  for (int64_t n = 0; n < total; ++n) {
    int64_t flat = 0;
    for (int64_t i = 0; i < rank; ++i)
      flat += (firsts[i] + index[i] * slice->steps[i]) * strides[i];
    result.push_back(elements[flat]);
    for (int64_t i = rank - 1; i >= 0; --i) {
      if (++index[i] < counts[i])
        break;
      index[i] = 0;
    }
  }
  return DenseElementsAttr::get(getType(), result);
}

//===----------------------------------------------------------------------===//
// GatherOp
//===----------------------------------------------------------------------===//

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location>,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  auto indices = rankedType(adaptor.getIndices());
  if (!input || !indices)
    return failure();
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= input.getRank()) {
    types.push_back(dynamicTensor(input.getRank() + indices.getRank() - 1,
                                  input.getElementType()));
    return success();
  }
  SmallVector<int64_t> shape(input.getShape().take_front(axis));
  llvm::append_range(shape, indices.getShape());
  llvm::append_range(shape, input.getShape().drop_front(axis + 1));
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult GatherOp::verify() {
  int64_t rank = getInput().getType().getRank();
  int64_t axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError() << "axis " << axis << " is out of range [0, "
                         << rank << ")";
  return success();
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  auto indices = getConstantInts(getIndices());
  if (!indices)
    return {};
  auto inputType = getInput().getType();
  int64_t axis = getAxis();
  if (axis < 0 || axis >= inputType.getRank() || !getType().hasStaticShape())
    return {};
  int64_t extent = inputType.getDimSize(axis);
  // Entries of a shape_of whose dimensions are static are known even when
  // others are not (the batch size of a dynamic model, say).
  if (auto shapeOf = getInput().getDefiningOp<ShapeOfOp>()) {
    auto source = shapeOf.getInput().getType();
    SmallVector<int64_t> values;
    for (int64_t i : *indices) {
      int64_t count = shapeOf.getEnd() - shapeOf.getStart();
      if (i < -count || i >= count)
        return {};
      int64_t d = source.getDimSize(shapeOf.getStart() + (i < 0 ? i + count : i));
      if (ShapedType::isDynamic(d))
        return {};
      values.push_back(d);
    }
    return DenseElementsAttr::get(getType(), ArrayRef<int64_t>(values));
  }
  DenseElementsAttr value = foldableConstant(adaptor.getInput(), getType());
  if (!value || !inputType.hasStaticShape())
    return {};
  for (int64_t &i : *indices) {
    if (i < -extent || i >= extent)
      return {};
    if (i < 0)
      i += extent;
  }
  SmallVector<Attribute> elements(value.getValues<Attribute>().begin(),
                                  value.getValues<Attribute>().end());
  // result[o, j, r] = input[o, indices[j], r] over flattened outer, index and
  // inner positions.
  ArrayRef<int64_t> shape = inputType.getShape();
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i)
    outer *= shape[i];
  for (int64_t i = axis + 1; i < inputType.getRank(); ++i)
    inner *= shape[i];
  SmallVector<Attribute> result;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j : *indices)
      for (int64_t r = 0; r < inner; ++r)
        result.push_back(elements[(o * extent + j) * inner + r]);
  return DenseElementsAttr::get(getType(), result);
}

//===----------------------------------------------------------------------===//
// GatherElementsOp
//===----------------------------------------------------------------------===//

LogicalResult GatherElementsOp::inferReturnTypes(
    MLIRContext *, std::optional<Location>, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  auto indices = rankedType(adaptor.getIndices());
  if (!input || !indices)
    return failure();
  types.push_back(
      RankedTensorType::get(indices.getShape(), input.getElementType()));
  return success();
}

/// Checks that `indices` has the input's rank and, outside `axis`, extents
/// no larger than the input's (the scatter and gather "elements" ops).
static LogicalResult verifyElementsIndices(Operation *op,
                                           RankedTensorType input,
                                           RankedTensorType indices,
                                           int64_t axis) {
  int64_t rank = input.getRank();
  if (axis < 0 || axis >= rank)
    return op->emitOpError() << "axis " << axis << " is out of range [0, "
                             << rank << ")";
  if (indices.getRank() != rank)
    return op->emitOpError() << "expects indices of the input's rank " << rank
                             << ", got " << indices.getRank();
  for (int64_t i = 0; i < rank; ++i)
    if (i != axis && !input.isDynamicDim(i) && !indices.isDynamicDim(i) &&
        indices.getDimSize(i) > input.getDimSize(i))
      return op->emitOpError()
             << "indices of shape " << formatShape(indices.getShape())
             << " exceed the input's shape " << formatShape(input.getShape())
             << " in dimension " << i;
  return success();
}

LogicalResult GatherElementsOp::verify() {
  return verifyElementsIndices(*this, getInput().getType(),
                               getIndices().getType(), getAxis());
}

//===----------------------------------------------------------------------===//
// GatherNDOp
//===----------------------------------------------------------------------===//

LogicalResult GatherNDOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location>,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  auto indices = rankedType(adaptor.getIndices());
  if (!input || !indices)
    return failure();
  int64_t batch = adaptor.getBatchDims();
  int64_t q = indices.getRank();
  if (q == 0 || indices.isDynamicDim(q - 1) || batch < 0) {
    types.push_back(dynamicTensor(q - 1, input.getElementType()));
    return success();
  }
  int64_t k = indices.getDimSize(q - 1);
  SmallVector<int64_t> shape(indices.getShape().drop_back());
  if (batch + k <= input.getRank())
    llvm::append_range(shape, input.getShape().drop_front(batch + k));
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult GatherNDOp::verify() {
  auto input = getInput().getType();
  auto indices = getIndices().getType();
  int64_t batch = getBatchDims();
  int64_t q = indices.getRank(), r = input.getRank();
  if (q < 1)
    return emitOpError() << "expects indices of rank at least 1";
  if (indices.isDynamicDim(q - 1))
    return emitOpError() << "expects the last dimension of indices (the "
                            "index length) to be static";
  int64_t k = indices.getDimSize(q - 1);
  if (batch < 0 || batch >= std::min(q, r))
    return emitOpError() << "batch_dims " << batch
                         << " must be in [0, min(indices rank " << q
                         << ", input rank " << r << "))";
  if (batch + k > r)
    return emitOpError() << "an index of length " << k << " after "
                         << batch << " batch dimensions does not fit the "
                         << r << " input dimensions";
  for (int64_t i = 0; i < batch; ++i)
    if (!input.isDynamicDim(i) && !indices.isDynamicDim(i) &&
        input.getDimSize(i) != indices.getDimSize(i))
      return emitOpError() << "batch dimension " << i << " is "
                           << input.getDimSize(i) << " in the input but "
                           << indices.getDimSize(i) << " in indices";
  return success();
}

//===----------------------------------------------------------------------===//
// ScatterElementsOp / ScatterNDOp
//===----------------------------------------------------------------------===//

static LogicalResult verifyReduction(Operation *op, StringRef reduction) {
  if (reduction != "none" && reduction != "add" && reduction != "mul" &&
      reduction != "max" && reduction != "min")
    return op->emitOpError() << "reduction '" << reduction
                             << "' is not one of none, add, mul, max, min";
  return success();
}

static bool shapesCompatible(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  if (a.size() != b.size())
    return false;
  for (auto [x, y] : llvm::zip(a, b))
    if (!ShapedType::isDynamic(x) && !ShapedType::isDynamic(y) && x != y)
      return false;
  return true;
}

LogicalResult ScatterElementsOp::inferReturnTypes(
    MLIRContext *, std::optional<Location>, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  types.push_back(adaptor.getInput().getType());
  return success();
}

LogicalResult ScatterElementsOp::verify() {
  if (failed(verifyReduction(*this, getReduction())) ||
      failed(verifyElementsIndices(*this, getInput().getType(),
                                   getIndices().getType(), getAxis())))
    return failure();
  if (getUpdates().getType().getElementType() !=
      getInput().getType().getElementType())
    return emitOpError() << "expects updates of the input's element type";
  if (!shapesCompatible(getIndices().getType().getShape(),
                        getUpdates().getType().getShape()))
    return emitOpError() << "expects indices and updates of one shape, got "
                         << formatShape(getIndices().getType().getShape())
                         << " and "
                         << formatShape(getUpdates().getType().getShape());
  return success();
}

LogicalResult ScatterNDOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location>,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  types.push_back(adaptor.getInput().getType());
  return success();
}

LogicalResult ScatterNDOp::verify() {
  if (failed(verifyReduction(*this, getReduction())))
    return failure();
  auto input = getInput().getType();
  auto indices = getIndices().getType();
  auto updates = getUpdates().getType();
  if (updates.getElementType() != input.getElementType())
    return emitOpError() << "expects updates of the input's element type";
  int64_t q = indices.getRank(), r = input.getRank();
  if (q < 1 || indices.isDynamicDim(q - 1))
    return emitOpError() << "expects indices of rank at least 1 whose last "
                            "dimension (the index length) is static";
  int64_t k = indices.getDimSize(q - 1);
  if (k > r)
    return emitOpError() << "an index of length " << k
                         << " does not fit the " << r << " input dimensions";
  SmallVector<int64_t> expected(indices.getShape().drop_back());
  llvm::append_range(expected, input.getShape().drop_front(k));
  if (!shapesCompatible(updates.getShape(), expected))
    return emitOpError() << "expects updates of shape "
                         << formatShape(expected) << ", got "
                         << formatShape(updates.getShape());
  return success();
}

//===----------------------------------------------------------------------===//
// NonZeroOp
//===----------------------------------------------------------------------===//

LogicalResult NonZeroOp::inferReturnTypes(MLIRContext *ctx,
                                          std::optional<Location>,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  if (!input)
    return failure();
  types.push_back(RankedTensorType::get({input.getRank(), ShapedType::kDynamic},
                                        IntegerType::get(ctx, 64)));
  return success();
}

//===----------------------------------------------------------------------===//
// TriluOp
//===----------------------------------------------------------------------===//

LogicalResult TriluOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  types.push_back(adaptor.getInput().getType());
  return success();
}

LogicalResult TriluOp::verify() {
  if (getInput().getType().getRank() < 2)
    return emitOpError() << "expects an input of rank at least 2, got "
                         << getInput().getType().getRank();
  return success();
}

//===----------------------------------------------------------------------===//
// OneHotOp
//===----------------------------------------------------------------------===//

LogicalResult OneHotOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location>,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto indices = rankedType(adaptor.getIndices());
  auto values = rankedType(adaptor.getValues());
  if (!indices || !values)
    return failure();
  int64_t axis = adaptor.getAxis();
  int64_t rank = indices.getRank() + 1;
  if (axis < 0 || axis >= rank) {
    types.push_back(dynamicTensor(rank, values.getElementType()));
    return success();
  }
  int64_t depth = ShapedType::kDynamic;
  if (auto d = getConstantScalar(adaptor.getDepth()); d && *d >= 0)
    depth = (int64_t)*d;
  else if (auto known = allKnown(adaptor.getDepth());
           known && known->size() == 1 && known->front() >= 0)
    depth = known->front();
  SmallVector<int64_t> shape(indices.getShape());
  shape.insert(shape.begin() + axis, depth);
  types.push_back(RankedTensorType::get(shape, values.getElementType()));
  return success();
}

LogicalResult OneHotOp::verify() {
  int64_t rank = getIndices().getType().getRank() + 1;
  int64_t axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError() << "axis " << axis << " is out of range [0, " << rank
                         << ")";
  auto values = getValues().getType();
  if (values.isDynamicDim(0) || values.getDimSize(0) != 2)
    return emitOpError() << "expects values to hold 2 elements (off, on)";
  if (auto d = getConstantScalar(getDepth()); d && *d < 0)
    return emitOpError() << "depth " << *d << " is negative";
  return success();
}

//===----------------------------------------------------------------------===//
// ReverseSequenceOp
//===----------------------------------------------------------------------===//

LogicalResult ReverseSequenceOp::inferReturnTypes(
    MLIRContext *, std::optional<Location>, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  types.push_back(adaptor.getInput().getType());
  return success();
}

LogicalResult ReverseSequenceOp::verify() {
  auto input = getInput().getType();
  int64_t rank = input.getRank();
  int64_t batch = getBatchAxis(), time = getTimeAxis();
  if (rank < 2)
    return emitOpError() << "expects an input of rank at least 2, got "
                         << rank;
  if (batch < 0 || batch >= rank || time < 0 || time >= rank || batch == time)
    return emitOpError() << "batch_axis " << batch << " and time_axis "
                         << time << " must be two different dimensions in [0, "
                         << rank << ")";
  int64_t lengths = getLengths().getType().getDimSize(0);
  if (!ShapedType::isDynamic(lengths) && !input.isDynamicDim(batch) &&
      lengths != input.getDimSize(batch))
    return emitOpError() << "expects one length per batch element ("
                         << input.getDimSize(batch) << "), got " << lengths;
  return success();
}
