//===- RoundTripTest.cpp - DSL -> ONNX -> Kiln, and DSL -> .so ------------===//
//
// Models using every layer are saved with saveOnnx, checked by Python's
// onnx.checker (ONNX's own tool, not libonnx through Kiln), imported back
// through Kiln's ONNX frontend, compiled, and run on the same inputs: the
// outputs must be identical to the DSL model's, element for element. The
// same models saved with saveLibrary and opened through the runtime must
// give identical outputs too.
//
//===----------------------------------------------------------------------===//

#include "TestUtils.h"

#include "kiln/Driver/Compiler.h"
#include "kiln/Frontends/ONNX/Importer.h"
#include "kiln/InitAllDialects.h"

#include "mlir/IR/MLIRContext.h"

#include <cstring>

using namespace kiln::dsl;
using namespace kiln::dsl::testing;

namespace {

/// Every path compiles at one level (compile time dominates these tests).
constexpr unsigned kOptLevel = 1;

/// A small CNN: every image layer.
Model imageModel() {
  Graph g(/*seed=*/11);
  Tensor x = g.input("image", {dyn, 2, 8, 8});
  Tensor h = Conv2D(4, {3, 3}, Activation::Relu).padding(Padding::Same)(x);
  h = BatchNorm()(h);
  h = MaxPool2D({2, 2})(h);
  Tensor pooled = GlobalAvgPool()(h);
  h = AvgPool2D({2, 2}).padding(Padding::Same)(
      Conv2D(3, {3, 3}).strides({2, 2}).padding(Padding::Same)(h));
  h = Flatten()(h);
  h = Dropout(0.25)(h);
  h = concat({h, pooled}, 1);
  g.output("probs", Dense(5, Activation::Softmax)(h));
  g.output("features", pooled);
  return Model(std::move(g));
}

/// A small sequence model: every sequence layer and most activations.
Model sequenceModel() {
  Graph g(/*seed=*/12);
  Tensor tokens = g.input("tokens", {dyn, 4}, DType::I64);
  Tensor e = Embedding(10, 8)(tokens);
  Tensor a = MultiHeadAttention(2, 4).causal(true)(e);
  Tensor h = LayerNorm()(e + a);
  h = Dense(8, Activation::Gelu)(h);
  Tensor l = LSTM(5, "lstm").returnSequences(true)(h);
  Tensor r = GRU(4)(l);
  Tensor y = Dense(3, Activation::Silu)(r);
  y = softplus(y) + leakyRelu(y) + elu(y) + tanh(y) * sigmoid(y);
  g.output("y", logSoftmax(y));
  return Model(std::move(g));
}

std::vector<kiln::Tensor> runOnnx(const std::string &path,
                                  const std::vector<const kiln::Tensor *> &in) {
  mlir::MLIRContext context;
  mlir::DialectRegistry registry;
  mlir::kiln::registerAllDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
  auto module = mlir::kiln::importOnnxFile(path, &context);
  EXPECT_TRUE(module) << "Kiln's importer rejects " << path;
  if (!module)
    return {};
  mlir::kiln::CompileOptions options;
  options.target.optLevel = kOptLevel;
  auto model = mlir::kiln::compileAndLoad(*module, options);
  EXPECT_TRUE(bool(model)) << llvm::toString(model.takeError());
  if (!model)
    return {};
  kiln::Model runtimeModel(*model);
  return runtimeModel.run(in);
}

void expectIdentical(const std::vector<kiln::Tensor> &a,
                     const std::vector<kiln::Tensor> &b, const char *what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].shape(), b[i].shape()) << what << " output " << i;
    ASSERT_EQ(a[i].dtype(), b[i].dtype()) << what << " output " << i;
    const float *x = a[i].data<float>(), *y = b[i].data<float>();
    size_t differ = 0;
    for (size_t k = 0; k < a[i].size(); ++k)
      differ += std::memcmp(&x[k], &y[k], sizeof(float)) != 0;
    EXPECT_EQ(differ, 0u) << what << " output " << i << ": " << differ << " of "
                          << a[i].size() << " values differ";
  }
}

void roundTrip(Model &model, const std::string &test,
               std::vector<kiln::Tensor> inputs) {
  std::vector<const kiln::Tensor *> in;
  for (const kiln::Tensor &t : inputs)
    in.push_back(&t);
  Target target;
  target.optLevel = kOptLevel;
  model.compile(target);
  std::vector<kiln::Tensor> expected = model.predict(in);

  std::string dir = scratchDir(test);
  std::string onnxPath = dir + "/model.onnx";
  model.saveOnnx(onnxPath);
  std::string check = std::string(KILN_PYTHON) +
                      " -c 'import onnx, sys; "
                      "onnx.checker.check_model(onnx.load(sys.argv[1]), "
                      "full_check=True)' " +
                      onnxPath;
  EXPECT_EQ(std::system(check.c_str()), 0)
      << "onnx.checker rejects " << onnxPath;
  expectIdentical(expected, runOnnx(onnxPath, in), "DSL vs ONNX round trip");

  std::string soPath = dir + "/model.so";
  model.saveLibrary(soPath);
  kiln::Model library(soPath);
  expectIdentical(expected, library.run(in), "DSL vs AOT library");
}

TEST(DSLRoundTrip, ImageModel) {
  Model model = imageModel();
  randomizeParameters(model, 5);
  std::vector<kiln::Tensor> inputs;
  inputs.push_back(randomTensor({3, 2, 8, 8}, 1));
  roundTrip(model, "roundtrip_image", std::move(inputs));
}

TEST(DSLRoundTrip, SequenceModel) {
  Model model = sequenceModel();
  randomizeParameters(model, 6);
  std::vector<kiln::Tensor> inputs;
  inputs.push_back(randomIndices({2, 4}, 10, 2));
  roundTrip(model, "roundtrip_sequence", std::move(inputs));
}

TEST(DSLRoundTrip, SaveLeavesNothingOnFailure) {
  Graph g;
  Tensor x = g.input("x", {dyn, 3});
  // kiln.argmax exports; a bool output from a comparison does too; this
  // graph is valid, so the failure comes from the path.
  g.output("y", argmax(x, -1));
  Model model(std::move(g));
  std::string dir = scratchDir("roundtrip_failure");
  std::string path = dir + "/missing/model.onnx";
  EXPECT_THROW(model.saveOnnx(path), Error);
  EXPECT_FALSE(std::filesystem::exists(dir + "/missing"));
  EXPECT_THROW(model.saveLibrary(dir + "/missing/model.so"), Error);
  EXPECT_TRUE(std::filesystem::is_empty(dir));
}

} // namespace
