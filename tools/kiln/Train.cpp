//===- Train.cpp - kiln train ---------------------------------------------===//
//
// Trains an ONNX model's initializers on data from .npz archives: compiles
// one fused training step (forward, loss, backward, optimizer update), runs
// it over shuffled batches for some epochs, prints a line per epoch, and
// writes the model back to ONNX with the trained initializers. Nothing is
// written unless training completes.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "kiln/Frontends/ONNX/Importer.h"
#include "kiln/Target/Signature.h"
#include "kiln/Training/Dataset.h"
#include "kiln/Training/Trainer.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::cli;

namespace {

using Clock = std::chrono::steady_clock;

/// The user's loss names and the loss ops they mean.
std::optional<std::string> lossOp(const std::string &name) {
  if (name == "mse" || name == "mae" || name == "huber")
    return name;
  if (name == "bce" || name == "bce-with-logits")
    return std::string("bce_with_logits");
  if (name == "cross-entropy" || name == "ce")
    return std::string("cross_entropy");
  return std::nullopt;
}

bool parseNumber(const std::string &text, double &out) {
  char *end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return !text.empty() && end && *end == '\0' && std::isfinite(out);
}

bool parseCount(const std::string &text, int64_t &out) {
  char *end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  out = v;
  return !text.empty() && end && *end == '\0' && v > 0;
}

/// Fraction of samples classified right: argmax against class indices or
/// one-hot rows (cross-entropy), or logit > 0 against labels > 0.5 (binary
/// cross-entropy). Negative for regression losses (every call alike, so
/// sums of it stay negative).
double accuracy(const std::string &loss, const kiln_tensor *output,
                const kiln_tensor *labels) {
  if (kiln_tensor_dtype(output) != KILN_DTYPE_F32 &&
      kiln_tensor_dtype(output) != KILN_DTYPE_F64)
    return -1;
  auto value = [](const kiln_tensor *t, size_t i) {
    if (kiln_tensor_dtype(t) == KILN_DTYPE_F64)
      return static_cast<const double *>(kiln_tensor_data(t))[i];
    if (kiln_tensor_dtype(t) == KILN_DTYPE_I64)
      return (double)static_cast<const int64_t *>(kiln_tensor_data(t))[i];
    return (double)static_cast<const float *>(kiln_tensor_data(t))[i];
  };
  size_t n = kiln_tensor_rank(output) ? kiln_tensor_shape(output)[0] : 1;
  if (n == 0)
    return -1;
  size_t width = kiln_tensor_num_elements(output) / n;
  size_t right = 0;
  if (loss == "cross_entropy") {
    bool oneHot = kiln_tensor_dtype(labels) != KILN_DTYPE_I64;
    for (size_t s = 0; s < n; ++s) {
      size_t best = 0, want = 0;
      for (size_t c = 1; c < width; ++c)
        if (value(output, s * width + c) > value(output, s * width + best))
          best = c;
      if (oneHot) {
        for (size_t c = 1; c < width; ++c)
          if (value(labels, s * width + c) > value(labels, s * width + want))
            want = c;
      } else {
        want = (size_t)value(labels, s);
      }
      right += best == want;
    }
    return (double)right / n;
  }
  if (loss == "bce_with_logits") {
    size_t total = kiln_tensor_num_elements(output);
    for (size_t i = 0; i < total; ++i)
      right += (value(output, i) > 0) == (value(labels, i) > 0.5);
    return (double)right / total;
  }
  return -1;
}

} // namespace

int mlir::kiln::cli::runTrain(const std::vector<std::string> &args) {
  std::string modelPath, data, validation, save, loss = "mse",
                                                  optimizer = "sgd";
  std::string lr = "0.01", epochsText = "1", batchText = "32", seedText = "0";
  std::string momentum = "0.9", weightDecay = "0", l1 = "0", l2 = "0";
  bool quiet = false;
  CompilerFlags flags;
  ArgParser parser(
      "train", "kiln train MODEL.onnx --data TRAIN.npz [options]",
      "Trains the model's initializers. Forward pass, loss, backward pass and\n"
      "optimizer update are compiled into one fused training step that updates\n"
      "the parameters in place. TRAIN.npz (numpy.savez) holds one array per\n"
      "model input, named after it (or 'x' for a model with one input), and\n"
      "the labels ('y' or 'labels'): class indices for cross-entropy (or\n"
      "one-hot rows), otherwise values shaped like the model's output. Each\n"
      "epoch shuffles the samples (--seed) and trains on all of them; the\n"
      "last batch may be smaller (a model with a fixed batch size drops it).\n"
      "With --save, the model is written back to ONNX with the trained\n"
      "initializers once all epochs are done, and never half-written.");
  parser.positional("MODEL", &modelPath, "the ONNX model to train");
  parser.option("--data", &data, "FILE.npz", "training data (required)");
  parser.option("--validation", &validation, "FILE.npz",
                "data to report loss and accuracy on after each epoch");
  parser.option("--save", &save, "FILE.onnx",
                "write the trained model here");
  parser.option("--loss", &loss, "NAME",
                "mse (default), mae, huber, bce (binary cross-entropy on "
                "logits), cross-entropy (on logits)");
  parser.option("--optimizer", &optimizer, "NAME",
                "sgd (default), momentum, nesterov, adam, adamw, rmsprop, "
                "adagrad");
  parser.option("--lr", &lr, "RATE", "learning rate (default 0.01)");
  parser.option("--momentum", &momentum, "M",
                "momentum of momentum and nesterov (default 0.9)");
  parser.option("--weight-decay", &weightDecay, "W",
                "weight decay (decoupled for adamw; default 0)");
  parser.option("--l1", &l1, "C",
                "L1 penalty on weights (parameters of rank >= 2)");
  parser.option("--l2", &l2, "C",
                "L2 penalty on weights (parameters of rank >= 2)");
  parser.option("--epochs", &epochsText, "N", "passes over the data (default 1)");
  parser.option("--batch-size", &batchText, "B", "samples per step (default 32)");
  parser.option("--seed", &seedText, "S", "shuffling seed (default 0)");
  parser.flag("--quiet", &quiet, "print nothing but errors");
  flags.addTo(parser);
  if (auto code = parser.parse(args))
    return *code;

  TrainingConfig config;
  auto op = lossOp(loss);
  if (!op)
    return fail("unknown --loss '" + loss +
                "' (mse, mae, huber, bce, cross-entropy)");
  config.loss = *op;
  config.optimizer = optimizer;
  int64_t epochs, batchSize, seed = 0;
  if (!parseNumber(lr, config.learningRate) || config.learningRate <= 0)
    return fail("--lr must be a positive number, got '" + lr + "'");
  if (!parseNumber(momentum, config.momentum) ||
      !parseNumber(weightDecay, config.weightDecay) ||
      !parseNumber(l1, config.l1) || !parseNumber(l2, config.l2))
    return fail("--momentum, --weight-decay, --l1 and --l2 take numbers");
  if (!parseCount(epochsText, epochs))
    return fail("--epochs must be a positive integer, got '" + epochsText + "'");
  if (!parseCount(batchText, batchSize))
    return fail("--batch-size must be a positive integer, got '" + batchText +
                "'");
  if (seedText != "0" && !parseCount(seedText, seed))
    return fail("--seed must be a non-negative integer, got '" + seedText + "'");
  if (data.empty())
    return fail("--data is required (an .npz with the inputs and labels)");
  if (!flags.inputShapes.empty())
    return fail("train takes no --input-shape: batches have --batch-size "
                "samples");
  if (!save.empty() && StringRef(modelPath).ends_with(".mlir"))
    return fail("--save writes ONNX, so the model must be an ONNX file");

  Session session;
  OwningOpRef<ModuleOp> module =
      loadModel(session, modelPath, /*markParameters=*/true);
  if (!module)
    return 1;
  TrainerOptions options;
  if (failed(flags.apply(*module, options.compile)))
    return 1;
  options.batchSize = batchSize;

  // The labels' type follows the data: class indices or output-shaped.
  auto forward = module->lookupSymbol<func::FuncOp>("main");
  if (!forward || forward.getNumResults() == 0)
    return fail(modelPath + ": the model has no outputs to train");
  auto outputType = cast<RankedTensorType>(forward.getResultTypes()[0]);
  auto arrays = readNpz(data);
  if (!arrays)
    return fail(arrays.takeError());
  auto labelArray = arrays->find("labels");
  if (labelArray == arrays->end())
    labelArray = arrays->find("y");
  bool classIndices =
      config.loss == "cross_entropy" && labelArray != arrays->end() &&
      kiln_tensor_dtype(labelArray->second.get()) != KILN_DTYPE_F32 &&
      kiln_tensor_dtype(labelArray->second.get()) != KILN_DTYPE_F64;
  int64_t classes = 0;
  if (classIndices) {
    if (outputType.getRank() != 2 || outputType.isDynamicDim(1))
      return fail(modelPath + ": cross-entropy with class indices needs an "
                              "output of shape N x classes");
    classes = outputType.getDimSize(1);
    config.labelType = RankedTensorType::get(
        {outputType.getDimSize(0)}, IntegerType::get(&session.context(), 64));
  } else {
    config.labelType = outputType;
  }

  auto start = Clock::now();
  if (!quiet)
    std::fprintf(stderr, "kiln train: compiling the training step...\n");
  auto trainer = Trainer::create(*module, config, options);
  if (!trainer)
    return fail(trainer.takeError());
  if (!quiet)
    std::fprintf(stderr,
                 "kiln train: compiled in %.1f s; %zu parameter tensors\n",
                 std::chrono::duration<double>(Clock::now() - start).count(),
                 (*trainer)->parameterInfo().size());

  auto train = Dataset::load(data, **trainer, classes);
  if (!train)
    return fail(train.takeError());
  std::optional<Dataset> valid;
  if (!validation.empty()) {
    auto loaded = Dataset::load(validation, **trainer, classes);
    if (!loaded)
      return fail(loaded.takeError());
    valid.emplace(std::move(*loaded));
  }
  if (train->size() < batchSize)
    return fail(data + " has " + std::to_string(train->size()) +
                " samples, fewer than --batch-size " + std::to_string(batchSize));

  std::mt19937_64 rng(seed);
  std::vector<int64_t> order(train->size());
  std::vector<TensorPtr> inputs;
  TensorPtr labels;
  auto pointers = [](const std::vector<TensorPtr> &tensors) {
    std::vector<const kiln_tensor *> out;
    for (const TensorPtr &t : tensors)
      out.push_back(t.get());
    return out;
  };
  // A model with a dynamic batch dimension trains on every sample each
  // epoch: the last, partial batch gets a step compiled for its size (once).
  // A model whose batch size is fixed can only take full batches.
  bool dynamicBatch = llvm::all_of(forward.getArgumentTypes(), [](Type t) {
    auto ranked = dyn_cast<RankedTensorType>(t);
    return ranked && ranked.getRank() > 0 && ranked.isDynamicDim(0);
  });
  int64_t samplesPerEpoch =
      dynamicBatch ? train->size() : train->size() / batchSize * batchSize;
  int64_t stepsPerEpoch = (samplesPerEpoch + batchSize - 1) / batchSize;
  for (int64_t epoch = 1; epoch <= epochs; ++epoch) {
    auto epochStart = Clock::now();
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    double lossSum = 0, rightSum = 0;
    for (int64_t s = 0; s < stepsPerEpoch; ++s) {
      int64_t size = std::min(batchSize, samplesPerEpoch - s * batchSize);
      ArrayRef<int64_t> rows(order.data() + s * batchSize, size);
      if (auto err = train->gather(rows, inputs, labels))
        return fail(std::move(err));
      kiln_tensor *output = nullptr;
      auto stepLoss =
          (*trainer)->step(pointers(inputs), labels.get(), &output);
      if (!stepLoss)
        return fail(stepLoss.takeError());
      TensorPtr ownedOutput(output);
      // Means over the epoch weight each batch by its size.
      double weight = (double)size / (double)samplesPerEpoch;
      rightSum += accuracy(config.loss, output, labels.get()) * weight;
      if (!std::isfinite(*stepLoss))
        return fail("the loss became " +
                    std::string(std::isnan(*stepLoss) ? "NaN" : "infinite") +
                    " at epoch " + std::to_string(epoch) + ", step " +
                    std::to_string(s + 1) +
                    "; try a smaller --lr. Nothing was saved.");
      lossSum += *stepLoss * weight;
    }
    double seconds =
        std::chrono::duration<double>(Clock::now() - epochStart).count();
    std::string line = "epoch " + std::to_string(epoch) + "/" +
                       std::to_string(epochs);
    char buffer[160];
    std::snprintf(buffer, sizeof buffer, "  loss %.6g", lossSum);
    line += buffer;
    if (rightSum >= 0) {
      std::snprintf(buffer, sizeof buffer, "  accuracy %.4f",
                    rightSum);
      line += buffer;
    }
    if (valid) {
      std::vector<int64_t> all(valid->size());
      std::iota(all.begin(), all.end(), 0);
      if (auto err = valid->gather(all, inputs, labels))
        return fail(std::move(err));
      kiln_tensor *output = nullptr;
      auto validLoss =
          (*trainer)->evaluate(pointers(inputs), labels.get(), &output);
      if (!validLoss)
        return fail(validLoss.takeError());
      TensorPtr owned(output);
      std::snprintf(buffer, sizeof buffer, "  val_loss %.6g", *validLoss);
      line += buffer;
      double acc = accuracy(config.loss, output, labels.get());
      if (acc >= 0) {
        std::snprintf(buffer, sizeof buffer, "  val_accuracy %.4f", acc);
        line += buffer;
      }
    }
    std::snprintf(buffer, sizeof buffer, "  %.0f samples/s",
                  samplesPerEpoch / seconds);
    line += buffer;
    if (!quiet)
      std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }

  if (save.empty())
    return 0;
  std::map<std::string, std::vector<char>> values;
  for (auto [i, info] : llvm::enumerate((*trainer)->parameterInfo())) {
    const kiln_tensor *t = (*trainer)->parameter(i);
    const char *bytes = static_cast<const char *>(kiln_tensor_data(t));
    values[info.name].assign(bytes, bytes + kiln_tensor_size_bytes(t));
  }
  auto serialized = serializeOnnxWithInitializers(modelPath, values);
  if (!serialized)
    return fail(serialized.takeError());
  if (auto err = writeFileAtomically(save, [&](llvm::raw_ostream &os) {
        os << *serialized;
        return llvm::Error::success();
      }))
    return fail(std::move(err));
  if (!quiet)
    std::fprintf(stderr, "kiln train: wrote %s\n", save.c_str());
  return 0;
}
