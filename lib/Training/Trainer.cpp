//===- Trainer.cpp - Compiled training steps and the state between them ---===//
//
// The step and the evaluation are compiled as two models from copies of one
// module, each keeping only its own function. The step's parameters and
// state are mutable inputs (KILN_TENSOR_MUTABLE): it writes their new values
// into the Trainer's tensors, so steps follow each other with no copies.
// Steps for batch sizes other than the one the step is specialized to are
// compiled when first needed, from the same training functions.
//
//===----------------------------------------------------------------------===//

#include "kiln/Training/Trainer.h"

#include "kiln/Target/Signature.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringExtras.h"

#include <cstring>

using namespace mlir;
using namespace mlir::kiln;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::make_error<llvm::StringError>(message,
                                             llvm::inconvertibleErrorCode());
}

/// Collects the diagnostics emitted while it lives, for an llvm::Error.
namespace {
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(MLIRContext *ctx)
      : handler(ctx, [this](Diagnostic &diag) {
          if (!text.empty())
            text += "\n";
          text += diag.str();
          return success();
        }) {}
  llvm::Error error(StringRef fallback) const {
    return makeError(text.empty() ? fallback.str() : text);
  }

private:
  std::string text;
  ScopedDiagnosticHandler handler;
};

/// `index=DxD` for each argument from `first` on whose dimension 0 is
/// dynamic and whose other dimensions are static.
std::string batchShapes(func::FuncOp func, unsigned first, int64_t batch) {
  std::string spec;
  for (unsigned i = first; i < func.getNumArguments(); ++i) {
    auto type = cast<RankedTensorType>(func.getArgument(i).getType());
    if (type.getRank() == 0 || !type.isDynamicDim(0) ||
        llvm::count_if(type.getShape(), ShapedType::isDynamic) != 1)
      continue;
    SmallVector<std::string> dims{std::to_string(batch)};
    for (int64_t d : type.getShape().drop_front())
      dims.push_back(std::to_string(d));
    if (!spec.empty())
      spec += ",";
    spec += std::to_string(i) + "=" + llvm::join(dims, "x");
  }
  return spec;
}

/// Compiles `name` alone from a copy of `module`.
llvm::Expected<kiln_model *> compileFunction(ModuleOp module, StringRef name,
                                             CompileOptions options,
                                             std::string inputShapes) {
  OwningOpRef<ModuleOp> copy(cast<ModuleOp>(module->clone()));
  for (auto func : llvm::make_early_inc_range(copy->getOps<func::FuncOp>()))
    if (func.getSymName() != name)
      func.erase();
  options.entry = name.str();
  options.inputShapes = std::move(inputShapes);
  return compileAndLoad(*copy, options);
}
} // namespace

llvm::Expected<std::unique_ptr<Trainer>>
Trainer::create(ModuleOp module, const TrainingConfig &config,
                const TrainerOptions &options) {
  std::unique_ptr<Trainer> trainer(new Trainer());
  OwningOpRef<ModuleOp> work(cast<ModuleOp>(module->clone()));
  {
    DiagnosticCollector diagnostics(module.getContext());
    auto functions = buildTrainingFunctions(*work, config);
    if (failed(functions))
      return diagnostics.error("cannot build the training step");
    trainer->functions = std::move(*functions);
  }
  size_t numParams = trainer->functions.parameters.size();
  size_t numBuffers = trainer->functions.buffers.size();
  size_t numState = trainer->functions.state.size();

  // The evaluation's arguments: parameters, model inputs, labels.
  auto evaluate = work->lookupSymbol<func::FuncOp>("evaluate");
  auto signature = getSignature(evaluate);
  if (failed(signature))
    return makeError("the evaluation function has arguments a compiled model "
                     "cannot take");
  ArrayRef<TensorSignature> args = signature->inputs;
  trainer->modelInputs.assign(args.begin() + numParams + numBuffers,
                              args.end() - 1);
  trainer->labelInput = args.back();

  auto step = work->lookupSymbol<func::FuncOp>("train_step");
  std::string stepShapes;
  if (options.batchSize > 0)
    stepShapes =
        batchShapes(step, numParams + numBuffers + numState, options.batchSize);
  auto stepModel =
      compileFunction(*work, "train_step", options.compile, stepShapes);
  if (!stepModel)
    return stepModel.takeError();
  trainer->stepModel = *stepModel;
  auto evaluateModel = compileFunction(*work, "evaluate", options.compile, "");
  if (!evaluateModel)
    return evaluateModel.takeError();
  trainer->evaluateModel = *evaluateModel;

  trainer->functionsModule = std::move(work);
  trainer->compileOptions = options.compile;
  trainer->batchSize = options.batchSize;

  for (const TrainingTensor &p : trainer->functions.parameters) {
    auto tensor = createTensorFromAttr(p.initial);
    if (!tensor)
      return makeError("parameter '" + p.name +
                       "': " + llvm::toString(tensor.takeError()));
    trainer->params.push_back(*tensor);
  }
  for (const TrainingTensor &p : trainer->functions.buffers) {
    auto tensor = createTensorFromAttr(p.initial);
    if (!tensor)
      return makeError("buffer '" + p.name +
                       "': " + llvm::toString(tensor.takeError()));
    trainer->buffers.push_back(*tensor);
  }
  for (const TrainingTensor &s : trainer->functions.state) {
    SmallVector<int64_t> shape(s.type.getShape());
    kiln_tensor *tensor = nullptr;
    if (kiln_tensor_create(dtypeOf(s.type.getElementType()), shape.data(),
                           shape.size(), &tensor) != KILN_OK)
      return makeError("optimizer state '" + s.name +
                       "': " + kiln_last_error());
    trainer->state.push_back(tensor);
  }
  return trainer;
}

Trainer::~Trainer() {
  kiln_model_close(stepModel);
  kiln_model_close(evaluateModel);
  for (auto &[batch, model] : otherSteps)
    kiln_model_close(model);
  for (kiln_tensor *t : params)
    kiln_tensor_destroy(t);
  for (kiln_tensor *t : buffers)
    kiln_tensor_destroy(t);
  for (kiln_tensor *t : state)
    kiln_tensor_destroy(t);
}

llvm::Expected<double> Trainer::run(kiln_model *model, bool withState,
                                    ArrayRef<const kiln_tensor *> inputs,
                                    const kiln_tensor *labels,
                                    kiln_tensor **output) {
  if (inputs.size() != modelInputs.size())
    return makeError("the model takes " + llvm::Twine(modelInputs.size()) +
                     " inputs, got " + llvm::Twine(inputs.size()));
  SmallVector<const kiln_tensor *> args(params.begin(), params.end());
  args.append(buffers.begin(), buffers.end());
  if (withState)
    args.append(state.begin(), state.end());
  args.append(inputs.begin(), inputs.end());
  args.push_back(labels);
  kiln_tensor *results[2] = {nullptr, nullptr};
  if (kiln_model_run(model, args.data(), args.size(), results, 2) != KILN_OK)
    return makeError(kiln_last_error());
  double loss = 0;
  if (kiln_tensor_dtype(results[0]) == KILN_DTYPE_F64)
    loss = *static_cast<const double *>(kiln_tensor_data(results[0]));
  else
    loss = *static_cast<const float *>(kiln_tensor_data(results[0]));
  kiln_tensor_destroy(results[0]);
  if (output)
    *output = results[1];
  else
    kiln_tensor_destroy(results[1]);
  return loss;
}

llvm::Expected<kiln_model *> Trainer::stepFor(int64_t batch) {
  if (batchSize <= 0 || batch == batchSize)
    return stepModel;
  for (auto &[size, model] : otherSteps)
    if (size == batch)
      return model;
  size_t first = functions.parameters.size() + functions.buffers.size() +
                 functions.state.size();
  auto step = functionsModule->lookupSymbol<func::FuncOp>("train_step");
  auto model = compileFunction(*functionsModule, "train_step", compileOptions,
                               batchShapes(step, first, batch));
  if (!model)
    return model.takeError();
  otherSteps.push_back({batch, *model});
  return *model;
}

llvm::Expected<double> Trainer::step(ArrayRef<const kiln_tensor *> inputs,
                                     const kiln_tensor *labels,
                                     kiln_tensor **output) {
  if (!labels || kiln_tensor_rank(labels) == 0)
    return makeError("the labels must have a batch dimension");
  auto model = stepFor(kiln_tensor_shape(labels)[0]);
  if (!model)
    return model.takeError();
  return run(*model, /*withState=*/true, inputs, labels, output);
}

llvm::Expected<double> Trainer::evaluate(ArrayRef<const kiln_tensor *> inputs,
                                         const kiln_tensor *labels,
                                         kiln_tensor **output) {
  return run(evaluateModel, /*withState=*/false, inputs, labels, output);
}

llvm::Error Trainer::setParameter(size_t i, const kiln_tensor *value) {
  if (i >= params.size())
    return makeError("no parameter " + llvm::Twine(i));
  kiln_tensor *p = params[i];
  if (kiln_tensor_dtype(value) != kiln_tensor_dtype(p) ||
      kiln_tensor_size_bytes(value) != kiln_tensor_size_bytes(p))
    return makeError("parameter '" + functions.parameters[i].name +
                     "': the new value has another dtype or size");
  std::memcpy(kiln_tensor_data(p), kiln_tensor_data(value),
              kiln_tensor_size_bytes(p));
  return llvm::Error::success();
}
