//===- TrainModeTest.cpp - BatchNorm and Dropout in fit() and outside it --===//
//
// BatchNorm trains with batch statistics and keeps running ones: a few SGD
// epochs of conv -> BatchNorm (BatchNorm2d) and dense -> BatchNorm
// (BatchNorm1d) are compared with PyTorch in train mode (torch_batchnorm.py;
// rtol 1e-4, atol 1e-5): the trained weights (whose gradients go through the
// batch statistics), the running statistics, the per-epoch losses, and
// predict() against torch's eval mode. The running statistics are what
// saveOnnx writes. Dropout drops in fit() only. fit() trains on a partial
// last batch too.
//
//===----------------------------------------------------------------------===//

#include "TestUtils.h"

#include <cmath>
#include <fstream>

#include <onnx/onnx_pb.h>

using namespace kiln::dsl;
using namespace kiln::dsl::testing;

namespace {

kiln::Tensor scalar(double v) {
  kiln::Tensor t = kiln::Tensor::zeros(KILN_DTYPE_F32, {});
  t.data<float>()[0] = (float)v;
  return t;
}

/// Trains `layer -> BatchNorm` on seeded data with fit(), writes everything
/// torch_batchnorm.py needs, and runs it.
void checkAgainstTorch(const std::string &kind, int64_t n, int64_t batch) {
  const int epochs = 3;
  const double momentum = 0.2;
  std::string dir = scratchDir("batchnorm_" + kind + "_" + std::to_string(n) +
                               "_" + std::to_string(batch));
  Graph g(3);
  std::vector<int64_t> inShape, outShape;
  std::string layer;
  Tensor h;
  if (kind == "conv2d") {
    inShape = {dyn, 2, 5, 5};
    outShape = {n, 3, 5, 5};
    Tensor x = g.input("x", inShape);
    h = Conv2D(3, {3, 3}).padding(Padding::Same)(x);
    layer = "conv2d";
  } else {
    inShape = {dyn, 4};
    outShape = {n, 3};
    Tensor x = g.input("x", inShape);
    h = Dense(3)(x);
    layer = "dense";
  }
  g.output("y", BatchNorm(1e-5).momentum(momentum)(h));
  Model model(std::move(g));
  randomizeParameters(model, 21);
  inShape[0] = n;
  kiln::Tensor xs = randomTensor(inShape, 4, -2.0, 2.0);
  kiln::Tensor ys = randomTensor(outShape, 5);
  xs.saveNpy(dir + "/x.npy");
  ys.saveNpy(dir + "/labels.npy");
  scalar(momentum).saveNpy(dir + "/momentum.npy");
  scalar((double)batch).saveNpy(dir + "/batch.npy");
  scalar(epochs).saveNpy(dir + "/epochs.npy");
  model.parameter(layer + ".kernel").saveNpy(dir + "/kernel.npy");
  model.parameter(layer + ".bias").saveNpy(dir + "/bias.npy");
  model.parameter("batch_norm.gamma").saveNpy(dir + "/gamma.npy");
  model.parameter("batch_norm.beta").saveNpy(dir + "/beta.npy");

  model.compile(Target{}, loss::mse(), optim::sgd(0.1));
  FitOptions options;
  options.epochs = epochs;
  options.batchSize = batch;
  options.shuffle = false;
  History history = model.fit(xs, ys, options);
  kiln::Tensor losses = kiln::Tensor::zeros(KILN_DTYPE_F64, {epochs});
  for (int e = 0; e < epochs; ++e)
    losses.data<double>()[e] = history.loss[e];
  losses.saveNpy(dir + "/losses.npy");
  model.parameter(layer + ".kernel").saveNpy(dir + "/kernel_out.npy");
  model.parameter(layer + ".bias").saveNpy(dir + "/bias_out.npy");
  model.parameter("batch_norm.gamma").saveNpy(dir + "/gamma_out.npy");
  model.parameter("batch_norm.beta").saveNpy(dir + "/beta_out.npy");
  model.parameter("batch_norm.running_mean").saveNpy(dir + "/running_mean.npy");
  model.parameter("batch_norm.running_var").saveNpy(dir + "/running_var.npy");
  model.predict(xs).saveNpy(dir + "/predict.npy");

  std::string command = std::string(KILN_PYTHON) + " " + KILN_DSL_TEST_DIR +
                        "/torch_batchnorm.py " + dir + " " + kind + " 2>&1";
  std::string output;
  FILE *pipe = popen(command.c_str(), "r");
  ASSERT_TRUE(pipe);
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe))
    output += buffer;
  int status = pclose(pipe);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "Kiln differs from PyTorch:\n"
      << output;
}

// 10 samples in batches of 4: the last batch of every epoch has 2, which
// fit() trains on too (torch_batchnorm.py does the same).
TEST(DSLTrainMode, BatchNorm2dMatchesPyTorch) {
  checkAgainstTorch("conv2d", 10, 4);
}

// Two full batches of 6 and a last one of 2.
TEST(DSLTrainMode, BatchNorm1dMatchesPyTorch) {
  checkAgainstTorch("dense", 14, 6);
}

// The running statistics start at mean 0 and variance 1, and saveOnnx
// writes them (trained) as BatchNormalization's mean and var initializers.
TEST(DSLTrainMode, BatchNormRunningStatisticsAreSaved) {
  Graph g(1);
  Tensor x = g.input("x", {dyn, 3});
  g.output("y", BatchNorm()(x));
  Model model(std::move(g));
  kiln::Tensor mean0 = model.parameter("batch_norm.running_mean");
  kiln::Tensor var0 = model.parameter("batch_norm.running_var");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(mean0.data<float>()[i], 0.0f);
    EXPECT_EQ(var0.data<float>()[i], 1.0f);
  }
  kiln::Tensor xs = randomTensor({16, 3}, 7, 1.0, 3.0);
  model.compile(Target{}, loss::mse(), optim::sgd(0.01));
  FitOptions options;
  options.batchSize = 16;
  options.shuffle = false;
  model.fit(xs, randomTensor({16, 3}, 8), options);
  kiln::Tensor mean = model.parameter("batch_norm.running_mean");
  // One step with momentum 0.1 from 0: a tenth of the batch mean (in [1, 3)).
  for (int c = 0; c < 3; ++c) {
    double batchMean = 0;
    for (int i = 0; i < 16; ++i)
      batchMean += xs.data<float>()[i * 3 + c] / 16.0;
    EXPECT_NEAR(mean.data<float>()[c], 0.1 * batchMean, 1e-5);
  }

  std::string path = scratchDir("batchnorm_save") + "/bn.onnx";
  model.saveOnnx(path);
  onnx::ModelProto proto;
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(proto.ParseFromIstream(&in));
  bool found = false;
  for (const onnx::TensorProto &t : proto.graph().initializer()) {
    if (t.name() != "batch_norm.running_mean")
      continue;
    found = true;
    ASSERT_EQ(t.float_data_size(), 3);
    for (int c = 0; c < 3; ++c)
      EXPECT_EQ(t.float_data(c), mean.data<float>()[c]);
  }
  EXPECT_TRUE(found) << "no initializer batch_norm.running_mean";
  bool usesIt = false;
  for (const onnx::NodeProto &node : proto.graph().node())
    if (node.op_type() == "BatchNormalization")
      usesIt = node.input(3) == "batch_norm.running_mean" &&
               node.input(4) == "batch_norm.running_var";
  EXPECT_TRUE(usesIt);
}

TEST(DSLTrainMode, BatchNormOptionErrors) {
  auto errorOf = [](auto f) {
    try {
      f();
    } catch (const Error &e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(errorOf([] { BatchNorm().momentum(1.5); }).find("[0, 1]"),
            std::string::npos);
  EXPECT_NE(errorOf([] {
              Graph g;
              Tensor x = g.input("x", {dyn, 3});
              BatchNorm bn;
              bn(bn(x));
            }).find("second time"),
            std::string::npos);
}

// Dropout: the identity in predict and evaluate; in fit() it drops. With
// y = dropout(x) (p = 0.5) and labels x, a dropped element costs x^2 and a
// kept one (scaled by 2) costs (2x - x)^2 = x^2: the training loss is
// mean(x^2) whatever the mask, where the identity would give 0.
TEST(DSLTrainMode, DropoutDropsOnlyInFit) {
  Graph g(2);
  Tensor x = g.input("x", {dyn, 32});
  g.output("y", Dropout(0.5)(Dense(32)(x)));
  Model model(std::move(g));
  // The identity as the dense layer: y = dropout(x).
  kiln::Tensor eye = kiln::Tensor::zeros(KILN_DTYPE_F32, {32, 32});
  for (int i = 0; i < 32; ++i)
    eye.data<float>()[i * 32 + i] = 1.0f;
  model.setParameter("dense.kernel", eye);
  kiln::Tensor xs = randomTensor({64, 32}, 3, 1.0, 2.0);
  kiln::Tensor out = model.predict(xs);
  for (size_t i = 0; i < out.size(); ++i)
    ASSERT_NEAR(out.data<float>()[i], xs.data<float>()[i], 1e-6);
  model.compile(Target{}, loss::mse(), optim::sgd(1e-9));
  EXPECT_NEAR(model.evaluate(xs, xs).loss, 0.0, 1e-10);
  FitOptions options;
  options.batchSize = 64;
  History h = model.fit(xs, xs, options);
  double meanSquare = 0;
  for (size_t i = 0; i < xs.size(); ++i)
    meanSquare += xs.data<float>()[i] * xs.data<float>()[i] / xs.size();
  EXPECT_NEAR(h.loss[0], meanSquare, 1e-4 * meanSquare);
}

} // namespace
