//===- Layers.cpp - Keras-style layers over DSL ops -----------------------===//
//
// Each layer checks what its input must be (rank, static extents its
// parameters depend on), creates its parameters on the first call, and
// builds its formula from the DSL's functions inside a LayerScope, so that
// any failure below names the layer.
//
//===----------------------------------------------------------------------===//

#include "kiln/Frontends/DSL/Layers.h"
#include "GraphImpl.h"

#include "kiln/Training/TrainingStep.h"

#include <cctype>
#include <cmath>

using namespace kiln::dsl;
using namespace kiln::dsl::detail;

namespace {

std::string lowerSnake(const std::string &kind) {
  std::string s;
  for (size_t i = 0; i < kind.size(); ++i) {
    char c = kind[i];
    if (std::isupper((unsigned char)c)) {
      bool wordStart = i > 0 && std::islower((unsigned char)kind[i - 1]);
      if (wordStart)
        s += '_';
      s += (char)std::tolower((unsigned char)c);
    } else {
      s += c;
    }
  }
  return s;
}

/// Explicit pads [top, left, bottom, right] for `padding` over `x`.
std::vector<int64_t> padsFor(GraphImpl &g, const std::string &where,
                             const Tensor &x, Padding padding,
                             const std::vector<int64_t> &kernel,
                             const std::vector<int64_t> &strides,
                             const std::vector<int64_t> &dilations) {
  std::vector<int64_t> pads = {0, 0, 0, 0};
  if (padding == Padding::Valid)
    return pads;
  for (int i = 0; i < 2; ++i) {
    int64_t extent = x.dim(2 + i);
    int64_t window = (kernel[i] - 1) * dilations[i] + 1;
    int64_t total;
    if (strides[i] == 1) {
      total = window - 1;
    } else if (extent == dyn) {
      g.fail(where + ": 'same' padding with stride " +
             std::to_string(strides[i]) +
             " needs static spatial extents, got input " +
             kiln::dsl::shapeString(x.shape()));
    } else {
      int64_t out = (extent + strides[i] - 1) / strides[i];
      total = std::max<int64_t>((out - 1) * strides[i] + window - extent, 0);
    }
    pads[i] = total / 2;
    pads[i + 2] = total - total / 2;
  }
  return pads;
}

void checkPair(GraphImpl &g, const std::string &what,
               const std::vector<int64_t> &v) {
  if (v.size() != 2 || v[0] <= 0 || v[1] <= 0)
    g.fail(g.scopes.back() + ": " + what +
           " must be two positive numbers, got " + kiln::dsl::shapeString(v));
}

void checkRank(GraphImpl &g, const Tensor &x, int64_t rank,
               const std::string &layout) {
  if (x.rank() != rank)
    g.fail(g.scopes.back() + " expects a rank-" + std::to_string(rank) +
           " input " + layout + ", got " + kiln::dsl::shapeString(x.shape()));
}

/// A static extent of `x` the layer's parameters are sized by.
int64_t staticDim(GraphImpl &g, const Tensor &x, int64_t d,
                  const std::string &what) {
  int64_t extent = x.dim(d);
  if (extent == dyn)
    g.fail(g.scopes.back() + " needs a static " + what + " (dimension " +
           std::to_string(d) + "), got input " +
           kiln::dsl::shapeString(x.shape()));
  return extent;
}

/// Fails when a built layer is called on an input whose `what` (size
/// `extent`) differs from the one its parameters were made for.
void checkBuiltFor(GraphImpl &g, int64_t builtFor, int64_t extent,
                   const Tensor &x, const std::string &what) {
  if (builtFor != extent)
    g.fail(g.scopes.back() + " was built for inputs with " + what + " " +
           std::to_string(builtFor) + " and cannot take an input of shape " +
           kiln::dsl::shapeString(x.shape()));
}

} // namespace

namespace kiln::dsl {

Tensor activate(const Tensor &x, Activation activation) {
  switch (activation) {
  case Activation::None:
    return x;
  case Activation::Relu:
    return relu(x);
  case Activation::Sigmoid:
    return sigmoid(x);
  case Activation::Tanh:
    return tanh(x);
  case Activation::Softmax:
    return softmax(x, -1);
  case Activation::Gelu:
    return gelu(x);
  case Activation::Silu:
    return silu(x);
  case Activation::LeakyRelu:
    return leakyRelu(x);
  case Activation::Elu:
    return elu(x);
  case Activation::Softplus:
    return softplus(x);
  }
  return x;
}

//===----------------------------------------------------------------------===//
// Layer
//===----------------------------------------------------------------------===//

Layer::Layer(std::string kind, std::string name)
    : layerKind(std::move(kind)), layerName(std::move(name)) {}
Layer::~Layer() = default;

void Layer::enter(const Tensor &x) {
  GraphImpl &g = graphOf(x);
  if (!graph) {
    graph = &g;
    if (layerName.empty())
      layerName = lowerSnake(layerKind);
    std::string base = layerName;
    for (int i = 1; !g.usedNames.insert(layerName).second; ++i)
      layerName = base + "_" + std::to_string(i);
  } else if (graph != &g) {
    throw Error("layer '" + layerName + "' (" + layerKind +
                ") belongs to another graph");
  }
}

Tensor Layer::operator()(const Tensor &x) {
  enter(x);
  LayerScope scope(x, layerKind, layerName);
  return call(x);
}

Tensor Layer::param(const Tensor &x, const std::string &what,
                    const std::vector<int64_t> &shape,
                    const Initializer &init) {
  return graphOf(x).parameter(layerName + "." + what, shape, init);
}

Tensor dense(const Tensor &x, int64_t units, Activation activation) {
  return Dense(units, activation)(x);
}

//===----------------------------------------------------------------------===//
// Dense
//===----------------------------------------------------------------------===//

Dense::Dense(int64_t units, Activation activation, std::string name)
    : Layer("Dense", std::move(name)), units(units), activation(activation) {
  if (units <= 0)
    throw Error("Dense needs a positive number of units, got " +
                std::to_string(units));
}

Tensor Dense::call(const Tensor &x) {
  GraphImpl &g = graphOf(x);
  if (x.rank() < 1)
    g.fail(g.scopes.back() + " expects an input of rank >= 1, got a scalar");
  int64_t in = staticDim(g, x, -1, "last dimension (in-features)");
  if (!w) {
    inFeatures = in;
    w = param(x, "kernel", {in, units}, kernelInit);
    if (bias_)
      b = param(x, "bias", {units}, biasInit);
  }
  checkBuiltFor(g, inFeatures, in, x, "last dimension");
  Tensor y = matmul(x, w);
  if (b)
    y = y + b;
  return activate(y, activation);
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

Conv2D::Conv2D(int64_t filters, std::vector<int64_t> kernelSize,
               Activation activation, std::string name)
    : Layer("Conv2D", std::move(name)), filters(filters),
      kernelSize(std::move(kernelSize)), activation(activation) {
  if (filters <= 0)
    throw Error("Conv2D needs a positive number of filters, got " +
                std::to_string(filters));
}

Tensor Conv2D::call(const Tensor &x) {
  GraphImpl &g = graphOf(x);
  checkRank(g, x, 4, "[N, C, H, W]");
  checkPair(g, "kernel size", kernelSize);
  checkPair(g, "strides", strides_);
  checkPair(g, "dilations", dilations_);
  int64_t c = staticDim(g, x, 1, "channel count");
  if (!w) {
    inChannels = c;
    w = param(x, "kernel", {filters, c, kernelSize[0], kernelSize[1]},
              kernelInit);
    if (bias_)
      b = param(x, "bias", {filters}, biasInit);
  }
  checkBuiltFor(g, inChannels, c, x, "channel count");
  std::vector<int64_t> pads = padsFor(g, g.scopes.back(), x, padding_,
                                      kernelSize, strides_, dilations_);
  return activate(conv2d(x, w, b, strides_, pads, dilations_), activation);
}

MaxPool2D::MaxPool2D(std::vector<int64_t> poolSize, std::string name)
    : Layer("MaxPool2D", std::move(name)), poolSize(std::move(poolSize)) {}

Tensor MaxPool2D::call(const Tensor &x) {
  GraphImpl &g = graphOf(x);
  checkRank(g, x, 4, "[N, C, H, W]");
  checkPair(g, "pool size", poolSize);
  std::vector<int64_t> s = strides_.empty() ? poolSize : strides_;
  checkPair(g, "strides", s);
  return maxPool2d(
      x, poolSize, s,
      padsFor(g, g.scopes.back(), x, padding_, poolSize, s, {1, 1}));
}

AvgPool2D::AvgPool2D(std::vector<int64_t> poolSize, std::string name)
    : Layer("AvgPool2D", std::move(name)), poolSize(std::move(poolSize)) {}

Tensor AvgPool2D::call(const Tensor &x) {
  GraphImpl &g = graphOf(x);
  checkRank(g, x, 4, "[N, C, H, W]");
  checkPair(g, "pool size", poolSize);
  std::vector<int64_t> s = strides_.empty() ? poolSize : strides_;
  checkPair(g, "strides", s);
  // Keras averages over the input elements only: padding does not count.
  return avgPool2d(
      x, poolSize, s,
      padsFor(g, g.scopes.back(), x, padding_, poolSize, s, {1, 1}),
      /*countIncludePad=*/false);
}

GlobalAvgPool::GlobalAvgPool(std::string name)
    : Layer("GlobalAvgPool", std::move(name)) {}

Tensor GlobalAvgPool::call(const Tensor &x) {
  checkRank(graphOf(x), x, 4, "[N, C, H, W]");
  return reduceMean(x, {2, 3}, /*keepDims=*/false);
}

Flatten::Flatten(std::string name) : Layer("Flatten", std::move(name)) {}

Tensor Flatten::call(const Tensor &x) {
  if (x.rank() < 1)
    graphOf(x).fail(graphOf(x).scopes.back() +
                    " expects an input of rank >= 1, got a scalar");
  return flatten(x, 1);
}

Dropout::Dropout(double rate, std::string name)
    : Layer("Dropout", std::move(name)), rate_(rate) {
  if (!(rate >= 0 && rate < 1))
    throw Error("Dropout needs a rate in [0, 1), got " + std::to_string(rate));
}

/// kiln.dropout with `training` a constant false, marked kTrainModeAttr:
/// predict, evaluate and the saved files see the identity, and the
/// training step (buildTrainingFunctions) switches it on. The seed depends
/// on the layer's name and the graph's seed, so that two Dropout layers
/// draw independent masks and a model built twice draws the same ones; it
/// is read without advancing the graph's generator, so adding a Dropout
/// does not change any other layer's initial weights.
Tensor Dropout::call(const Tensor &x) {
  GraphImpl &g = graphOf(x);
  mlir::Value v = valueOf(x, &g);
  auto type = mlir::dyn_cast<mlir::RankedTensorType>(v.getType());
  if (!type || !mlir::isa<mlir::FloatType>(type.getElementType()))
    g.fail(g.scopes.back() + " expects a floating-point input");
  if (rate_ == 0)
    return x;
  uint64_t seed = 0xcbf29ce484222325ull; // FNV-1a
  for (unsigned char c : layerName)
    seed = (seed ^ c) * 0x100000001b3ull;
  seed ^= g.rngState;
  mlir::Value ratio = g.constant({}, {rate_}, type.getElementType());
  mlir::Value off = g.constant({}, {0.0}, g.builder.getI1Type());
  auto op = g.build<mlir::kiln::DropoutOp>(
      {v, ratio, off}, v, ratio, off,
      g.builder.getI64IntegerAttr((int64_t)(seed & INT64_MAX)));
  op->setAttr(mlir::kiln::kTrainModeAttr, g.builder.getUnitAttr());
  return g.wrap(op.getOutput());
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

BatchNorm::BatchNorm(double epsilon, std::string name)
    : Layer("BatchNorm", std::move(name)), epsilon(epsilon) {
  if (!(epsilon >= 0))
    throw Error("BatchNorm needs an epsilon >= 0, got " +
                std::to_string(epsilon));
}

BatchNorm &BatchNorm::momentum(double m) {
  if (!(m >= 0 && m <= 1))
    throw Error("BatchNorm needs a momentum in [0, 1], got " +
                std::to_string(m));
  if (gamma)
    throw Error("layer '" + layerName +
                "' (BatchNorm): set the momentum before the first call");
  momentum_ = m;
  return *this;
}

Tensor BatchNorm::call(const Tensor &x) {
  GraphImpl &g = graphOf(x);
  if (x.rank() < 2)
    g.fail(g.scopes.back() + " expects an input [N, C, ...], got " +
           kiln::dsl::shapeString(x.shape()));
  int64_t c = staticDim(g, x, 1, "channel count");
  if (!gamma) {
    channels = c;
    gamma = param(x, "gamma", {c}, init::ones());
    beta = param(x, "beta", {c}, init::zeros());
    // The running statistics: buffers, which the training step updates.
    auto buffer = [&](const char *what, double value) {
      mlir::Value v = g.constant({c}, {value}, g.builder.getF32Type());
      v.getDefiningOp()->setAttr(
          mlir::kiln::kBufferAttr,
          g.builder.getStringAttr(layerName + "." + what));
      return g.wrap(v);
    };
    mean = buffer("running_mean", 0.0);
    variance = buffer("running_var", 1.0);
  } else {
    // One layer called twice would update its statistics twice a step.
    g.fail(g.scopes.back() + " is called a second time; a BatchNorm keeps "
                             "running statistics of one input");
  }
  checkBuiltFor(g, channels, c, x, "channel count");
  Tensor y = batchNorm(x, gamma, beta, mean, variance, epsilon);
  valueOf(y, &g).getDefiningOp()->setAttr(mlir::kiln::kTrainModeAttr,
                                          g.builder.getF64FloatAttr(momentum_));
  return y;
}

LayerNorm::LayerNorm(double epsilon, std::string name)
    : Layer("LayerNorm", std::move(name)), epsilon(epsilon) {}

Tensor LayerNorm::call(const Tensor &x) {
  GraphImpl &g = graphOf(x);
  if (x.rank() < 1)
    g.fail(g.scopes.back() + " expects an input of rank >= 1, got a scalar");
  int64_t f = staticDim(g, x, -1, "last dimension");
  if (!gamma) {
    features = f;
    gamma = param(x, "gamma", {f}, init::ones());
    beta = param(x, "beta", {f}, init::zeros());
  }
  checkBuiltFor(g, features, f, x, "last dimension");
  return layerNorm(x, gamma, beta, -1, epsilon);
}

//===----------------------------------------------------------------------===//
// Embedding
//===----------------------------------------------------------------------===//

Embedding::Embedding(int64_t vocabSize, int64_t dim, std::string name)
    : Layer("Embedding", std::move(name)), vocabSize(vocabSize), dim(dim) {
  if (vocabSize <= 0 || dim <= 0)
    throw Error("Embedding needs a positive vocabulary size and dimension");
}

Tensor Embedding::call(const Tensor &x) {
  GraphImpl &g = graphOf(x);
  if (x.dtype() != DType::I64 && x.dtype() != DType::I32)
    g.fail(g.scopes.back() + " expects integer indices, got " +
           dtypeName(x.dtype()) + " input " +
           kiln::dsl::shapeString(x.shape()));
  if (!t)
    t = param(x, "embeddings", {vocabSize, dim}, tableInit);
  return gather(t, x, 0);
}

//===----------------------------------------------------------------------===//
// Recurrent layers, unrolled over static time steps
//===----------------------------------------------------------------------===//

namespace {

/// Step `t` of [N, T, F] as [N, F].
Tensor step(const Tensor &x, int64_t t) {
  return squeeze(slice(x, 1, t, t + 1), {1});
}

Tensor gate(const Tensor &z, int64_t units, int64_t k) {
  return slice(z, -1, k * units, (k + 1) * units);
}

Tensor stackSteps(const std::vector<Tensor> &hs) {
  std::vector<Tensor> expanded;
  for (const Tensor &h : hs)
    expanded.push_back(unsqueeze(h, {1}));
  return concat(expanded, 1);
}

} // namespace

LSTM::LSTM(int64_t units, std::string name)
    : Layer("LSTM", std::move(name)), units(units) {
  if (units <= 0)
    throw Error("LSTM needs a positive number of units");
}

Tensor LSTM::call(const Tensor &x) {
  GraphImpl &g = graphOf(x);
  checkRank(g, x, 3, "[N, T, F]");
  int64_t steps = staticDim(g, x, 1, "sequence length");
  int64_t f = staticDim(g, x, 2, "feature count");
  if (!kernel) {
    inFeatures = f;
    kernel = param(x, "kernel", {f, 4 * units}, init::glorotUniform());
    recurrent =
        param(x, "recurrent_kernel", {units, 4 * units}, init::glorotUniform());
    // Keras's unit_forget_bias: the forget gate starts open.
    std::vector<double> b(4 * units, 0.0);
    for (int64_t i = units; i < 2 * units; ++i)
      b[i] = 1.0;
    bias = param(x, "bias", {4 * units}, init::zeros());
    auto op = mlir::cast<mlir::kiln::ConstantOp>(valueOf(bias).getDefiningOp());
    std::vector<float> bf(b.begin(), b.end());
    op.setValueAttr(mlir::DenseElementsAttr::get(
        mlir::cast<mlir::ShapedType>(op.getType()), llvm::ArrayRef<float>(bf)));
  }
  checkBuiltFor(g, inFeatures, f, x, "feature count");
  // One matmul for the input part of every step.
  Tensor xw = matmul(x, kernel) + bias;
  Tensor h, c;
  std::vector<Tensor> hs;
  for (int64_t t = 0; t < steps; ++t) {
    Tensor z = step(xw, t);
    if (h) // h = 0 before the first step: no recurrent term.
      z = z + matmul(h, recurrent);
    Tensor i = sigmoid(gate(z, units, 0)), fg = sigmoid(gate(z, units, 1)),
           cand = tanh(gate(z, units, 2)), o = sigmoid(gate(z, units, 3));
    c = c ? fg * c + i * cand : i * cand;
    h = o * tanh(c);
    hs.push_back(h);
  }
  return sequences ? stackSteps(hs) : h;
}

GRU::GRU(int64_t units, std::string name)
    : Layer("GRU", std::move(name)), units(units) {
  if (units <= 0)
    throw Error("GRU needs a positive number of units");
}

Tensor GRU::call(const Tensor &x) {
  GraphImpl &g = graphOf(x);
  checkRank(g, x, 3, "[N, T, F]");
  int64_t steps = staticDim(g, x, 1, "sequence length");
  int64_t f = staticDim(g, x, 2, "feature count");
  if (!kernel) {
    inFeatures = f;
    kernel = param(x, "kernel", {f, 3 * units}, init::glorotUniform());
    recurrent =
        param(x, "recurrent_kernel", {units, 3 * units}, init::glorotUniform());
    bias = param(x, "bias", {3 * units}, init::zeros());
    recurrentBias = param(x, "recurrent_bias", {3 * units}, init::zeros());
  }
  checkBuiltFor(g, inFeatures, f, x, "feature count");
  Tensor xw = matmul(x, kernel) + bias;
  Tensor h;
  std::vector<Tensor> hs;
  for (int64_t t = 0; t < steps; ++t) {
    Tensor xz = step(xw, t);
    // Keras's reset_after form: the reset gate scales the recurrent term
    // after its matmul. Before the first step h = 0, so that term is the
    // recurrent bias alone.
    Tensor hz = h ? matmul(h, recurrent) + recurrentBias : recurrentBias;
    Tensor z = sigmoid(gate(xz, units, 0) + gate(hz, units, 0));
    Tensor r = sigmoid(gate(xz, units, 1) + gate(hz, units, 1));
    Tensor cand = tanh(gate(xz, units, 2) + r * gate(hz, units, 2));
    h = h ? z * h + (1.0 - z) * cand : (1.0 - z) * cand;
    hs.push_back(h);
  }
  return sequences ? stackSteps(hs) : h;
}

//===----------------------------------------------------------------------===//
// Multi-head attention
//===----------------------------------------------------------------------===//

MultiHeadAttention::MultiHeadAttention(int64_t numHeads, int64_t keyDim,
                                       std::string name)
    : Layer("MultiHeadAttention", std::move(name)), numHeads(numHeads),
      keyDim(keyDim) {
  if (numHeads <= 0 || keyDim <= 0)
    throw Error("MultiHeadAttention needs positive numHeads and keyDim");
}

Tensor MultiHeadAttention::call(const Tensor &x) { return attend(x, x); }

Tensor MultiHeadAttention::operator()(const Tensor &query,
                                      const Tensor &keyValue) {
  enter(query);
  LayerScope scope(query, layerKind, layerName);
  return attend(query, keyValue);
}

Tensor MultiHeadAttention::attend(const Tensor &query, const Tensor &kv) {
  GraphImpl &g = graphOf(query, kv);
  checkRank(g, query, 3, "query [N, T, E]");
  checkRank(g, kv, 3, "key/value [N, S, E]");
  int64_t e = staticDim(g, query, 2, "embedding size");
  if (!q) {
    int64_t width = numHeads * keyDim;
    q.emplace(width, Activation::None, layerName + ".query");
    k.emplace(width, Activation::None, layerName + ".key");
    v.emplace(width, Activation::None, layerName + ".value");
    o.emplace(e, Activation::None, layerName + ".output");
  }
  // [N, T, H*D] -> [N, H, T, D]
  auto heads = [&](const Tensor &t) {
    return transpose(reshape(t, {0, 0, numHeads, keyDim}), {0, 2, 1, 3});
  };
  Tensor qh = heads((*q)(query)), kh = heads((*k)(kv)), vh = heads((*v)(kv));
  Tensor scores = matmul(qh, transpose(kh, {0, 1, 3, 2})) *
                  (1.0 / std::sqrt((double)keyDim));
  if (causal_) {
    int64_t tq = staticDim(g, query, 1, "query length (for the causal mask)");
    int64_t tk = staticDim(g, kv, 1, "key length (for the causal mask)");
    // A large negative number rather than -inf: exp gives 0 either way, and
    // no row is ever all masked (the key at the query's own step stays).
    std::vector<double> mask(tq * tk, 0.0);
    for (int64_t i = 0; i < tq; ++i)
      for (int64_t j = i + 1; j < tk; ++j)
        mask[i * tk + j] = -1e9;
    scores =
        scores + g.wrap(g.constant({tq, tk}, mask, g.builder.getF32Type()));
  }
  Tensor attended = matmul(softmax(scores, -1), vh);
  Tensor merged =
      reshape(transpose(attended, {0, 2, 1, 3}), {0, 0, numHeads * keyDim});
  return (*o)(merged);
}

} // namespace kiln::dsl
