//===- ModelTest.cpp - Loading and running compiled models ----------------===//
//
// The model half of the C API (and the C++ wrapper) against models compiled
// by `kiln compile` at build time: signatures, running with owned, borrowed
// and caller-allocated tensors, dynamic shapes, thread counts, and every
// kind of bad input, which must come back as a status and a message.
//
//===----------------------------------------------------------------------===//

#include "kiln/runtime.h"
#include "kiln/runtime.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

namespace {

std::string model(const std::string &name) {
  return std::string(KILN_TEST_MODELS) + "/" + name;
}

std::string lastError() { return kiln_last_error(); }

/// Opens a model or fails the test.
kiln_model *open(const std::string &name) {
  kiln_model *m = nullptr;
  EXPECT_EQ(kiln_model_open(model(name).c_str(), &m), KILN_OK) << lastError();
  return m;
}

TEST(Model, DescribesItsSignature) {
  kiln::Model m(model("dense.so"));
  ASSERT_EQ(m.numInputs(), 2u);
  ASSERT_EQ(m.numOutputs(), 2u);
  kiln_tensor_info x = m.input(0);
  EXPECT_STREQ(x.name, "x");
  EXPECT_EQ(x.dtype, KILN_DTYPE_F32);
  ASSERT_EQ(x.rank, 2u);
  EXPECT_EQ(x.shape[0], -1); // dynamic batch
  EXPECT_EQ(x.shape[1], 4);
  EXPECT_STREQ(m.output(1).name, "y_again");
  EXPECT_EQ(kiln_model_find_input(m.get(), "w"), 1);
  EXPECT_EQ(kiln_model_find_output(m.get(), "nope"), -1);

  kiln::Model p(model("passthrough.so"));
  EXPECT_EQ(p.output(1).dtype, KILN_DTYPE_U8); // unsigned survives lowering
}

/// relu(x @ w) computed here.
std::vector<float> reference(const std::vector<float> &x,
                             const std::vector<float> &w, int batch) {
  std::vector<float> y(batch * 3, 0);
  for (int b = 0; b < batch; ++b)
    for (int j = 0; j < 3; ++j) {
      float sum = 0;
      for (int k = 0; k < 4; ++k)
        sum += x[b * 4 + k] * w[k * 3 + j];
      y[b * 3 + j] = std::max(sum, 0.0f);
    }
  return y;
}

TEST(Model, RunsAtSeveralBatchSizes) {
  kiln::Model m(model("dense.so"));
  std::vector<float> w(12);
  for (int i = 0; i < 12; ++i)
    w[i] = 0.25f * (i % 5) - 0.5f;
  kiln::Tensor wt = kiln::Tensor::wrap(KILN_DTYPE_F32, {4, 3}, w.data(), 12);
  for (int batch : {1, 3, 17}) {
    std::vector<float> x(batch * 4);
    for (size_t i = 0; i < x.size(); ++i)
      x[i] = std::sin(0.7f * i);
    kiln::Tensor xt =
        kiln::Tensor::wrap(KILN_DTYPE_F32, {batch, 4}, x.data(), x.size());
    std::vector<kiln::Tensor> out = m.run({&xt, &wt});
    std::vector<float> want = reference(x, w, batch);
    ASSERT_EQ(out.size(), 2u);
    for (kiln::Tensor &t : out) {
      ASSERT_EQ(t.shape(), (std::vector<int64_t>{batch, 3}));
      for (int i = 0; i < batch * 3; ++i)
        EXPECT_NEAR(t.data<float>()[i], want[i], 1e-5f);
    }
    // The two outputs share a buffer in the compiled code but not here.
    EXPECT_NE(out[0].data<float>(), out[1].data<float>());
    // Inputs are untouched.
    EXPECT_EQ(x[1], std::sin(0.7f));
  }
}

TEST(Model, FillsCallerAllocatedOutputs) {
  kiln::Model m(model("dense.so"));
  std::vector<float> x(8, 1.0f), w(12, 0.5f);
  kiln::Tensor xt = kiln::Tensor::wrap(KILN_DTYPE_F32, {2, 4}, x.data(), 8);
  kiln::Tensor wt = kiln::Tensor::wrap(KILN_DTYPE_F32, {4, 3}, w.data(), 12);
  std::vector<float> y(6, -1.0f);
  kiln::Tensor yt = kiln::Tensor::wrap(KILN_DTYPE_F32, {2, 3}, y.data(), 6);
  kiln::Tensor y2 = kiln::Tensor::zeros(KILN_DTYPE_F32, {2, 3});
  m.runInto({&xt, &wt}, {&yt, &y2});
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(y[i], 2.0f);
    EXPECT_EQ(y2.data<float>()[i], 2.0f);
  }
  // A caller tensor of the wrong shape is refused.
  kiln::Tensor bad = kiln::Tensor::zeros(KILN_DTYPE_F32, {3, 3});
  EXPECT_THROW(m.runInto({&xt, &wt}, {&bad, &y2}), kiln::Error);
}

TEST(Model, OwnsOutputsThatAliasInputsOrConstants) {
  kiln::Model m(model("passthrough.so"));
  std::vector<int64_t> x = {1, -2, 3};
  kiln::Tensor xt = kiln::Tensor::wrap(KILN_DTYPE_I64, {3}, x.data(), 3);
  std::vector<kiln::Tensor> out = m.run({&xt});
  ASSERT_EQ(out[0].shape(), (std::vector<int64_t>{3}));
  EXPECT_NE(out[0].data<int64_t>(), x.data());
  EXPECT_EQ(out[0].data<int64_t>()[1], -2);
  EXPECT_EQ(out[1].data<uint8_t>()[1], 200);
  // Writing to one run's outputs must not change the next run's.
  out[1].data<uint8_t>()[0] = 0;
  std::vector<kiln::Tensor> again = m.run({&xt});
  EXPECT_EQ(again[1].data<uint8_t>()[0], 7);
}

TEST(Model, ResultsDoNotDependOnThreadCount) {
  kiln::Model m(model("big.so"));
  std::vector<float> a(128 * 256), b(256 * 128);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = std::cos(0.01f * i);
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = std::sin(0.013f * i);
  kiln::Tensor at =
      kiln::Tensor::wrap(KILN_DTYPE_F32, {128, 256}, a.data(), a.size());
  kiln::Tensor bt =
      kiln::Tensor::wrap(KILN_DTYPE_F32, {256, 128}, b.data(), b.size());
  std::vector<std::vector<float>> results;
  for (int threads : {1, 2, 3}) {
    kiln::setNumThreads(threads);
    EXPECT_EQ(kiln_get_num_threads(), threads);
    std::vector<kiln::Tensor> out = m.run({&at, &bt});
    results.emplace_back(out[0].data<float>(),
                         out[0].data<float>() + out[0].size());
  }
  kiln::setNumThreads(0);
  EXPECT_EQ(results[0], results[1]);
  EXPECT_EQ(results[0], results[2]);
  // And they are right: spot-check one element against a direct sum.
  double sum = 0;
  for (int k = 0; k < 256; ++k)
    sum += (double)a[5 * 256 + k] * b[k * 128 + 7];
  EXPECT_NEAR(results[0][5 * 128 + 7], std::tanh(sum), 1e-4);
}

TEST(Model, RejectsBadInputs) {
  kiln_model *m = open("dense.so");
  std::vector<float> x(8), w(12);
  int64_t xs[] = {2, 4}, ws[] = {4, 3};
  kiln_tensor *xt = nullptr, *wt = nullptr;
  ASSERT_EQ(kiln_tensor_wrap(KILN_DTYPE_F32, xs, 2, x.data(), 32, &xt), KILN_OK);
  ASSERT_EQ(kiln_tensor_wrap(KILN_DTYPE_F32, ws, 2, w.data(), 48, &wt), KILN_OK);
  kiln_tensor *out[2] = {nullptr, nullptr};

  const kiln_tensor *inputs[] = {xt, wt};
  EXPECT_EQ(kiln_model_run(nullptr, inputs, 2, out, 2),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_model_run(m, inputs, 1, out, 2), KILN_ERROR_INPUT_COUNT);
  EXPECT_NE(lastError().find("takes 2 inputs, got 1"), std::string::npos);
  EXPECT_EQ(kiln_model_run(m, inputs, 2, out, 1), KILN_ERROR_INPUT_COUNT);
  EXPECT_EQ(kiln_model_run(m, nullptr, 2, out, 2),
            KILN_ERROR_INVALID_ARGUMENT);
  const kiln_tensor *withNull[] = {xt, nullptr};
  EXPECT_EQ(kiln_model_run(m, withNull, 2, out, 2),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(lastError().find("'w'"), std::string::npos);

  // Wrong dtype.
  std::vector<double> xd(8);
  kiln_tensor *xdt = nullptr;
  ASSERT_EQ(kiln_tensor_wrap(KILN_DTYPE_F64, xs, 2, xd.data(), 64, &xdt),
            KILN_OK);
  const kiln_tensor *wrongDtype[] = {xdt, wt};
  EXPECT_EQ(kiln_model_run(m, wrongDtype, 2, out, 2),
            KILN_ERROR_DTYPE_MISMATCH);
  EXPECT_NE(lastError().find("input 'x' must be f32, got f64"),
            std::string::npos);

  // Wrong static dimension, and wrong rank.
  int64_t badShape[] = {2, 5}, badRank[] = {8};
  kiln_tensor *shapeT = nullptr, *rankT = nullptr;
  std::vector<float> ten(10);
  ASSERT_EQ(kiln_tensor_wrap(KILN_DTYPE_F32, badShape, 2, ten.data(), 40,
                             &shapeT),
            KILN_OK);
  ASSERT_EQ(kiln_tensor_wrap(KILN_DTYPE_F32, badRank, 1, x.data(), 32, &rankT),
            KILN_OK);
  const kiln_tensor *wrongShape[] = {shapeT, wt};
  EXPECT_EQ(kiln_model_run(m, wrongShape, 2, out, 2),
            KILN_ERROR_SHAPE_MISMATCH);
  EXPECT_NE(lastError().find("input 'x' must have shape ?x4, got 2x5"),
            std::string::npos);
  const kiln_tensor *wrongRank[] = {rankT, wt};
  EXPECT_EQ(kiln_model_run(m, wrongRank, 2, out, 2),
            KILN_ERROR_SHAPE_MISMATCH);

  // Nothing was written to the output slots by any failed call.
  EXPECT_EQ(out[0], nullptr);
  EXPECT_EQ(out[1], nullptr);

  // Bad indices and null arguments to the info calls.
  kiln_tensor_info info;
  EXPECT_EQ(kiln_model_input_info(m, 2, &info), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_model_output_info(m, 0, nullptr),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_model_num_inputs(nullptr), 0u);

  for (kiln_tensor *t : {xt, wt, xdt, shapeT, rankT})
    kiln_tensor_destroy(t);
  kiln_model_close(m);
  kiln_model_close(nullptr);
}

TEST(Model, RefusesFilesThatAreNotKilnModels) {
  kiln_model *m = nullptr;
  EXPECT_EQ(kiln_model_open(model("missing.so").c_str(), &m), KILN_ERROR_IO);
  EXPECT_NE(lastError().find("cannot open"), std::string::npos);

  std::string text = model("text.so");
  std::ofstream(text) << "not a shared library";
  EXPECT_EQ(kiln_model_open(text.c_str(), &m), KILN_ERROR_INVALID_MODEL);
  EXPECT_NE(lastError().find("not a loadable Kiln model"), std::string::npos);

  EXPECT_EQ(kiln_model_open(model("not_a_model.so").c_str(), &m),
            KILN_ERROR_INVALID_MODEL);
  EXPECT_NE(lastError().find("exports no kiln_model_descriptor"),
            std::string::npos);

  EXPECT_EQ(kiln_model_open(model("other_abi.so").c_str(), &m),
            KILN_ERROR_ABI_MISMATCH);
  EXPECT_NE(lastError().find("ABI version 999"), std::string::npos);

  EXPECT_EQ(kiln_model_open(KILN_TEST_MODELS, &m), KILN_ERROR_IO);
  EXPECT_EQ(kiln_model_open(nullptr, &m), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_model_open(model("dense.so").c_str(), nullptr),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(m, nullptr);

  // The C++ wrapper turns the same failures into exceptions.
  try {
    kiln::Model bad(model("other_abi.so"));
    FAIL() << "opened a model of another ABI";
  } catch (const kiln::Error &e) {
    EXPECT_EQ(e.status(), KILN_ERROR_ABI_MISMATCH);
  }
}

TEST(Model, ReportsInputsThatBreakRunTimeChecks) {
  kiln::Model m(model("mismatch.so"));
  std::vector<float> x(3 * 4, 1.0f), w(16, 0.5f), b3(3 * 4, 2.0f), b2(2 * 4);
  kiln::Tensor xt = kiln::Tensor::wrap(KILN_DTYPE_F32, {3, 4}, x.data(), 12);
  kiln::Tensor wt = kiln::Tensor::wrap(KILN_DTYPE_F32, {4, 4}, w.data(), 16);
  kiln::Tensor good = kiln::Tensor::wrap(KILN_DTYPE_F32, {3, 4}, b3.data(), 12);
  kiln::Tensor bad = kiln::Tensor::wrap(KILN_DTYPE_F32, {2, 4}, b2.data(), 8);
  // Each input fits its declared shape; together they do not.
  try {
    m.run({&xt, &wt, &bad});
    FAIL() << "ran with mismatched batches";
  } catch (const kiln::Error &e) {
    EXPECT_EQ(e.status(), KILN_ERROR_SHAPE_MISMATCH);
    EXPECT_NE(std::string(e.what()).find("cannot run on these inputs"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("kiln.add"), std::string::npos);
  }
  // The model still works afterwards (and, under ASan, nothing leaked).
  std::vector<kiln::Tensor> out = m.run({&xt, &wt, &good});
  EXPECT_EQ(out[0].data<float>()[0], 4.0f);
}

TEST(Threads, RejectsNegativeCounts) {
  EXPECT_EQ(kiln_set_num_threads(-1), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_GE(kiln_get_num_threads(), 1);
}

} // namespace
