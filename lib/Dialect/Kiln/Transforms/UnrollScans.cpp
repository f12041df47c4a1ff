//===- UnrollScans.cpp - kiln.scan as straight-line steps -----------------===//
//
// The kiln-unroll-scans pass: every kiln.scan with a static number of steps
// becomes a copy of its body per step, in kiln ops, for pipelines that cannot
// run a loop carrying tensors (the GPU's). The CPU pipeline keeps the loop.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"
#include "kiln/Dialect/Kiln/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

#define DEBUG_TYPE "kiln-unroll-scans"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNUNROLLSCANS
#include "kiln/Dialect/Kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

/// A 1-D i64 constant.
static Value indexVector(OpBuilder &b, Location loc, ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({(int64_t)values.size()}, b.getI64Type());
  return ConstantOp::create(b, loc, DenseElementsAttr::get(type, values));
}

/// `value` as `type` where a kiln op produced a more or less static shape
/// than the user expects.
static Value castTo(OpBuilder &b, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  return tensor::CastOp::create(b, loc, type, value);
}

static LogicalResult unroll(ScanOp scan) {
  int64_t steps = ShapedType::kDynamic;
  for (Value input : scan.getInputs()) {
    int64_t t = cast<RankedTensorType>(input.getType()).getDimSize(0);
    if (!ShapedType::isDynamic(t))
      steps = t;
  }
  if (ShapedType::isDynamic(steps))
    return scan.emitOpError("has a number of steps known only at run time, "
                            "which kiln-unroll-scans cannot unroll");
  if (steps < 1)
    return scan.emitOpError("has no steps to unroll");

  OpBuilder b(scan);
  Location loc = scan.getLoc();
  size_t states = scan.getInits().size();
  auto yield = cast<YieldOp>(scan.getBodyBlock().getTerminator());
  SmallVector<Value> current(scan.getInits());
  SmallVector<SmallVector<Value>> outputs(scan.getOutputs().size(),
                                          SmallVector<Value>(steps));
  for (int64_t i = 0; i < steps; ++i) {
    int64_t t = scan.getReverse() ? steps - 1 - i : i;
    IRMapping map;
    map.map(
        scan.getStepArgument(),
        ConstantOp::create(b, loc,
                           DenseElementsAttr::get(
                               RankedTensorType::get({}, b.getI64Type()), t)));
    for (auto [arg, state] : llvm::zip(scan.getStateArguments(), current))
      map.map(arg, castTo(b, loc, state, arg.getType()));
    for (auto [arg, input] :
         llvm::zip(scan.getSliceArguments(), scan.getInputs())) {
      Value row = SliceOp::create(
          b, loc, input, indexVector(b, loc, {t}), indexVector(b, loc, {t + 1}),
          indexVector(b, loc, {0}), indexVector(b, loc, {1}));
      Value step = SqueezeOp::create(b, loc, row, indexVector(b, loc, {0}));
      map.map(arg, castTo(b, loc, step, arg.getType()));
    }
    for (Operation &op : scan.getBodyBlock().without_terminator())
      b.clone(op, map);
    for (auto [k, value] : llvm::enumerate(yield.getValues())) {
      Value v = map.lookupOrDefault(value);
      if (k < states)
        current[k] = v;
      else
        outputs[k - states][t] =
            UnsqueezeOp::create(b, loc, v, indexVector(b, loc, {0}));
    }
  }
  SmallVector<Value> results;
  for (auto [state, result] : llvm::zip(current, scan.getFinalStates()))
    results.push_back(castTo(b, loc, state, result.getType()));
  for (auto [parts, result] : llvm::zip(outputs, scan.getOutputs())) {
    Value stacked = parts.size() == 1
                        ? parts[0]
                        : ConcatOp::create(b, loc, ValueRange(parts),
                                           static_cast<int64_t>(0))
                              .getResult();
    results.push_back(castTo(b, loc, stacked, result.getType()));
  }
  scan->replaceAllUsesWith(results);
  scan.erase();
  return success();
}

namespace {
struct KilnUnrollScansPass
    : public kiln::impl::KilnUnrollScansBase<KilnUnrollScansPass> {
  void runOnOperation() override {
    // Innermost first, so that an outer body is cloned with no scan left.
    SmallVector<ScanOp> scans;
    getOperation().walk([&](ScanOp scan) { scans.push_back(scan); });
    for (ScanOp scan : scans)
      if (failed(unroll(scan)))
        return signalPassFailure();
  }
};
} // namespace
