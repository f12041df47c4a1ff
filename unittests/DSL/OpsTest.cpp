//===- OpsTest.cpp - DSL op functions: numerics, errors, ONNX round trip --===//
//
// The op functions of Graph.h that are not layers (remainders, bitwise
// logic, inverse trigonometry, indexing, shapes as tensors, resampling,
// linear algebra, losses) against numpy: each case builds one graph with
// several outputs (one compile per case), runs it on fixed data, and has
// reference.py recompute every output by numpy from the same inputs
// (floats: rtol 1e-4, atol 1e-5; integers and booleans: exactly). Then the
// build-time errors (they name the op and the shapes), and the ONNX round
// trip of a model using every exportable op: onnx.checker accepts it and
// Kiln's importer gives back identical outputs, bit for bit.
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

/// A tensor holding `values` (repeated to fill `shape`).
template <typename T>
kiln::Tensor filled(kiln_dtype dtype, const std::vector<int64_t> &shape,
                    const std::vector<T> &values) {
  kiln::Tensor t = kiln::Tensor::zeros(dtype, shape);
  for (size_t i = 0; i < t.size(); ++i)
    t.data<T>()[i] = values[i % values.size()];
  return t;
}

kiln::Tensor floats(const std::vector<int64_t> &shape,
                    const std::vector<float> &values) {
  return filled(KILN_DTYPE_F32, shape, values);
}

kiln::Tensor ints(const std::vector<int64_t> &shape,
                  const std::vector<int64_t> &values) {
  return filled(KILN_DTYPE_I64, shape, values);
}

struct CaseInput {
  CaseInput(std::vector<int64_t> shape, DType dtype, kiln::Tensor data)
      : shape(std::move(shape)), dtype(dtype),
        data(std::make_shared<kiln::Tensor>(std::move(data))) {}
  std::vector<int64_t> shape; ///< as declared (dyn allowed)
  DType dtype;
  /// Shared: test parameters are copied, runtime tensors cannot be.
  std::shared_ptr<kiln::Tensor> data;
};

using Outputs = std::vector<std::pair<std::string, Tensor>>;

struct OpsCase {
  std::string test;
  std::vector<CaseInput> inputs;
  /// Builds the outputs from the inputs; each output's name is the key of
  /// its numpy formula in reference.py's OPS table.
  std::function<Outputs(const std::vector<Tensor> &)> build;
};

void runCase(const OpsCase &c) {
  SCOPED_TRACE(c.test);
  Graph g(/*seed=*/3);
  std::vector<Tensor> in;
  for (size_t i = 0; i < c.inputs.size(); ++i)
    in.push_back(g.input("in" + std::to_string(i), c.inputs[i].shape,
                         c.inputs[i].dtype));
  Outputs outputs = c.build(in);
  std::string names;
  for (auto &[name, t] : outputs) {
    g.output(name, t);
    names += (names.empty() ? "" : ",") + name;
  }
  Model model(std::move(g));
  std::vector<const kiln::Tensor *> data;
  for (const CaseInput &i : c.inputs)
    data.push_back(i.data.get());
  std::vector<kiln::Tensor> results = model.predict(data);
  ASSERT_EQ(results.size(), outputs.size());

  std::string dir = scratchDir(c.test);
  for (size_t i = 0; i < c.inputs.size(); ++i)
    c.inputs[i].data->saveNpy(dir + "/in" + std::to_string(i) + ".npy");
  for (size_t i = 0; i < outputs.size(); ++i)
    results[i].saveNpy(dir + "/out_" + outputs[i].first + ".npy");
  {
    std::ofstream spec(dir + "/spec.txt");
    spec << "Ops\noutputs=" << names << "\n";
  }
  std::string report;
  EXPECT_EQ(runReference(dir, report), 0) << report;
}

std::vector<OpsCase> cases() {
  std::vector<OpsCase> all;

  // Elementwise float math, remainders and reductions over [3, 5].
  all.push_back(
      {"ops_float_math",
       {{{dyn, 5}, DType::F32, randomTensor({3, 5}, 21, -0.9, 0.9)},
        {{dyn, 5},
         DType::F32,
         floats({3, 5}, {1.5f, -0.7f, 2.0f, -1.25f, 0.9f, 0.3f, -2.5f})},
        // Halves round to even; the rest to the nearest.
        {{8},
         DType::F32,
         floats({8}, {-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 0.49f, -3.7f})}},
       [](const std::vector<Tensor> &in) -> Outputs {
         Tensor x = in[0], y = in[1];
         auto topLargest = topK(x, 2, 1);
         auto topSmallest = topK(x, 3, 0, /*largest=*/false);
         return {{"tan", tan(x)},
                 {"asin", asin(x)},
                 {"acos", acos(x)},
                 {"atan", atan(x)},
                 {"sinh", sinh(x)},
                 {"cosh", cosh(x)},
                 {"asinh", asinh(x)},
                 {"acosh", acosh(abs(x) + 1.0)},
                 {"atanh", atanh(x)},
                 {"round", round(in[2])},
                 {"rem_f", rem(x * 4.0, y)},
                 {"reduce_prod", reduceProd(y, {1})},
                 {"reduce_prod_all_keep", reduceProd(x + 1.0, {}, true)},
                 {"argmin", argmin(x, 1)},
                 {"argmin_keep", argmin(x, 0, /*keepDims=*/true)},
                 {"cumsum", cumsum(x, 1)},
                 {"cumsum_excl_rev", cumsum(x, -1, true, true)},
                 {"topk_values", topLargest.values},
                 {"topk_indices", topLargest.indices},
                 {"topk_small_values", topSmallest.values},
                 {"topk_small_indices", topSmallest.indices}};
       }});

  // Integers: remainders of both signs, bitwise logic, shifts; booleans.
  all.push_back({"ops_integer",
                 {{{6}, DType::I64, ints({6}, {17, -17, 5, -5, 12, -1})},
                  {{6}, DType::I64, ints({6}, {5, 5, -3, -3, 7, 4})},
                  {{6}, DType::I64, ints({6}, {0, 1, 3, 63, 64, 2})}},
                 [](const std::vector<Tensor> &in) -> Outputs {
                   Tensor a = in[0], b = in[1], s = in[2];
                   Tensor p = greater(a, b), q = less(b, s);
                   return {{"rem_i", rem(a, b)},
                           {"mod_i", mod(a, b)},
                           {"and_i", a & b},
                           {"or_i", bitwiseOr(a, b)},
                           {"xor_i", a ^ b},
                           {"not_i", ~a},
                           {"shl", shiftLeft(a, s)},
                           {"shr", shiftRight(a, s)},
                           {"and_b", bitwiseAnd(p, q)},
                           {"or_b", p | q},
                           {"xor_b", bitwiseXor(p, q)},
                           {"not_b", bitwiseNot(p)}};
                 }});

  // Indexing on a [4, 5] matrix.
  all.push_back(
      {"ops_indexing",
       {{{4, 5}, DType::F32, randomTensor({4, 5}, 22)},
        {{4, 3}, DType::I64, randomIndices({4, 3}, 5, 1)},
        {{3, 2}, DType::I64, randomIndices({3, 2}, 4, 2)},
        {{4}, DType::I64, ints({4}, {3, 0, 4, 1})},
        {{5}, DType::I64, ints({5}, {4, 0, 2, 3, 1})}},
       [](const std::vector<Tensor> &in) -> Outputs {
         Tensor x = in[0], idx = in[1], nd = in[2], cls = in[3], len = in[4];
         Tensor updates = slice(x, 1, 0, 3) * 10.0;
         Tensor rowUpdates = slice(x, 0, 0, 3) + 100.0;
         return {{"gather_elements", gatherElements(x, idx, 1)},
                 {"gather_nd", gatherND(x, nd)},
                 {"gather_nd_batch", gatherND(x, slice(idx, 1, 0, 1), 1)},
                 {"scatter_elements", scatterElements(x, idx, updates, 1)},
                 {"scatter_elements_add",
                  scatterElements(x, idx, updates, 1, ScatterReduction::Add)},
                 {"scatter_nd_add", scatterND(x, slice(nd, 1, 0, 1), rowUpdates,
                                              ScatterReduction::Add)},
                 {"scatter_nd_mul", scatterND(x, nd, reduceSum(rowUpdates, {1}),
                                              ScatterReduction::Mul)},
                 {"nonzero", nonZero(relu(x))},
                 {"triu", triu(x, 1)},
                 {"tril", tril(x, -1)},
                 {"one_hot", oneHot(cls, 5)},
                 {"one_hot_axis0", oneHot(cls - 2, 5, 0, DType::I64, -1, 7)},
                 {"reverse_sequence", reverseSequence(x, len)},
                 {"reverse_sequence_b0",
                  reverseSequence(x, slice(len, 0, 0, 4), 0, 1)}};
       }});

  // Shapes as tensors, with a dynamic batch.
  all.push_back(
      {"ops_shapes",
       {{{dyn, 3}, DType::F32, randomTensor({2, 3}, 23)},
        {{3, 1}, DType::F32, floats({3, 1}, {1.f, 2.f, 3.f})},
        {{}, DType::F32, floats({}, {0.5f})},
        {{}, DType::F32, floats({}, {4.0f})},
        {{}, DType::I64, ints({}, {-3})},
        {{1}, DType::I64, ints({1}, {-1})}},
       [](const std::vector<Tensor> &in) -> Outputs {
         Tensor x = in[0], col = in[1];
         Tensor shape = shapeTensor(x);
         return {
             {"shape_of", shape},
             {"shape_of_tail", shapeTensor(x, -1)},
             {"dynamic_reshape", dynamicReshape(reshape(x, {-1}), shape)},
             {"expand", expand(col, {2, 3, 4})},
             {"expand_dynamic",
              expand(unsqueeze(reduceSum(x, {0}), {0}), shape)},
             {"tile", tile(x, {2, 3})},
             {"pad_constant", pad(x, {1, 0, 0, 2}, 7.0)},
             {"pad_reflect", pad(x, {0, 2, 0, 1}, 0.0, PadMode::Reflect)},
             {"pad_edge", pad(x, {1, 1, 2, 0}, 0.0, PadMode::Edge)},
             {"pad_crop", pad(x, {0, -1, 0, 0})},
             {"constant_of_shape", constantOfShape(shape, 2.5)},
             {"constant_of_shape_i64",
              constantOfShape(shapeTensor(x, 1), 9, DType::I64)},
             {"full_like", fullLike(x, -1.0)},
             {"range", range(in[2], in[3], in[2] + 0.25)},
             {"range_i64", range(in[4], in[4] + 10, in[4] * in[4] - 6)},
             {"dynamic_reduce_sum", dynamicReduceSum(x, in[5])},
             {"dynamic_reduce_sum_keep", dynamicReduceSum(x, in[5] + 1, true)}};
       }});

  // NCHW ops.
  all.push_back(
      {"ops_nn",
       {{{dyn, 3, 5, 5}, DType::F32, randomTensor({2, 3, 5, 5}, 24)},
        {{3, 2, 3, 3}, DType::F32, randomTensor({3, 2, 3, 3}, 25)},
        {{2}, DType::F32, floats({2}, {0.25f, -0.5f})},
        {{2, 4, 3, 2}, DType::F32, randomTensor({2, 4, 3, 2}, 26, -1.1, 1.1)}},
       [](const std::vector<Tensor> &in) -> Outputs {
         Tensor x = in[0], w = in[1], b = in[2], grid = in[3];
         auto pooled = maxPool2dWithIndices(x, {2, 2}, {1, 2}, {0, 0, 1, 0});
         ResizeOptions linear;
         linear.mode = "linear";
         ResizeOptions corners;
         corners.mode = "linear";
         corners.coordinateTransformation = "align_corners";
         ResizeOptions cubic;
         cubic.mode = "cubic";
         cubic.cubicCoeffA = -0.5;
         ResizeOptions nearest;
         nearest.coordinateTransformation = "asymmetric";
         nearest.nearestMode = "floor";
         return {
             {"max_pool_values", pooled.values},
             {"max_pool_indices", pooled.indices},
             {"conv_transpose",
              convTranspose(x, w, b, {2, 2}, {1, 0, 1, 1}, {1, 1}, {1, 0})},
             {"conv_transpose_plain", convTranspose(x, w, Tensor())},
             {"resize_nearest", resize(x, {2, 3, 8, 3})},
             {"resize_nearest_floor", resizeScales(x, {1, 1, 2, 0.6}, nearest)},
             {"resize_linear", resizeScales(x, {1, 1, 1.6, 2}, linear)},
             {"resize_linear_corners", resize(x, {2, 3, 7, 4}, corners)},
             {"resize_cubic", resizeScales(x, {1, 1, 1.6, 2}, cubic)},
             {"grid_sample", gridSample(x, grid)},
             {"grid_sample_nearest_border",
              gridSample(x, grid, "nearest", "border", true)},
             {"lrn", lrn(x, 3, 0.1, 0.75, 2.0)}};
       }});

  // Linear algebra.
  all.push_back(
      {"ops_linalg",
       {{{2, 3, 4}, DType::F32, randomTensor({2, 3, 4}, 27)},
        {{2, 4, 5}, DType::F32, randomTensor({2, 4, 5}, 28)},
        {{2, 3, 3}, DType::F32, randomTensor({2, 3, 3}, 29, -2.0, 2.0)}},
       [](const std::vector<Tensor> &in) -> Outputs {
         return {{"einsum_bmm", einsum("bij,bjk->bik", {in[0], in[1]})},
                 {"einsum_trace", einsum("bii->b", {in[2]})},
                 {"einsum_outer", einsum("bij,bkl->bjl", {in[0], in[1]})},
                 {"det", det(in[2])}};
       }});

  // Losses.
  all.push_back(
      {"ops_losses",
       {{{dyn, 3}, DType::F32, randomTensor({4, 3}, 30, -2.0, 2.0)},
        {{dyn, 3}, DType::F32, randomTensor({4, 3}, 31, -2.0, 2.0)},
        {{dyn}, DType::I64, ints({4}, {2, 0, 1, 2})},
        {{3}, DType::F32, floats({3}, {0.5f, 2.0f, 1.0f})}},
       [](const std::vector<Tensor> &in) -> Outputs {
         Tensor p = in[0], t = in[1], labels = in[2], w = in[3];
         Tensor probs = sigmoid(t);
         return {{"mse", mseLoss(p, t)},
                 {"mae", maeLoss(p, t)},
                 {"huber", huberLoss(p, t, 0.5)},
                 {"bce", bceWithLogitsLoss(p, probs)},
                 {"ce_int", crossEntropyLoss(p, labels)},
                 {"ce_soft", crossEntropyLoss(p, softmax(t))},
                 {"nll_mean", nllLoss(logSoftmax(p), labels)},
                 {"nll_weighted_ignore",
                  nllLoss(logSoftmax(p), labels, w, LossReduction::Mean, 0)},
                 {"nll_none",
                  nllLoss(logSoftmax(p), labels, w, LossReduction::None)},
                 {"nll_sum", nllLoss(logSoftmax(p), labels, Tensor(),
                                     LossReduction::Sum)}};
       }});
  return all;
}

class OpsTest : public ::testing::TestWithParam<OpsCase> {};

TEST_P(OpsTest, MatchesNumpy) { runCase(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Ops, OpsTest, ::testing::ValuesIn(cases()),
                         [](const auto &info) { return info.param.test; });

//===----------------------------------------------------------------------===//
// Build-time errors: an Error naming the op and the shapes, never a crash.
//===----------------------------------------------------------------------===//

struct ErrorCase {
  std::string test;
  std::function<void(Graph &)> build;
  /// Substrings the message must contain.
  std::vector<std::string> expected;
};

class OpErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(OpErrorTest, NamesOpAndShapes) {
  const ErrorCase &c = GetParam();
  Graph g;
  std::string message;
  try {
    c.build(g);
  } catch (const Error &e) {
    message = e.what();
  }
  ASSERT_FALSE(message.empty()) << "no error";
  for (const std::string &s : c.expected)
    EXPECT_NE(message.find(s), std::string::npos)
        << "'" << s << "' missing from: " << message;
}

std::vector<ErrorCase> errorCases() {
  return {
      {"gather_elements_rank",
       [](Graph &g) {
         gatherElements(g.input("x", {4, 5}), g.input("i", {4}, DType::I64), 1);
       },
       {"kiln.gather_elements", "[4, 5]", "[4]", "rank"}},
      {"gather_nd_dynamic_depth",
       [](Graph &g) {
         gatherND(g.input("x", {4, 5}), g.input("i", {3, dyn}, DType::I64));
       },
       {"kiln.gather_nd", "[3, ?]"}},
      {"scatter_nd_updates",
       [](Graph &g) {
         scatterND(g.input("x", {4, 5}), g.input("i", {3, 1}, DType::I64),
                   g.input("u", {3, 4}));
       },
       {"kiln.scatter_nd", "[4, 5]", "[3, 4]"}},
      {"and_on_floats",
       [](Graph &g) { g.input("a", {3}) & g.input("b", {3}); },
       {"kiln.and", "[3] f32"}},
      {"shift_broadcast",
       [](Graph &g) {
         shiftLeft(g.input("a", {3}, DType::I64),
                   g.input("b", {4}, DType::I64));
       },
       {"kiln.shift_left", "[3]", "[4]"}},
      {"tan_on_integers",
       [](Graph &g) { tan(g.input("a", {3}, DType::I64)); },
       {"kiln.tan", "[3] i64"}},
      {"topk_too_large",
       [](Graph &g) {
         topK(g.input("x", {2, 3}), 4);
       },
       {"kiln.topk", "[2, 3]"}},
      {"cumsum_axis",
       [](Graph &g) {
         cumsum(g.input("x", {2, 3}), 2);
       },
       {"kiln.cumsum", "axis 2", "rank 2"}},
      {"trilu_vector",
       [](Graph &g) { triu(g.input("x", {3})); },
       {"kiln.trilu", "[3]"}},
      {"one_hot_depth",
       [](Graph &g) { oneHot(g.input("i", {3}, DType::I64), 0); },
       {"kiln.one_hot", "depth"}},
      {"reverse_sequence_lengths",
       [](Graph &g) {
         reverseSequence(g.input("x", {4, 5}), g.input("l", {4}, DType::I64));
       },
       {"kiln.reverse_sequence", "[4, 5]", "[4]"}},
      {"shape_of_range",
       [](Graph &g) {
         shapeTensor(g.input("x", {2, 3}), 1, 5);
       },
       {"kiln.shape_of", "[2, 3]"}},
      {"dynamic_reduce_sum_no_axes",
       [](Graph &g) {
         dynamicReduceSum(g.input("x", {2, 3}),
                          g.constant({0}, {}, DType::I64));
       },
       {"kiln.dynamic_reduce_sum", "[0]"}},
      {"dynamic_reshape_matrix",
       [](Graph &g) {
         dynamicReshape(g.input("x", {6}), g.input("s", {2, 2}, DType::I64));
       },
       {"kiln.dynamic_reshape", "[2, 2]"}},
      {"expand_incompatible",
       [](Graph &g) {
         expand(g.input("x", {3, 2}), {3, 4});
       },
       {"kiln.expand", "[3, 2]"}},
      {"tile_count",
       [](Graph &g) {
         tile(g.input("x", {3, 2}), {2});
       },
       {"kiln.tile", "[3, 2]"}},
      {"pad_count",
       [](Graph &g) {
         pad(g.input("x", {3, 2}), {1, 1});
       },
       {"kiln.pad", "[3, 2]"}},
      {"range_types",
       [](Graph &g) {
         range(g.input("a", {}), g.input("b", {}, DType::I64),
               g.input("c", {}));
       },
       {"kiln.range"}},
      {"max_pool_indices_rank",
       [](Graph &g) {
         maxPool2dWithIndices(g.input("x", {3, 8, 8}), {2, 2});
       },
       {"kiln.max_pool2d_with_indices", "[3, 8, 8]"}},
      {"conv_transpose_channels",
       [](Graph &g) {
         convTranspose(g.input("x", {1, 3, 5, 5}), g.input("w", {4, 2, 3, 3}),
                       Tensor());
       },
       {"kiln.conv_transpose", "[1, 3, 5, 5]", "[4, 2, 3, 3]"}},
      {"conv_transpose_rank",
       [](Graph &g) {
         convTranspose(g.input("x", {3, 5}), g.input("w", {3, 2}), Tensor());
       },
       {"kiln.conv_transpose", "[3, 5]"}},
      {"resize_count",
       [](Graph &g) {
         resize(g.input("x", {1, 2, 4, 4}), {8, 8});
       },
       {"kiln.resize", "[1, 2, 4, 4]"}},
      {"resize_mode",
       [](Graph &g) {
         ResizeOptions o;
         o.mode = "bilinear";
         resize(g.input("x", {1, 2, 4, 4}), {1, 2, 8, 8}, o);
       },
       {"kiln.resize", "bilinear"}},
      {"grid_sample_grid",
       [](Graph &g) {
         gridSample(g.input("x", {1, 2, 4, 4}), g.input("p", {1, 3, 3, 3}));
       },
       {"kiln.grid_sample", "[1, 3, 3, 3]"}},
      {"lrn_size",
       [](Graph &g) {
         lrn(g.input("x", {1, 2, 4, 4}), 0);
       },
       {"kiln.lrn", "size"}},
      {"einsum_equation",
       [](Graph &g) {
         einsum("ij,jk->ik", {g.input("a", {2, 3}), g.input("b", {4, 5})});
       },
       {"kiln.einsum", "[2, 3]", "[4, 5]"}},
      {"det_not_square",
       [](Graph &g) {
         det(g.input("x", {2, 3}));
       },
       {"kiln.det", "[2, 3]"}},
      {"mse_shapes",
       [](Graph &g) {
         mseLoss(g.input("p", {4, 3}), g.input("t", {4, 2}));
       },
       {"kiln.mse_loss", "[4, 3]", "[4, 2]"}},
      {"cross_entropy_labels",
       [](Graph &g) {
         crossEntropyLoss(g.input("p", {4, 3}), g.input("t", {5}, DType::I64));
       },
       {"kiln.cross_entropy_loss", "[4, 3]", "[5]"}},
      {"nll_target",
       [](Graph &g) {
         nllLoss(g.input("p", {4, 3}), g.input("t", {4, 2}, DType::I64));
       },
       {"kiln.nll_loss", "[4, 3]", "[4, 2]"}},
  };
}

INSTANTIATE_TEST_SUITE_P(Ops, OpErrorTest, ::testing::ValuesIn(errorCases()),
                         [](const auto &info) { return info.param.test; });

TEST(DSLOpErrors, LayerScopeNamesTheLayer) {
  Graph g;
  Tensor x = g.input("x", {2, 3});
  LayerScope scope(g, "Custom", "mine");
  try {
    det(x);
    FAIL() << "no error";
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find("layer 'mine' (Custom)"),
              std::string::npos)
        << e.what();
  }
}

//===----------------------------------------------------------------------===//
// ONNX export: every op that has an opset 17 form round-trips identically;
// the others fail with an error naming the op.
//===----------------------------------------------------------------------===//

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
  options.target.optLevel = 1;
  auto model = mlir::kiln::compileAndLoad(*module, options);
  EXPECT_TRUE(bool(model)) << llvm::toString(model.takeError());
  if (!model)
    return {};
  kiln::Model runtimeModel(*model);
  return runtimeModel.run(in);
}

/// Byte-for-byte equality of every output, whatever its element type.
void expectIdentical(const std::vector<kiln::Tensor> &a,
                     const std::vector<kiln::Tensor> &b,
                     const std::vector<std::string> &names) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE(names[i]);
    ASSERT_EQ(a[i].shape(), b[i].shape());
    ASSERT_EQ(a[i].dtype(), b[i].dtype());
    size_t width = kiln_dtype_size(a[i].dtype());
    size_t differ = 0;
    for (size_t k = 0; k < a[i].size(); ++k)
      differ += std::memcmp(a[i].data<char>() + k * width,
                            b[i].data<char>() + k * width, width) != 0;
    EXPECT_EQ(differ, 0u) << differ << " of " << a[i].size()
                          << " values differ";
  }
}

TEST(DSLOpsRoundTrip, EveryExportableOp) {
  Graph g(/*seed=*/4);
  Tensor x = g.input("x", {dyn, 3, 4, 4});
  Tensor m = g.input("m", {dyn, 5});
  Tensor idx = g.input("idx", {dyn, 3}, DType::I64);
  Tensor k = g.input("k", {6}, DType::I64);
  Tensor w = g.parameter("w", {3, 2, 3, 3}, init::glorotUniform());

  Tensor u = tanh(m) * 0.9;
  Tensor pos = abs(m) + 1.0;
  Tensor p = greater(m, g.scalar(0)), q = less(m, g.scalar(0.5));
  Tensor column = slice(idx, 1, 0, 1);
  Tensor labels = squeeze(column, {1});
  Tensor grid = tanh(transpose(slice(x, 1, 0, 2), {0, 2, 3, 1}));
  auto top = topK(m, 2);
  auto pooled = maxPool2dWithIndices(x, {2, 2}, {}, {0, 0, 1, 1});
  ResizeOptions linear;
  linear.mode = "linear";
  Outputs outs = {
      {"tan", tan(u)},
      {"asin", asin(u)},
      {"acos", acos(u)},
      {"atan", atan(u)},
      {"sinh", sinh(u)},
      {"cosh", cosh(u)},
      {"asinh", asinh(u)},
      {"acosh", acosh(pos)},
      {"atanh", atanh(u)},
      {"round", round(m * 3.0)},
      {"rem", rem(m * 5.0, pos)},
      {"rem_i", rem(k, g.constant({6}, {3, -4, 5, 2, -7, 6}, DType::I64))},
      {"mod_i", mod(k, g.constant({6}, {3, -4, 5, 2, -7, 6}, DType::I64))},
      {"and", p & q},
      {"or", p | q},
      {"xor", p ^ q},
      {"not", ~p},
      {"reduce_prod", reduceProd(m, {1})},
      {"dynamic_reduce_sum",
       dynamicReduceSum(m, g.constant({1}, {1}, DType::I64))},
      {"argmin", argmin(m, 1, false, true)},
      {"argmax_last", argmax(m, 0, true, true)},
      {"cumsum", cumsum(m, 1, true, true)},
      {"topk_values", top.values},
      {"topk_indices", top.indices},
      {"gather_elements", gatherElements(m, idx, 1)},
      {"gather_nd", gatherND(m, column, 1)},
      {"scatter_elements", scatterElements(m, idx, slice(u * 3.0, 1, 0, 3), 1,
                                           ScatterReduction::Add)},
      {"scatter_nd", scatterND(m, g.constant({2, 1}, {1, 0}, DType::I64),
                               slice(pos, 0, 0, 2))},
      {"nonzero", nonZero(relu(m))},
      {"triu", triu(m, 1)},
      {"tril", tril(m)},
      {"one_hot", oneHot(idx, 5)},
      {"reverse_sequence", reverseSequence(m, labels, 0, 1)},
      {"einsum", einsum("ij,kj->ik", {m, u})},
      {"det", det(x)},
      {"max_pool_values", pooled.values},
      {"max_pool_indices", pooled.indices},
      {"conv_transpose",
       convTranspose(x, w, Tensor(), {2, 2}, {1, 1, 0, 0}, {1, 1}, {1, 1})},
      {"resize", resizeScales(x, {1, 1, 2, 1.5}, linear)},
      {"grid_sample", gridSample(x, grid)},
      {"lrn", lrn(x, 3)},
      {"mse", mseLoss(m, u)},
      {"mae", maeLoss(m, u)},
      {"huber", huberLoss(m, u, 0.7)},
      {"bce", bceWithLogitsLoss(m, sigmoid(u))},
      {"ce_int", crossEntropyLoss(m, labels)},
      {"ce_soft", crossEntropyLoss(m, softmax(u))},
      {"nll", nllLoss(logSoftmax(m), labels, g.constant({5}, {1, 2, 0.5, 1, 3}),
                      LossReduction::Mean, 1)},
      {"shape_of", shapeTensor(x, 1)},
      {"dynamic_reshape", dynamicReshape(reshape(m, {-1}), shapeTensor(m))},
      {"expand", expand(unsqueeze(reduceMax(m, {0}), {0}), shapeTensor(m))},
      {"tile", tile(m, {2, 1})},
      {"pad", pad(m, {1, 0, 0, 2}, 3.0)},
      {"pad_reflect", pad(m, {0, 2, 0, 1}, 0.0, PadMode::Reflect)},
      {"pad_edge", pad(m, {1, 1, 0, 0}, 0.0, PadMode::Edge)},
      {"constant_of_shape", constantOfShape(shapeTensor(m), 1.5)},
      {"full_like", fullLike(m, 2.0)},
      {"range", range(reduceMin(k), reduceMax(k), g.scalar(2, DType::I64))},
  };
  std::vector<std::string> names;
  for (auto &[name, t] : outs) {
    g.output(name, t);
    names.push_back(name);
  }
  Model model(std::move(g));

  kiln::Tensor xData = randomTensor({3, 3, 4, 4}, 41);
  kiln::Tensor mData = randomTensor({3, 5}, 42, -2.0, 2.0);
  kiln::Tensor idxData = randomIndices({3, 3}, 5, 43);
  kiln::Tensor kData = ints({6}, {17, -17, 5, -5, 12, 1});
  std::vector<const kiln::Tensor *> in = {&xData, &mData, &idxData, &kData};
  Target target;
  target.optLevel = 1;
  model.compile(target);
  std::vector<kiln::Tensor> expected = model.predict(in);

  std::string dir = scratchDir("ops_roundtrip");
  std::string path = dir + "/model.onnx";
  model.saveOnnx(path);
  std::string check = std::string(KILN_PYTHON) +
                      " -c 'import onnx, sys; "
                      "onnx.checker.check_model(onnx.load(sys.argv[1]), "
                      "full_check=True)' " +
                      path;
  EXPECT_EQ(std::system(check.c_str()), 0) << "onnx.checker rejects " << path;
  expectIdentical(expected, runOnnx(path, in), names);
}

/// What saveOnnx says about an op with no opset 17 form.
std::string exportError(const std::function<Tensor(Graph &)> &build) {
  Graph g;
  g.output("y", build(g));
  Model model(std::move(g));
  std::string dir = scratchDir("ops_export_error");
  try {
    model.saveOnnx(dir + "/model.onnx");
  } catch (const Error &e) {
    EXPECT_FALSE(std::filesystem::exists(dir + "/model.onnx"));
    return e.what();
  }
  return "";
}

TEST(DSLOpsRoundTrip, OpsWithoutOnnxFormNameTheOp) {
  std::string shift = exportError([](Graph &g) {
    Tensor a = g.input("a", {3}, DType::I64);
    return shiftLeft(a, a);
  });
  EXPECT_NE(shift.find("kiln.shift_left"), std::string::npos) << shift;
  EXPECT_NE(shift.find("unsigned"), std::string::npos) << shift;

  std::string bitwise = exportError([](Graph &g) {
    Tensor a = g.input("a", {3}, DType::I32);
    return a & a;
  });
  EXPECT_NE(bitwise.find("kiln.and"), std::string::npos) << bitwise;

  std::string floatMod = exportError(
      [](Graph &g) { return mod(g.input("a", {3}), g.input("b", {3})); });
  EXPECT_NE(floatMod.find("kiln.mod"), std::string::npos) << floatMod;

  std::string sequence = exportError([](Graph &g) {
    return reverseSequence(g.input("a", {2, 3, 4}),
                           g.input("l", {4}, DType::I64), 2, 1);
  });
  EXPECT_NE(sequence.find("kiln.reverse_sequence"), std::string::npos)
      << sequence;
}

} // namespace
