//===- TrainerTest.cpp - Compiled training steps through the runtime ------===//
//
// A compiled step marks its parameters and state KILN_TENSOR_MUTABLE and
// updates the caller's tensors in place; Trainer steps follow the optimizer's
// formula, computed here by hand in double precision.
//
//===----------------------------------------------------------------------===//

#include "kiln/InitAllDialects.h"
#include "kiln/Training/Trainer.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;

namespace {

// y = x * w + b (w broadcast over rows); w and b are parameters.
constexpr const char *kModel = R"mlir(
func.func @main(%x: tensor<?x3xf32> {kiln.name = "x"}) -> (tensor<?x3xf32> {kiln.name = "y"}) {
  %w = kiln.constant {kiln.parameter = "w"} dense<[0.5, -1.0, 2.0]> : tensor<3xf32>
  %b = kiln.constant {kiln.parameter = "b"} dense<0.25> : tensor<3xf32>
  %m = kiln.mul %x, %w : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %y = kiln.add %m, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
)mlir";

struct TrainerTest : public ::testing::Test {
  void SetUp() override {
    DialectRegistry registry;
    registerAllDialects(registry);
    ctx.appendDialectRegistry(registry);
    ctx.loadAllAvailableDialects();
    module = parseSourceString<ModuleOp>(kModel, &ctx);
    ASSERT_TRUE(module);
  }
  kiln_tensor *tensor(std::vector<int64_t> shape, std::vector<float> values) {
    kiln_tensor *t = nullptr;
    EXPECT_EQ(kiln_tensor_create(KILN_DTYPE_F32, shape.data(), shape.size(), &t),
              KILN_OK);
    std::copy(values.begin(), values.end(),
              static_cast<float *>(kiln_tensor_data(t)));
    owned.push_back(t);
    return t;
  }
  ~TrainerTest() override {
    for (kiln_tensor *t : owned)
      kiln_tensor_destroy(t);
  }
  MLIRContext ctx;
  OwningOpRef<ModuleOp> module;
  std::vector<kiln_tensor *> owned;
};

TEST_F(TrainerTest, StepFollowsSGDAndUpdatesInPlace) {
  TrainingConfig config;
  config.loss = "mse";
  config.optimizer = "sgd";
  config.learningRate = 0.5;
  config.labelType = RankedTensorType::get({ShapedType::kDynamic, 3},
                                           Float32Type::get(&ctx));
  auto trainer = Trainer::create(*module, config, {});
  ASSERT_TRUE(static_cast<bool>(trainer)) << llvm::toString(trainer.takeError());
  Trainer &t = **trainer;
  ASSERT_EQ(t.inputs().size(), 1u);
  EXPECT_EQ(t.inputs()[0].name, "x");
  EXPECT_EQ(t.inputs()[0].shape, (SmallVector<int64_t>{-1, 3}));
  EXPECT_EQ(t.labels().name, "labels");
  ASSERT_EQ(t.parameterInfo().size(), 2u);
  EXPECT_EQ(t.parameterInfo()[0].name, "w");

  std::vector<float> x = {1, 2, 3, -1, 0.5f, 4};
  std::vector<float> y = {0, 1, 0, 2, 0, -1};
  const kiln_tensor *batch[] = {tensor({2, 3}, x)};
  const float *w = static_cast<const float *>(kiln_tensor_data(t.parameter(0)));
  const float *b = static_cast<const float *>(kiln_tensor_data(t.parameter(1)));
  for (int step = 0; step < 3; ++step) {
    // The reference: mean over the 6 elements of (x w + b - y)^2.
    double wv[3], bv[3], gw[3] = {0, 0, 0}, gb[3] = {0, 0, 0}, loss = 0;
    for (int j = 0; j < 3; ++j)
      wv[j] = w[j], bv[j] = b[j];
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j) {
        double r = x[3 * i + j] * wv[j] + bv[j] - y[3 * i + j];
        loss += r * r / 6;
        gw[j] += 2 * r * x[3 * i + j] / 6;
        gb[j] += 2 * r / 6;
      }
    const void *before = kiln_tensor_data(t.parameter(0));
    auto got = t.step(batch, tensor({2, 3}, y));
    ASSERT_TRUE(static_cast<bool>(got)) << llvm::toString(got.takeError());
    EXPECT_NEAR(*got, loss, 1e-5 * std::max(1.0, loss));
    // Same buffers, new values.
    EXPECT_EQ(kiln_tensor_data(t.parameter(0)), before);
    for (int j = 0; j < 3; ++j) {
      EXPECT_NEAR(w[j], wv[j] - 0.5 * gw[j], 1e-5) << "w[" << j << "]";
      EXPECT_NEAR(b[j], bv[j] - 0.5 * gb[j], 1e-5) << "b[" << j << "]";
    }
  }

  // Evaluation takes any batch size and changes nothing.
  float w0 = w[0];
  kiln_tensor *output = nullptr;
  const kiln_tensor *one[] = {tensor({1, 3}, {1, 1, 1})};
  auto loss = t.evaluate(one, tensor({1, 3}, {0, 0, 0}), &output);
  ASSERT_TRUE(static_cast<bool>(loss)) << llvm::toString(loss.takeError());
  ASSERT_NE(output, nullptr);
  EXPECT_EQ(kiln_tensor_shape(output)[0], 1);
  EXPECT_FLOAT_EQ(static_cast<float *>(kiln_tensor_data(output))[0], w[0] + b[0]);
  EXPECT_EQ(w[0], w0);
  kiln_tensor_destroy(output);
}

TEST_F(TrainerTest, CompiledStepMarksMutableInputs) {
  TrainingConfig config;
  config.optimizer = "momentum";
  config.labelType = RankedTensorType::get({ShapedType::kDynamic, 3},
                                           Float32Type::get(&ctx));
  ASSERT_TRUE(succeeded(buildTrainingFunctions(*module, config)));
  // Keep only the step and compile it as a model.
  for (auto func : llvm::make_early_inc_range(module->getOps<func::FuncOp>()))
    if (func.getSymName() != "train_step")
      func.erase();
  CompileOptions options;
  options.entry = "train_step";
  auto model = compileAndLoad(*module, options);
  ASSERT_TRUE(static_cast<bool>(model)) << llvm::toString(model.takeError());
  // w, b, w.velocity, b.velocity are mutable; x and the labels are not.
  ASSERT_EQ(kiln_model_num_inputs(*model), 6u);
  for (size_t i = 0; i < 6; ++i) {
    kiln_tensor_info info;
    ASSERT_EQ(kiln_model_input_info(*model, i, &info), KILN_OK);
    EXPECT_EQ(info.flags, i < 4 ? KILN_TENSOR_MUTABLE : 0u) << info.name;
  }
  kiln_tensor_info out;
  ASSERT_EQ(kiln_model_output_info(*model, 0, &out), KILN_OK);
  EXPECT_STREQ(out.name, "loss");
  EXPECT_EQ(out.flags, 0u);
  kiln_model_close(*model);
}

TEST_F(TrainerTest, BadConfigurationIsAnError) {
  TrainingConfig config;
  config.loss = "hinge";
  config.labelType = RankedTensorType::get({ShapedType::kDynamic, 3},
                                           Float32Type::get(&ctx));
  auto trainer = Trainer::create(*module, config, {});
  ASSERT_FALSE(static_cast<bool>(trainer));
  EXPECT_NE(llvm::toString(trainer.takeError()).find("unknown loss 'hinge'"),
            std::string::npos);
}

} // namespace
