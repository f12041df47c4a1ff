//===- TrainingStep.cpp - A model's training functions --------------------===//
//
// buildTrainingFunctions turns the parameters and buffers of an inference
// function into arguments (@predict), adds a loss (@evaluate), switches the
// ops marked kiln.train_mode to training (random dropout masks, batch
// statistics), differentiates it with kiln-autodiff, and appends the
// optimizer's update of every parameter and state tensor and the buffers'
// new values, stored in place with kiln.assign (@train_step). Forward,
// backward and update are one function, so fusion may cross between them.
//
//===----------------------------------------------------------------------===//

#include "kiln/Training/TrainingStep.h"

#include "kiln/Dialect/Kiln/IR/KilnOps.h"
#include "kiln/Dialect/Kiln/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
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

/// Replaces every parameter constant of `func`, then every buffer constant,
/// with a new leading argument (parameters first); returns the parameters
/// and the buffers in argument order.
std::pair<SmallVector<TrainingTensor>, SmallVector<TrainingTensor>>
parameterize(func::FuncOp func) {
  SmallVector<ConstantOp> constants, buffers;
  func.walk([&](ConstantOp c) {
    if (!isa<FloatType>(c.getType().getElementType()))
      return;
    if (c->hasAttr(kParameterAttr))
      constants.push_back(c);
    else if (c->hasAttr(kBufferAttr))
      buffers.push_back(c);
  });
  std::pair<SmallVector<TrainingTensor>, SmallVector<TrainingTensor>> result;
  Builder b(func.getContext());
  unsigned index = 0;
  auto lift = [&](ConstantOp c, StringRef marker,
                  SmallVector<TrainingTensor> &into) {
    auto name = c->getAttrOfType<StringAttr>(marker).str();
    (void)func.insertArgument(
        index, c.getType(),
        b.getDictionaryAttr({b.getNamedAttr(kNameAttr, b.getStringAttr(name)),
                             b.getNamedAttr(marker, b.getUnitAttr())}),
        c.getLoc());
    c.getResult().replaceAllUsesWith(func.getArgument(index));
    into.push_back({name, c.getType(), c.getValue()});
    c.erase();
    ++index;
  };
  for (ConstantOp c : constants)
    lift(c, kParameterAttr, result.first);
  for (ConstantOp c : buffers)
    lift(c, kBufferAttr, result.second);
  return result;
}

struct OpMaker {
  OpBuilder &b;
  Location loc;
  template <typename OpTy, typename... Args> Value make(Args &&...args) {
    return OpTy::create(b, loc, std::forward<Args>(args)...)->getResult(0);
  }
  FloatAttr f64(double v) { return b.getF64FloatAttr(v); }
};

/// What switching a function to training mode added: the buffers' new
/// values (by buffer argument) and, when it has random dropout, the step
/// counter argument the masks take.
struct TrainingMode {
  SmallVector<std::pair<unsigned, Value>> bufferUpdates;
  BlockArgument dropoutStep;
};

/// A scalar constant like `like`'s element type.
Value scalarConstant(OpBuilder &b, Location loc, Type elementType,
                     double value) {
  auto type = RankedTensorType::get({}, elementType);
  return ConstantOp::create(b, loc,
                            cast<ElementsAttr>(DenseElementsAttr::get(
                                type, b.getFloatAttr(elementType, value))));
}

/// Batch normalization with the batch's statistics, in place of `op`:
/// mean and (biased) variance over every dimension but the channel one,
/// built from kiln ops so that the gradient flows through them. The running
/// statistics (buffer arguments of `func`) get PyTorch's update,
/// `(1 - momentum) running + momentum batch`, with the unbiased variance.
LogicalResult batchStatistics(func::FuncOp func, BatchNormOp op,
                              unsigned firstBuffer, unsigned endBuffers,
                              TrainingMode &mode) {
  auto momentumAttr = op->getAttrOfType<FloatAttr>(kTrainModeAttr);
  if (!momentumAttr)
    return op.emitOpError()
           << "needs its momentum as the value of " << kTrainModeAttr;
  auto isBuffer = [&](Value v) {
    auto arg = dyn_cast<BlockArgument>(v);
    return arg && arg.getOwner()->getParentOp() == func &&
           arg.getArgNumber() >= firstBuffer && arg.getArgNumber() < endBuffers;
  };
  if (!isBuffer(op.getMean()) || !isBuffer(op.getVariance()))
    return op.emitOpError() << "in train mode needs its mean and variance "
                               "as buffers (kiln.constant marked "
                            << kBufferAttr << ")";
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  int64_t rank = inputType.getRank();
  int64_t channels = inputType.getDimSize(1);
  if (rank < 2 || ShapedType::isDynamic(channels))
    return op.emitOpError("in train mode needs an input [N, C, ...] with a "
                          "static channel count");
  Type et = inputType.getElementType();
  auto statsType = cast<RankedTensorType>(op.getMean().getType());
  double momentum = momentumAttr.getValueAsDouble();

  OpBuilder b(op);
  Location loc = op.getLoc();
  OpMaker k{b, loc};
  SmallVector<int64_t> axes{0}, broadcastShape(rank, 1);
  for (int64_t d = 2; d < rank; ++d)
    axes.push_back(d);
  broadcastShape[1] = channels;
  Value x = op.getInput();
  Value mean = k.make<ReduceMeanOp>(x, axes, true);
  Value centered = k.make<SubOp>(x, mean);
  Value variance =
      k.make<ReduceMeanOp>(k.make<MulOp>(centered, centered), axes, true);
  Value inverse = k.make<DivOp>(
      scalarConstant(b, loc, et, 1.0),
      k.make<SqrtOp>(k.make<AddOp>(
          variance,
          scalarConstant(b, loc, et, op.getEpsilon().convertToDouble()))));
  Value y = k.make<AddOp>(
      k.make<MulOp>(k.make<MulOp>(centered, inverse),
                    k.make<ReshapeOp>(op.getScale(), broadcastShape)),
      k.make<ReshapeOp>(op.getBias(), broadcastShape));
  if (y.getType() != op.getType())
    y = tensor::CastOp::create(b, loc, op.getType(), y);

  // The number of values per channel, n, from the input's run-time shape:
  // the unbiased variance is the biased one times n / (n - 1).
  Value shape = k.make<ShapeOfOp>(x, 0, rank);
  Value count = k.make<DivOp>(
      k.make<ReduceProdOp>(k.make<CastOp>(shape, TypeAttr::get(et)),
                           ArrayRef<int64_t>{0}, false),
      scalarConstant(b, loc, et, (double)channels));
  Value bessel = k.make<DivOp>(
      count, k.make<SubOp>(count, scalarConstant(b, loc, et, 1.0)));
  ArrayRef<int64_t> statsShape = statsType.getShape();
  Value batchMean = k.make<ReshapeOp>(mean, statsShape);
  Value batchVariance =
      k.make<MulOp>(k.make<ReshapeOp>(variance, statsShape), bessel);
  auto blend = [&](Value running, Value batch) {
    return k.make<AddOp>(
        k.make<MulOp>(running, scalarConstant(b, loc, et, 1.0 - momentum)),
        k.make<MulOp>(batch, scalarConstant(b, loc, et, momentum)));
  };
  mode.bufferUpdates.push_back(
      {cast<BlockArgument>(op.getMean()).getArgNumber(),
       blend(op.getMean(), batchMean)});
  mode.bufferUpdates.push_back(
      {cast<BlockArgument>(op.getVariance()).getArgNumber(),
       blend(op.getVariance(), batchVariance)});
  op.getResult().replaceAllUsesWith(y);
  op.erase();
  return success();
}

/// Switches the ops of `func` marked kTrainModeAttr to training: dropout
/// draws masks (from a new trailing i64 argument, the step counter), batch
/// norm uses the batch's statistics and updates its running ones (buffer
/// arguments `firstBuffer` to `endBuffers`).
LogicalResult switchToTraining(func::FuncOp func, unsigned firstBuffer,
                               unsigned endBuffers, TrainingMode &mode) {
  SmallVector<DropoutOp> dropouts;
  SmallVector<BatchNormOp> norms;
  func.walk([&](Operation *op) {
    if (!op->hasAttr(kTrainModeAttr))
      return;
    if (auto d = dyn_cast<DropoutOp>(op))
      dropouts.push_back(d);
    if (auto n = dyn_cast<BatchNormOp>(op))
      norms.push_back(n);
  });
  for (BatchNormOp op : norms)
    if (failed(batchStatistics(func, op, firstBuffer, endBuffers, mode)))
      return failure();
  // Two batch norms sharing a running statistic would store twice into it.
  DenseSet<unsigned> updated;
  for (auto &[index, value] : mode.bufferUpdates)
    if (!updated.insert(index).second)
      return emitError(value.getLoc())
             << "two train-mode ops update buffer '"
             << func.getArgAttrOfType<StringAttr>(index, kNameAttr).getValue()
             << "'";
  if (!dropouts.empty()) {
    MLIRContext *ctx = func.getContext();
    Builder attrs(ctx);
    unsigned index = func.getNumArguments();
    auto counterType = RankedTensorType::get({}, IntegerType::get(ctx, 64));
    (void)func.insertArgument(
        index, counterType,
        attrs.getDictionaryAttr({attrs.getNamedAttr(
            kNameAttr, attrs.getStringAttr("dropout.step"))}),
        func.getLoc());
    mode.dropoutStep = func.getArgument(index);
    for (DropoutOp op : dropouts) {
      OpBuilder b(op);
      auto boolType = RankedTensorType::get({}, IntegerType::get(ctx, 1));
      Value on = ConstantOp::create(
          b, op.getLoc(),
          cast<ElementsAttr>(DenseElementsAttr::get(boolType, true)));
      op.getTrainingMutable().assign(on);
      op.getStepMutable().assign(mode.dropoutStep);
    }
  }
  return success();
}

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
SmallVector<Value> update(OpMaker &k, const TrainingConfig &c, Value p, Value g,
                          ValueRange state, Value step) {
  OpBuilder &b = k.b;
  Type t = p.getType();
  double wd = c.weightDecay, lr = c.learningRate;
  const std::string &o = c.optimizer;
  if (o == "sgd")
    return {SGDUpdateOp::create(b, k.loc, t, p, g, k.f64(lr), k.f64(wd))
                .getResult()};
  if (o == "momentum" || o == "nesterov") {
    auto op = MomentumUpdateOp::create(
        b, k.loc, TypeRange{t, t}, p, g, state[0], k.f64(lr), k.f64(c.momentum),
        b.getBoolAttr(o == "nesterov"), k.f64(wd));
    return {op.getNewParam(), op.getNewVelocity()};
  }
  if (o == "adam" || o == "adamw") {
    auto op = AdamUpdateOp::create(b, k.loc, TypeRange{t, t, t}, p, g, state[0],
                                   state[1], step, k.f64(lr), k.f64(c.beta1),
                                   k.f64(c.beta2), k.f64(c.epsilon), k.f64(wd),
                                   b.getBoolAttr(o == "adamw"));
    return {op.getNewParam(), op.getNewM(), op.getNewV()};
  }
  if (o == "rmsprop") {
    auto op = RMSPropUpdateOp::create(b, k.loc, TypeRange{t, t}, p, g, state[0],
                                      k.f64(lr), k.f64(c.alpha),
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
    return module.emitError()
           << "no function '" << config.forward << "' to train";
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
  std::tie(result.parameters, result.buffers) = parameterize(predict);
  unsigned numParams = result.parameters.size();
  unsigned numBuffers = result.buffers.size();
  if (numParams == 0)
    return forward.emitError("the model has no trainable (floating-point) "
                             "parameters");

  // @__kiln_loss(parameters..., inputs..., labels) -> (loss, output)
  func::FuncOp lossFn = cloneFunction(predict, kLossFunction);
  unsigned labelIndex = lossFn.getNumArguments();
  Builder attrs(ctx);
  (void)lossFn.insertArgument(labelIndex, config.labelType,
                              attrs.getDictionaryAttr({attrs.getNamedAttr(
                                  kNameAttr, attrs.getStringAttr("labels"))}),
                              loc);
  {
    auto ret = cast<func::ReturnOp>(lossFn.getBody().front().getTerminator());
    OpBuilder b(ret);
    OpMaker k{b, loc};
    Value prediction = ret.getOperand(config.output);
    auto loss =
        buildLoss(k, config, prediction, lossFn.getArgument(labelIndex));
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
    lossFn.setFunctionType(
        FunctionType::get(ctx, lossFn.getArgumentTypes(),
                          {total.getType(), prediction.getType()}));
    lossFn.removeResAttrsAttr();
    if (failed(verify(lossFn)))
      return failure();
  }

  // @evaluate: the same, kept for validation.
  func::FuncOp evaluate = cloneFunction(lossFn, "evaluate");
  evaluate.setResultAttr(0, kNameAttr, attrs.getStringAttr("loss"));
  evaluate.setResultAttr(1, kNameAttr, attrs.getStringAttr("output"));

  // The loss function of @train_step runs its train-mode ops in training;
  // the buffers' new values ride along after the output.
  TrainingMode mode;
  if (failed(switchToTraining(lossFn, numParams, numParams + numBuffers, mode)))
    return failure();
  if (!mode.bufferUpdates.empty()) {
    auto ret = cast<func::ReturnOp>(lossFn.getBody().front().getTerminator());
    for (auto &[index, value] : mode.bufferUpdates)
      ret->insertOperands(ret.getNumOperands(), value);
    lossFn.setFunctionType(FunctionType::get(ctx, lossFn.getArgumentTypes(),
                                             ret.getOperandTypes()));
  }

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

  // @train_step(parameters..., buffers..., state..., inputs..., labels)
  //     -> (loss, output)
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
  for (const TrainingTensor &p : result.buffers) {
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
  auto addState = [&](StringRef name, RankedTensorType type) {
    result.state.push_back({name.str(), type, nullptr});
    argTypes.push_back(type);
    argAttrs.push_back(mutableAttrs(name));
    return argTypes.size() - 1;
  };
  unsigned stepIndex = 0, dropoutStepIndex = 0;
  if (hasStep)
    stepIndex =
        addState("step", RankedTensorType::get({}, Float32Type::get(ctx)));
  if (mode.dropoutStep)
    dropoutStepIndex = addState(
        "dropout.step", cast<RankedTensorType>(mode.dropoutStep.getType()));
  // The gradient function's arguments: parameters, buffers, inputs and
  // labels, then the dropout step counter if any.
  unsigned firstInput = argTypes.size();
  unsigned firstGradInput = numParams + numBuffers;
  unsigned endGradInputs =
      gradFn.getNumArguments() - (mode.dropoutStep ? 1 : 0);
  for (unsigned i = firstGradInput; i < endGradInputs; ++i) {
    argTypes.push_back(gradFn.getArgument(i).getType());
    argAttrs.push_back(gradFn.getArgAttrDict(i));
  }
  OpBuilder mb(gradFn);
  mb.setInsertionPointAfter(gradFn);
  Type lossType = gradFn.getResultTypes().front();
  Type outputType = gradFn.getResultTypes()[1 + numParams];
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
  for (unsigned i = 0; i < firstGradInput; ++i)
    map.map(gradFn.getArgument(i), entry->getArgument(i));
  for (unsigned i = firstGradInput; i < endGradInputs; ++i)
    map.map(gradFn.getArgument(i),
            entry->getArgument(firstInput + i - firstGradInput));
  if (mode.dropoutStep)
    map.map(gradFn.getArgument(endGradInputs),
            entry->getArgument(dropoutStepIndex));
  OpBuilder b = OpBuilder::atBlockEnd(entry);
  for (Operation &op : gradFn.getBody().front().without_terminator())
    b.clone(op, map);
  auto gradRet = cast<func::ReturnOp>(gradFn.getBody().front().getTerminator());
  auto mapped = [&](unsigned i) {
    return map.lookupOrDefault(gradRet.getOperand(i));
  };

  OpMaker k{b, loc};
  auto increment = [&](Value counter) {
    auto type = cast<ShapedType>(counter.getType());
    Attribute one = isa<FloatType>(type.getElementType())
                        ? Attribute(b.getFloatAttr(type.getElementType(), 1))
                        : Attribute(b.getIntegerAttr(type.getElementType(), 1));
    return k.make<AddOp>(
        counter, ConstantOp::create(b, loc,
                                    cast<ElementsAttr>(DenseElementsAttr::get(
                                        type, ArrayRef<Attribute>{one}))));
  };
  Value stepArg, newStep;
  if (hasStep) {
    stepArg = entry->getArgument(stepIndex);
    newStep = increment(stepArg);
  }
  unsigned perParam = stateNames->size();
  unsigned firstState = numParams + numBuffers;
  for (unsigned i = 0; i < numParams; ++i) {
    Value p = entry->getArgument(i);
    SmallVector<Value> state;
    for (unsigned s = 0; s < perParam; ++s)
      state.push_back(entry->getArgument(firstState + i * perParam + s));
    SmallVector<Value> updated =
        update(k, config, p, mapped(1 + i), state, newStep);
    AssignOp::create(b, loc, p, updated[0]);
    for (unsigned s = 0; s < perParam; ++s)
      AssignOp::create(b, loc, state[s], updated[1 + s]);
  }
  if (hasStep)
    AssignOp::create(b, loc, stepArg, newStep);
  if (mode.dropoutStep) {
    Value counter = entry->getArgument(dropoutStepIndex);
    AssignOp::create(b, loc, counter, increment(counter));
  }
  for (auto [j, update] : llvm::enumerate(mode.bufferUpdates))
    AssignOp::create(b, loc, entry->getArgument(update.first),
                     mapped(2 + numParams + j));
  func::ReturnOp::create(b, loc, ValueRange{mapped(0), mapped(1 + numParams)});

  lossFn.erase();
  gradFn.erase();
  if (failed(verify(step)))
    return failure();
  return result;
}
