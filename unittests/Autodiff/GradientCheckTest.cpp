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
std::vector<std::vector<double>>
run(kiln_model *model, const std::vector<Input> &shapes,
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
      EXPECT_NEAR(analytic[i + 1][k], numeric,
                  1e-6 + 1e-5 * std::fabs(numeric))
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
     "tensor<2x3xf64>\n" WEIGHTED_SUM("tensor<2x3xf64>",
                                      "[[1.0, -2.0, 0.5], [3.0, 0.25, -1.5]]")
     "  %loss = kiln.reduce_sum %p, [0, 1] {keepdims = false} : "
     "tensor<2x3xf64> -> tensor<f64>\n  return %loss : tensor<f64>"},
    {"sub_broadcast_unit",
     {{{2, 3}}, {{2, 1}}},
     "  %y = kiln.sub %a, %b : (tensor<2x3xf64>, tensor<2x1xf64>) -> "
     "tensor<2x3xf64>\n" WEIGHTED_SUM("tensor<2x3xf64>",
                                      "[[1.0, -2.0, 0.5], [3.0, 0.25, -1.5]]")
     "  %loss = kiln.reduce_sum %p, [0, 1] {keepdims = false} : "
     "tensor<2x3xf64> -> tensor<f64>\n  return %loss : tensor<f64>"},
    {"mul_div",
     {{{4}}, {{4}, 0.5, 2.0}},
     "  %m = kiln.mul %a, %b : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>\n"
     "  %y = kiln.div %m, %b : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>\n"
     "  %z = kiln.div %a, %b : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>\n"
     "  %s = kiln.add %y, %z : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>\n"
     "  %loss = kiln.reduce_sum %s, [0] {keepdims = false} : tensor<4xf64> -> "
     "tensor<f64>\n  return %loss : tensor<f64>"},
    {"pow",
     {{{3}, 0.5, 2.0}, {{3}, 0.5, 2.0}},
     "  %y = kiln.pow %a, %b : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>\n"
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
     "  %0 = kiln.mul %e, %l : (tensor<5xf64>, tensor<5xf64>) -> tensor<5xf64>\n"
     "  %1 = kiln.mul %s, %t : (tensor<5xf64>, tensor<5xf64>) -> tensor<5xf64>\n"
     "  %2 = kiln.mul %g, %n : (tensor<5xf64>, tensor<5xf64>) -> tensor<5xf64>\n"
     "  %3 = kiln.add %0, %1 : (tensor<5xf64>, tensor<5xf64>) -> tensor<5xf64>\n"
     "  %y = kiln.add %3, %2 : (tensor<5xf64>, tensor<5xf64>) -> tensor<5xf64>\n"
     "  %loss = kiln.reduce_sum %y, [0] {keepdims = false} : tensor<5xf64> -> "
     "tensor<f64>\n  return %loss : tensor<f64>"},
    {"matmul",
     {{{2, 3}}, {{3, 4}}},
     "  %y = kiln.matmul %a, %b : (tensor<2x3xf64>, tensor<3x4xf64>) -> "
     "tensor<2x4xf64>\n" WEIGHTED_SUM(
         "tensor<2x4xf64>",
         "[[1.0, -2.0, 0.5, 2.0], [3.0, 0.25, -1.5, -1.0]]")
     "  %loss = kiln.reduce_sum %p, [0, 1] {keepdims = false} : "
     "tensor<2x4xf64> -> tensor<f64>\n  return %loss : tensor<f64>"},
    {"matmul_batched_broadcast",
     {{{2, 2, 3}}, {{3, 2}}},
     "  %y = kiln.matmul %a, %b : (tensor<2x2x3xf64>, tensor<3x2xf64>) -> "
     "tensor<2x2x2xf64>\n" WEIGHTED_SUM(
         "tensor<2x2x2xf64>",
         "[[[1.0, -2.0], [0.5, 2.0]], [[3.0, 0.25], [-1.5, -1.0]]]")
     "  %loss = kiln.reduce_sum %p, [0, 1, 2] {keepdims = false} : "
     "tensor<2x2x2xf64> -> tensor<f64>\n  return %loss : tensor<f64>"},
    {"matmul_vectors",
     {{{3}}, {{3, 2}}, {{3}}},
     "  %v = kiln.matmul %a, %b : (tensor<3xf64>, tensor<3x2xf64>) -> "
     "tensor<2xf64>\n"
     "  %bt = kiln.transpose %b, [1, 0] : tensor<3x2xf64> -> tensor<2x3xf64>\n"
     "  %u = kiln.matmul %bt, %c : (tensor<2x3xf64>, tensor<3xf64>) -> "
     "tensor<2xf64>\n"
     "  %d = kiln.matmul %a, %c : (tensor<3xf64>, tensor<3xf64>) -> "
     "tensor<f64>\n"
     "  %s = kiln.mul %v, %u : (tensor<2xf64>, tensor<2xf64>) -> tensor<2xf64>\n"
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
         "tensor<2x4xf64>", "[[1.0, -2.0, 0.5, 2.0], [3.0, 0.25, -1.5, -1.0]]")
     "  %loss = kiln.reduce_sum %p, [0, 1] {keepdims = false} : "
     "tensor<2x4xf64> -> tensor<f64>\n  return %loss : tensor<f64>"},
    {"relu_abs",
     {{{6}}},
     "  %r = kiln.relu %a : tensor<6xf64>\n"
     "  %s = kiln.abs %a : tensor<6xf64>\n"
     "  %y = kiln.add %r, %s : (tensor<6xf64>, tensor<6xf64>) -> tensor<6xf64>\n"
     WEIGHTED_SUM("tensor<6xf64>", "[1.0, -2.0, 0.5, 3.0, 0.25, -1.5]")
     "  %loss = kiln.reduce_sum %p, [0] {keepdims = false} : tensor<6xf64> -> "
     "tensor<f64>\n  return %loss : tensor<f64>"},
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
         "tensor<2x3xf64>", "[[1.0, -2.0, 0.5], [3.0, 0.25, -1.5]]")
     "  %loss = kiln.reduce_sum %p, [0, 1] {keepdims = false} : "
     "tensor<2x3xf64> -> tensor<f64>\n  return %loss : tensor<f64>"},
    {"reduce_max",
     {{{3, 4}}},
     "  %m = kiln.reduce_max %a, [1] {keepdims = false} : tensor<3x4xf64> -> "
     "tensor<3xf64>\n"
     "  %w = kiln.constant dense<[1.0, -2.0, 0.5]> : tensor<3xf64>\n"
     "  %p = kiln.mul %m, %w : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>\n"
     "  %loss = kiln.reduce_sum %p, [0] {keepdims = false} : tensor<3xf64> -> "
     "tensor<f64>\n  return %loss : tensor<f64>"},
    {"gather_elements",
     {{{2, 4}}},
     "  %i = kiln.constant dense<[[3, 0, 3], [1, 1, 2]]> : tensor<2x3xi64>\n"
     "  %y = kiln.gather_elements %a, %i, axis = 1 : (tensor<2x4xf64>, "
     "tensor<2x3xi64>) -> tensor<2x3xf64>\n" WEIGHTED_SUM(
         "tensor<2x3xf64>", "[[1.0, -2.0, 0.5], [3.0, 0.25, -1.5]]")
     "  %loss = kiln.reduce_sum %p, [0, 1] {keepdims = false} : "
     "tensor<2x3xf64> -> tensor<f64>\n  return %loss : tensor<f64>"},
    {"erf_sin_cos",
     {{{4}}},
     "  %e = kiln.erf %a : tensor<4xf64>\n"
     "  %s = kiln.sin %a : tensor<4xf64>\n"
     "  %c = kiln.cos %a : tensor<4xf64>\n"
     "  %0 = kiln.mul %e, %s : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>\n"
     "  %y = kiln.add %0, %c : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>\n"
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

} // namespace
