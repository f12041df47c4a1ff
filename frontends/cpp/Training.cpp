//===- Training.cpp - Model::fit and Model::evaluate on Kiln's Trainer ----===//
//
// The DSL side of training: it prepares a copy of the model's module for
// mlir::kiln::Trainer (which builds and compiles the training step:
// autodiff, loss, optimizer update), cuts the data into shuffled batches on
// the host, computes metrics from the outputs, and copies the trained
// parameters back into the model's graph.
//
// A model for classification usually ends in softmax (or sigmoid), but the
// cross-entropy losses take logits, for numerical stability. The training
// copy of `@main` therefore gets the final activation's input as an extra
// result, and the loss compares that; predict() keeps the probabilities.
//
//===----------------------------------------------------------------------===//

#include "ModelImpl.h"

#include "kiln/Target/Signature.h"
#include "kiln/Training/TrainingStep.h"

#include "mlir/IR/Diagnostics.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>

using namespace kiln::dsl;
using namespace kiln::dsl::detail;
namespace mk = mlir::kiln;

//===----------------------------------------------------------------------===//
// Losses, optimizers, metrics
//===----------------------------------------------------------------------===//

namespace kiln::dsl {
namespace loss {
Loss mse() { return {"mse"}; }
Loss mae() { return {"mae"}; }
Loss huber(double delta) { return {"huber", delta}; }
Loss binaryCrossEntropy() { return {"bce_with_logits"}; }
Loss crossEntropy() { return {"cross_entropy"}; }
} // namespace loss

namespace optim {
static Optimizer make(const char *name, double lr) {
  if (!(lr > 0))
    throw Error(std::string("optim::") + name +
                " needs a positive learning rate, got " + std::to_string(lr));
  Optimizer o;
  o.name = name;
  o.learningRate = lr;
  return o;
}
Optimizer sgd(double lr) { return make("sgd", lr); }
Optimizer momentum(double lr, double m) {
  Optimizer o = make("momentum", lr);
  o.momentum = m;
  return o;
}
Optimizer nesterov(double lr, double m) {
  Optimizer o = make("nesterov", lr);
  o.momentum = m;
  return o;
}
Optimizer adam(double lr, double b1, double b2, double eps) {
  Optimizer o = make("adam", lr);
  o.beta1 = b1;
  o.beta2 = b2;
  o.epsilon = eps;
  return o;
}
Optimizer adamw(double lr, double wd) {
  Optimizer o = make("adamw", lr);
  o.weightDecay = wd;
  return o;
}
Optimizer rmsprop(double lr, double alpha) {
  Optimizer o = make("rmsprop", lr);
  o.alpha = alpha;
  return o;
}
Optimizer adagrad(double lr) { return make("adagrad", lr); }
} // namespace optim

const char *metricName(Metric metric) {
  switch (metric) {
  case Metric::Accuracy:
    return "accuracy";
  case Metric::BinaryAccuracy:
    return "binary_accuracy";
  case Metric::MeanAbsoluteError:
    return "mae";
  case Metric::MeanSquaredError:
    return "mse";
  }
  return "?";
}
} // namespace kiln::dsl

namespace {

kiln::Tensor adopt(kiln_tensor *t) { return kiln::Tensor(t); }

double valueAt(const kiln::Tensor &t, size_t i) {
  switch (t.dtype()) {
  case KILN_DTYPE_F32:
    return t.data<float>()[i];
  case KILN_DTYPE_F64:
    return t.data<double>()[i];
  case KILN_DTYPE_I64:
    return (double)t.data<int64_t>()[i];
  case KILN_DTYPE_I32:
    return t.data<int32_t>()[i];
  default:
    throw Error(std::string("metrics: unsupported dtype ") +
                kiln_dtype_name(t.dtype()));
  }
}

int64_t rowsOf(const kiln::Tensor &t, const std::string &what) {
  std::vector<int64_t> shape = t.shape();
  if (shape.empty())
    throw Error(what + " is a scalar; samples run along dimension 0");
  return shape[0];
}

/// Rows `indices` of `t`, as a new tensor.
kiln::Tensor gatherRows(const kiln::Tensor &t, const int64_t *indices,
                        int64_t count) {
  std::vector<int64_t> shape = t.shape();
  size_t rowBytes =
      shape[0] ? kiln_tensor_size_bytes(t.get()) / (size_t)shape[0] : 0;
  shape[0] = count;
  kiln::Tensor out = kiln::Tensor::zeros(t.dtype(), shape);
  const char *src = static_cast<const char *>(kiln_tensor_data(t.get()));
  char *dst = static_cast<char *>(kiln_tensor_data(out.get()));
  for (int64_t i = 0; i < count; ++i)
    std::memcpy(dst + i * rowBytes, src + indices[i] * rowBytes, rowBytes);
  return out;
}

/// The metrics of `output` against `labels`; `logits` says the output is
/// before the model's final softmax or sigmoid.
std::map<std::string, double> computeMetrics(const std::vector<Metric> &metrics,
                                             const kiln::Tensor &output,
                                             const kiln::Tensor &labels,
                                             bool logits) {
  std::map<std::string, double> result;
  std::vector<int64_t> shape = output.shape();
  int64_t rows = shape.empty() ? 1 : shape[0];
  size_t n = output.size();
  for (Metric m : metrics) {
    double value = 0;
    switch (m) {
    case Metric::Accuracy: {
      if (shape.size() != 2 || (int64_t)labels.size() != rows)
        throw Error("metric 'accuracy' wants outputs [N, C] and class labels "
                    "[N], got " +
                    shapeString(shape) + " and " + shapeString(labels.shape()));
      int64_t classes = shape[1];
      int64_t correct = 0;
      for (int64_t r = 0; r < rows; ++r) {
        int64_t best = 0;
        for (int64_t c = 1; c < classes; ++c)
          if (valueAt(output, r * classes + c) >
              valueAt(output, r * classes + best))
            best = c;
        correct += best == (int64_t)valueAt(labels, r);
      }
      value = rows ? (double)correct / rows : 0;
      break;
    }
    case Metric::BinaryAccuracy: {
      if (labels.size() != n)
        throw Error("metric 'binary_accuracy' wants labels of the output's "
                    "shape " +
                    shapeString(shape) + ", got " +
                    shapeString(labels.shape()));
      double threshold = logits ? 0.0 : 0.5;
      int64_t correct = 0;
      for (size_t i = 0; i < n; ++i)
        correct +=
            (valueAt(output, i) > threshold) == (valueAt(labels, i) > 0.5);
      value = n ? (double)correct / n : 0;
      break;
    }
    case Metric::MeanAbsoluteError:
    case Metric::MeanSquaredError: {
      if (labels.size() != n)
        throw Error(std::string("metric '") + metricName(m) +
                    "' wants labels of the output's shape " +
                    shapeString(shape) + ", got " +
                    shapeString(labels.shape()));
      for (size_t i = 0; i < n; ++i) {
        double d = valueAt(output, i) - valueAt(labels, i);
        value += m == Metric::MeanAbsoluteError ? std::fabs(d) : d * d;
      }
      value = n ? value / n : 0;
      break;
    }
    }
    result[metricName(m)] = value;
  }
  return result;
}

/// splitmix64, for a shuffle that is the same on every platform.
uint64_t nextRandom(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

mlir::Type elementTypeOf(mlir::MLIRContext *ctx, kiln_dtype dtype) {
  mlir::Builder b(ctx);
  switch (dtype) {
  case KILN_DTYPE_F32:
    return b.getF32Type();
  case KILN_DTYPE_F64:
    return b.getF64Type();
  case KILN_DTYPE_I64:
    return b.getI64Type();
  case KILN_DTYPE_I32:
    return b.getI32Type();
  default:
    throw Error(std::string("labels of dtype ") + kiln_dtype_name(dtype) +
                " are not supported (f32, f64, i32, i64)");
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// Model: training
//===----------------------------------------------------------------------===//

void Model::compile(const Target &target, const Loss &loss,
                    const Optimizer &optimizer, std::vector<Metric> metrics) {
  compile(target);
  modelImpl->loss = loss;
  modelImpl->optimizer = optimizer;
  modelImpl->metrics = std::move(metrics);
  modelImpl->trainer.reset();
}

/// Builds the trainer for labels like `labels` and training batches of
/// `batchSize` (0: any).
static void ensureTrainer(Model::Impl &m, const kiln::Tensor &labels,
                          int64_t batchSize) {
  // A step compiled for another batch size is rebuilt (from the current
  // parameters; the optimizer state starts again at zero).
  if (m.trainer &&
      (m.trainerBatch == 0 || m.trainerBatch == batchSize || batchSize == 0))
    return;
  m.trainer.reset();
  if (!m.loss)
    throw Error("fit/evaluate need a loss and an optimizer: call "
                "compile(target, loss, optimizer) first");
  GraphImpl &g = *m.graph;
  mlir::OwningOpRef<mlir::ModuleOp> work =
      mlir::cast<mlir::ModuleOp>(g.module->clone());
  auto main = work->lookupSymbol<mlir::func::FuncOp>("main");
  auto ret =
      mlir::cast<mlir::func::ReturnOp>(main.getBody().front().getTerminator());

  mk::TrainingConfig config;
  config.forward = "main";
  config.output = 0;
  config.loss = m.loss->name;
  config.huberDelta = m.loss->huberDelta;
  const Optimizer &o = m.optimizer;
  config.optimizer = o.name;
  config.learningRate = o.learningRate;
  config.momentum = o.momentum;
  config.beta1 = o.beta1;
  config.beta2 = o.beta2;
  config.epsilon = o.epsilon;
  config.alpha = o.alpha;
  config.weightDecay = o.weightDecay;

  // Look through a final softmax (cross-entropy) or sigmoid (binary
  // cross-entropy): train on the logits, as an extra result of @main.
  m.trainsOnLogits = false;
  mlir::Operation *last = ret.getOperand(0).getDefiningOp();
  mlir::Value logits;
  if (auto softmax = mlir::dyn_cast_or_null<mk::SoftmaxOp>(last);
      softmax && config.loss == "cross_entropy")
    logits = softmax.getInput();
  if (auto sigmoid = mlir::dyn_cast_or_null<mk::SigmoidOp>(last);
      sigmoid && config.loss == "bce_with_logits")
    logits = sigmoid.getInput();
  if (logits) {
    unsigned index = main.getNumResults();
    ret->insertOperands(ret.getNumOperands(), logits);
    if (mlir::failed(main.insertResult(index, logits.getType(), {})))
      throw Error("internal error: cannot add the logits to @main");
    config.output = index;
    m.trainsOnLogits = true;
  }

  std::vector<int64_t> shape = labels.shape();
  if (shape.empty())
    throw Error("labels are a scalar; samples run along dimension 0");
  llvm::SmallVector<int64_t> dims(shape.begin(), shape.end());
  dims[0] = mlir::ShapedType::kDynamic;
  config.labelType = mlir::RankedTensorType::get(
      dims, elementTypeOf(g.context.get(), labels.dtype()));

  mk::TrainerOptions options;
  options.compile.target.cpu = m.target.cpu;
  options.compile.target.optLevel = m.target.optLevel;
  options.batchSize = batchSize;
  auto trainer = mk::Trainer::create(*work, config, options);
  if (!trainer)
    throw Error("cannot build the training step: " +
                llvm::toString(trainer.takeError()));
  m.trainer = std::move(*trainer);
  m.trainerBatch = batchSize;
}

/// Copies the trainer's parameters into the graph's constants.
static void syncParameters(Model::Impl &m) {
  GraphImpl &g = *m.graph;
  auto infos = m.trainer->parameterInfo();
  for (size_t i = 0; i < infos.size(); ++i) {
    for (ParameterInfo &p : g.parameters) {
      if (p.name != infos[i].name)
        continue;
      const kiln_tensor *t = m.trainer->parameter(i);
      auto type = mlir::cast<mlir::RankedTensorType>(p.op.getType());
      llvm::ArrayRef<float> data(
          static_cast<const float *>(kiln_tensor_data(t)),
          kiln_tensor_num_elements(t));
      p.op.setValueAttr(mlir::DenseElementsAttr::get(type, data));
    }
  }
  // The buffers (running statistics) the steps updated.
  auto buffers = m.trainer->bufferInfo();
  g.func.walk([&](mk::ConstantOp c) {
    auto name = c->getAttrOfType<mlir::StringAttr>(mk::kBufferAttr);
    if (!name)
      return;
    for (size_t i = 0; i < buffers.size(); ++i) {
      if (buffers[i].name != name.getValue())
        continue;
      const kiln_tensor *t = m.trainer->buffer(i);
      auto type = mlir::cast<mlir::RankedTensorType>(c.getType());
      llvm::ArrayRef<float> data(
          static_cast<const float *>(kiln_tensor_data(t)),
          kiln_tensor_num_elements(t));
      c.setValueAttr(mlir::DenseElementsAttr::get(type, data));
    }
  });
  m.compiled.reset();
}

static void checkData(const Model::Impl &m,
                      const std::vector<const kiln::Tensor *> &inputs,
                      const kiln::Tensor &labels, const char *what) {
  const GraphImpl &g = *m.graph;
  if (inputs.size() != g.inputNames.size())
    throw Error(std::string(what) + ": the model takes " +
                std::to_string(g.inputNames.size()) + " inputs, got " +
                std::to_string(inputs.size()));
  if (!labels)
    throw Error(std::string(what) + ": the labels are null");
  int64_t rows = rowsOf(labels, "the labels");
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i] || !*inputs[i])
      throw Error(std::string(what) + ": input '" + g.inputNames[i] +
                  "' is null");
    if (rowsOf(*inputs[i], "input '" + g.inputNames[i] + "'") != rows)
      throw Error(std::string(what) + ": input '" + g.inputNames[i] + "' has " +
                  std::to_string(inputs[i]->shape()[0]) +
                  " samples but the labels have " + std::to_string(rows));
  }
}

static Evaluation evaluateWith(Model::Impl &m,
                               const std::vector<const kiln::Tensor *> &inputs,
                               const kiln::Tensor &labels) {
  std::vector<const kiln_tensor *> raw;
  for (const kiln::Tensor *t : inputs)
    raw.push_back(t->get());
  kiln_tensor *output = nullptr;
  auto loss = m.trainer->evaluate(raw, labels.get(), &output);
  if (!loss)
    throw Error("evaluate: " + llvm::toString(loss.takeError()));
  kiln::Tensor out = adopt(output);
  Evaluation e;
  e.loss = *loss;
  e.metrics = computeMetrics(m.metrics, out, labels, m.trainsOnLogits);
  return e;
}

Evaluation Model::evaluate(const std::vector<const kiln::Tensor *> &inputs,
                           const kiln::Tensor &labels) {
  checkData(*modelImpl, inputs, labels, "evaluate");
  ensureTrainer(*modelImpl, labels, 0);
  return evaluateWith(*modelImpl, inputs, labels);
}

Evaluation Model::evaluate(const kiln::Tensor &input,
                           const kiln::Tensor &labels) {
  return evaluate(std::vector<const kiln::Tensor *>{&input}, labels);
}

History Model::fit(const kiln::Tensor &input, const kiln::Tensor &labels,
                   const FitOptions &options) {
  return fit(std::vector<const kiln::Tensor *>{&input}, labels, options);
}

History Model::fit(const std::vector<const kiln::Tensor *> &inputs,
                   const kiln::Tensor &labels, const FitOptions &options) {
  Impl &m = *modelImpl;
  checkData(m, inputs, labels, "fit");
  if (options.epochs < 0)
    throw Error("fit: epochs must be >= 0, got " +
                std::to_string(options.epochs));
  int64_t rows = labels.shape()[0];
  if (options.batchSize <= 0 || options.batchSize > rows)
    throw Error("fit: batchSize must be in [1, " + std::to_string(rows) +
                "] (the number of samples), got " +
                std::to_string(options.batchSize));
  bool validate = options.validationLabels != nullptr;
  if (validate)
    checkData(m, options.validationInputs, *options.validationLabels,
              "fit (validation data)");
  ensureTrainer(m, labels, options.batchSize);

  std::vector<int64_t> order(rows);
  std::iota(order.begin(), order.end(), 0);
  uint64_t rng = options.seed;
  History history;
  // Every sample trains every epoch: the last batch may be partial (the
  // trainer compiles a step for its size once).
  int64_t batches = (rows + options.batchSize - 1) / options.batchSize;
  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    if (options.shuffle)
      for (int64_t i = rows - 1; i > 0; --i)
        std::swap(order[i], order[nextRandom(rng) % (uint64_t)(i + 1)]);
    // Keras's convention: the epoch's training figures are the means over
    // its batches, weighted by their sizes, from the outputs each step
    // computed anyway (before its update), rather than another pass over
    // the data.
    double total = 0;
    Evaluation train;
    for (int64_t b = 0; b < batches; ++b) {
      const int64_t *idx = order.data() + b * options.batchSize;
      int64_t size = std::min(options.batchSize, rows - b * options.batchSize);
      double weight = (double)size / (double)rows;
      std::vector<kiln::Tensor> batch;
      std::vector<const kiln_tensor *> raw;
      for (const kiln::Tensor *t : inputs)
        batch.push_back(gatherRows(*t, idx, size));
      for (const kiln::Tensor &t : batch)
        raw.push_back(t.get());
      kiln::Tensor y = gatherRows(labels, idx, size);
      kiln_tensor *output = nullptr;
      auto loss =
          m.trainer->step(raw, y.get(), m.metrics.empty() ? nullptr : &output);
      if (!loss)
        throw Error("fit: " + llvm::toString(loss.takeError()));
      total += *loss * weight;
      if (output) {
        kiln::Tensor out = adopt(output);
        for (auto &[name, value] :
             computeMetrics(m.metrics, out, y, m.trainsOnLogits))
          train.metrics[name] += value * weight;
      }
    }
    history.loss.push_back(total);
    train.loss = history.loss.back();
    history.train.push_back(train);
    if (validate)
      history.validation.push_back(
          evaluateWith(m, options.validationInputs, *options.validationLabels));
    if (options.verbose) {
      std::printf("epoch %d/%d: loss %.4f", epoch + 1, options.epochs,
                  history.loss.back());
      for (auto &[name, value] : history.train.back().metrics)
        std::printf(", %s %.4f", name.c_str(), value);
      if (validate) {
        std::printf(", val_loss %.4f", history.validation.back().loss);
        for (auto &[name, value] : history.validation.back().metrics)
          std::printf(", val_%s %.4f", name.c_str(), value);
      }
      std::printf("\n");
      std::fflush(stdout);
    }
  }
  syncParameters(m);
  return history;
}
