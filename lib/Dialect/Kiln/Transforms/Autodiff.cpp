//===- Autodiff.cpp - Reverse-mode differentiation ------------------------===//
//
// Builds the gradient function of a kiln function: a copy of its forward
// computation followed by the vector-Jacobian products of its ops in reverse
// order. Each op's rule comes from its DifferentiableOpInterface (the
// per-family files in lib/Dialect/Kiln/Autodiff).
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/KilnInterfaces.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"
#include "kiln/Dialect/Kiln/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/TypeUtilities.h"

#define DEBUG_TYPE "kiln-autodiff"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNAUTODIFF
#include "kiln/Dialect/Kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

static bool isFloatTensor(Type type) {
  return isa<FloatType>(getElementTypeOrSelf(type));
}

namespace {
struct KilnAutodiffPass
    : public kiln::impl::KilnAutodiffBase<KilnAutodiffPass> {
  using KilnAutodiffBase::KilnAutodiffBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto forward = module.lookupSymbol<func::FuncOp>(function);
    if (!forward || forward.isExternal()) {
      module.emitError() << "kiln-autodiff: no function '" << function
                         << "' to differentiate";
      return signalPassFailure();
    }
    if (failed(differentiate(forward)))
      signalPassFailure();
  }

  LogicalResult differentiate(func::FuncOp forward) {
    if (!forward.getBody().hasOneBlock())
      return forward.emitError("kiln-autodiff handles single-block functions");
    if (forward.getNumResults() < 1 ||
        !isFloatTensor(forward.getResultTypes()[0]))
      return forward.emitError() << "kiln-autodiff needs '" << function
                                 << "' to return a floating-point loss first";
    SmallVector<unsigned> args;
    if (wrt.empty()) {
      for (unsigned i = 0; i < forward.getNumArguments(); ++i)
        if (isFloatTensor(forward.getArgument(i).getType()))
          args.push_back(i);
    } else {
      for (unsigned i : wrt) {
        if (i >= forward.getNumArguments())
          return forward.emitError() << "kiln-autodiff: wrt names argument "
                                     << i << " but the function has "
                                     << forward.getNumArguments();
        if (!isFloatTensor(forward.getArgument(i).getType()))
          return forward.emitError()
                 << "kiln-autodiff: argument " << i
                 << " is not floating point and has no gradient";
        args.push_back(i);
      }
    }

    // The gradient function starts as a copy of the forward one.
    OpBuilder moduleBuilder(forward);
    moduleBuilder.setInsertionPointAfter(forward);
    auto grad = cast<func::FuncOp>(moduleBuilder.clone(*forward));
    grad.setSymName((forward.getSymName() + "_grad").str());
    SymbolTable(getOperation()).insert(grad);
    Block &body = grad.getBody().front();
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    Value loss = ret.getOperand(0);
    OpBuilder b(ret);
    Location loc = ret.getLoc();

    // Cotangents, accumulated where a value has several users.
    DenseMap<Value, Value> cotangent;
    auto accumulate = [&](Value v, Value g) {
      auto [it, inserted] = cotangent.try_emplace(v, g);
      if (!inserted)
        it->second = AddOp::create(b, loc, it->second, g).getResult();
    };
    accumulate(loss, FullLikeOp::create(b, loc, loss, b.getF64FloatAttr(1.0))
                         .getResult());

    SmallVector<Operation *> forwardOps;
    for (Operation &op : body.without_terminator())
      forwardOps.push_back(&op);
    for (Operation *op : llvm::reverse(forwardOps)) {
      SmallVector<Value> resultGrads;
      bool any = false;
      for (Value r : op->getResults()) {
        Value g = isFloatTensor(r.getType()) ? cotangent.lookup(r) : Value();
        resultGrads.push_back(g);
        any |= static_cast<bool>(g);
      }
      // Nothing to propagate to: no cotangent arrives, or no operand can
      // take one (constants, integer computations).
      if (!any || llvm::none_of(op->getOperandTypes(), isFloatTensor))
        continue;
      auto rule = dyn_cast<DifferentiableOpInterface>(op);
      if (!rule)
        return op->emitOpError()
               << "has no gradient rule (kiln-autodiff cannot go through it)";
      // Results without a cotangent get zeros, so that rules need not care.
      for (auto [r, g] : llvm::zip(op->getResults(), resultGrads))
        if (!g && isFloatTensor(r.getType()))
          g = FullLikeOp::create(b, loc, r, b.getF64FloatAttr(0.0));
      SmallVector<Value> operandGrads;
      if (failed(rule.buildVJP(b, resultGrads, operandGrads)))
        return failure();
      if (operandGrads.size() != op->getNumOperands())
        return op->emitOpError() << "gradient rule returned "
                                 << operandGrads.size() << " cotangents for "
                                 << op->getNumOperands() << " operands";
      for (auto [operand, g] : llvm::zip(op->getOperands(), operandGrads))
        if (g && isFloatTensor(operand.getType()))
          accumulate(operand, g);
    }

    // Return the loss and the gradients (zeros where the loss does not
    // depend on the argument).
    SmallVector<Value> results{loss};
    SmallVector<Type> resultTypes{loss.getType()};
    for (unsigned i : args) {
      Value arg = body.getArgument(i);
      Value g = cotangent.lookup(arg);
      if (!g)
        g = FullLikeOp::create(b, loc, arg, b.getF64FloatAttr(0.0));
      if (g.getType() != arg.getType())
        g = tensor::CastOp::create(b, loc, arg.getType(), g);
      results.push_back(g);
      resultTypes.push_back(arg.getType());
    }
    // Other results ride along, unchanged, after the gradients.
    for (Value aux : ret.getOperands().drop_front()) {
      results.push_back(aux);
      resultTypes.push_back(aux.getType());
    }
    func::ReturnOp::create(b, loc, results);
    ret.erase();
    grad.setFunctionType(
        FunctionType::get(grad.getContext(), grad.getArgumentTypes(),
                          resultTypes));
    grad.removeResAttrsAttr();
    Builder attrs(grad.getContext());
    for (unsigned i = 1; i < forward.getNumResults(); ++i)
      if (auto name = forward.getResultAttrOfType<StringAttr>(i, "kiln.name"))
        grad.setResultAttr(args.size() + i, "kiln.name", name);
    grad.setResultAttr(0, "kiln.name", attrs.getStringAttr("loss"));
    for (auto [k, i] : llvm::enumerate(args)) {
      auto name = grad.getArgAttrOfType<StringAttr>(i, "kiln.name");
      std::string text = name ? name.str() : "input" + std::to_string(i);
      grad.setResultAttr(k + 1, "kiln.name",
                         attrs.getStringAttr("grad_" + text));
    }
    return success();
  }
};
} // namespace
