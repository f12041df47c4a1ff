//===- TrainingTest.cpp - fit and evaluate against hand-derived steps -----===//
//
// One full-batch SGD step of small models, compared with the update worked
// out here from the loss's formula (not from Kiln's gradient rules):
//
//   MSE of y = xW + b:    dL/dW = 2/(N*K) x^T (y - t),  dL/db = column sums
//   cross-entropy of a softmax model, which trains on the logits z = xW + b:
//                         dL/dz = (softmax(z) - onehot(t)) / N
//
// and checks that parameters after fit() are what predict(), saveOnnx and
// evaluate() use. Tolerance: 1e-5 relative plus 1e-6 absolute (float32).
//
//===----------------------------------------------------------------------===//

#include "TestUtils.h"

#include <cmath>

using namespace kiln::dsl;
using namespace kiln::dsl::testing;

namespace {

std::vector<double> values(const kiln::Tensor &t) {
  std::vector<double> v(t.size());
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = t.data<float>()[i];
  return v;
}

void expectNear(const std::vector<double> &got, const std::vector<double> &want,
                const char *what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], 1e-6 + 1e-5 * std::fabs(want[i]))
        << what << "[" << i << "]";
}

FitOptions oneFullBatchStep(int64_t n) {
  FitOptions options;
  options.epochs = 1;
  options.batchSize = n;
  options.shuffle = false;
  return options;
}

TEST(DSLTraining, SGDStepOnMSEMatchesFormula) {
  const int64_t N = 6, F = 3, K = 2;
  const double lr = 0.1;
  Graph g(5);
  Tensor x = g.input("x", {dyn, F});
  g.output("y", Dense(K)(x));
  Model model(std::move(g));
  randomizeParameters(model, 9);
  std::vector<double> W = values(model.parameter("dense.kernel"));
  std::vector<double> b = values(model.parameter("dense.bias"));
  kiln::Tensor xs = randomTensor({N, F}, 1), ys = randomTensor({N, K}, 2);
  std::vector<double> X = values(xs), T = values(ys);

  // Expected: the loss before the step and the updated parameters.
  std::vector<double> gW(F * K, 0.0), gb(K, 0.0);
  double loss = 0;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k) {
      double y = b[k];
      for (int64_t f = 0; f < F; ++f)
        y += X[n * F + f] * W[f * K + k];
      double d = y - T[n * K + k];
      loss += d * d / (N * K);
      double g = 2.0 * d / (N * K);
      gb[k] += g;
      for (int64_t f = 0; f < F; ++f)
        gW[f * K + k] += X[n * F + f] * g;
    }
  std::vector<double> newW(W), newB(b);
  for (size_t i = 0; i < W.size(); ++i)
    newW[i] -= lr * gW[i];
  for (size_t i = 0; i < b.size(); ++i)
    newB[i] -= lr * gb[i];

  model.compile(Target(), loss::mse(), optim::sgd(lr),
                {Metric::MeanSquaredError});
  Evaluation before = model.evaluate(xs, ys);
  EXPECT_NEAR(before.loss, loss, 1e-6);
  EXPECT_NEAR(before.metrics["mse"], loss, 1e-6);
  History h = model.fit(xs, ys, oneFullBatchStep(N));
  ASSERT_EQ(h.loss.size(), 1u);
  EXPECT_NEAR(h.loss[0], loss, 1e-6);
  expectNear(values(model.parameter("dense.kernel")), newW, "W");
  expectNear(values(model.parameter("dense.bias")), newB, "b");

  // predict() uses the trained parameters.
  kiln::Tensor p = model.predict(xs);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k) {
      double y = newB[k];
      for (int64_t f = 0; f < F; ++f)
        y += X[n * F + f] * newW[f * K + k];
      EXPECT_NEAR(p.data<float>()[n * K + k], y, 1e-5);
    }
}

TEST(DSLTraining, CrossEntropyTrainsOnLogitsBeforeSoftmax) {
  const int64_t N = 5, F = 4, C = 3;
  const double lr = 0.5;
  Graph g(6);
  Tensor x = g.input("x", {dyn, F});
  g.output("probs", Dense(C, Activation::Softmax)(x));
  Model model(std::move(g));
  randomizeParameters(model, 3);
  std::vector<double> W = values(model.parameter("dense.kernel"));
  std::vector<double> b = values(model.parameter("dense.bias"));
  kiln::Tensor xs = randomTensor({N, F}, 4);
  kiln::Tensor labels = randomIndices({N}, C, 5);
  std::vector<double> X = values(xs);

  std::vector<double> gW(F * C, 0.0), gb(C, 0.0);
  double loss = 0;
  int64_t correct = 0;
  for (int64_t n = 0; n < N; ++n) {
    std::vector<double> z(C);
    double zmax = -1e300;
    for (int64_t c = 0; c < C; ++c) {
      z[c] = b[c];
      for (int64_t f = 0; f < F; ++f)
        z[c] += X[n * F + f] * W[f * C + c];
      zmax = std::max(zmax, z[c]);
    }
    double sum = 0;
    for (double v : z)
      sum += std::exp(v - zmax);
    int64_t t = labels.data<int64_t>()[n];
    loss += -(z[t] - zmax - std::log(sum)) / N;
    int64_t best = std::max_element(z.begin(), z.end()) - z.begin();
    correct += best == t;
    for (int64_t c = 0; c < C; ++c) {
      double g = (std::exp(z[c] - zmax) / sum - (c == t ? 1.0 : 0.0)) / N;
      gb[c] += g;
      for (int64_t f = 0; f < F; ++f)
        gW[f * C + c] += X[n * F + f] * g;
    }
  }
  model.compile(Target(), loss::crossEntropy(), optim::sgd(lr),
                {Metric::Accuracy});
  Evaluation before = model.evaluate(xs, labels);
  EXPECT_NEAR(before.loss, loss, 1e-5);
  EXPECT_NEAR(before.metrics["accuracy"], (double)correct / N, 1e-12);
  model.fit(xs, labels, oneFullBatchStep(N));
  std::vector<double> newW(W), newB(b);
  for (size_t i = 0; i < W.size(); ++i)
    newW[i] -= lr * gW[i];
  for (size_t i = 0; i < b.size(); ++i)
    newB[i] -= lr * gb[i];
  expectNear(values(model.parameter("dense.kernel")), newW, "W");
  expectNear(values(model.parameter("dense.bias")), newB, "b");
  // predict() still returns probabilities.
  kiln::Tensor p = model.predict(xs);
  for (int64_t n = 0; n < N; ++n) {
    double sum = 0;
    for (int64_t c = 0; c < C; ++c)
      sum += p.data<float>()[n * C + c];
    EXPECT_NEAR(sum, 1.0, 1e-5);
  }
}

TEST(DSLTraining, FitLowersTheLossAndChecksItsArguments) {
  Graph g(8);
  Tensor x = g.input("x", {dyn, 4});
  Tensor h = Dense(8, Activation::Tanh)(x);
  g.output("y", Dense(1)(h));
  Model model(std::move(g));
  kiln::Tensor xs = randomTensor({64, 4}, 11);
  // A smooth target the network can fit: y = sum(x) / 2.
  kiln::Tensor ys = kiln::Tensor::zeros(KILN_DTYPE_F32, {64, 1});
  for (int64_t n = 0; n < 64; ++n) {
    float s = 0;
    for (int64_t f = 0; f < 4; ++f)
      s += xs.data<float>()[n * 4 + f];
    ys.data<float>()[n] = s / 2;
  }
  EXPECT_THROW(model.fit(xs, ys), Error) << "fit before compile with a loss";
  model.compile(Target(), loss::mse(), optim::adam(0.02));
  FitOptions options;
  options.epochs = 30;
  options.batchSize = 16;
  History h1 = model.fit(xs, ys, options);
  ASSERT_EQ(h1.loss.size(), 30u);
  ASSERT_EQ(h1.train.size(), 30u);
  EXPECT_LT(h1.train.back().loss, 0.1 * h1.train.front().loss);

  kiln::Tensor fewer = randomTensor({10, 4}, 1);
  EXPECT_THROW(model.fit(fewer, ys, options), Error);
  options.batchSize = 0;
  EXPECT_THROW(model.fit(xs, ys, options), Error);
  EXPECT_THROW(optim::adam(-1), Error);
}

} // namespace
