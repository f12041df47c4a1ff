//===- ScanOps.cpp - Loops over a sequence --------------------------------===//
//
// The verifier of kiln.scan (ScanOps.td): its body's arguments and yielded
// values against its operands and results.
//
//===----------------------------------------------------------------------===//

#include "OpUtils.h"

using namespace mlir;
using namespace mlir::kiln;

/// True when `a` and `b` could be the same tensor type: same element type
/// and rank, equal extents where both are static.
static bool compatible(Type a, Type b) {
  auto at = dyn_cast<RankedTensorType>(a), bt = dyn_cast<RankedTensorType>(b);
  if (!at || !bt)
    return a == b;
  if (at.getElementType() != bt.getElementType() ||
      at.getRank() != bt.getRank())
    return false;
  for (auto [x, y] : llvm::zip(at.getShape(), bt.getShape()))
    if (!ShapedType::isDynamic(x) && !ShapedType::isDynamic(y) && x != y)
      return false;
  return true;
}

LogicalResult ScanOp::verifyRegions() {
  size_t states = getInits().size(), inputs = getInputs().size();
  if (inputs == 0)
    return emitOpError("expects at least one scan input (the sequence)");
  if (getResults().size() < states)
    return emitOpError() << "expects at least " << states
                         << " results (one per init), got "
                         << getResults().size();

  // Every scan input is sliced along dimension 0, of one extent T.
  int64_t steps = ShapedType::kDynamic;
  for (auto [i, input] : llvm::enumerate(getInputs())) {
    auto type = cast<RankedTensorType>(input.getType());
    if (type.getRank() < 1)
      return emitOpError() << "expects scan input " << i
                           << " to have a dimension 0 to scan, got " << type;
    int64_t t = type.getDimSize(0);
    if (ShapedType::isDynamic(t))
      continue;
    if (!ShapedType::isDynamic(steps) && steps != t)
      return emitOpError() << "expects scan inputs of one length, got " << steps
                           << " and " << t << " (input " << i << ")";
    steps = t;
  }

  Block &body = getBodyBlock();
  if (body.getNumArguments() != 1 + states + inputs)
    return emitOpError() << "expects the body to take 1 + " << states << " + "
                         << inputs << " arguments (step, states, slices), got "
                         << body.getNumArguments();
  auto step = dyn_cast<RankedTensorType>(getStepArgument().getType());
  if (!step || step.getRank() != 0 ||
      !step.getElementType().isSignlessInteger(64))
    return emitOpError() << "expects the body's first argument to be the "
                            "step as tensor<i64>, got "
                         << getStepArgument().getType();
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip(getInits(), getStateArguments()))) {
    auto [init, arg] = pair;
    if (!compatible(init.getType(), arg.getType()))
      return emitOpError() << "expects body argument " << i + 1 << " ("
                           << arg.getType() << ") to match init " << i << " ("
                           << init.getType() << ")";
  }
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip(getInputs(), getSliceArguments()))) {
    auto [input, arg] = pair;
    auto type = cast<RankedTensorType>(input.getType());
    auto slice =
        RankedTensorType::get(type.getShape().drop_front(),
                              type.getElementType(), type.getEncoding());
    if (!compatible(slice, arg.getType()))
      return emitOpError() << "expects body argument " << 1 + states + i << " ("
                           << arg.getType() << ") to be a step of scan input "
                           << i << " (" << type << ")";
  }

  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield)
    return emitOpError("expects the body to end with kiln.yield");
  if (yield.getValues().size() != getResults().size())
    return emitOpError() << "expects kiln.yield of " << getResults().size()
                         << " values (states, then per-step outputs), got "
                         << yield.getValues().size();
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip(yield.getValues().take_front(states),
                                 getInits(), getFinalStates()))) {
    auto [value, init, result] = pair;
    if (!compatible(value.getType(), init.getType()))
      return emitOpError() << "expects yielded state " << i << " ("
                           << value.getType() << ") to match init " << i << " ("
                           << init.getType() << ")";
    if (!compatible(result.getType(), init.getType()))
      return emitOpError() << "expects result " << i << " (" << result.getType()
                           << ") to match init " << i << " (" << init.getType()
                           << ")";
  }
  for (auto [i, pair] : llvm::enumerate(
           llvm::zip(yield.getValues().drop_front(states), getOutputs()))) {
    auto [value, result] = pair;
    auto step = cast<RankedTensorType>(value.getType());
    auto stacked = cast<RankedTensorType>(result.getType());
    SmallVector<int64_t> shape{steps};
    llvm::append_range(shape, step.getShape());
    if (!compatible(RankedTensorType::get(shape, step.getElementType()),
                    stacked))
      return emitOpError() << "expects result " << states + i << " (" << stacked
                           << ") to stack "
                           << (ShapedType::isDynamic(steps)
                                   ? std::string("?")
                                   : std::to_string(steps))
                           << " steps of per-step output " << i << " (" << step
                           << ")";
  }
  return success();
}
