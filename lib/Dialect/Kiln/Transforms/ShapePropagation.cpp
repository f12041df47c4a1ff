//===- ShapePropagation.cpp - Re-infer kiln result types ------------------===//
//
// Makes static shapes flow forward through each function: after its
// arguments are specialized (or a fold produced a static value), each kiln op
// gets the most static result type its inference allows, and the function's
// results follow. Casts keep calls and non-kiln users valid.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"
#include "kiln/Dialect/Kiln/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/ADT/StringExtras.h"

#define DEBUG_TYPE "kiln-shape-propagation"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNSHAPEPROPAGATION
#include "kiln/Dialect/Kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

/// The most static type both `a` and `b` allow, or null when they disagree
/// on a static extent.
static RankedTensorType meet(RankedTensorType a, RankedTensorType b) {
  if (a.getRank() != b.getRank() || a.getElementType() != b.getElementType())
    return {};
  SmallVector<int64_t> shape;
  for (auto [x, y] : llvm::zip(a.getShape(), b.getShape())) {
    if (ShapedType::isDynamic(x))
      shape.push_back(y);
    else if (ShapedType::isDynamic(y) || x == y)
      shape.push_back(x);
    else
      return {};
  }
  return RankedTensorType::get(shape, a.getElementType(), a.getEncoding());
}

/// Parses `index=DxDx...,index=...` (dimension `?` stays dynamic).
static LogicalResult
parseInputShapes(StringRef text,
                 llvm::SmallDenseMap<unsigned, SmallVector<int64_t>> &shapes,
                 std::string &why) {
  SmallVector<StringRef> entries;
  text.split(entries, ',', -1, /*KeepEmpty=*/false);
  for (StringRef entry : entries) {
    auto [indexText, shapeText] = entry.trim().split('=');
    unsigned index;
    if (indexText.trim().getAsInteger(10, index)) {
      why = "input-shapes entry '" + entry.str() + "' has no argument index";
      return failure();
    }
    SmallVector<int64_t> dims;
    SmallVector<StringRef> parts;
    if (!shapeText.trim().empty() && shapeText.trim() != "scalar")
      shapeText.trim().split(parts, 'x');
    for (StringRef part : parts) {
      int64_t d;
      if (part == "?")
        d = ShapedType::kDynamic;
      else if (part.getAsInteger(10, d) || d < 0) {
        why = "input-shapes entry '" + entry.str() + "' has a bad dimension '" +
              part.str() + "'";
        return failure();
      }
      dims.push_back(d);
    }
    shapes[index] = dims;
  }
  return success();
}

/// Makes `value` carry `refined`; its users outside the kiln dialect, other
/// than func.return (whose types follow the function's), see a tensor.cast
/// back to the old type.
static void setTypeKeepingForeignUsers(Value value, Type refined) {
  Type old = value.getType();
  value.setType(refined);
  SmallVector<OpOperand *> foreign;
  for (OpOperand &use : value.getUses()) {
    Operation *user = use.getOwner();
    if (!isa<KilnDialect>(user->getDialect()) && !isa<func::ReturnOp>(user))
      foreign.push_back(&use);
  }
  if (foreign.empty())
    return;
  OpBuilder builder(value.getContext());
  builder.setInsertionPointAfterValue(value);
  Value cast = tensor::CastOp::create(builder, value.getLoc(), old, value);
  for (OpOperand *use : foreign)
    use->set(cast);
}

/// Casts `value` to `type` before `user` when the types differ.
static Value castTo(OpBuilder &builder, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  return tensor::CastOp::create(builder, loc, type, value);
}

namespace {
struct KilnShapePropagationPass
    : public kiln::impl::KilnShapePropagationBase<KilnShapePropagationPass> {
  using KilnShapePropagationBase::KilnShapePropagationBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::SmallDenseMap<unsigned, SmallVector<int64_t>> shapes;
    std::string why;
    if (failed(parseInputShapes(inputShapes, shapes, why))) {
      module.emitError() << why;
      return signalPassFailure();
    }

    // Bodies first, then signatures: a signature change touches the callers.
    SmallVector<func::FuncOp> funcs;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      if (func.isPublic() && failed(specializeArguments(func, shapes)))
        return signalPassFailure();
      if (failed(refineBody(func)))
        return signalPassFailure();
      funcs.push_back(func);
    }
    for (func::FuncOp func : funcs)
      updateSignature(func, module);
  }

  LogicalResult specializeArguments(
      func::FuncOp func,
      const llvm::SmallDenseMap<unsigned, SmallVector<int64_t>> &shapes) {
    if (shapes.empty())
      return success();
    Block &entry = func.getBody().front();
    for (auto &[index, dims] : shapes) {
      if (index >= entry.getNumArguments())
        return func.emitError() << "input-shapes names argument " << index
                                << " but the function has "
                                << entry.getNumArguments();
      BlockArgument arg = entry.getArgument(index);
      auto type = dyn_cast<RankedTensorType>(arg.getType());
      auto wanted =
          type ? RankedTensorType::get(dims, type.getElementType()) : nullptr;
      RankedTensorType refined = wanted ? meet(type, wanted) : nullptr;
      if (!refined)
        return func.emitError()
               << "input-shapes gives argument " << index << " the shape "
               << formatShape(dims) << ", which contradicts its type "
               << arg.getType();
      setTypeKeepingForeignUsers(arg, refined);
    }
    func.setFunctionType(FunctionType::get(
        func.getContext(), entry.getArgumentTypes(), func.getResultTypes()));
    return success();
  }

  LogicalResult refineBody(func::FuncOp func) {
    WalkResult result = func.walk([&](Operation *op) {
      if (!isa<KilnDialect>(op->getDialect()))
        return WalkResult::advance();
      return failed(refine(op)) ? WalkResult::interrupt()
                                : WalkResult::advance();
    });
    return failure(result.wasInterrupted());
  }

  LogicalResult refine(Operation *op) {
    if (auto scan = dyn_cast<ScanOp>(op))
      return refineScan(scan);
    auto infer = dyn_cast<InferTypeOpInterface>(op);
    if (!infer)
      return success();
    SmallVector<Type> inferred;
    if (failed(infer.inferReturnTypes(op->getContext(), op->getLoc(),
                                      op->getOperands(),
                                      op->getRawDictionaryAttrs(),
                                      op->getPropertiesStorage(),
                                      op->getRegions(), inferred)))
      return op->emitOpError("cannot infer its result types");
    for (auto [result, type] : llvm::zip(op->getResults(), inferred)) {
      auto current = dyn_cast<RankedTensorType>(result.getType());
      auto candidate = dyn_cast<RankedTensorType>(type);
      if (!current || !candidate || current == candidate)
        continue;
      RankedTensorType refined = meet(current, candidate);
      if (!refined)
        return op->emitOpError()
               << "result type " << current
               << " contradicts the inferred type " << candidate;
      if (refined != current)
        setTypeKeepingForeignUsers(result, refined);
    }
    return success();
  }

  /// Gives `value` the type `meet`s of its own and `others` allow; an error
  /// on `op` when they contradict each other.
  LogicalResult refineTo(Operation *op, Value value, ArrayRef<Type> others,
                         StringRef what) {
    auto refined = cast<RankedTensorType>(value.getType());
    for (Type other : others) {
      RankedTensorType next = meet(refined, cast<RankedTensorType>(other));
      if (!next)
        return op->emitOpError()
               << what << " " << refined << " contradicts " << other;
      refined = next;
    }
    if (refined != value.getType())
      setTypeKeepingForeignUsers(value, refined);
    return success();
  }

  /// kiln.scan (visited after its body): the body's arguments take what the
  /// operands say, the body is refined again with them, and the results take
  /// what the body yields. A state keeps one type over all steps, so its
  /// init, argument, yielded value and result refine each other.
  LogicalResult refineScan(ScanOp scan) {
    size_t states = scan.getInits().size();
    auto yield = cast<YieldOp>(scan.getBodyBlock().getTerminator());
    for (auto [arg, init, next] :
         llvm::zip(scan.getStateArguments(), scan.getInits(),
                   yield.getValues().take_front(states)))
      if (failed(refineTo(scan, arg, {init.getType(), next.getType()},
                          "state argument")))
        return failure();
    for (auto [arg, input] :
         llvm::zip(scan.getSliceArguments(), scan.getInputs())) {
      auto type = cast<RankedTensorType>(input.getType());
      if (failed(refineTo(scan, arg,
                          {RankedTensorType::get(type.getShape().drop_front(),
                                                 type.getElementType())},
                          "slice argument")))
        return failure();
    }
    WalkResult result = scan.getBody().walk([&](Operation *op) {
      if (!isa<KilnDialect>(op->getDialect()))
        return WalkResult::advance();
      return failed(refine(op)) ? WalkResult::interrupt()
                                : WalkResult::advance();
    });
    if (result.wasInterrupted())
      return failure();
    int64_t steps = ShapedType::kDynamic;
    for (Value input : scan.getInputs()) {
      int64_t t = cast<RankedTensorType>(input.getType()).getDimSize(0);
      if (!ShapedType::isDynamic(t))
        steps = t;
    }
    for (auto [value, arg, result] :
         llvm::zip(yield.getValues().take_front(states),
                   scan.getStateArguments(), scan.getFinalStates()))
      if (failed(refineTo(scan, result, {arg.getType(), value.getType()},
                          "result")))
        return failure();
    for (auto [value, result] :
         llvm::zip(yield.getValues().drop_front(states), scan.getOutputs())) {
      auto type = cast<RankedTensorType>(value.getType());
      SmallVector<int64_t> shape{steps};
      llvm::append_range(shape, type.getShape());
      if (failed(refineTo(scan, result,
                          {RankedTensorType::get(shape, type.getElementType())},
                          "result")))
        return failure();
    }
    return success();
  }

  /// Makes the function's type what its body now takes and returns, and keeps
  /// every call of it valid with casts. A function used other than by
  /// func.call keeps its declared results and casts at its returns.
  void updateSignature(func::FuncOp func, ModuleOp module) {
    FunctionType oldType = func.getFunctionType();
    SmallVector<func::ReturnOp> returns;
    func.walk([&](func::ReturnOp ret) { returns.push_back(ret); });
    SmallVector<Type> results(oldType.getResults());
    if (!returns.empty() && llvm::all_of(returns, [&](func::ReturnOp ret) {
          return ret.getOperandTypes() == returns.front().getOperandTypes();
        }))
      results.assign(returns.front().getOperandTypes().begin(),
                     returns.front().getOperandTypes().end());

    SmallVector<func::CallOp> calls;
    bool onlyCalls = true;
    if (std::optional<SymbolTable::UseRange> uses =
            SymbolTable::getSymbolUses(func, module)) {
      for (const SymbolTable::SymbolUse &use : *uses) {
        auto call = dyn_cast<func::CallOp>(use.getUser());
        if (call)
          calls.push_back(call);
        else
          onlyCalls = false;
      }
    } else {
      onlyCalls = false;
    }
    if (!onlyCalls)
      results.assign(oldType.getResults().begin(), oldType.getResults().end());

    // Returns of values more static than the results are cast back.
    for (func::ReturnOp ret : returns) {
      OpBuilder builder(ret);
      for (auto [operand, type] : llvm::zip(ret->getOpOperands(), results))
        operand.set(castTo(builder, ret.getLoc(), operand.get(), type));
    }

    auto newType =
        FunctionType::get(func.getContext(), func.getArgumentTypes(), results);
    if (newType == oldType)
      return;
    func.setFunctionType(newType);
    // Calls pass what they passed before, cast to the new argument types,
    // and see their old result types.
    for (func::CallOp call : calls) {
      OpBuilder builder(call);
      for (auto [operand, type] :
           llvm::zip(call->getOpOperands(), newType.getInputs()))
        operand.set(castTo(builder, call.getLoc(), operand.get(), type));
      builder.setInsertionPointAfter(call);
      for (auto [result, type] : llvm::zip(call.getResults(), results)) {
        Type old = result.getType();
        if (old == type)
          continue;
        result.setType(type);
        Value cast =
            tensor::CastOp::create(builder, call.getLoc(), old, result);
        result.replaceAllUsesExcept(cast, cast.getDefiningOp());
      }
    }
  }
};
} // namespace
