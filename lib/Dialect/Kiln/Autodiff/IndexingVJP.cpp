//===- IndexingVJP.cpp - Gradient rules of indexing ops -------------------===//
//
// Gathers scatter their cotangent back, with additions where an element was
// gathered several times (gather: scatter_nd over the gathered axis moved to
// the front; gather_elements and topk: scatter_elements). Concat crops each
// input's part out of the cotangent; slice pads it back to the input's
// extents (after spreading it out with zeros for steps other than 1, and
// reversing it for negative steps). Trilu and reverse_sequence are their own
// transposes. gather_nd scatters back with scatter_nd; the scatters give
// their updates the cotangent gathered at the written positions and their
// input the rest of it (all of it for `add`; with `none`, positions written
// by several updates give each of them the cotangent, as PyTorch does).
//
//===----------------------------------------------------------------------===//

#include "VJP.h"

#include "kiln/Dialect/Kiln/IR/ConstantOperands.h"

#include <limits>
#include <type_traits>

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// A 1-D i64 constant.
Value indexVector(OpBuilder &b, Location loc, ArrayRef<int64_t> values) {
  auto type =
      RankedTensorType::get({(int64_t)values.size()}, b.getIntegerType(64));
  return ConstantOp::create(
      b, loc, cast<ElementsAttr>(DenseIntElementsAttr::get(type, values)));
}

/// A reshape spec for `shape` (-1 for its dynamic dim); fails with several.
FailureOr<SmallVector<int64_t>> specOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> spec;
  int dynamic = 0;
  for (int64_t d : shape) {
    dynamic += ShapedType::isDynamic(d);
    spec.push_back(ShapedType::isDynamic(d) ? -1 : d);
  }
  if (dynamic > 1)
    return failure();
  return spec;
}

ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

/// `g` padded (or cropped, where negative) along `axis` by `begin` and `end`
/// with zeros.
Value padAxis(OpBuilder &b, Location loc, Value g, int64_t axis, int64_t begin,
              int64_t end) {
  int64_t rank = shapeOf(g).size();
  SmallVector<int64_t> pads(2 * rank, 0);
  pads[axis] = begin;
  pads[rank + axis] = end;
  return make<PadOp>(b, loc, g, indexVector(b, loc, pads),
                     scalarLike(b, loc, g, 0.0));
}

LogicalResult gatherElementsVJP(GatherElementsOp op, OpBuilder &b,
                                ValueRange grads, SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value input = op.getInput();
  if (!isDifferentiable(input.getType())) {
    out.append({Value(), Value()});
    return success();
  }
  Value zeros = fullLike(b, loc, input, 0.0);
  out.push_back(make<ScatterElementsOp>(b, loc, zeros, op.getIndices(),
                                        grads[0], op.getAxis(),
                                        b.getStringAttr("add")));
  out.push_back(Value());
  return success();
}

LogicalResult gatherVJP(GatherOp op, OpBuilder &b, ValueRange grads,
                        SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value x = op.getInput(), indices = op.getIndices(), g = grads[0];
  if (!isDifferentiable(x.getType())) {
    out.append({Value(), Value()});
    return success();
  }
  int64_t rank = shapeOf(x).size(), q = shapeOf(indices).size();
  int64_t axis = op.getAxis();
  if (axis < 0)
    axis += rank;
  // The cotangent is x[:axis] + indices + x[axis+1:]; bring the index dims
  // to the front, as x's axis, so that scatter_nd adds each slice back.
  SmallVector<int64_t> gPerm, xPerm{axis};
  for (int64_t i = 0; i < q; ++i)
    gPerm.push_back(axis + i);
  for (int64_t i = 0; i < axis; ++i) {
    gPerm.push_back(i);
    xPerm.push_back(i);
  }
  for (int64_t i = axis + 1; i < rank; ++i) {
    gPerm.push_back(i + q - 1);
    xPerm.push_back(i);
  }
  Value gFront = axis == 0 ? g : make<TransposeOp>(b, loc, g, gPerm);
  Value xFront = axis == 0 ? x : make<TransposeOp>(b, loc, x, xPerm);
  // [indices..., rest...] -> [count, rest...]; indices -> [count, 1].
  ArrayRef<int64_t> frontShape = shapeOf(gFront);
  int64_t count = 1;
  for (int64_t d : frontShape.take_front(q))
    count = ShapedType::isDynamic(d) || ShapedType::isDynamic(count)
                ? ShapedType::kDynamic
                : count * d;
  SmallVector<int64_t> flatShape{count};
  llvm::append_range(flatShape, frontShape.drop_front(q));
  auto spec = specOf(flatShape);
  if (failed(spec))
    return op.emitOpError("cannot differentiate a gather with several "
                          "dynamic dimensions");
  Value updates = make<ReshapeOp>(b, loc, gFront, *spec);
  Value flatIndices = make<ReshapeOp>(
      b, loc, indices,
      ArrayRef<int64_t>{ShapedType::isDynamic(count) ? -1 : count, 1});
  Value scattered =
      make<ScatterNDOp>(b, loc, fullLike(b, loc, xFront, 0.0), flatIndices,
                        updates, b.getStringAttr("add"));
  if (axis != 0) {
    SmallVector<int64_t> inverse(rank);
    for (auto [i, p] : llvm::enumerate(xPerm))
      inverse[p] = i;
    scattered = make<TransposeOp>(b, loc, scattered, inverse);
  }
  out.push_back(castTo(b, loc, scattered, x.getType()));
  out.push_back(Value());
  return success();
}

LogicalResult concatVJP(ConcatOp op, OpBuilder &b, ValueRange grads,
                        SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value g = grads[0];
  int64_t rank = shapeOf(g).size();
  int64_t axis = op.getAxis();
  if (axis < 0)
    axis += rank;
  int64_t total = 0;
  for (Value input : op.getInputs()) {
    int64_t size = shapeOf(input)[axis];
    if (ShapedType::isDynamic(size))
      return op.emitOpError("cannot differentiate a concatenation of inputs "
                            "with dynamic extents along its axis");
    total += size;
  }
  int64_t offset = 0;
  for (Value input : op.getInputs()) {
    int64_t size = shapeOf(input)[axis];
    if (isDifferentiable(input.getType())) {
      Value part = padAxis(b, loc, g, axis, -offset, -(total - offset - size));
      out.push_back(castTo(b, loc, part, input.getType()));
    } else {
      out.push_back(Value());
    }
    offset += size;
  }
  return success();
}

LogicalResult sliceVJP(SliceOp op, OpBuilder &b, ValueRange grads,
                       SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value x = op.getInput(), g = grads[0];
  if (!isDifferentiable(x.getType())) {
    out.append(5, Value());
    return success();
  }
  auto starts = getConstantInts(op.getStarts());
  auto ends = getConstantInts(op.getEnds());
  auto axes = getConstantInts(op.getAxes());
  auto steps = getConstantInts(op.getSteps());
  if (!starts || !ends || !axes || !steps)
    return op.emitOpError("cannot differentiate a slice whose starts, ends, "
                          "axes or steps are not constants");
  ArrayRef<int64_t> shape = shapeOf(x);
  int64_t rank = shape.size();
  for (size_t i = 0; i < axes->size(); ++i) {
    int64_t axis = (*axes)[i] < 0 ? (*axes)[i] + rank : (*axes)[i];
    int64_t size = shape[axis], step = (*steps)[i];
    if (ShapedType::isDynamic(size))
      return op.emitOpError("cannot differentiate a slice along a dynamic "
                            "dimension");
    // ONNX's normalization of starts and ends.
    int64_t start = (*starts)[i], end = (*ends)[i];
    if (start < 0)
      start += size;
    if (end < 0)
      end += size;
    int64_t count;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, size);
      end = std::clamp<int64_t>(end, 0, size);
      count = end > start ? (end - start + step - 1) / step : 0;
    } else {
      start = std::clamp<int64_t>(start, 0, size - 1);
      end = std::clamp<int64_t>(end, -1, size - 1);
      count = start > end ? (start - end - step - 1) / -step : 0;
    }
    if (count == 0) {
      // Nothing of the input reaches the result.
      out.push_back(fullLike(b, loc, x, 0.0));
      out.append(4, Value());
      return success();
    }
    if (step < 0) {
      // The same elements in increasing order: reverse the cotangent.
      g = make<SliceOp>(
          b, loc, g, indexVector(b, loc, {-1}),
          indexVector(b, loc, {std::numeric_limits<int64_t>::min()}),
          indexVector(b, loc, {axis}), indexVector(b, loc, {-1}));
      start += (count - 1) * step;
      step = -step;
    }
    int64_t length = count;
    if (step > 1) {
      // [.., count, ..] -> [.., count, 1, ..] -> zeros after each element
      // -> [.., count * step, ..].
      SmallVector<int64_t> split(shapeOf(g));
      split.insert(split.begin() + axis + 1, 1);
      auto splitSpec = specOf(split);
      if (failed(splitSpec))
        return op.emitOpError("cannot differentiate a strided slice of a "
                              "tensor with several dynamic dimensions");
      Value spread = padAxis(b, loc, make<ReshapeOp>(b, loc, g, *splitSpec),
                             axis + 1, 0, step - 1);
      SmallVector<int64_t> merged(shapeOf(g));
      merged[axis] = count * step;
      g = make<ReshapeOp>(b, loc, spread, *specOf(merged));
      length = count * step;
    }
    g = padAxis(b, loc, g, axis, start, size - start - length);
  }
  out.push_back(castTo(b, loc, g, x.getType()));
  out.append(4, Value());
  return success();
}

LogicalResult topkVJP(TopKOp op, OpBuilder &b, ValueRange grads,
                      SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value x = op.getInput();
  if (!isDifferentiable(x.getType())) {
    out.append({Value(), Value()});
    return success();
  }
  out.push_back(make<ScatterElementsOp>(b, loc, fullLike(b, loc, x, 0.0),
                                        op.getIndices(), grads[0], op.getAxis(),
                                        b.getStringAttr("add")));
  out.push_back(Value());
  return success();
}

LogicalResult triluVJP(TriluOp op, OpBuilder &b, ValueRange grads,
                       SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value g = make<TriluOp>(b, loc, grads[0], op.getK(), op.getUpper());
  out.push_back(castTo(b, loc, g, op.getInput().getType()));
  out.push_back(Value());
  return success();
}

LogicalResult reverseSequenceVJP(ReverseSequenceOp op, OpBuilder &b,
                                 ValueRange grads,
                                 SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value g = make<ReverseSequenceOp>(b, loc, grads[0], op.getLengths(),
                                    op.getBatchAxis(), op.getTimeAxis());
  out.push_back(castTo(b, loc, g, op.getInput().getType()));
  out.push_back(Value());
  return success();
}

LogicalResult gatherNDVJP(GatherNDOp op, OpBuilder &b, ValueRange grads,
                          SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value x = op.getInput();
  if (!isDifferentiable(x.getType())) {
    out.append({Value(), Value()});
    return success();
  }
  if (op.getBatchDims() != 0)
    return op.emitOpError("cannot differentiate a gather_nd with batch_dims "
                          "(scatter_nd has none)");
  Value dx =
      make<ScatterNDOp>(b, loc, fullLike(b, loc, x, 0.0), op.getIndices(),
                        grads[0], b.getStringAttr("add"));
  out.push_back(castTo(b, loc, dx, x.getType()));
  out.push_back(Value());
  return success();
}

/// Scatters with `none` or `add`: the updates' cotangent is the result's
/// gathered at the written positions; the input's is the result's, with the
/// overwritten positions zeroed for `none`.
template <typename OpTy>
LogicalResult scatterVJP(OpTy op, OpBuilder &b, ValueRange grads,
                         SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value x = op.getInput(), updates = op.getUpdates(), g = grads[0];
  if (!isDifferentiable(x.getType())) {
    out.append(3, Value());
    return success();
  }
  StringRef reduction = op.getReduction();
  if (reduction != "none" && reduction != "add")
    return op.emitOpError() << "cannot differentiate a scatter with reduction '"
                            << reduction << "'";
  Value dx = g, dupdates;
  if constexpr (std::is_same_v<OpTy, ScatterElementsOp>) {
    dupdates = make<GatherElementsOp>(b, loc, g, op.getIndices(), op.getAxis());
    if (reduction == "none")
      dx = make<ScatterElementsOp>(b, loc, g, op.getIndices(),
                                   fullLike(b, loc, updates, 0.0), op.getAxis(),
                                   b.getStringAttr("none"));
  } else {
    dupdates = make<GatherNDOp>(b, loc, g, op.getIndices(), (uint64_t)0);
    if (reduction == "none")
      dx = make<ScatterNDOp>(b, loc, g, op.getIndices(),
                             fullLike(b, loc, updates, 0.0),
                             b.getStringAttr("none"));
  }
  out.push_back(castTo(b, loc, dx, x.getType()));
  out.push_back(Value());
  out.push_back(castTo(b, loc, dupdates, updates.getType()));
  return success();
}

} // namespace

void mlir::kiln::registerIndexingVJPs(MLIRContext *ctx) {
  attachRule<GatherNDOp, gatherNDVJP>(ctx);
  attachRule<ScatterElementsOp, scatterVJP<ScatterElementsOp>>(ctx);
  attachRule<ScatterNDOp, scatterVJP<ScatterNDOp>>(ctx);
  attachRule<GatherElementsOp, gatherElementsVJP>(ctx);
  attachRule<GatherOp, gatherVJP>(ctx);
  attachRule<ConcatOp, concatVJP>(ctx);
  attachRule<SliceOp, sliceVJP>(ctx);
  attachRule<TopKOp, topkVJP>(ctx);
  attachRule<TriluOp, triluVJP>(ctx);
  attachRule<ReverseSequenceOp, reverseSequenceVJP>(ctx);
}
