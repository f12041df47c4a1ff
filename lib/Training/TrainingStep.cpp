//===- TrainingStep.cpp - A model's training functions --------------------===//
//
// buildTrainingFunctions turns the parameters of an inference function into
// arguments (@predict), adds a loss (@evaluate), differentiates it with
// kiln-autodiff, and appends the optimizer's update of every parameter and
// state tensor, stored in place with kiln.assign (@train_step). Forward,
// backward and update are one function, so fusion may cross between them.
//
//===----------------------------------------------------------------------===//

#include "kiln/Training/TrainingStep.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"
#include "kiln/Dialect/Kiln/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"

using namespace mlir;
using namespace mlir::kiln;

static constexpr StringLiteral kLossFunction = "__kiln_loss";
static constexpr StringLiteral kNameAttr = "kiln.name";

namespace {

/// A copy of `source` called `name`, placed after it.
func::FuncOp cloneFunction(func::FuncOp source, StringRef name) {
  OpBuilder b(source);
  b.setInsertionPointAfter(source);
  auto copy = cast<func::FuncOp>(b.clone(*source));
  copy.setSymName(name);
  return copy;
}

/// Replaces every parameter constant of `func` with a new leading argument;
/// returns the parameters in argument order.
SmallVector<TrainingTensor> parameterize(func::FuncOp func) {
  SmallVector<ConstantOp> constants;
  func.walk([&](ConstantOp c) {
    if (c->hasAttr(kParameterAttr) &&
        isa<FloatType>(c.getType().getElementType()))
      constants.push_back(c);
  });
  SmallVector<TrainingTensor> params;
  Builder b(func.getContext());
  for (ConstantOp c : constants) {
    auto name = c->getAttrOfType<StringAttr>(kParameterAttr).str();
    unsigned index = params.size();
    (void)func.insertArgument(
        index, c.getType(),
        b.getDictionaryAttr({b.getNamedAttr(kNameAttr, b.getStringAttr(name)),
                             b.getNamedAttr(kParameterAttr, b.getUnitAttr())}),
        c.getLoc());
    c.getResult().replaceAllUsesWith(func.getArgument(index));
    params.push_back({name, c.getType(), c.getValue()});
    c.erase();
  }
  return params;
}

struct OpMaker {
  OpBuilder &b;
  Location loc;
  template <typename OpTy, typename... Args> Value make(Args &&...args) {
    return OpTy::create(b, loc, std::forward<Args>(args)...)->getResult(0);
  }
  FloatAttr f64(double v) { return b.getF64FloatAttr(v); }
};

/// The loss op `config` names, comparing `prediction` with `labels`.
FailureOr<Value> buildLoss(OpMaker &k, const TrainingConfig &config,
                           Value prediction, Value labels) {
  const std::string &loss = config.loss;
  if (loss == "mse")
    return k.make<MSELossOp>(prediction, labels);
  if (loss == "mae")
    return k.make<MAELossOp>(prediction, labels);
  if (loss == "huber")
    return k.make<HuberLossOp>(prediction, labels, k.f64(config.huberDelta));
  if (loss == "bce_with_logits")
    return k.make<BCEWithLogitsLossOp>(prediction, labels);
  if (loss == "cross_entropy")
    return k.make<CrossEntropyLossOp>(prediction, labels);
  emitError(k.loc) << "unknown loss '" << loss
                   << "' (mse, mae, huber, bce_with_logits, cross_entropy)";
  return failure();
}

/// The optimizer's state tensors per parameter (their name suffixes).
FailureOr<SmallVector<StringRef>> stateOf(const std::string &optimizer,
                                          Location loc) {
  if (optimizer == "sgd")
    return SmallVector<StringRef>{};
  if (optimizer == "momentum" || optimizer == "nesterov")
    return SmallVector<StringRef>{"velocity"};
  if (optimizer == "adam" || optimizer == "adamw")
    return SmallVector<StringRef>{"m", "v"};
  if (optimizer == "rmsprop")
    return SmallVector<StringRef>{"square_avg"};
  if (optimizer == "adagrad")
    return SmallVector<StringRef>{"sum"};
  emitError(loc) << "unknown optimizer '" << optimizer
                 << "' (sgd, momentum, nesterov, adam, adamw, rmsprop, "
                    "adagrad)";
  return failure();
}

/// New values of a parameter and its state, in stateOf's order.
SmallVector<Value> update(OpMaker &k, const TrainingConfig &c, Value p,
                          Value g, ValueRange state, Value step) {
  OpBuilder &b = k.b;
  Type t = p.getType();
  double wd = c.weightDecay, lr = c.learningRate;
  const std::string &o = c.optimizer;
  if (o == "sgd")
    return {SGDUpdateOp::create(b, k.loc, t, p, g, k.f64(lr), k.f64(wd))
                .getResult()};
  if (o == "momentum" || o == "nesterov") {
    auto op = MomentumUpdateOp::create(
        b, k.loc, TypeRange{t, t}, p, g, state[0], k.f64(lr),
        k.f64(c.momentum), b.getBoolAttr(o == "nesterov"), k.f64(wd));
    return {op.getNewParam(), op.getNewVelocity()};
  }
  if (o == "adam" || o == "adamw") {
    auto op = AdamUpdateOp::create(
        b, k.loc, TypeRange{t, t, t}, p, g, state[0], state[1], step,
        k.f64(lr), k.f64(c.beta1), k.f64(c.beta2), k.f64(c.epsilon), k.f64(wd),
        b.getBoolAttr(o == "adamw"));
    return {op.getNewParam(), op.getNewM(), op.getNewV()};
  }
  if (o == "rmsprop") {
    auto op = RMSPropUpdateOp::create(b, k.loc, TypeRange{t, t}, p, g,
                                      state[0], k.f64(lr), k.f64(c.alpha),
                                      k.f64(c.epsilon), k.f64(wd));
    return {op.getNewParam(), op.getNewSquareAvg()};
  }
  auto op = AdagradUpdateOp::create(b, k.loc, TypeRange{t, t}, p, g, state[0],
                                    k.f64(lr), k.f64(c.epsilon), k.f64(wd));
  return {op.getNewParam(), op.getNewSum()};
}

} // namespace

FailureOr<TrainingFunctions>
mlir::kiln::buildTrainingFunctions(ModuleOp module,
                                   const TrainingConfig &config) {
  MLIRContext *ctx = module.getContext();
  auto forward = module.lookupSymbol<func::FuncOp>(config.forward);
  if (!forward || forward.isExternal())
    return module.emitError() << "no function '" << config.forward
                              << "' to train";
  if (config.output >= forward.getNumResults())
    return forward.emitError() << "the model has no output " << config.output;
  if (!config.labelType)
    return forward.emitError("training needs the labels' type");
  Location loc = forward.getLoc();
  auto stateNames = stateOf(config.optimizer, loc);
  if (failed(stateNames))
    return failure();

  // @predict(parameters..., inputs...) -> outputs
  func::FuncOp predict = cloneFunction(forward, "predict");
  TrainingFunctions result;
  result.parameters = parameterize(predict);
  unsigned numParams = result.parameters.size();
  if (numParams == 0)
    return forward.emitError("the model has no trainable (floating-point) "
                             "parameters");

  // @__kiln_loss(parameters..., inputs..., labels) -> (loss, output)
  func::FuncOp lossFn = cloneFunction(predict, kLossFunction);
  unsigned labelIndex = lossFn.getNumArguments();
  Builder attrs(ctx);
  (void)lossFn.insertArgument(
      labelIndex, config.labelType,
      attrs.getDictionaryAttr(
          {attrs.getNamedAttr(kNameAttr, attrs.getStringAttr("labels"))}),
      loc);
  {
    auto ret = cast<func::ReturnOp>(lossFn.getBody().front().getTerminator());
    OpBuilder b(ret);
    OpMaker k{b, loc};
    Value prediction = ret.getOperand(config.output);
    auto loss = buildLoss(k, config, prediction,
                          lossFn.getArgument(labelIndex));
    if (failed(loss))
      return failure();
    Value total = *loss;
    for (unsigned i = 0; i < numParams; ++i) {
      Value p = lossFn.getArgument(i);
      if (cast<RankedTensorType>(p.getType()).getRank() < 2)
        continue;
      if (config.l1 > 0)
        total = k.make<AddOp>(total, k.make<L1PenaltyOp>(p, k.f64(config.l1)));
      if (config.l2 > 0)
        total = k.make<AddOp>(total, k.make<L2PenaltyOp>(p, k.f64(config.l2)));
    }
    func::ReturnOp::create(b, loc, ValueRange{total, prediction});
    ret.erase();
    lossFn.setFunctionType(FunctionType::get(
        ctx, lossFn.getArgumentTypes(), {total.getType(), prediction.getType()}));
    lossFn.removeResAttrsAttr();
    if (failed(verify(lossFn)))
      return failure();
  }

  // @evaluate: the same, kept for validation.
  func::FuncOp evaluate = cloneFunction(lossFn, "evaluate");
  evaluate.setResultAttr(0, kNameAttr, attrs.getStringAttr("loss"));
  evaluate.setResultAttr(1, kNameAttr, attrs.getStringAttr("output"));

  // @__kiln_loss_grad(...) -> (loss, gradients..., output)
  {
    PassManager pm(ctx);
    pm.addNestedPass<func::FuncOp>(createKilnDecompose());
    KilnAutodiffOptions options;
    options.function = kLossFunction.str();
    for (unsigned i = 0; i < numParams; ++i)
      options.wrt.push_back(i);
    pm.addPass(createKilnAutodiff(options));
    if (failed(pm.run(module)))
      return failure();
  }
  auto gradFn =
      module.lookupSymbol<func::FuncOp>((kLossFunction + "_grad").str());

  // @train_step(parameters..., state..., inputs..., labels) -> (loss, output)
  SmallVector<Type> argTypes;
  SmallVector<DictionaryAttr> argAttrs;
  auto mutableAttrs = [&](StringRef name) {
    return attrs.getDictionaryAttr(
        {attrs.getNamedAttr(kNameAttr, attrs.getStringAttr(name)),
         attrs.getNamedAttr(kMutableAttr, attrs.getUnitAttr())});
  };
  for (const TrainingTensor &p : result.parameters) {
    argTypes.push_back(p.type);
    argAttrs.push_back(mutableAttrs(p.name));
  }
  bool hasStep = config.optimizer == "adam" || config.optimizer == "adamw";
  for (const TrainingTensor &p : result.parameters)
    for (StringRef suffix : *stateNames) {
      result.state.push_back({p.name + "." + suffix.str(), p.type, nullptr});
      argTypes.push_back(p.type);
      argAttrs.push_back(mutableAttrs(result.state.back().name));
    }
  if (hasStep) {
    auto stepType = RankedTensorType::get({}, Float32Type::get(ctx));
    result.state.push_back({"step", stepType, nullptr});
    argTypes.push_back(stepType);
    argAttrs.push_back(mutableAttrs("step"));
  }
  unsigned firstInput = argTypes.size();
  for (unsigned i = numParams; i < gradFn.getNumArguments(); ++i) {
    argTypes.push_back(gradFn.getArgument(i).getType());
    argAttrs.push_back(gradFn.getArgAttrDict(i));
  }
  OpBuilder mb(gradFn);
  mb.setInsertionPointAfter(gradFn);
  Type lossType = gradFn.getResultTypes().front();
  Type outputType = gradFn.getResultTypes().back();
  auto step = func::FuncOp::create(
      mb, loc, "train_step",
      FunctionType::get(ctx, argTypes, {lossType, outputType}));
  Block *entry = step.addEntryBlock();
  for (auto [i, dict] : llvm::enumerate(argAttrs))
    if (dict)
      step.setArgAttrs(i, dict);
  step.setResultAttr(0, kNameAttr, attrs.getStringAttr("loss"));
  step.setResultAttr(1, kNameAttr, attrs.getStringAttr("output"));

  IRMapping map;
  for (unsigned i = 0; i < numParams; ++i)
    map.map(gradFn.getArgument(i), entry->getArgument(i));
  for (unsigned i = numParams; i < gradFn.getNumArguments(); ++i)
    map.map(gradFn.getArgument(i), entry->getArgument(firstInput + i - numParams));
  OpBuilder b = OpBuilder::atBlockEnd(entry);
  for (Operation &op : gradFn.getBody().front().without_terminator())
    b.clone(op, map);
  auto gradRet = cast<func::ReturnOp>(gradFn.getBody().front().getTerminator());
  auto mapped = [&](unsigned i) {
    return map.lookupOrDefault(gradRet.getOperand(i));
  };

  OpMaker k{b, loc};
  Value stepArg, newStep;
  if (hasStep) {
    stepArg = entry->getArgument(firstInput - 1);
    newStep = k.make<AddOp>(
        stepArg,
        ConstantOp::create(b, loc,
                           cast<ElementsAttr>(DenseElementsAttr::get(
                               cast<ShapedType>(stepArg.getType()), 1.0f))));
  }
  unsigned perParam = stateNames->size();
  for (unsigned i = 0; i < numParams; ++i) {
    Value p = entry->getArgument(i);
    SmallVector<Value> state;
    for (unsigned s = 0; s < perParam; ++s)
      state.push_back(entry->getArgument(numParams + i * perParam + s));
    SmallVector<Value> updated =
        update(k, config, p, mapped(1 + i), state, newStep);
    AssignOp::create(b, loc, p, updated[0]);
    for (unsigned s = 0; s < perParam; ++s)
      AssignOp::create(b, loc, state[s], updated[1 + s]);
  }
  if (hasStep)
    AssignOp::create(b, loc, stepArg, newStep);
  func::ReturnOp::create(b, loc,
                         ValueRange{mapped(0), mapped(gradRet.getNumOperands() - 1)});

  lossFn.erase();
  gradFn.erase();
  if (failed(verify(step)))
    return failure();
  return result;
}
