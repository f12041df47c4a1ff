//===- GradientCheckTest.cpp - Gradient rules against finite differences --===//
//
// Each case is a small float64 function of kiln ops ending in a scalar loss
// (the op under test, then a weighted sum so that every output element
// matters). Losses and penalties go through kiln-decompose first, as in a
// training step. kiln-autodiff builds its gradient; both are JIT-compiled; the
// gradient must match central finite differences of the forward function,
// element by element (|analytic - numeric| <= 1e-6 + 1e-5 |numeric|, with
// step 1e-6: the error of central differences is O(step^2)).
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/Kiln/Transforms/Passes.h"
#include "kiln/Driver/Compiler.h"
#include "kiln/InitAllDialects.h"
#include "kiln/runtime.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

using namespace mlir;

namespace {

struct Input {
  std::vector<int64_t> shape;
  double low = -1.0, high = 1.0; ///< where the function is smooth
};

struct Case {
  const char *name;
  std::vector<Input> inputs;
  /// The body of `func @main(%a, %b, ...) -> tensor<f64>`; must end in
  /// `return %loss : tensor<f64>`.
  const char *body;
};

std::string typeOf(const Input &in) {
  std::string t = "tensor<";
  for (int64_t d : in.shape)
    t += std::to_string(d) + "x";
  return t + "f64>";
}

std::string moduleText(const Case &c) {
  std::string args;
  for (size_t i = 0; i < c.inputs.size(); ++i)
    args += (i ? ", %" : "%") + std::string(1, 'a' + i) + ": " +
            typeOf(c.inputs[i]);
  return "func.func @main(" + args + ") -> tensor<f64> {\n" + c.body + "\n}\n";
}

/// Compiles `module`'s `entry` into a runtime model (the module is cloned).
kiln_model *compile(ModuleOp module, const std::string &entry) {
  OwningOpRef<ModuleOp> copy = cast<ModuleOp>(module->clone());
  mlir::kiln::CompileOptions options;
  options.entry = entry;
  options.target.optLevel = 2;
  auto model = mlir::kiln::compileAndLoad(*copy, options);
  if (!model) {
    ADD_FAILURE() << "cannot compile " << entry << ": "
                  << llvm::toString(model.takeError());
    return nullptr;
  }
  return *model;
}

/// Runs `model` on `inputs`; returns every output's values.
std::vector<std::vector<double>> run(kiln_model *model,
                                     const std::vector<Input> &shapes,
                                     std::vector<std::vector<double>> &values) {
  std::vector<kiln_tensor *> inputs;
  for (size_t i = 0; i < shapes.size(); ++i) {
    kiln_tensor *t = nullptr;
    kiln_tensor_wrap(KILN_DTYPE_F64, shapes[i].shape.data(),
                     shapes[i].shape.size(), values[i].data(),
                     values[i].size() * sizeof(double), &t);
    inputs.push_back(t);
  }
  std::vector<kiln_tensor *> outputs(kiln_model_num_outputs(model), nullptr);
  kiln_status status = kiln_model_run(model, inputs.data(), inputs.size(),
                                      outputs.data(), outputs.size());
  EXPECT_EQ(status, KILN_OK) << kiln_last_error();
  std::vector<std::vector<double>> results;
  for (kiln_tensor *t : outputs) {
    const double *d = static_cast<const double *>(kiln_tensor_data(t));
    results.emplace_back(d, d + kiln_tensor_num_elements(t));
    kiln_tensor_destroy(t);
  }
  for (kiln_tensor *t : inputs)
    kiln_tensor_destroy(t);
  return results;
}

class GradientCheck : public ::testing::TestWithParam<Case> {};

TEST_P(GradientCheck, MatchesCentralDifferences) {
  const Case &c = GetParam();
  MLIRContext context;
  DialectRegistry registry;
  mlir::kiln::registerAllDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(moduleText(c), &context);
  ASSERT_TRUE(module) << moduleText(c);
  PassManager pm(&context);
  // Losses and penalties are differentiated through their expansions.
  pm.addNestedPass<func::FuncOp>(mlir::kiln::createKilnDecompose());
  pm.addPass(mlir::kiln::createKilnAutodiff());
  ASSERT_TRUE(succeeded(pm.run(*module))) << "kiln-autodiff failed";

  kiln_model *forward = compile(*module, "main");
  kiln_model *gradient = compile(*module, "main_grad");
  ASSERT_TRUE(forward && gradient);

  std::mt19937_64 rng(42);
  std::vector<std::vector<double>> values;
  for (const Input &in : c.inputs) {
    std::uniform_real_distribution<double> dist(in.low, in.high);
    int64_t n = 1;
    for (int64_t d : in.shape)
      n *= d;
    std::vector<double> v(n);
    for (double &x : v)
      x = dist(rng);
    values.push_back(v);
  }
  auto analytic = run(gradient, c.inputs, values);
  ASSERT_EQ(analytic.size(), c.inputs.size() + 1);
  double loss = run(forward, c.inputs, values)[0][0];
  EXPECT_NEAR(analytic[0][0], loss, 1e-12 + 1e-12 * std::fabs(loss));

  const double step = 1e-6;
  for (size_t i = 0; i < values.size(); ++i)
    for (size_t k = 0; k < values[i].size(); ++k) {
      double saved = values[i][k];
      values[i][k] = saved + step;
      double up = run(forward, c.inputs, values)[0][0];
      values[i][k] = saved - step;
      double down = run(forward, c.inputs, values)[0][0];
      values[i][k] = saved;
      double numeric = (up - down) / (2 * step);
      EXPECT_NEAR(analytic[i + 1][k], numeric, 1e-6 + 1e-5 * std::fabs(numeric))
          << c.name << ": d loss / d input " << i << "[" << k << "]";
    }
  kiln_model_close(forward);
  kiln_model_close(gradient);
}

// Each case weights the op's result by a fixed tensor `%w` before summing,
// so that a wrong gradient for any single output element shows.
#define WEIGHTED_SUM(TYPE, W)                                                  \
  "  %w = kiln.constant dense<" W "> : " TYPE "\n"                             \
  "  %p = kiln.mul %y, %w : (" TYPE ", " TYPE ") -> " TYPE "\n"

const Case cases[] = {
    {"add_broadcast",
     {{{2, 3}}, {{3}}},
     "  %y = kiln.add %a, %b : (tensor<2x3xf64>, tensor<3xf64>) -> "
     "tensor<2x3xf64>\n" WEIGHTED_SUM(
         "tensor<2x3xf64>",
         "[[1.0, -2.0, 0.5], [3.0, 0.25, -1.5]]") "  %loss = kiln.reduce_sum "
                                                  "%p, [0, 1] {keepdims = "
                                                  "false} : "
                                                  "tensor<2x3xf64> -> "
                                                  "tensor<f64>\n  return %loss "
                                                  ": tensor<f64>"},
    {"sub_broadcast_unit",
     {{{2, 3}}, {{2, 1}}},
     "  %y = kiln.sub %a, %b : (tensor<2x3xf64>, tensor<2x1xf64>) -> "
     "tensor<2x3xf64>\n" WEIGHTED_SUM(
         "tensor<2x3xf64>",
         "[[1.0, -2.0, 0.5], [3.0, 0.25, -1.5]]") "  %loss = kiln.reduce_sum "
                                                  "%p, [0, 1] {keepdims = "
                                                  "false} : "
                                                  "tensor<2x3xf64> -> "
                                                  "tensor<f64>\n  return %loss "
                                                  ": tensor<f64>"},
    {"mul_div",
     {{{4}}, {{4}, 0.5, 2.0}},
     "  %m = kiln.mul %a, %b : (tensor<4xf64>, tensor<4xf64>) -> "
     "tensor<4xf64>\n"
     "  %y = kiln.div %m, %b : (tensor<4xf64>, tensor<4xf64>) -> "
     "tensor<4xf64>\n"
     "  %z = kiln.div %a, %b : (tensor<4xf64>, tensor<4xf64>) -> "
     "tensor<4xf64>\n"
     "  %s = kiln.add %y, %z : (tensor<4xf64>, tensor<4xf64>) -> "
     "tensor<4xf64>\n"
     "  %loss = kiln.reduce_sum %s, [0] {keepdims = false} : tensor<4xf64> -> "
     "tensor<f64>\n  return %loss : tensor<f64>"},
    {"pow",
     {{{3}, 0.5, 2.0}, {{3}, 0.5, 2.0}},
     "  %y = kiln.pow %a, %b : (tensor<3xf64>, tensor<3xf64>) -> "
     "tensor<3xf64>\n"
     "  %loss = kiln.reduce_sum %y, [0] {keepdims = false} : tensor<3xf64> -> "
     "tensor<f64>\n  return %loss : tensor<f64>"},
    {"unary_chain",
     {{{5}, 0.2, 1.5}},
     "  %e = kiln.exp %a : tensor<5xf64>\n"
     "  %l = kiln.log %a : tensor<5xf64>\n"
     "  %s = kiln.sqrt %a : tensor<5xf64>\n"
     "  %t = kiln.tanh %a : tensor<5xf64>\n"
     "  %g = kiln.sigmoid %a : tensor<5xf64>\n"
     "  %n = kiln.neg %a : tensor<5xf64>\n"
     "  %0 = kiln.mul %e, %l : (tensor<5xf64>, tensor<5xf64>) -> "
     "tensor<5xf64>\n"
     "  %1 = kiln.mul %s, %t : (tensor<5xf64>, tensor<5xf64>) -> "
     "tensor<5xf64>\n"
     "  %2 = kiln.mul %g, %n : (tensor<5xf64>, tensor<5xf64>) -> "
     "tensor<5xf64>\n"
     "  %3 = kiln.add %0, %1 : (tensor<5xf64>, tensor<5xf64>) -> "
     "tensor<5xf64>\n"
     "  %y = kiln.add %3, %2 : (tensor<5xf64>, tensor<5xf64>) -> "
     "tensor<5xf64>\n"
     "  %loss = kiln.reduce_sum %y, [0] {keepdims = false} : tensor<5xf64> -> "
     "tensor<f64>\n  return %loss : tensor<f64>"},
    {"matmul",
     {{{2, 3}}, {{3, 4}}},
     "  %y = kiln.matmul %a, %b : (tensor<2x3xf64>, tensor<3x4xf64>) -> "
     "tensor<2x4xf64>\n" WEIGHTED_SUM("tensor<2x4xf64>",
                                      "[[1.0, -2.0, 0.5, 2.0], [3.0, 0.25, "
                                      "-1.5, -1.0]]") "  %loss = "
                                                      "kiln.reduce_sum %p, [0, "
                                                      "1] {keepdims = false} : "
                                                      "tensor<2x4xf64> -> "
                                                      "tensor<f64>\n  return "
                                                      "%loss : tensor<f64>"},
    {"matmul_batched_broadcast",
     {{{2, 2, 3}}, {{3, 2}}},
     "  %y = kiln.matmul %a, %b : (tensor<2x2x3xf64>, tensor<3x2xf64>) -> "
     "tensor<2x2x2xf64>\n" WEIGHTED_SUM(
         "tensor<2x2x2xf64>", "[[[1.0, -2.0], [0.5, 2.0]], [[3.0, 0.25], "
                              "[-1.5, -1.0]]]") "  %loss = kiln.reduce_sum %p, "
                                                "[0, 1, 2] {keepdims = false} "
                                                ": "
                                                "tensor<2x2x2xf64> -> "
                                                "tensor<f64>\n  return %loss : "
                                                "tensor<f64>"},
    {"matmul_vectors",
     {{{3}}, {{3, 2}}, {{3}}},
     "  %v = kiln.matmul %a, %b : (tensor<3xf64>, tensor<3x2xf64>) -> "
     "tensor<2xf64>\n"
     "  %bt = kiln.transpose %b, [1, 0] : tensor<3x2xf64> -> tensor<2x3xf64>\n"
     "  %u = kiln.matmul %bt, %c : (tensor<2x3xf64>, tensor<3xf64>) -> "
     "tensor<2xf64>\n"
     "  %d = kiln.matmul %a, %c : (tensor<3xf64>, tensor<3xf64>) -> "
     "tensor<f64>\n"
     "  %s = kiln.mul %v, %u : (tensor<2xf64>, tensor<2xf64>) -> "
     "tensor<2xf64>\n"
     "  %t = kiln.reduce_sum %s, [0] {keepdims = false} : tensor<2xf64> -> "
     "tensor<f64>\n"
     "  %loss = kiln.add %t, %d : (tensor<f64>, tensor<f64>) -> tensor<f64>\n"
     "  return %loss : tensor<f64>"},
    {"transpose_reshape_flatten",
     {{{2, 3, 2}}},
     "  %t = kiln.transpose %a, [2, 0, 1] : tensor<2x3x2xf64> -> "
     "tensor<2x2x3xf64>\n"
     "  %r = kiln.reshape %t, [4, 3] : tensor<2x2x3xf64> -> tensor<4x3xf64>\n"
     "  %f = kiln.flatten %a, axis = 1 : tensor<2x3x2xf64> -> tensor<2x6xf64>\n"
     "  %rr = kiln.reshape %f, [4, 3] : tensor<2x6xf64> -> tensor<4x3xf64>\n"
     "  %y = kiln.mul %r, %rr : (tensor<4x3xf64>, tensor<4x3xf64>) -> "
     "tensor<4x3xf64>\n"
     "  %loss = kiln.reduce_sum %y, [0, 1] {keepdims = false} : "
     "tensor<4x3xf64> -> tensor<f64>\n  return %loss : tensor<f64>"},
    {"reduce_mean_keepdims",
     {{{2, 3}}},
     "  %m = kiln.reduce_mean %a, [1] : tensor<2x3xf64> -> tensor<2x1xf64>\n"
     "  %y = kiln.sub %a, %m : (tensor<2x3xf64>, tensor<2x1xf64>) -> "
     "tensor<2x3xf64>\n"
     "  %q = kiln.mul %y, %y : (tensor<2x3xf64>, tensor<2x3xf64>) -> "
     "tensor<2x3xf64>\n"
     "  %loss = kiln.reduce_sum %q, [0, 1] {keepdims = false} : "
     "tensor<2x3xf64> -> tensor<f64>\n  return %loss : tensor<f64>"},
    {"softmax",
     {{{2, 4}}},
     "  %y = kiln.softmax %a, axis = 1 : tensor<2x4xf64>\n" WEIGHTED_SUM(
         "tensor<2x4xf64>",
         "[[1.0, -2.0, 0.5, 2.0], [3.0, 0.25, -1.5, -1.0]]") "  %loss = "
                                                             "kiln.reduce_sum "
                                                             "%p, [0, 1] "
                                                             "{keepdims = "
                                                             "false} : "
                                                             "tensor<2x4xf64> "
                                                             "-> tensor<f64>\n "
                                                             " return %loss : "
                                                             "tensor<f64>"},
    {"relu_abs",
     {{{6}}},
     "  %r = kiln.relu %a : tensor<6xf64>\n"
     "  %s = kiln.abs %a : tensor<6xf64>\n"
     "  %y = kiln.add %r, %s : (tensor<6xf64>, tensor<6xf64>) -> "
     "tensor<6xf64>\n" WEIGHTED_SUM(
         "tensor<6xf64>",
         "[1.0, -2.0, 0.5, 3.0, 0.25, -1.5]") "  %loss = kiln.reduce_sum %p, "
                                              "[0] {keepdims = false} : "
                                              "tensor<6xf64> -> "
                                              "tensor<f64>\n  return %loss : "
                                              "tensor<f64>"},
    {"max_min_select",
     {{{2, 3}}, {{3}}},
     "  %mx = kiln.max %a, %b : (tensor<2x3xf64>, tensor<3xf64>) -> "
     "tensor<2x3xf64>\n"
     "  %mn = kiln.min %a, %b : (tensor<2x3xf64>, tensor<3xf64>) -> "
     "tensor<2x3xf64>\n"
     "  %c = kiln.greater %a, %b : (tensor<2x3xf64>, tensor<3xf64>) -> "
     "tensor<2x3xi1>\n"
     "  %t = kiln.mul %mx, %mn : (tensor<2x3xf64>, tensor<2x3xf64>) -> "
     "tensor<2x3xf64>\n"
     "  %y = kiln.select %c, %t, %b : (tensor<2x3xi1>, tensor<2x3xf64>, "
     "tensor<3xf64>) -> tensor<2x3xf64>\n" WEIGHTED_SUM(
         "tensor<2x3xf64>",
         "[[1.0, -2.0, 0.5], [3.0, 0.25, -1.5]]") "  %loss = kiln.reduce_sum "
                                                  "%p, [0, 1] {keepdims = "
                                                  "false} : "
                                                  "tensor<2x3xf64> -> "
                                                  "tensor<f64>\n  return %loss "
                                                  ": tensor<f64>"},
    {"reduce_max",
     {{{3, 4}}},
     "  %m = kiln.reduce_max %a, [1] {keepdims = false} : tensor<3x4xf64> -> "
     "tensor<3xf64>\n"
     "  %w = kiln.constant dense<[1.0, -2.0, 0.5]> : tensor<3xf64>\n"
     "  %p = kiln.mul %m, %w : (tensor<3xf64>, tensor<3xf64>) -> "
     "tensor<3xf64>\n"
     "  %loss = kiln.reduce_sum %p, [0] {keepdims = false} : tensor<3xf64> -> "
     "tensor<f64>\n  return %loss : tensor<f64>"},
    {"gather_elements",
     {{{2, 4}}},
     "  %i = kiln.constant dense<[[3, 0, 3], [1, 1, 2]]> : tensor<2x3xi64>\n"
     "  %y = kiln.gather_elements %a, %i, axis = 1 : (tensor<2x4xf64>, "
     "tensor<2x3xi64>) -> tensor<2x3xf64>\n" WEIGHTED_SUM(
         "tensor<2x3xf64>",
         "[[1.0, -2.0, 0.5], [3.0, 0.25, -1.5]]") "  %loss = kiln.reduce_sum "
                                                  "%p, [0, 1] {keepdims = "
                                                  "false} : "
                                                  "tensor<2x3xf64> -> "
                                                  "tensor<f64>\n  return %loss "
                                                  ": tensor<f64>"},
    {"erf_sin_cos",
     {{{4}}},
     "  %e = kiln.erf %a : tensor<4xf64>\n"
     "  %s = kiln.sin %a : tensor<4xf64>\n"
     "  %c = kiln.cos %a : tensor<4xf64>\n"
     "  %0 = kiln.mul %e, %s : (tensor<4xf64>, tensor<4xf64>) -> "
     "tensor<4xf64>\n"
     "  %y = kiln.add %0, %c : (tensor<4xf64>, tensor<4xf64>) -> "
     "tensor<4xf64>\n"
     "  %loss = kiln.reduce_sum %y, [0] {keepdims = false} : tensor<4xf64> -> "
     "tensor<f64>\n  return %loss : tensor<f64>"},
    {"regression_losses",
     {{{2, 3}}, {{2, 3}}},
     "  %m = kiln.mse_loss %a, %b : tensor<2x3xf64>, tensor<2x3xf64> -> "
     "tensor<f64>\n"
     "  %e = kiln.mae_loss %a, %b : tensor<2x3xf64>, tensor<2x3xf64> -> "
     "tensor<f64>\n"
     "  %h = kiln.huber_loss %a, %b {delta = 0.5 : f64} : tensor<2x3xf64>, "
     "tensor<2x3xf64> -> tensor<f64>\n"
     "  %0 = kiln.add %m, %e : (tensor<f64>, tensor<f64>) -> tensor<f64>\n"
     "  %loss = kiln.add %0, %h : (tensor<f64>, tensor<f64>) -> tensor<f64>\n"
     "  return %loss : tensor<f64>"},
    {"bce_with_logits",
     {{{3, 2}, -3.0, 3.0}, {{3, 2}, 0.0, 1.0}},
     "  %loss = kiln.bce_with_logits_loss %a, %b : tensor<3x2xf64>, "
     "tensor<3x2xf64> -> tensor<f64>\n  return %loss : tensor<f64>"},
    {"cross_entropy",
     {{{3, 4}, -2.0, 2.0}, {{3, 4}, 0.0, 1.0}},
     "  %l = kiln.constant dense<[2, 0, 3]> : tensor<3xi64>\n"
     "  %c = kiln.cross_entropy_loss %a, %l : tensor<3x4xf64>, tensor<3xi64> "
     "-> tensor<f64>\n"
     "  %s = kiln.cross_entropy_loss %a, %b : tensor<3x4xf64>, "
     "tensor<3x4xf64> -> tensor<f64>\n"
     "  %loss = kiln.add %c, %s : (tensor<f64>, tensor<f64>) -> tensor<f64>\n"
     "  return %loss : tensor<f64>"},
    {"penalties",
     {{{5}}},
     "  %l1 = kiln.l1_penalty %a, 0.25 : tensor<5xf64> -> tensor<f64>\n"
     "  %l2 = kiln.l2_penalty %a, 0.5 : tensor<5xf64> -> tensor<f64>\n"
     "  %loss = kiln.add %l1, %l2 : (tensor<f64>, tensor<f64>) -> tensor<f64>\n"
     "  return %loss : tensor<f64>"},
};

INSTANTIATE_TEST_SUITE_P(Rules, GradientCheck, ::testing::ValuesIn(cases),
                         [](const auto &info) { return info.param.name; });

// The convolution and pooling cases square the op's result before summing
// (a weight tensor per output element would be long to write): the
// cotangent 2y still differs from element to element. Each case has a
// variant with strides, pads, dilations, groups or ceil_mode where the
// forward extents leave a remainder, so that the transposed convolutions of
// the rules must crop or pad to give back the input's extents.
#define SQUARED_SUM(TYPE, AXES)                                                \
  "  %q = kiln.mul %y, %y : (" TYPE ", " TYPE ") -> " TYPE "\n"                \
  "  %loss = kiln.reduce_sum %q, " AXES " {keepdims = false} : " TYPE          \
  " -> tensor<f64>\n  return %loss : tensor<f64>"

const Case nnCases[] = {
    {"conv2d_bias",
     {{{2, 3, 5, 5}}, {{4, 3, 3, 3}}, {{4}}},
     "  %y = kiln.conv2d %a, %b, %c {strides = array<i64: 1, 1>, pads = "
     "array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : "
     "(tensor<2x3x5x5xf64>, tensor<4x3x3x3xf64>, tensor<4xf64>) -> "
     "tensor<2x4x3x3xf64>\n" SQUARED_SUM("tensor<2x4x3x3xf64>",
                                         "[0, 1, 2, 3]")},
    {"conv2d_strided_padded_dilated",
     {{{1, 2, 7, 6}}, {{3, 2, 3, 2}}},
     "  %y = kiln.conv2d %a, %b {strides = array<i64: 2, 3>, pads = "
     "array<i64: 1, 2, 0, 1>, dilations = array<i64: 2, 1>} : "
     "(tensor<1x2x7x6xf64>, tensor<3x2x3x2xf64>) -> "
     "tensor<1x3x2x3xf64>\n" SQUARED_SUM("tensor<1x3x2x3xf64>",
                                         "[0, 1, 2, 3]")},
    {"conv2d_grouped",
     {{{2, 4, 6, 5}}, {{6, 2, 3, 2}}, {{6}}},
     "  %y = kiln.conv2d %a, %b, %c {strides = array<i64: 2, 1>, pads = "
     "array<i64: 1, 0, 1, 1>, dilations = array<i64: 1, 2>, groups = 2} : "
     "(tensor<2x4x6x5xf64>, tensor<6x2x3x2xf64>, tensor<6xf64>) -> "
     "tensor<2x6x3x4xf64>\n" SQUARED_SUM("tensor<2x6x3x4xf64>",
                                         "[0, 1, 2, 3]")},
    {"conv2d_depthwise",
     {{{1, 3, 5, 5}}, {{3, 1, 3, 3}}},
     "  %y = kiln.conv2d %a, %b {strides = array<i64: 1, 1>, pads = "
     "array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 3} : "
     "(tensor<1x3x5x5xf64>, tensor<3x1x3x3xf64>) -> "
     "tensor<1x3x5x5xf64>\n" SQUARED_SUM("tensor<1x3x5x5xf64>",
                                         "[0, 1, 2, 3]")},
    {"max_pool2d_padded_strided",
     {{{2, 2, 5, 5}}},
     "  %y = kiln.max_pool2d %a {kernel_shape = array<i64: 3, 3>, strides = "
     "array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = "
     "array<i64: 1, 1>} : tensor<2x2x5x5xf64> -> "
     "tensor<2x2x3x3xf64>\n" SQUARED_SUM("tensor<2x2x3x3xf64>",
                                         "[0, 1, 2, 3]")},
    {"max_pool2d_ceil_dilated",
     {{{1, 2, 6, 7}}},
     "  %y = kiln.max_pool2d %a {kernel_shape = array<i64: 3, 2>, strides = "
     "array<i64: 2, 2>, pads = array<i64: 0, 1, 0, 0>, dilations = "
     "array<i64: 1, 2>, ceil_mode = true} : tensor<1x2x6x7xf64> -> "
     "tensor<1x2x3x4xf64>\n" SQUARED_SUM("tensor<1x2x3x4xf64>",
                                         "[0, 1, 2, 3]")},
    {"avg_pool2d_padded",
     {{{2, 2, 5, 5}}},
     "  %y = kiln.avg_pool2d %a {kernel_shape = array<i64: 3, 3>, strides = "
     "array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = "
     "array<i64: 1, 1>} : tensor<2x2x5x5xf64> -> "
     "tensor<2x2x3x3xf64>\n" SQUARED_SUM("tensor<2x2x3x3xf64>",
                                         "[0, 1, 2, 3]")},
    {"avg_pool2d_count_include_pad",
     {{{1, 2, 5, 6}}},
     "  %y = kiln.avg_pool2d %a {kernel_shape = array<i64: 2, 3>, strides = "
     "array<i64: 2, 1>, pads = array<i64: 1, 0, 0, 2>, dilations = "
     "array<i64: 1, 1>, count_include_pad = true} : tensor<1x2x5x6xf64> -> "
     "tensor<1x2x3x6xf64>\n" SQUARED_SUM("tensor<1x2x3x6xf64>",
                                         "[0, 1, 2, 3]")},
    {"avg_pool2d_ceil_dilated",
     {{{1, 2, 6, 7}}},
     "  %y = kiln.avg_pool2d %a {kernel_shape = array<i64: 3, 2>, strides = "
     "array<i64: 2, 2>, pads = array<i64: 0, 1, 0, 0>, dilations = "
     "array<i64: 1, 2>, ceil_mode = true, count_include_pad = true} : "
     "tensor<1x2x6x7xf64> -> tensor<1x2x3x4xf64>\n" SQUARED_SUM(
         "tensor<1x2x3x4xf64>", "[0, 1, 2, 3]")},
    {"conv_transpose_grouped",
     {{{1, 4, 3, 3}}, {{4, 3, 2, 3}}, {{6}}},
     "  %y = kiln.conv_transpose %a, %b, %c {strides = array<i64: 2, 1>, pads "
     "= array<i64: 1, 0, 0, 1>, dilations = array<i64: 1, 2>, output_padding "
     "= array<i64: 1, 0>, groups = 2} : (tensor<1x4x3x3xf64>, "
     "tensor<4x3x2x3xf64>, tensor<6xf64>) -> tensor<1x6x6x6xf64>\n" SQUARED_SUM(
         "tensor<1x6x6x6xf64>", "[0, 1, 2, 3]")},
    {"conv_transpose_wide_output_padding",
     {{{2, 2, 2, 2}}, {{2, 1, 3, 3}}},
     // output_padding as large as the stride: the input gradient's
     // convolution overshoots by one row, which is cut off.
     "  %y = kiln.conv_transpose %a, %b {strides = array<i64: 2, 2>, pads = "
     "array<i64: 0, 1, 0, 0>, dilations = array<i64: 1, 1>, output_padding = "
     "array<i64: 2, 1>} : (tensor<2x2x2x2xf64>, tensor<2x1x3x3xf64>) -> "
     "tensor<2x1x7x5xf64>\n" SQUARED_SUM("tensor<2x1x7x5xf64>",
                                         "[0, 1, 2, 3]")},
    {"max_pool2d_with_indices",
     {{{1, 2, 5, 4}}},
     "  %y, %i = kiln.max_pool2d_with_indices %a {kernel_shape = array<i64: "
     "2, 2>, strides = array<i64: 1, 2>, pads = array<i64: 1, 0, 0, 0>, "
     "dilations = array<i64: 1, 1>, column_major = true} : "
     "tensor<1x2x5x4xf64> -> tensor<1x2x5x2xf64>, "
     "tensor<1x2x5x2xi64>\n" SQUARED_SUM("tensor<1x2x5x2xf64>",
                                         "[0, 1, 2, 3]")},
};

INSTANTIATE_TEST_SUITE_P(NN, GradientCheck, ::testing::ValuesIn(nnCases),
                         [](const auto &info) { return info.param.name; });

#define SUM_ALL(VALUE, TYPE, AXES, RESULT)                                     \
  "  " RESULT " = kiln.reduce_sum " VALUE ", " AXES                            \
  " {keepdims = false} : " TYPE " -> tensor<f64>\n"
#define ADD_SCALARS(RESULT, A, B)                                              \
  "  " RESULT " = kiln.add " A ", " B " : (tensor<f64>, tensor<f64>) -> "      \
  "tensor<f64>\n"
#define I64(NAME, VALUE, TYPE)                                                 \
  "  " NAME " = kiln.constant dense<" VALUE "> : " TYPE "\n"

const Case moreCases[] = {
    {"log_softmax",
     {{{2, 4}}},
     "  %y = kiln.log_softmax %a, axis = 1 : tensor<2x4xf64>\n" WEIGHTED_SUM(
         "tensor<2x4xf64>", "[[1.0, -2.0, 0.5, 2.0], [3.0, 0.25, -1.5, -1.0]]")
         SUM_ALL("%p", "tensor<2x4xf64>", "[0, 1]",
                 "%loss") "  return %loss : tensor<f64>"},
    {"concat_slices",
     {{{2, 3}}, {{2, 2}}},
     "  %c = kiln.concat %a, %b {axis = 1 : i64} : tensor<2x3xf64>, "
     "tensor<2x2xf64> -> tensor<2x5xf64>\n"
     // Every second column from 1; every second from the last, backwards;
     // a block of rows and columns with a negative start.
     I64("%s1", "[1]", "tensor<1xi64>") I64("%e1", "[5]", "tensor<1xi64>")
         I64("%x1", "[1]", "tensor<1xi64>") I64(
             "%p1", "[2]",
             "tensor<1xi64>") "  %y1 = kiln.slice %c, %s1, %e1, %x1, %p1 : "
                              "(tensor<2x5xf64>, "
                              "tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, "
                              "tensor<1xi64>) -> "
                              "tensor<2x2xf64>\n" I64("%s2", "[-1]",
                                                      "tensor<1xi64>")
                                  I64("%e2", "[-9]", "tensor<1xi64>") I64(
                                      "%p2", "[-2]",
                                      "tensor<1xi64>") "  %y2 = kiln.slice %c, "
                                                       "%s2, %e2, %x1, %p2 : "
                                                       "(tensor<2x5xf64>, "
                                                       "tensor<1xi64>, "
                                                       "tensor<1xi64>, "
                                                       "tensor<1xi64>, "
                                                       "tensor<1xi64>) -> "
                                                       "tensor<2x3xf64>\n" I64(
                                                           "%s3", "[1, -4]",
                                                           "tensor<2xi64>") I64("%e3",
                                                                                "[2, 4]",
                                                                                "tensor<2xi64>")
                                                           I64("%x3", "[0, 1]",
                                                               "tensor<2xi64>")
                                                               I64("%p3",
                                                                   "[1, 1]",
                                                                   "tensor<"
                                                                   "2xi64>") " "
                                                                             " "
                                                                             "%"
                                                                             "y"
                                                                             "3"
                                                                             " "
                                                                             "="
                                                                             " "
                                                                             "k"
                                                                             "i"
                                                                             "l"
                                                                             "n"
                                                                             "."
                                                                             "s"
                                                                             "l"
                                                                             "i"
                                                                             "c"
                                                                             "e"
                                                                             " "
                                                                             "%"
                                                                             "c"
                                                                             ","
                                                                             " "
                                                                             "%"
                                                                             "s"
                                                                             "3"
                                                                             ","
                                                                             " "
                                                                             "%"
                                                                             "e"
                                                                             "3"
                                                                             ","
                                                                             " "
                                                                             "%"
                                                                             "x"
                                                                             "3"
                                                                             ","
                                                                             " "
                                                                             "%"
                                                                             "p"
                                                                             "3"
                                                                             " "
                                                                             ":"
                                                                             " "
                                                                             "("
                                                                             "t"
                                                                             "e"
                                                                             "n"
                                                                             "s"
                                                                             "o"
                                                                             "r"
                                                                             "<"
                                                                             "2"
                                                                             "x"
                                                                             "5"
                                                                             "x"
                                                                             "f"
                                                                             "6"
                                                                             "4"
                                                                             ">"
                                                                             ","
                                                                             " "
                                                                             "t"
                                                                             "e"
                                                                             "n"
                                                                             "s"
                                                                             "o"
                                                                             "r"
                                                                             "<"
                                                                             "2"
                                                                             "x"
                                                                             "i"
                                                                             "6"
                                                                             "4"
                                                                             ">"
                                                                             ","
                                                                             " "
                                                                             "t"
                                                                             "e"
                                                                             "n"
                                                                             "s"
                                                                             "o"
                                                                             "r"
                                                                             "<"
                                                                             "2"
                                                                             "x"
                                                                             "i"
                                                                             "6"
                                                                             "4"
                                                                             ">"
                                                                             ","
                                                                             " "
                                                                             "t"
                                                                             "e"
                                                                             "n"
                                                                             "s"
                                                                             "o"
                                                                             "r"
                                                                             "<"
                                                                             "2"
                                                                             "x"
                                                                             "i"
                                                                             "6"
                                                                             "4"
                                                                             ">"
                                                                             ","
                                                                             " "
                                                                             "t"
                                                                             "e"
                                                                             "n"
                                                                             "s"
                                                                             "o"
                                                                             "r"
                                                                             "<"
                                                                             "2"
                                                                             "x"
                                                                             "i"
                                                                             "6"
                                                                             "4"
                                                                             ">"
                                                                             ")"
                                                                             " "
                                                                             "-"
                                                                             ">"
                                                                             " "
                                                                             "t"
                                                                             "e"
                                                                             "n"
                                                                             "s"
                                                                             "o"
                                                                             "r"
                                                                             "<"
                                                                             "1"
                                                                             "x"
                                                                             "3"
                                                                             "x"
                                                                             "f"
                                                                             "6"
                                                                             "4"
                                                                             ">"
                                                                             "\n"
                                                                             " "
                                                                             " "
                                                                             "%"
                                                                             "q"
                                                                             "1"
                                                                             " "
                                                                             "="
                                                                             " "
                                                                             "k"
                                                                             "i"
                                                                             "l"
                                                                             "n"
                                                                             "."
                                                                             "m"
                                                                             "u"
                                                                             "l"
                                                                             " "
                                                                             "%"
                                                                             "y"
                                                                             "1"
                                                                             ","
                                                                             " "
                                                                             "%"
                                                                             "y"
                                                                             "1"
                                                                             " "
                                                                             ":"
                                                                             " "
                                                                             "("
                                                                             "t"
                                                                             "e"
                                                                             "n"
                                                                             "s"
                                                                             "o"
                                                                             "r"
                                                                             "<"
                                                                             "2"
                                                                             "x"
                                                                             "2"
                                                                             "x"
                                                                             "f"
                                                                             "6"
                                                                             "4"
                                                                             ">"
                                                                             ","
                                                                             " "
                                                                             "t"
                                                                             "e"
                                                                             "n"
                                                                             "s"
                                                                             "o"
                                                                             "r"
                                                                             "<"
                                                                             "2"
                                                                             "x"
                                                                             "2"
                                                                             "x"
                                                                             "f"
                                                                             "6"
                                                                             "4"
                                                                             ">"
                                                                             ")"
                                                                             " "
                                                                             "-"
                                                                             ">"
                                                                             " "
                                                                             "t"
                                                                             "e"
                                                                             "n"
                                                                             "s"
                                                                             "o"
                                                                             "r"
                                                                             "<"
                                                                             "2"
                                                                             "x"
                                                                             "2"
                                                                             "x"
                                                                             "f"
                                                                             "6"
                                                                             "4"
                                                                             ">"
                                                                             "\n"
                                                                             " "
                                                                             " "
                                                                             "%"
                                                                             "w"
                                                                             "2"
                                                                             " "
                                                                             "="
                                                                             " "
                                                                             "k"
                                                                             "i"
                                                                             "l"
                                                                             "n"
                                                                             "."
                                                                             "c"
                                                                             "o"
                                                                             "n"
                                                                             "s"
                                                                             "t"
                                                                             "a"
                                                                             "n"
                                                                             "t"
                                                                             " "
                                                                             "d"
                                                                             "e"
                                                                             "n"
                                                                             "s"
                                                                             "e"
                                                                             "<"
                                                                             "["
                                                                             "["
                                                                             "1"
                                                                             "."
                                                                             "0"
                                                                             ","
                                                                             " "
                                                                             "-"
                                                                             "2"
                                                                             "."
                                                                             "0"
                                                                             ","
                                                                             " "
                                                                             "0"
                                                                             "."
                                                                             "5"
                                                                             "]"
                                                                             ","
                                                                             " "
                                                                             "["
                                                                             "3"
                                                                             "."
                                                                             "0"
                                                                             ","
                                                                             " "
                                                                             "0"
                                                                             "."
                                                                             "2"
                                                                             "5"
                                                                             ","
                                                                             " "
                                                                             "-"
                                                                             "1"
                                                                             "."
                                                                             "5"
                                                                             "]"
                                                                             "]"
                                                                             ">"
                                                                             " "
                                                                             ":"
                                                                             " "
                                                                             "t"
                                                                             "e"
                                                                             "n"
                                                                             "s"
                                                                             "o"
                                                                             "r"
                                                                             "<"
                                                                             "2"
                                                                             "x"
                                                                             "3"
                                                                             "x"
                                                                             "f"
                                                                             "6"
                                                                             "4"
                                                                             ">"
                                                                             "\n"
                                                                             " "
                                                                             " "
                                                                             "%"
                                                                             "q"
                                                                             "2"
                                                                             " "
                                                                             "="
                                                                             " "
                                                                             "k"
                                                                             "i"
                                                                             "l"
                                                                             "n"
                                                                             "."
                                                                             "m"
                                                                             "u"
                                                                             "l"
                                                                             " "
                                                                             "%"
                                                                             "y"
                                                                             "2"
                                                                             ","
                                                                             " "
                                                                             "%"
                                                                             "w"
                                                                             "2"
                                                                             " "
                                                                             ":"
                                                                             " "
                                                                             "("
                                                                             "t"
                                                                             "e"
                                                                             "n"
                                                                             "s"
                                                                             "o"
                                                                             "r"
                                                                             "<"
                                                                             "2"
                                                                             "x"
                                                                             "3"
                                                                             "x"
                                                                             "f"
                                                                             "6"
                                                                             "4"
                                                                             ">"
                                                                             ","
                                                                             " "
                                                                             "t"
                                                                             "e"
                                                                             "n"
                                                                             "s"
                                                                             "o"
                                                                             "r"
                                                                             "<"
                                                                             "2"
                                                                             "x"
                                                                             "3"
                                                                             "x"
                                                                             "f"
                                                                             "6"
                                                                             "4"
                                                                             ">"
                                                                             ")"
                                                                             " "
                                                                             "-"
                                                                             ">"
                                                                             " "
                                                                             "t"
                                                                             "e"
                                                                             "n"
                                                                             "s"
                                                                             "o"
                                                                             "r"
                                                                             "<"
                                                                             "2"
                                                                             "x"
                                                                             "3"
                                                                             "x"
                                                                             "f"
                                                                             "6"
                                                                             "4"
                                                                             ">"
                                                                             "\n"
                                                                             " "
                                                                             " "
                                                                             "%"
                                                                             "q"
                                                                             "3"
                                                                             " "
                                                                             "="
                                                                             " "
                                                                             "k"
                                                                             "i"
                                                                             "l"
                                                                             "n"
                                                                             "."
                                                                             "s"
                                                                             "i"
                                                                             "n"
                                                                             " "
                                                                             "%"
                                                                             "y"
                                                                             "3"
                                                                             " "
                                                                             ":"
                                                                             " "
                                                                             "t"
                                                                             "e"
                                                                             "n"
                                                                             "s"
                                                                             "o"
                                                                             "r"
                                                                             "<"
                                                                             "1"
                                                                             "x"
                                                                             "3"
                                                                             "x"
                                                                             "f"
                                                                             "6"
                                                                             "4"
                                                                             ">"
                                                                             "\n" SUM_ALL(
                                                                                 "%q1",
                                                                                 "tensor<2x2xf64>",
                                                                                 "[0, 1]",
                                                                                 "%l1") SUM_ALL("%q2",
                                                                                                "tensor<2x3xf64>",
                                                                                                "[0, 1]",
                                                                                                "%l2")
                                                                                 SUM_ALL(
                                                                                     "%q3",
                                                                                     "tensor<1x3xf64>",
                                                                                     "[0, 1]",
                                                                                     "%l3")
                                                                                     ADD_SCALARS(
                                                                                         "%l12",
                                                                                         "%l1",
                                                                                         "%l2")
                                                                                         ADD_SCALARS(
                                                                                             "%loss",
                                                                                             "%l12",
                                                                                             "%l3") "  return %loss : tensor<f64>"},
    {"gather",
     {{{4, 3}}},
     // Rows 2, 0, 2, 3 (row 2 twice) and columns 2, 0 (negative index).
     I64("%i", "[[2, 0], [2, 3]]",
         "tensor<2x2xi64>") "  %y1 = kiln.gather %a, %i, axis = 0 : "
                            "(tensor<4x3xf64>, "
                            "tensor<2x2xi64>) -> tensor<2x2x3xf64>\n" I64(
                                "%j", "[-1, 0]",
                                "tensor<2xi64>") "  %y2 = kiln.gather %a, %j, "
                                                 "axis = 1 : (tensor<4x3xf64>, "
                                                 "tensor<2xi64>) -> "
                                                 "tensor<4x2xf64>\n"
                                                 "  %q1 = kiln.sin %y1 : "
                                                 "tensor<2x2x3xf64>\n"
                                                 "  %q2 = kiln.mul %y2, %y2 : "
                                                 "(tensor<4x2xf64>, "
                                                 "tensor<4x2xf64>) -> "
                                                 "tensor<4x2xf64>\n" SUM_ALL(
                                                     "%q1", "tensor<2x2x3xf64>",
                                                     "[0, 1, 2]", "%l1")
                                                     SUM_ALL("%q2",
                                                             "tensor<4x2xf64>",
                                                             "[0, 1]", "%l2")
                                                         ADD_SCALARS(
                                                             "%loss", "%l1",
                                                             "%l2") "  return "
                                                                    "%loss : "
                                                                    "tensor<"
                                                                    "f64>"},
    {"pad_constant_and_crop",
     {{{2, 3}}, {{}}},
     // One row before, two columns after; one column cropped off the front.
     I64("%p", "[1, -1, 0, 2]",
         "tensor<4xi64>") "  %y = kiln.pad %a, %p, %b : (tensor<2x3xf64>, "
                          "tensor<4xi64>, "
                          "tensor<f64>) -> tensor<3x4xf64>\n"
                          "  %q = kiln.sin %y : tensor<3x4xf64>\n" SUM_ALL(
                              "%q", "tensor<3x4xf64>", "[0, 1]",
                              "%loss") "  return %loss : tensor<f64>"},
    {"layer_norm",
     {{{2, 3, 4}}, {{4}}, {{4}}},
     "  %y, %m, %r = kiln.layer_norm %a scale %b bias %c, axis = 2, epsilon "
     "= 1.0e-05 : (tensor<2x3x4xf64>, tensor<4xf64>, tensor<4xf64>) -> "
     "(tensor<2x3x4xf64>, tensor<2x3x1xf64>, tensor<2x3x1xf64>)\n"
     "  %q = kiln.sin %y : tensor<2x3x4xf64>\n" SUM_ALL(
         "%q", "tensor<2x3x4xf64>", "[0, 1, 2]", "%l1")
     // The statistics reach the loss too.
     "  %mm = kiln.mul %m, %m : (tensor<2x3x1xf64>, tensor<2x3x1xf64>) -> "
     "tensor<2x3x1xf64>\n" SUM_ALL(
         "%mm", "tensor<2x3x1xf64>",
         "[0, 1, 2]", "%l2") "  %rs = kiln.sqrt %r : "
                             "tensor<2x3x1xf64>\n" SUM_ALL("%rs",
                                                           "tensor<2x3x1xf64>",
                                                           "[0, 1, 2]", "%l3")
                                 ADD_SCALARS("%l12", "%l1", "%l2") ADD_SCALARS(
                                     "%loss", "%l12",
                                     "%l3") "  return %loss : tensor<f64>"},
    {"layer_norm_two_axes",
     {{{2, 3, 2}}, {{3, 1}}},
     "  %y, %m, %r = kiln.layer_norm %a scale %b, axis = 1, epsilon = "
     "1.0e-03 : (tensor<2x3x2xf64>, tensor<3x1xf64>) -> (tensor<2x3x2xf64>, "
     "tensor<2x1x1xf64>, tensor<2x1x1xf64>)\n"
     "  %q = kiln.sin %y : tensor<2x3x2xf64>\n" SUM_ALL(
         "%q", "tensor<2x3x2xf64>", "[0, 1, 2]",
         "%loss") "  return %loss : tensor<f64>"},
    {"batch_norm_training",
     {{{3, 2, 2, 2}}, {{2}}, {{2}}},
     // Batch statistics from reductions, as a training-mode frontend builds
     // them: the cotangent reaches the input through them too.
     "  %m = kiln.reduce_mean %a, [0, 2, 3] {keepdims = false} : "
     "tensor<3x2x2x2xf64> -> tensor<2xf64>\n"
     "  %mk = kiln.reshape %m, [2, 1, 1] : tensor<2xf64> -> tensor<2x1x1xf64>\n"
     "  %d = kiln.sub %a, %mk : (tensor<3x2x2x2xf64>, tensor<2x1x1xf64>) -> "
     "tensor<3x2x2x2xf64>\n"
     "  %dd = kiln.mul %d, %d : (tensor<3x2x2x2xf64>, tensor<3x2x2x2xf64>) -> "
     "tensor<3x2x2x2xf64>\n"
     "  %v = kiln.reduce_mean %dd, [0, 2, 3] {keepdims = false} : "
     "tensor<3x2x2x2xf64> -> tensor<2xf64>\n"
     "  %y = kiln.batch_norm %a, %b, %c, %m, %v, epsilon = 1.0e-05 : "
     "(tensor<3x2x2x2xf64>, tensor<2xf64>, tensor<2xf64>, tensor<2xf64>, "
     "tensor<2xf64>) -> tensor<3x2x2x2xf64>\n"
     "  %q = kiln.sin %y : tensor<3x2x2x2xf64>\n" SUM_ALL(
         "%q", "tensor<3x2x2x2xf64>", "[0, 1, 2, 3]",
         "%loss") "  return %loss : tensor<f64>"},
    {"batch_norm_given_statistics",
     {{{2, 3, 2}}, {{3}}, {{3}}, {{3}}, {{3}, 0.5, 2.0}},
     "  %y = kiln.batch_norm %a, %b, %c, %d, %e, epsilon = 1.0e-03 : "
     "(tensor<2x3x2xf64>, tensor<3xf64>, tensor<3xf64>, tensor<3xf64>, "
     "tensor<3xf64>) -> tensor<2x3x2xf64>\n"
     "  %q = kiln.sin %y : tensor<2x3x2xf64>\n" SUM_ALL(
         "%q", "tensor<2x3x2xf64>", "[0, 1, 2]",
         "%loss") "  return %loss : tensor<f64>"},
    {"lrn",
     // Size 4: 1 channel before, 2 after, unlike the mirrored window.
     {{{2, 5, 2, 1}}},
     "  %y = kiln.lrn %a, size = 4, alpha = 5.0e-01, beta = 7.5e-01, bias = "
     "2.0 : tensor<2x5x2x1xf64>\n"
     "  %q = kiln.sin %y : tensor<2x5x2x1xf64>\n" SUM_ALL(
         "%q", "tensor<2x5x2x1xf64>", "[0, 1, 2, 3]", "%loss")
     "  return %loss : tensor<f64>"},
    {"squeeze_unsqueeze_expand_tile",
     {{{2, 1, 3}}},
     I64("%ax1", "[1]",
         "tensor<1xi64>") "  %sq = kiln.squeeze %a, %ax1 : (tensor<2x1x3xf64>, "
                          "tensor<1xi64>) -> "
                          "tensor<2x3xf64>\n" I64(
                              "%ax0", "[0]",
                              "tensor<1xi64>") "  %un = kiln.unsqueeze %sq, "
                                               "%ax0 : (tensor<2x3xf64>, "
                                               "tensor<1xi64>) -> "
                                               "tensor<1x2x3xf64>\n" I64(
                                                   "%shape", "[2, 2, 3]",
                                                   "tensor<3xi64>") "  %ex = "
                                                                    "kiln."
                                                                    "expand "
                                                                    "%a, "
                                                                    "%shape : "
                                                                    "(tensor<"
                                                                    "2x1x3xf64>"
                                                                    ", "
                                                                    "tensor<"
                                                                    "3xi64>) "
                                                                    "-> "
                                                                    "tensor<"
                                                                    "2x2x3xf64>"
                                                                    "\n" I64(
                                                                        "%reps",
                                                                        "[1, "
                                                                        "2, 2]",
                                                                        "tensor"
                                                                        "<3xi64"
                                                                        ">") " "
                                                                             " "
                                                                             "%"
                                                                             "t"
                                                                             "i"
                                                                             " "
                                                                             "="
                                                                             " "
                                                                             "k"
                                                                             "i"
                                                                             "l"
                                                                             "n"
                                                                             "."
                                                                             "t"
                                                                             "i"
                                                                             "l"
                                                                             "e"
                                                                             " "
                                                                             "%"
                                                                             "a"
                                                                             ","
                                                                             " "
                                                                             "%"
                                                                             "r"
                                                                             "e"
                                                                             "p"
                                                                             "s"
                                                                             " "
                                                                             ":"
                                                                             " "
                                                                             "("
                                                                             "t"
                                                                             "e"
                                                                             "n"
                                                                             "s"
                                                                             "o"
                                                                             "r"
                                                                             "<"
                                                                             "2"
                                                                             "x"
                                                                             "1"
                                                                             "x"
                                                                             "3"
                                                                             "x"
                                                                             "f"
                                                                             "6"
                                                                             "4"
                                                                             ">"
                                                                             ","
                                                                             " "
                                                                             "t"
                                                                             "e"
                                                                             "n"
                                                                             "s"
                                                                             "o"
                                                                             "r"
                                                                             "<"
                                                                             "3"
                                                                             "x"
                                                                             "i"
                                                                             "6"
                                                                             "4"
                                                                             ">"
                                                                             ")"
                                                                             " "
                                                                             "-"
                                                                             ">"
                                                                             " "
                                                                             "t"
                                                                             "e"
                                                                             "n"
                                                                             "s"
                                                                             "o"
                                                                             "r"
                                                                             "<"
                                                                             "2"
                                                                             "x"
                                                                             "2"
                                                                             "x"
                                                                             "6"
                                                                             "x"
                                                                             "f"
                                                                             "6"
                                                                             "4"
                                                                             ">"
                                                                             "\n"
                                                                             " "
                                                                             " "
                                                                             "%"
                                                                             "q"
                                                                             "1"
                                                                             " "
                                                                             "="
                                                                             " "
                                                                             "k"
                                                                             "i"
                                                                             "l"
                                                                             "n"
                                                                             "."
                                                                             "s"
                                                                             "i"
                                                                             "n"
                                                                             " "
                                                                             "%"
                                                                             "u"
                                                                             "n"
                                                                             " "
                                                                             ":"
                                                                             " "
                                                                             "t"
                                                                             "e"
                                                                             "n"
                                                                             "s"
                                                                             "o"
                                                                             "r"
                                                                             "<"
                                                                             "1"
                                                                             "x"
                                                                             "2"
                                                                             "x"
                                                                             "3"
                                                                             "x"
                                                                             "f"
                                                                             "6"
                                                                             "4"
                                                                             ">"
                                                                             "\n"
                                                                             " "
                                                                             " "
                                                                             "%"
                                                                             "q"
                                                                             "2"
                                                                             " "
                                                                             "="
                                                                             " "
                                                                             "k"
                                                                             "i"
                                                                             "l"
                                                                             "n"
                                                                             "."
                                                                             "m"
                                                                             "u"
                                                                             "l"
                                                                             " "
                                                                             "%"
                                                                             "e"
                                                                             "x"
                                                                             ","
                                                                             " "
                                                                             "%"
                                                                             "e"
                                                                             "x"
                                                                             " "
                                                                             ":"
                                                                             " "
                                                                             "("
                                                                             "t"
                                                                             "e"
                                                                             "n"
                                                                             "s"
                                                                             "o"
                                                                             "r"
                                                                             "<"
                                                                             "2"
                                                                             "x"
                                                                             "2"
                                                                             "x"
                                                                             "3"
                                                                             "x"
                                                                             "f"
                                                                             "6"
                                                                             "4"
                                                                             ">"
                                                                             ","
                                                                             " "
                                                                             "t"
                                                                             "e"
                                                                             "n"
                                                                             "s"
                                                                             "o"
                                                                             "r"
                                                                             "<"
                                                                             "2"
                                                                             "x"
                                                                             "2"
                                                                             "x"
                                                                             "3"
                                                                             "x"
                                                                             "f"
                                                                             "6"
                                                                             "4"
                                                                             ">"
                                                                             ")"
                                                                             " "
                                                                             "-"
                                                                             ">"
                                                                             " "
                                                                             "t"
                                                                             "e"
                                                                             "n"
                                                                             "s"
                                                                             "o"
                                                                             "r"
                                                                             "<"
                                                                             "2"
                                                                             "x"
                                                                             "2"
                                                                             "x"
                                                                             "3"
                                                                             "x"
                                                                             "f"
                                                                             "6"
                                                                             "4"
                                                                             ">"
                                                                             "\n"
                                                                             " "
                                                                             " "
                                                                             "%"
                                                                             "q"
                                                                             "3"
                                                                             " "
                                                                             "="
                                                                             " "
                                                                             "k"
                                                                             "i"
                                                                             "l"
                                                                             "n"
                                                                             "."
                                                                             "c"
                                                                             "o"
                                                                             "s"
                                                                             " "
                                                                             "%"
                                                                             "t"
                                                                             "i"
                                                                             " "
                                                                             ":"
                                                                             " "
                                                                             "t"
                                                                             "e"
                                                                             "n"
                                                                             "s"
                                                                             "o"
                                                                             "r"
                                                                             "<"
                                                                             "2"
                                                                             "x"
                                                                             "2"
                                                                             "x"
                                                                             "6"
                                                                             "x"
                                                                             "f"
                                                                             "6"
                                                                             "4"
                                                                             ">"
                                                                             "\n" SUM_ALL(
                                                                                 "%q1",
                                                                                 "tensor<1x2x3xf64>",
                                                                                 "[0, 1, 2]",
                                                                                 "%l1") SUM_ALL("%q2",
                                                                                                "tensor<2x2x3xf64>",
                                                                                                "[0, 1, 2]",
                                                                                                "%l2")
                                                                                 SUM_ALL(
                                                                                     "%q3",
                                                                                     "tensor<2x2x6xf64>",
                                                                                     "[0, 1, 2]",
                                                                                     "%l3")
                                                                                     ADD_SCALARS(
                                                                                         "%l12",
                                                                                         "%l1",
                                                                                         "%l2")
                                                                                         ADD_SCALARS(
                                                                                             "%loss",
                                                                                             "%l12",
                                                                                             "%l3") "  return %loss : tensor<f64>"},
    {"reduce_min_prod_cumsum",
     {{{3, 4}, 0.5, 1.5}},
     "  %mn = kiln.reduce_min %a, [1] {keepdims = false} : tensor<3x4xf64> -> "
     "tensor<3xf64>\n"
     "  %pr = kiln.reduce_prod %a, [0] {keepdims = true} : tensor<3x4xf64> -> "
     "tensor<1x4xf64>\n" I64("%one", "1", "tensor<i64>") I64(
         "%zero", "0",
         "tensor<i64>") "  %c1 = kiln.cumsum %a, %one {reverse} : "
                        "(tensor<3x4xf64>, tensor<i64>) "
                        "-> tensor<3x4xf64>\n"
                        "  %c2 = kiln.cumsum %a, %zero {exclusive} : "
                        "(tensor<3x4xf64>, "
                        "tensor<i64>) -> tensor<3x4xf64>\n"
                        "  %q1 = kiln.mul %mn, %mn : (tensor<3xf64>, "
                        "tensor<3xf64>) -> "
                        "tensor<3xf64>\n"
                        "  %q2 = kiln.sin %pr : tensor<1x4xf64>\n"
                        "  %c = kiln.mul %c1, %c2 : (tensor<3x4xf64>, "
                        "tensor<3x4xf64>) -> "
                        "tensor<3x4xf64>\n" SUM_ALL("%q1", "tensor<3xf64>",
                                                    "[0]", "%l1")
                            SUM_ALL("%q2", "tensor<1x4xf64>", "[0, 1]", "%l2")
                                SUM_ALL("%c", "tensor<3x4xf64>", "[0, 1]",
                                        "%l3") ADD_SCALARS("%l12", "%l1", "%l2")
                                    ADD_SCALARS(
                                        "%loss", "%l12",
                                        "%l3") "  return %loss : tensor<f64>"},
    {"topk_trilu_reverse_sequence",
     {{{3, 4}}},
     I64("%k", "[2]",
         "tensor<1xi64>") "  %v, %i = kiln.topk %a, %k, axis = 1 : "
                          "(tensor<3x4xf64>, "
                          "tensor<1xi64>) -> (tensor<3x2xf64>, "
                          "tensor<3x2xi64>)\n" I64(
                              "%d", "1",
                              "tensor<i64>") "  %t = kiln.trilu %a, %d {upper} "
                                             ": (tensor<3x4xf64>, tensor<i64>) "
                                             "-> "
                                             "tensor<3x4xf64>\n" I64(
                                                 "%len", "[3, 1, 2, 0]",
                                                 "tensor<4xi64>") "  %r = "
                                                                  "kiln."
                                                                  "reverse_"
                                                                  "sequence "
                                                                  "%a, %len, "
                                                                  "batch_axis "
                                                                  "= 1, "
                                                                  "time_axis = "
                                                                  "0 : "
                                                                  "(tensor<"
                                                                  "3x4xf64>, "
                                                                  "tensor<"
                                                                  "4xi64>) -> "
                                                                  "tensor<"
                                                                  "3x4xf64>\n"
                                                                  "  %q1 = "
                                                                  "kiln.mul "
                                                                  "%v, %v : "
                                                                  "(tensor<"
                                                                  "3x2xf64>, "
                                                                  "tensor<"
                                                                  "3x2xf64>) "
                                                                  "-> "
                                                                  "tensor<"
                                                                  "3x2xf64>\n"
                                                                  "  %q2 = "
                                                                  "kiln.sin %t "
                                                                  ": "
                                                                  "tensor<"
                                                                  "3x4xf64>\n"
                                                                  "  %w = "
                                                                  "kiln."
                                                                  "constant "
                                                                  "dense<[[1.0,"
                                                                  " -2.0, 0.5, "
                                                                  "2.0], [3.0, "
                                                                  "0.25, -1.5, "
                                                                  "-1.0], "
                                                                  "[0.75, 1.5, "
                                                                  "-0.5, "
                                                                  "4.0]]> : "
                                                                  "tensor<"
                                                                  "3x4xf64>\n"
                                                                  "  %q3 = "
                                                                  "kiln.mul "
                                                                  "%r, %w : "
                                                                  "(tensor<"
                                                                  "3x4xf64>, "
                                                                  "tensor<"
                                                                  "3x4xf64>) "
                                                                  "-> "
                                                                  "tensor<"
                                                                  "3x4xf64>"
                                                                  "\n" SUM_ALL(
                                                                      "%q1",
                                                                      "tensor<"
                                                                      "3x2xf64"
                                                                      ">",
                                                                      "[0, 1]",
                                                                      "%l1") SUM_ALL("%q2",
                                                                                     "tensor<3x4xf64>",
                                                                                     "[0, 1]",
                                                                                     "%l2")
                                                                      SUM_ALL(
                                                                          "%q3",
                                                                          "tens"
                                                                          "or<"
                                                                          "3x4x"
                                                                          "f64"
                                                                          ">",
                                                                          "[0, "
                                                                          "1]",
                                                                          "%l3")
                                                                          ADD_SCALARS(
                                                                              "%l12",
                                                                              "%l1",
                                                                              "%l2")
                                                                              ADD_SCALARS(
                                                                                  "%loss",
                                                                                  "%l12",
                                                                                  "%l3") "  return %loss : tensor<f64>"},
    {"inverse_and_hyperbolic_trig",
     {{{4}, -0.8, 0.8}, {{3}, 1.2, 2.0}},
     "  %0 = kiln.tan %a : tensor<4xf64>\n"
     "  %1 = kiln.asin %a : tensor<4xf64>\n"
     "  %2 = kiln.acos %a : tensor<4xf64>\n"
     "  %3 = kiln.atan %a : tensor<4xf64>\n"
     "  %4 = kiln.sinh %a : tensor<4xf64>\n"
     "  %5 = kiln.cosh %a : tensor<4xf64>\n"
     "  %6 = kiln.asinh %a : tensor<4xf64>\n"
     "  %7 = kiln.atanh %a : tensor<4xf64>\n"
     "  %8 = kiln.acosh %b : tensor<3xf64>\n"
     "  %s0 = kiln.mul %0, %1 : (tensor<4xf64>, tensor<4xf64>) -> "
     "tensor<4xf64>\n"
     "  %s1 = kiln.mul %2, %3 : (tensor<4xf64>, tensor<4xf64>) -> "
     "tensor<4xf64>\n"
     "  %s2 = kiln.mul %4, %5 : (tensor<4xf64>, tensor<4xf64>) -> "
     "tensor<4xf64>\n"
     "  %s3 = kiln.mul %6, %7 : (tensor<4xf64>, tensor<4xf64>) -> "
     "tensor<4xf64>\n"
     "  %t0 = kiln.add %s0, %s1 : (tensor<4xf64>, tensor<4xf64>) -> "
     "tensor<4xf64>\n"
     "  %t1 = kiln.add %s2, %s3 : (tensor<4xf64>, tensor<4xf64>) -> "
     "tensor<4xf64>\n"
     "  %t = kiln.add %t0, %t1 : (tensor<4xf64>, tensor<4xf64>) -> "
     "tensor<4xf64>\n" SUM_ALL("%t", "tensor<4xf64>", "[0]", "%l1")
         SUM_ALL("%8", "tensor<3xf64>", "[0]", "%l2")
             ADD_SCALARS("%loss", "%l1", "%l2") "  return %loss : tensor<f64>"},
    {"einsum_three_operands",
     {{{2, 3, 4}}, {{4, 2}}, {{2}}},
     "  %y = kiln.einsum \"bij,jk,k->bi\" (%a, %b, %c) : (tensor<2x3x4xf64>, "
     "tensor<4x2xf64>, tensor<2xf64>) -> tensor<2x3xf64>\n"
     "  %q = kiln.sin %y : tensor<2x3xf64>\n" SUM_ALL(
         "%q", "tensor<2x3xf64>", "[0, 1]",
         "%loss") "  return %loss : tensor<f64>"},
    {"einsum_summed_alone_and_broadcast",
     {{{2, 3, 2}}, {{1, 4}}},
     // l is summed over the first operand alone; j has extent 1 in the
     // second, which broadcasts.
     "  %y = kiln.einsum \"ijl,jk->ik\" (%a, %b) : (tensor<2x3x2xf64>, "
     "tensor<1x4xf64>) -> tensor<2x4xf64>\n"
     "  %q = kiln.sin %y : tensor<2x4xf64>\n" SUM_ALL(
         "%q", "tensor<2x4xf64>", "[0, 1]",
         "%loss") "  return %loss : tensor<f64>"},
    {"nll_loss_weighted_ignored_mean",
     {{{4, 3}}, {{3}, 0.5, 2.0}},
     // Sample 2 (class 1) is ignored: it counts neither in the sum nor in
     // the divisor.
     I64("%t", "[2, 0, 1, 2]",
         "tensor<4xi64>") "  %loss = kiln.nll_loss %a, %t, %b {ignore_index = "
                          "1 : i64, reduction "
                          "= \"mean\"} : (tensor<4x3xf64>, tensor<4xi64>, "
                          "tensor<3xf64>) -> "
                          "tensor<f64>\n  return %loss : tensor<f64>"},
    {"nll_loss_spatial",
     {{{2, 3, 2}}, {{3}, 0.5, 2.0}},
     I64("%t", "[[2, 0], [1, 1]]",
         "tensor<2x2xi64>") "  %n = kiln.nll_loss %a, %t {reduction = "
                            "\"none\"} : "
                            "(tensor<2x3x2xf64>, tensor<2x2xi64>) -> "
                            "tensor<2x2xf64>\n"
                            "  %w = kiln.constant dense<[[1.0, -2.0], [0.5, "
                            "3.0]]> : "
                            "tensor<2x2xf64>\n"
                            "  %p = kiln.mul %n, %w : (tensor<2x2xf64>, "
                            "tensor<2x2xf64>) -> "
                            "tensor<2x2xf64>\n" SUM_ALL(
                                "%p", "tensor<2x2xf64>", "[0, 1]",
                                "%l1") "  %l2 = kiln.nll_loss %a, %t, %b "
                                       "{reduction = \"sum\"} : "
                                       "(tensor<2x3x2xf64>, tensor<2x2xi64>, "
                                       "tensor<3xf64>) -> "
                                       "tensor<f64>\n" ADD_SCALARS(
                                           "%loss", "%l1",
                                           "%l2") "  return %loss : "
                                                  "tensor<f64>"},
    {"rem_mod",
     // Quotients kept away from integers, where the remainders jump; the
     // negative ones tell truncation (rem) from flooring (mod).
     {{{3}, 2.3, 2.8}, {{3}, 1.0, 1.1}, {{3}, -2.8, -2.3}},
     "  %r1 = kiln.rem %a, %b : (tensor<3xf64>, tensor<3xf64>) -> "
     "tensor<3xf64>\n"
     "  %r2 = kiln.rem %c, %b : (tensor<3xf64>, tensor<3xf64>) -> "
     "tensor<3xf64>\n"
     "  %m = kiln.mod %c, %b : (tensor<3xf64>, tensor<3xf64>) -> "
     "tensor<3xf64>\n"
     "  %s = kiln.mul %r1, %r2 : (tensor<3xf64>, tensor<3xf64>) -> "
     "tensor<3xf64>\n"
     "  %t = kiln.mul %m, %m : (tensor<3xf64>, tensor<3xf64>) -> "
     "tensor<3xf64>\n"
     "  %y = kiln.add %s, %t : (tensor<3xf64>, tensor<3xf64>) -> "
     "tensor<3xf64>\n" SUM_ALL("%y", "tensor<3xf64>", "[0]",
                               "%loss") "  return %loss : tensor<f64>"},
    {"gather_nd",
     {{{3, 4}}},
     I64("%i", "[[0, 1], [2, 3], [0, 1]]",
         "tensor<3x2xi64>") "  %y1 = kiln.gather_nd %a, %i : (tensor<3x4xf64>, "
                            "tensor<3x2xi64>) -> "
                            "tensor<3xf64>\n" I64(
                                "%j", "[[2], [0]]",
                                "tensor<2x1xi64>") "  %y2 = kiln.gather_nd %a, "
                                                   "%j : (tensor<3x4xf64>, "
                                                   "tensor<2x1xi64>) -> "
                                                   "tensor<2x4xf64>\n"
                                                   "  %q1 = kiln.sin %y1 : "
                                                   "tensor<3xf64>\n"
                                                   "  %q2 = kiln.mul %y2, %y2 "
                                                   ": (tensor<2x4xf64>, "
                                                   "tensor<2x4xf64>) -> "
                                                   "tensor<2x4xf64>\n" SUM_ALL(
                                                       "%q1", "tensor<3xf64>",
                                                       "[0]", "%l1")
                                                       SUM_ALL(
                                                           "%q2",
                                                           "tensor<2x4xf64>",
                                                           "[0, 1]", "%l2")
                                                           ADD_SCALARS(
                                                               "%loss", "%l1",
                                                               "%l2") "  "
                                                                      "return "
                                                                      "%loss : "
                                                                      "tensor<"
                                                                      "f64>"},
    {"scatter_elements",
     {{{3, 4}}, {{2, 4}}},
     // Distinct positions for `none` (where several updates write one
     // position only the last one counts); repeated ones for `add`.
     I64("%i", "[[1, 0, 2, 1], [0, 2, 1, 2]]",
         "tensor<2x4xi64>") "  %y1 = kiln.scatter_elements %a, %i, %b, axis = "
                            "0 : (tensor<3x4xf64>, "
                            "tensor<2x4xi64>, tensor<2x4xf64>) -> "
                            "tensor<3x4xf64>\n" I64(
                                "%j", "[[1, 1, 0, 1], [1, 2, 1, 1]]",
                                "tensor<2x4xi64>") "  %y2 = "
                                                   "kiln.scatter_elements %a, "
                                                   "%j, %b, axis = 1 "
                                                   "{reduction = "
                                                   "\"add\"} : "
                                                   "(tensor<3x4xf64>, "
                                                   "tensor<2x4xi64>, "
                                                   "tensor<2x4xf64>) -> "
                                                   "tensor<3x4xf64>\n"
                                                   "  %q1 = kiln.sin %y1 : "
                                                   "tensor<3x4xf64>\n"
                                                   "  %q2 = kiln.mul %y2, %y2 "
                                                   ": (tensor<3x4xf64>, "
                                                   "tensor<3x4xf64>) -> "
                                                   "tensor<3x4xf64>\n" SUM_ALL(
                                                       "%q1", "tensor<3x4xf64>",
                                                       "[0, 1]", "%l1")
                                                       SUM_ALL(
                                                           "%q2",
                                                           "tensor<3x4xf64>",
                                                           "[0, 1]", "%l2")
                                                           ADD_SCALARS(
                                                               "%loss", "%l1",
                                                               "%l2") "  "
                                                                      "return "
                                                                      "%loss : "
                                                                      "tensor<"
                                                                      "f64>"},
    {"scatter_nd",
     {{{4, 3}}, {{2, 3}}},
     I64("%i", "[[1], [3]]",
         "tensor<2x1xi64>") "  %y1 = kiln.scatter_nd %a, %i, %b : "
                            "(tensor<4x3xf64>, tensor<2x1xi64>, "
                            "tensor<2x3xf64>) -> tensor<4x3xf64>\n" I64(
                                "%j", "[[2], [2]]",
                                "tensor<2x1xi64>") "  %y2 = kiln.scatter_nd "
                                                   "%a, %j, %b {reduction = "
                                                   "\"add\"} : "
                                                   "(tensor<4x3xf64>, "
                                                   "tensor<2x1xi64>, "
                                                   "tensor<2x3xf64>) -> "
                                                   "tensor<4x3xf64>\n"
                                                   "  %q1 = kiln.sin %y1 : "
                                                   "tensor<4x3xf64>\n"
                                                   "  %q2 = kiln.mul %y2, %y2 "
                                                   ": (tensor<4x3xf64>, "
                                                   "tensor<4x3xf64>) -> "
                                                   "tensor<4x3xf64>\n" SUM_ALL(
                                                       "%q1", "tensor<4x3xf64>",
                                                       "[0, 1]", "%l1")
                                                       SUM_ALL(
                                                           "%q2",
                                                           "tensor<4x3xf64>",
                                                           "[0, 1]", "%l2")
                                                           ADD_SCALARS(
                                                               "%loss", "%l1",
                                                               "%l2") "  "
                                                                      "return "
                                                                      "%loss : "
                                                                      "tensor<"
                                                                      "f64>"},
    {"dropout_inference",
     {{{4}}},
     "  %r = kiln.constant dense<0.5> : tensor<f64>\n"
     "  %t = kiln.constant dense<false> : tensor<i1>\n"
     "  %o, %m = kiln.dropout %a, %r, %t : (tensor<4xf64>, tensor<f64>, "
     "tensor<i1>) -> (tensor<4xf64>, tensor<4xi1>)\n"
     "  %q = kiln.sin %o : tensor<4xf64>\n" SUM_ALL(
         "%q", "tensor<4xf64>", "[0]", "%loss") "  return %loss : tensor<f64>"},
};

INSTANTIATE_TEST_SUITE_P(More, GradientCheck, ::testing::ValuesIn(moreCases),
                         [](const auto &info) { return info.param.name; });

} // namespace
