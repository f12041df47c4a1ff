//===- ShapePropagation.cpp - Re-infer kiln result types ------------------===//
//
// Makes static shapes flow forward through a function: after its arguments
// are specialized (or a fold produced a static value), each kiln op gets the
// most static result type its inference allows.
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

namespace {
struct KilnShapePropagationPass
    : public kiln::impl::KilnShapePropagationBase<KilnShapePropagationPass> {
  using KilnShapePropagationBase::KilnShapePropagationBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    if (failed(specializeArguments(func)))
      return signalPassFailure();

    bool failedOp = false;
    func.walk([&](Operation *op) {
      if (failedOp || !isa<KilnDialect>(op->getDialect()))
        return;
      if (failed(refine(op)))
        failedOp = true;
    });
    if (failedOp)
      return signalPassFailure();
    updateResultTypes(func);
  }

  LogicalResult specializeArguments(func::FuncOp func) {
    llvm::SmallDenseMap<unsigned, SmallVector<int64_t>> shapes;
    std::string why;
    if (failed(parseInputShapes(inputShapes, shapes, why)))
      return func.emitError() << why;
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
      arg.setType(refined);
    }
    func.setFunctionType(FunctionType::get(
        func.getContext(), entry.getArgumentTypes(), func.getResultTypes()));
    return success();
  }

  LogicalResult refine(Operation *op) {
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

  /// Gives `value` the type `refined`; users outside the kiln dialect other
  /// than func.return (which updateResultTypes handles) see a tensor.cast back
  /// to the old type.
  void setTypeKeepingForeignUsers(Value value, Type refined) {
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

  /// Makes the function's result types what its return statements return.
  void updateResultTypes(func::FuncOp func) {
    SmallVector<Type> results;
    func.walk([&](func::ReturnOp ret) {
      results.assign(ret.getOperandTypes().begin(),
                     ret.getOperandTypes().end());
    });
    if (results.empty() && func.getNumResults() != 0)
      return;
    func.setFunctionType(FunctionType::get(
        func.getContext(), func.getArgumentTypes(), results));
  }
};
} // namespace
