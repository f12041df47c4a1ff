//===- LayersTest.cpp - Every DSL layer: output shape and numerics --------===//
//
// Each case builds a one-layer model, checks the symbolic output shape and
// the shape of what the compiled model returns, gives the parameters seeded
// random values, and has reference.py recompute the output in numpy from
// the same input and parameters (rtol 1e-4, atol 1e-5).
//
//===----------------------------------------------------------------------===//

#include "TestUtils.h"

using namespace kiln::dsl;
using namespace kiln::dsl::testing;

namespace {

struct LayerCase {
  std::string test;
  /// Builds the layer on `x` and returns its output.
  std::function<Tensor(Tensor)> build;
  std::vector<int64_t> inputShape; ///< dyn allowed
  std::vector<int64_t> runShape;   ///< the data actually fed
  std::vector<int64_t> expectedShape;
  /// reference.py's spec: the kind on the first line, then key=value lines
  /// (the layer's name is added).
  std::string spec;
  DType inputType = DType::F32;
};

void runCase(const LayerCase &c) {
  SCOPED_TRACE(c.test);
  Graph g(/*seed=*/7);
  Tensor x = g.input("x", c.inputShape, c.inputType);
  Tensor y = c.build(x);
  EXPECT_EQ(y.shape(), c.expectedShape)
      << "got " << shapeString(y.shape()) << ", expected "
      << shapeString(c.expectedShape);
  g.output("y", y);
  Model model(std::move(g));
  randomizeParameters(model, 100);

  kiln::Tensor input = c.inputType == DType::I64
                           ? randomIndices(c.runShape, 10, 3)
                           : randomTensor(c.runShape, 3, -2.0, 2.0);
  kiln::Tensor output = model.predict(input);
  std::vector<int64_t> expectedRun = c.expectedShape;
  for (size_t i = 0; i < expectedRun.size(); ++i)
    if (expectedRun[i] == dyn)
      expectedRun[i] = c.runShape[0]; // only batch dimensions are dynamic
  EXPECT_EQ(output.shape(), expectedRun);

  std::string dir = scratchDir(c.test);
  input.saveNpy(dir + "/in0.npy");
  output.saveNpy(dir + "/out0.npy");
  for (const std::string &name : model.parameterNames())
    model.parameter(name).saveNpy(dir + "/" + name + ".npy");
  {
    std::ofstream spec(dir + "/spec.txt");
    // The layer's name is the prefix of its parameters.
    std::string layer;
    if (!model.parameterNames().empty()) {
      layer = model.parameterNames()[0];
      layer = layer.substr(0, layer.find('.'));
    }
    spec << c.spec << "\nname=" << layer << "\n";
  }
  std::string report;
  EXPECT_EQ(runReference(dir, report), 0) << report;
}

std::vector<LayerCase> cases() {
  return {
      {"dense_relu",
       [](Tensor x) { return Dense(3, Activation::Relu)(x); },
       {dyn, 5},
       {4, 5},
       {dyn, 3},
       "Dense\nactivation=relu"},
      {"dense_rank3_gelu",
       [](Tensor x) { return Dense(3, Activation::Gelu)(x); },
       {2, 4, 5},
       {2, 4, 5},
       {2, 4, 3},
       "Dense\nactivation=gelu"},
      {"dense_no_bias_softmax",
       [](Tensor x) { return Dense(6, Activation::Softmax).useBias(false)(x); },
       {dyn, 5},
       {3, 5},
       {dyn, 6},
       "Dense\nactivation=softmax"},
      {"conv2d_valid",
       [](Tensor x) {
         return Conv2D(3, {3, 3}, Activation::Relu)(x);
       },
       {dyn, 2, 6, 6},
       {2, 2, 6, 6},
       {dyn, 3, 4, 4},
       "Conv2D\nactivation=relu\nstrides=1,1\npads=0,0,0,0"},
      {"conv2d_same_stride2",
       [](Tensor x) {
         return Conv2D(4, {3, 3}).strides({2, 2}).padding(Padding::Same)(x);
       },
       {2, 2, 7, 7},
       {2, 2, 7, 7},
       {2, 4, 4, 4},
       "Conv2D\nstrides=2,2\npads=1,1,1,1"},
      {"maxpool2d",
       [](Tensor x) {
         return MaxPool2D({2, 2})(x);
       },
       {dyn, 2, 6, 6},
       {2, 2, 6, 6},
       {dyn, 2, 3, 3},
       "MaxPool2D\npool=2,2\nstrides=2,2\npads=0,0,0,0"},
      {"maxpool2d_same",
       [](Tensor x) {
         return MaxPool2D({2, 2}).padding(Padding::Same)(x);
       },
       {2, 2, 5, 5},
       {2, 2, 5, 5},
       {2, 2, 3, 3},
       "MaxPool2D\npool=2,2\nstrides=2,2\npads=0,0,1,1"},
      {"avgpool2d_same",
       [](Tensor x) {
         return AvgPool2D({3, 3}).strides({2, 2}).padding(Padding::Same)(x);
       },
       {2, 2, 5, 5},
       {2, 2, 5, 5},
       {2, 2, 3, 3},
       "AvgPool2D\npool=3,3\nstrides=2,2\npads=1,1,1,1"},
      {"global_avg_pool",
       [](Tensor x) { return GlobalAvgPool()(x); },
       {dyn, 3, 4, 4},
       {2, 3, 4, 4},
       {dyn, 3},
       "GlobalAvgPool"},
      {"flatten",
       [](Tensor x) { return Flatten()(x); },
       {dyn, 2, 3, 4},
       {2, 2, 3, 4},
       {dyn, 24},
       "Flatten"},
      {"dropout",
       [](Tensor x) { return Dropout(0.5)(x); },
       {dyn, 7},
       {3, 7},
       {dyn, 7},
       "Dropout"},
      {"batch_norm",
       [](Tensor x) { return BatchNorm(1e-3)(x); },
       {dyn, 3, 4, 4},
       {2, 3, 4, 4},
       {dyn, 3, 4, 4},
       "BatchNorm\nepsilon=0.001"},
      {"layer_norm",
       [](Tensor x) { return LayerNorm(1e-5)(x); },
       {dyn, 3, 8},
       {2, 3, 8},
       {dyn, 3, 8},
       "LayerNorm\nepsilon=0.00001"},
      {"embedding",
       [](Tensor x) { return Embedding(10, 4)(x); },
       {dyn, 5},
       {3, 5},
       {dyn, 5, 4},
       "Embedding",
       DType::I64},
      {"lstm_last",
       [](Tensor x) { return LSTM(6)(x); },
       {dyn, 4, 3},
       {2, 4, 3},
       {dyn, 6},
       "LSTM"},
      {"lstm_sequences",
       [](Tensor x) { return LSTM(5).returnSequences(true)(x); },
       {dyn, 4, 3},
       {2, 4, 3},
       {dyn, 4, 5},
       "LSTM\nsequences=1"},
      {"gru_last",
       [](Tensor x) { return GRU(5)(x); },
       {dyn, 4, 3},
       {2, 4, 3},
       {dyn, 5},
       "GRU"},
      {"gru_sequences",
       [](Tensor x) { return GRU(4).returnSequences(true)(x); },
       {dyn, 3, 3},
       {2, 3, 3},
       {dyn, 3, 4},
       "GRU\nsequences=1"},
      {"attention",
       [](Tensor x) { return MultiHeadAttention(2, 4)(x); },
       {dyn, 5, 8},
       {2, 5, 8},
       {dyn, 5, 8},
       "MultiHeadAttention\nheads=2\nkey_dim=4"},
      {"attention_causal",
       [](Tensor x) { return MultiHeadAttention(3, 2).causal(true)(x); },
       {dyn, 4, 6},
       {2, 4, 6},
       {dyn, 4, 6},
       "MultiHeadAttention\nheads=3\nkey_dim=2\ncausal=1"},
  };
}

class LayerTest : public ::testing::TestWithParam<LayerCase> {};

TEST_P(LayerTest, ShapeAndNumericsMatchNumpy) { runCase(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Layers, LayerTest, ::testing::ValuesIn(cases()),
                         [](const auto &info) { return info.param.test; });

// Activations on their own, over [-3, 3], against the same formulas.
class ActivationTest
    : public ::testing::TestWithParam<std::pair<Activation, std::string>> {};

TEST_P(ActivationTest, MatchesNumpy) {
  auto [activation, name] = GetParam();
  LayerCase c{
      "activation_" + name,
      [activation = activation](Tensor x) { return activate(x, activation); },
      {dyn, 16},
      {3, 16},
      {dyn, 16},
      "Activation\nactivation=" + name};
  runCase(c);
}

INSTANTIATE_TEST_SUITE_P(
    Activations, ActivationTest,
    ::testing::Values(std::make_pair(Activation::Relu, "relu"),
                      std::make_pair(Activation::Sigmoid, "sigmoid"),
                      std::make_pair(Activation::Tanh, "tanh"),
                      std::make_pair(Activation::Softmax, "softmax"),
                      std::make_pair(Activation::Gelu, "gelu"),
                      std::make_pair(Activation::Silu, "silu"),
                      std::make_pair(Activation::LeakyRelu, "leaky_relu"),
                      std::make_pair(Activation::Elu, "elu"),
                      std::make_pair(Activation::Softplus, "softplus")),
    [](const auto &info) { return info.param.second; });

} // namespace
