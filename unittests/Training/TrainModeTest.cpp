//===- TrainModeTest.cpp - Ops that train differently from how they infer -===//
//
// Through the Trainer, the compiled training step of models with ops marked
// kiln.train_mode: dropout's random masks (their statistics, a new mask per
// step, the same masks for the same seed, the gradient through the mask,
// the identity outside training), and steps on batches of another size than
// the one the step is specialized to. The references are computed here, in
// double precision, from the formulas.
//
//===----------------------------------------------------------------------===//

#include "kiln/InitAllDialects.h"
#include "kiln/Training/Trainer.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

using namespace mlir;
using namespace mlir::kiln;

namespace {

// y = dropout(x * w), w a parameter broadcast over rows; the dropout is
// the DSL's form (training a constant false, switched on in the step).
std::string dropoutModel(double ratio, int64_t seed) {
  return R"mlir(
func.func @main(%x: tensor<?x64xf32> {kiln.name = "x"}) -> (tensor<?x64xf32> {kiln.name = "y"}) {
  %w = kiln.constant {kiln.parameter = "w"} dense<1.0> : tensor<64xf32>
  %r = kiln.constant dense<)mlir" +
         std::to_string(ratio) + R"mlir(> : tensor<f32>
  %off = kiln.constant dense<false> : tensor<i1>
  %m = kiln.mul %x, %w : (tensor<?x64xf32>, tensor<64xf32>) -> tensor<?x64xf32>
  %y, %mask = kiln.dropout %m, %r, %off {kiln.train_mode, seed = )mlir" +
         std::to_string(seed) +
         R"mlir( : i64} : (tensor<?x64xf32>, tensor<f32>, tensor<i1>) -> (tensor<?x64xf32>, tensor<?x64xi1>)
  return %y : tensor<?x64xf32>
}
)mlir";
}

constexpr int64_t kRows = 128, kCols = 64;

struct TrainModeTest : public ::testing::Test {
  void SetUp() override {
    DialectRegistry registry;
    registerAllDialects(registry);
    ctx.appendDialectRegistry(registry);
    ctx.loadAllAvailableDialects();
  }
  ~TrainModeTest() override {
    for (kiln_tensor *t : owned)
      kiln_tensor_destroy(t);
  }
  kiln_tensor *tensor(std::vector<int64_t> shape, std::vector<float> values) {
    kiln_tensor *t = nullptr;
    EXPECT_EQ(
        kiln_tensor_create(KILN_DTYPE_F32, shape.data(), shape.size(), &t),
        KILN_OK);
    std::copy(values.begin(), values.end(),
              static_cast<float *>(kiln_tensor_data(t)));
    owned.push_back(t);
    return t;
  }
  std::unique_ptr<Trainer> trainer(const std::string &text, double lr = 0.1,
                                   int64_t batch = 0) {
    module = parseSourceString<ModuleOp>(text, &ctx);
    EXPECT_TRUE(module);
    if (!module)
      return nullptr;
    TrainingConfig config;
    config.loss = "mse";
    config.optimizer = "sgd";
    config.learningRate = lr;
    auto output = cast<RankedTensorType>(
        module->lookupSymbol<func::FuncOp>("main").getResultTypes()[0]);
    config.labelType = output;
    TrainerOptions options;
    options.batchSize = batch;
    auto t = Trainer::create(*module, config, options);
    EXPECT_TRUE(static_cast<bool>(t)) << llvm::toString(t.takeError());
    return t ? std::move(*t) : nullptr;
  }
  /// One step on x = `x` (kRows x kCols), labels zero; the step's output.
  std::vector<float> step(Trainer &t, const std::vector<float> &x,
                          double *loss = nullptr) {
    kiln_tensor *in = tensor({kRows, kCols}, x);
    kiln_tensor *labels =
        tensor({kRows, kCols}, std::vector<float>(kRows * kCols, 0));
    kiln_tensor *out = nullptr;
    auto l = t.step({in}, labels, &out);
    EXPECT_TRUE(static_cast<bool>(l)) << llvm::toString(l.takeError());
    if (!l)
      return {};
    if (loss)
      *loss = *l;
    const float *data = static_cast<const float *>(kiln_tensor_data(out));
    std::vector<float> result(data, data + kiln_tensor_num_elements(out));
    kiln_tensor_destroy(out);
    return result;
  }

  MLIRContext ctx;
  OwningOpRef<ModuleOp> module;
  std::vector<kiln_tensor *> owned;
};

std::vector<float> ones() { return std::vector<float>(kRows * kCols, 1.0f); }

TEST_F(TrainModeTest, DropoutMaskStatistics) {
  for (double p : {0.1, 0.5, 0.8}) {
    auto t = trainer(dropoutModel(p, 3));
    ASSERT_TRUE(t);
    std::vector<float> y = step(*t, ones());
    ASSERT_EQ(y.size(), (size_t)(kRows * kCols));
    double n = y.size(), kept = 0;
    for (float v : y) {
      if (v == 0)
        continue;
      ++kept;
      // Kept values are scaled by 1 / (1 - p).
      EXPECT_NEAR(v, 1.0 / (1.0 - p), 1e-5) << "p = " << p;
    }
    // The kept count is Binomial(n, 1 - p): within 5 standard deviations.
    double sigma = std::sqrt(n * p * (1 - p));
    EXPECT_NEAR(kept, n * (1 - p), 5 * sigma) << "p = " << p;
  }
}

TEST_F(TrainModeTest, DropoutMasksChangePerStepAndRepeatPerSeed) {
  auto first = trainer(dropoutModel(0.5, 3), /*lr=*/1e-6);
  ASSERT_TRUE(first);
  std::vector<float> a1 = step(*first, ones()), a2 = step(*first, ones());
  auto again = trainer(dropoutModel(0.5, 3), /*lr=*/1e-6);
  ASSERT_TRUE(again);
  std::vector<float> b1 = step(*again, ones()), b2 = step(*again, ones());
  auto other = trainer(dropoutModel(0.5, 4), /*lr=*/1e-6);
  ASSERT_TRUE(other);
  std::vector<float> c1 = step(*other, ones());
  ASSERT_EQ(a1.size(), a2.size());
  auto differing = [](const std::vector<float> &u,
                      const std::vector<float> &v) {
    size_t count = 0;
    for (size_t i = 0; i < u.size(); ++i)
      count += (u[i] == 0) != (v[i] == 0);
    return (double)count / u.size();
  };
  // Independent masks with p = 0.5 differ at half the positions.
  EXPECT_NEAR(differing(a1, a2), 0.5, 0.05) << "step 2 reused step 1's mask";
  EXPECT_NEAR(differing(a1, c1), 0.5, 0.05) << "seed 4 drew seed 3's mask";
  // The same seed and step: the same masks, step after step.
  EXPECT_EQ(differing(a1, b1), 0.0);
  EXPECT_EQ(differing(a2, b2), 0.0);
}

// The gradient goes through the forward pass's own mask: with
// y = dropout(x * w) and L = mean(y^2), dL/dw_j = sum_i 2 y_ij s x_ij m_ij
// / n, where m is the mask the output shows and s = 1 / (1 - p); one SGD
// step must move w by -lr times that.
TEST_F(TrainModeTest, DropoutGradientUsesTheMask) {
  double p = 0.3, lr = 0.5, s = 1 / (1 - p);
  auto t = trainer(dropoutModel(p, 9), lr);
  ASSERT_TRUE(t);
  std::vector<float> x(kRows * kCols);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = 0.25f + (float)((i * 37) % 101) / 50.0f;
  std::vector<float> y = step(*t, x);
  ASSERT_EQ(y.size(), x.size());
  const float *w =
      static_cast<const float *>(kiln_tensor_data(t->parameter(0)));
  double n = (double)y.size();
  for (int64_t j = 0; j < kCols; ++j) {
    double grad = 0;
    for (int64_t i = 0; i < kRows; ++i) {
      double yi = y[i * kCols + j], xi = x[i * kCols + j];
      bool kept = yi != 0;
      if (kept)
        EXPECT_NEAR(yi, xi * s, 1e-5 * xi * s);
      grad += 2 * yi * (kept ? s * xi : 0) / n;
    }
    EXPECT_NEAR(w[j], 1.0 - lr * grad, 1e-5) << "column " << j;
  }
}

// Evaluation (and prediction) never drop: the output is x * w.
TEST_F(TrainModeTest, DropoutIsTheIdentityInEvaluation) {
  auto t = trainer(dropoutModel(0.5, 3));
  ASSERT_TRUE(t);
  kiln_tensor *in = tensor({kRows, kCols}, ones());
  kiln_tensor *labels = tensor({kRows, kCols}, ones());
  kiln_tensor *out = nullptr;
  auto loss = t->evaluate({in}, labels, &out);
  ASSERT_TRUE(static_cast<bool>(loss)) << llvm::toString(loss.takeError());
  EXPECT_EQ(*loss, 0.0);
  const float *data = static_cast<const float *>(kiln_tensor_data(out));
  for (int64_t i = 0; i < kRows * kCols; ++i)
    ASSERT_EQ(data[i], 1.0f);
  kiln_tensor_destroy(out);
}

// A trainer specialized to batches of 4 also steps on a batch of 3 (an
// epoch's last, partial batch): it compiles a step for that size, which
// updates the same parameters. y = x * w with MSE and SGD: one step moves
// w_j by -lr * 2 sum_i (x_ij w_j - t_ij) x_ij / (3 * 64).
TEST_F(TrainModeTest, StepsOnAPartialBatch) {
  std::string model = R"mlir(
func.func @main(%x: tensor<?x64xf32> {kiln.name = "x"}) -> (tensor<?x64xf32> {kiln.name = "y"}) {
  %w = kiln.constant {kiln.parameter = "w"} dense<1.0> : tensor<64xf32>
  %y = kiln.mul %x, %w : (tensor<?x64xf32>, tensor<64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}
)mlir";
  double lr = 0.25;
  auto t = trainer(model, lr, /*batch=*/4);
  ASSERT_TRUE(t);
  for (int64_t rows : {4, 3, 3}) {
    std::vector<float> x(rows * kCols), labels(rows * kCols);
    for (size_t i = 0; i < x.size(); ++i) {
      x[i] = 0.5f + (float)(i % 7) / 7.0f;
      labels[i] = (float)(i % 3);
    }
    const float *w =
        static_cast<const float *>(kiln_tensor_data(t->parameter(0)));
    std::vector<double> expected(kCols);
    for (int64_t j = 0; j < kCols; ++j) {
      double grad = 0;
      for (int64_t i = 0; i < rows; ++i) {
        double xi = x[i * kCols + j];
        grad += 2 * (xi * w[j] - labels[i * kCols + j]) * xi /
                (double)(rows * kCols);
      }
      expected[j] = w[j] - lr * grad;
    }
    auto loss =
        t->step({tensor({rows, kCols}, x)}, tensor({rows, kCols}, labels));
    ASSERT_TRUE(static_cast<bool>(loss)) << llvm::toString(loss.takeError());
    for (int64_t j = 0; j < kCols; ++j)
      ASSERT_NEAR(w[j], expected[j], 1e-5 * (1 + std::fabs(expected[j])))
          << rows << " rows, column " << j;
  }
}

} // namespace
