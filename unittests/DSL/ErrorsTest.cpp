//===- ErrorsTest.cpp - What the DSL reports, and when --------------------===//
//
// Shape errors surface while the graph is built, as dsl::Error naming the
// layer (or op) and both shapes; misuse of graphs and models is an Error
// too, never a crash.
//
//===----------------------------------------------------------------------===//

#include "TestUtils.h"

using namespace kiln::dsl;
using namespace kiln::dsl::testing;

namespace {

/// The message of the Error `body` throws ("" and a failure if none).
template <typename F> std::string errorOf(F body) {
  try {
    body();
  } catch (const Error &e) {
    return e.what();
  }
  ADD_FAILURE() << "no dsl::Error was thrown";
  return "";
}

TEST(DSLErrors, DenseReusedOnWrongShapeNamesLayerAndShapes) {
  Graph g;
  Tensor a = g.input("a", {dyn, 13});
  Tensor b = g.input("b", {dyn, 20});
  Dense shared(8);
  shared(a);
  std::string message = errorOf([&] { shared(b); });
  EXPECT_NE(message.find("layer 'dense' (Dense)"), std::string::npos)
      << message;
  EXPECT_NE(message.find("13"), std::string::npos) << message;
  EXPECT_NE(message.find("[?, 20]"), std::string::npos) << message;
}

TEST(DSLErrors, IncompatibleBroadcastNamesOpAndShapes) {
  Graph g;
  Tensor a = g.input("a", {2, 3});
  Tensor b = g.input("b", {4});
  std::string message = errorOf([&] { (void)(a + b); });
  EXPECT_NE(message.find("kiln.add"), std::string::npos) << message;
  EXPECT_NE(message.find("[2, 3]"), std::string::npos) << message;
  EXPECT_NE(message.find("[4]"), std::string::npos) << message;
}

TEST(DSLErrors, ErrorInsideALayerNamesTheLayer) {
  Graph g;
  Tensor q = g.input("q", {dyn, 4, 8});
  Tensor kv = g.input("kv", {dyn, 4, 6});
  MultiHeadAttention attention(2, 4, "attn");
  // The first call builds the key projection for 8 features; keys and
  // values of 6 features do not fit it.
  attention(q, q);
  std::string message = errorOf([&] { attention(q, kv); });
  EXPECT_NE(message.find("attn.key"), std::string::npos) << message;
  EXPECT_NE(message.find("[?, 4, 6]"), std::string::npos) << message;
}

TEST(DSLErrors, MatmulMismatchInsideDenseNamesShapes) {
  Graph g;
  Tensor x = g.input("x", {dyn, 5});
  Tensor w = g.parameter("w", {4, 3}, init::ones());
  std::string message = errorOf([&] { (void)matmul(x, w); });
  EXPECT_NE(message.find("kiln.matmul"), std::string::npos) << message;
  EXPECT_NE(message.find("[?, 5]"), std::string::npos) << message;
  EXPECT_NE(message.find("[4, 3]"), std::string::npos) << message;
}

TEST(DSLErrors, LayerInputChecks) {
  Graph g;
  Tensor flat = g.input("flat", {dyn, 5});
  Tensor dynamicFeatures = g.input("d", {dyn, dyn});
  std::string conv = errorOf([&] { Conv2D(2, {3, 3})(flat); });
  EXPECT_NE(conv.find("layer 'conv2d' (Conv2D) expects a rank-4 input"),
            std::string::npos)
      << conv;
  std::string dense = errorOf([&] { Dense(2)(dynamicFeatures); });
  EXPECT_NE(dense.find("needs a static last dimension"), std::string::npos)
      << dense;
  std::string emb = errorOf([&] { Embedding(4, 2)(flat); });
  EXPECT_NE(emb.find("expects integer indices"), std::string::npos) << emb;
  std::string kernel = errorOf([&] {
    Graph small;
    Tensor img = small.input("img", {1, 1, 2, 2});
    Conv2D(1, {3, 3})(img);
  });
  EXPECT_NE(kernel.find("[1, 1, 2, 2]"), std::string::npos) << kernel;
  EXPECT_NE(errorOf([] { Dense(0); }).find("positive"), std::string::npos);
  EXPECT_NE(errorOf([] { Dropout(1.5); }).find("[0, 1)"), std::string::npos);
}

TEST(DSLErrors, GraphMisuse) {
  Graph g;
  Tensor x = g.input("x", {dyn, 3});
  EXPECT_NE(errorOf([&] { g.input("x", {2}); }).find("declared twice"),
            std::string::npos);
  EXPECT_NE(errorOf([&] {
              g.input("z", {0, 2});
            }).find("invalid extent"),
            std::string::npos);
  Graph other;
  Tensor y = other.input("y", {dyn, 3});
  EXPECT_NE(errorOf([&] { (void)(x + y); }).find("different graphs"),
            std::string::npos);
  EXPECT_NE(errorOf([&] { (void)relu(Tensor()); }).find("null"),
            std::string::npos);
  EXPECT_NE(errorOf([&] { Model m(std::move(other)); }).find("no output"),
            std::string::npos);
}

TEST(DSLErrors, ModelMisuse) {
  Graph g;
  Tensor x = g.input("x", {dyn, 3});
  g.output("y", Dense(2)(x));
  Model model(std::move(g));
  // Building into a graph a Model took is refused.
  EXPECT_NE(
      errorOf([&] { (void)(x * 2.0); }).find("already turned into a Model"),
      std::string::npos);
  kiln::Tensor wrongRank = randomTensor({3}, 1);
  std::string run = errorOf([&] { model.predict(wrongRank); });
  EXPECT_NE(run.find("predict"), std::string::npos) << run;
  EXPECT_NE(errorOf([&] { model.parameter("nope"); }).find("no parameter"),
            std::string::npos);
  EXPECT_NE(errorOf([&] {
              model.setParameter("dense.kernel", randomTensor({2, 2}, 1));
            }).find("[3, 2]"),
            std::string::npos);
  EXPECT_NE(errorOf([&] { model.compile(Target{"tpu"}); }).find("tpu"),
            std::string::npos);
  EXPECT_NE(errorOf([&] {
              model.saveOnnx("/nonexistent-dir/m.onnx");
            }).find("cannot write"),
            std::string::npos);
}

} // namespace
