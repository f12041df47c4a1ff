//===- Training.h - The C++ builder DSL: losses, optimizers, fit -*- C++
//-*-===//
//
// What Model::compile(target, loss, optimizer, metrics) and Model::fit take.
// The loss, its gradient (reverse-mode autodiff of the model) and the
// optimizer update are compiled into one training step by Kiln's shared
// training machinery (kiln/Training/Trainer.h), the same one `kiln train`
// uses; nothing here differentiates or updates anything itself.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_DSL_TRAINING_H
#define KILN_FRONTENDS_DSL_TRAINING_H

#include "kiln/runtime.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kiln::dsl {

/// A loss comparing the model's (first) output with the labels.
struct Loss {
  std::string name; ///< mse, mae, huber, bce_with_logits, cross_entropy
  double huberDelta = 1.0;
};

namespace loss {
/// Mean squared error; labels have the output's shape.
Loss mse();
/// Mean absolute error.
Loss mae();
Loss huber(double delta = 1.0);
/// Binary cross-entropy on logits; labels 0/1 (f32) of the output's shape.
/// A sigmoid ending the model is looked through: training uses its input.
Loss binaryCrossEntropy();
/// Categorical cross-entropy on logits [N, C] with integer class labels
/// [N] (i64). A softmax ending the model is looked through: training uses
/// its input, while predict() still returns probabilities.
Loss crossEntropy();
} // namespace loss

struct Optimizer {
  std::string name; ///< sgd, momentum, nesterov, adam, adamw, rmsprop, adagrad
  double learningRate = 0.01;
  double momentum = 0.9;
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
  double alpha = 0.99;
  double weightDecay = 0.0;
};

namespace optim {
Optimizer sgd(double learningRate = 0.01);
Optimizer momentum(double learningRate = 0.01, double momentum = 0.9);
Optimizer nesterov(double learningRate = 0.01, double momentum = 0.9);
Optimizer adam(double learningRate = 1e-3, double beta1 = 0.9,
               double beta2 = 0.999, double epsilon = 1e-8);
Optimizer adamw(double learningRate = 1e-3, double weightDecay = 0.01);
Optimizer rmsprop(double learningRate = 1e-3, double alpha = 0.99);
Optimizer adagrad(double learningRate = 0.01);
} // namespace optim

/// Metrics computed on the host from the model's outputs.
enum class Metric {
  Accuracy,       ///< argmax of [N, C] outputs against class labels [N]
  BinaryAccuracy, ///< output > 0.5 (probabilities) against 0/1 labels
  MeanAbsoluteError,
  MeanSquaredError
};

/// "accuracy", "binary_accuracy", "mae", "mse".
const char *metricName(Metric metric);

struct FitOptions {
  int epochs = 1;
  /// Samples per step. Every epoch reshuffles the data and takes
  /// ceil(N / batchSize) batches: all full but the last, which takes the
  /// remaining samples (the training step is compiled for exactly
  /// batchSize, and once more for the remainder's size).
  int64_t batchSize = 32;
  bool shuffle = true;
  /// Seeds the shuffling.
  uint64_t seed = 0;
  /// Data evaluated after every epoch (empty: none).
  std::vector<const kiln::Tensor *> validationInputs;
  const kiln::Tensor *validationLabels = nullptr;
  /// Prints one line per epoch to stdout.
  bool verbose = false;
};

struct Evaluation {
  double loss = 0;
  std::map<std::string, double> metrics;
};

/// Per-epoch figures of a fit.
struct History {
  /// The mean training loss of the epoch's batches, weighted by their
  /// sizes.
  std::vector<double> loss;
  /// The epoch's loss and metrics on the training data: means over its
  /// batches, each computed before that batch's update (as Keras reports).
  std::vector<Evaluation> train;
  /// The same on the validation data, when given.
  std::vector<Evaluation> validation;
};

} // namespace kiln::dsl

#endif // KILN_FRONTENDS_DSL_TRAINING_H
