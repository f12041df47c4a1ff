//===- Layers.h - The C++ builder DSL: Keras-style layers -------*- C++ -*-===//
//
// A layer is an object that owns its parameters and is called on tensors:
//
//   auto h = Dense(64, Activation::Relu)(x);
//
// Parameters are created on the first call, from the input's shape (the
// in-features of a Dense layer are the input's last dimension), named
// "<layer>.<parameter>" and drawn from the layer's initializers with the
// graph's seeded generator. Calling the same layer object again shares its
// parameters; an input that does not fit them is an Error naming the layer
// and both shapes. While a layer builds, every error names it.
//
// Layouts: images are NCHW, sequences [batch, time, features].
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_DSL_LAYERS_H
#define KILN_FRONTENDS_DSL_LAYERS_H

#include "kiln/Frontends/DSL/Graph.h"

#include <optional>

namespace kiln::dsl {

enum class Activation {
  None,
  Relu,
  Sigmoid,
  Tanh,
  Softmax, ///< over the last axis
  Gelu,
  Silu,
  LeakyRelu, ///< alpha 0.01
  Elu,
  Softplus
};

/// `x` through `activation` (None: `x` itself).
Tensor activate(const Tensor &x, Activation activation);

/// Base of all layers: a kind ("Dense"), a name unique in its graph, and the
/// scope that makes errors name the layer.
class Layer {
public:
  virtual ~Layer();
  /// The layer's name; set on the first call unless given.
  const std::string &name() const { return layerName; }
  const std::string &kind() const { return layerKind; }

  Tensor operator()(const Tensor &x);

protected:
  Layer(std::string kind, std::string name);
  virtual Tensor call(const Tensor &x) = 0;
  /// Names the layer (on first use) and checks that `x` belongs to the graph
  /// its parameters live in.
  void enter(const Tensor &x);
  Tensor param(const Tensor &x, const std::string &what,
               const std::vector<int64_t> &shape, const Initializer &init);

  std::string layerKind, layerName;
  detail::GraphImpl *graph = nullptr;
};

/// y = activation(x W + b); W is [in, units], x is [..., in].
class Dense : public Layer {
public:
  explicit Dense(int64_t units, Activation activation = Activation::None,
                 std::string name = "");
  Dense &useBias(bool on) {
    bias_ = on;
    return *this;
  }
  Dense &kernelInitializer(Initializer i) {
    kernelInit = i;
    return *this;
  }
  Dense &biasInitializer(Initializer i) {
    biasInit = i;
    return *this;
  }
  Tensor kernel() const { return w; }
  Tensor bias() const { return b; }

protected:
  Tensor call(const Tensor &x) override;

private:
  int64_t units;
  Activation activation;
  bool bias_ = true;
  Initializer kernelInit = init::glorotUniform(), biasInit = init::zeros();
  Tensor w, b;
  int64_t inFeatures = 0;
};

/// How convolution and pooling windows meet the border.
enum class Padding {
  Valid, ///< no padding
  Same   ///< pad so that the output has ceil(input / stride) positions
};

/// 2-D convolution over NCHW input; kernel [filters, C, KH, KW].
class Conv2D : public Layer {
public:
  Conv2D(int64_t filters, std::vector<int64_t> kernelSize,
         Activation activation = Activation::None, std::string name = "");
  Conv2D &strides(std::vector<int64_t> s) {
    strides_ = s;
    return *this;
  }
  Conv2D &padding(Padding p) {
    padding_ = p;
    return *this;
  }
  Conv2D &dilations(std::vector<int64_t> d) {
    dilations_ = d;
    return *this;
  }
  Conv2D &useBias(bool on) {
    bias_ = on;
    return *this;
  }
  Conv2D &kernelInitializer(Initializer i) {
    kernelInit = i;
    return *this;
  }
  Conv2D &biasInitializer(Initializer i) {
    biasInit = i;
    return *this;
  }
  Tensor kernel() const { return w; }
  Tensor bias() const { return b; }

protected:
  Tensor call(const Tensor &x) override;

private:
  int64_t filters;
  std::vector<int64_t> kernelSize, strides_ = {1, 1}, dilations_ = {1, 1};
  Activation activation;
  Padding padding_ = Padding::Valid;
  bool bias_ = true;
  Initializer kernelInit = init::glorotUniform(), biasInit = init::zeros();
  Tensor w, b;
  int64_t inChannels = 0;
};

/// Max or average pooling over NCHW windows; strides default to the window.
class MaxPool2D : public Layer {
public:
  explicit MaxPool2D(std::vector<int64_t> poolSize = {2, 2},
                     std::string name = "");
  MaxPool2D &strides(std::vector<int64_t> s) {
    strides_ = s;
    return *this;
  }
  MaxPool2D &padding(Padding p) {
    padding_ = p;
    return *this;
  }

protected:
  Tensor call(const Tensor &x) override;

private:
  std::vector<int64_t> poolSize, strides_;
  Padding padding_ = Padding::Valid;
};

class AvgPool2D : public Layer {
public:
  explicit AvgPool2D(std::vector<int64_t> poolSize = {2, 2},
                     std::string name = "");
  AvgPool2D &strides(std::vector<int64_t> s) {
    strides_ = s;
    return *this;
  }
  AvgPool2D &padding(Padding p) {
    padding_ = p;
    return *this;
  }

protected:
  Tensor call(const Tensor &x) override;

private:
  std::vector<int64_t> poolSize, strides_;
  Padding padding_ = Padding::Valid;
};

/// The mean over H and W: [N, C, H, W] -> [N, C].
class GlobalAvgPool : public Layer {
public:
  explicit GlobalAvgPool(std::string name = "");

protected:
  Tensor call(const Tensor &x) override;
};

/// [N, d1, d2, ...] -> [N, d1 * d2 * ...].
class Flatten : public Layer {
public:
  explicit Flatten(std::string name = "");

protected:
  Tensor call(const Tensor &x) override;
};

/// Dropout: in fit() each element is zeroed with probability `rate` and the
/// others are scaled by 1 / (1 - rate), with a new random mask every step
/// (reproducible from the graph's seed); in predict, evaluate, saveOnnx and
/// saveLibrary it is the identity.
class Dropout : public Layer {
public:
  explicit Dropout(double rate, std::string name = "");
  double rate() const { return rate_; }

protected:
  Tensor call(const Tensor &x) override;

private:
  double rate_;
};

/// Batch normalization over channel dimension 1 of [N, C, ...]: gamma and
/// beta are trained. In fit() it normalizes with the batch's mean and
/// (biased) variance over every dimension but 1 and updates the running
/// statistics as PyTorch does, `running = (1 - momentum) running +
/// momentum batch` with the unbiased variance; predict, evaluate and the
/// saved files normalize with the running statistics (which start at mean
/// 0, variance 1, and are saved as `<layer>.running_mean` / `.running_var`).
class BatchNorm : public Layer {
public:
  explicit BatchNorm(double epsilon = 1e-3, std::string name = "");
  /// PyTorch's momentum (default 0.1), in [0, 1].
  BatchNorm &momentum(double m);

protected:
  Tensor call(const Tensor &x) override;

private:
  double epsilon, momentum_ = 0.1;
  Tensor gamma, beta, mean, variance;
  int64_t channels = 0;
};

/// Normalization over the last dimension with trained gamma and beta.
class LayerNorm : public Layer {
public:
  explicit LayerNorm(double epsilon = 1e-5, std::string name = "");

protected:
  Tensor call(const Tensor &x) override;

private:
  double epsilon;
  Tensor gamma, beta;
  int64_t features = 0;
};

/// Integer indices [...] -> vectors [..., dim] from a [vocab, dim] table.
class Embedding : public Layer {
public:
  Embedding(int64_t vocabSize, int64_t dim, std::string name = "");
  Embedding &initializer(Initializer i) {
    tableInit = i;
    return *this;
  }
  Tensor table() const { return t; }

protected:
  Tensor call(const Tensor &x) override;

private:
  int64_t vocabSize, dim;
  Initializer tableInit = init::uniform(-0.05, 0.05);
  Tensor t;
};

/// Recurrent layers over [N, T, F] with a static T, unrolled into kiln ops
/// (as the ONNX importer does) so that fusion and autodiff see every step.
/// Gate order and formulas are Keras's (LSTM: i, f, c, o; GRU: z, r, h with
/// reset_after). Output [N, units], or [N, T, units] with returnSequences.
class LSTM : public Layer {
public:
  explicit LSTM(int64_t units, std::string name = "");
  LSTM &returnSequences(bool on) {
    sequences = on;
    return *this;
  }

protected:
  Tensor call(const Tensor &x) override;

private:
  int64_t units;
  bool sequences = false;
  Tensor kernel, recurrent, bias;
  int64_t inFeatures = 0;
};

class GRU : public Layer {
public:
  explicit GRU(int64_t units, std::string name = "");
  GRU &returnSequences(bool on) {
    sequences = on;
    return *this;
  }

protected:
  Tensor call(const Tensor &x) override;

private:
  int64_t units;
  bool sequences = false;
  Tensor kernel, recurrent, bias, recurrentBias;
  int64_t inFeatures = 0;
};

/// Multi-head attention over [N, T, E] (self-attention when called with one
/// tensor): query, key, value projections to numHeads x keyDim, scaled dot
/// products, softmax over keys (with `causal`, a key after the query is
/// masked out), and an output projection back to E.
class MultiHeadAttention : public Layer {
public:
  MultiHeadAttention(int64_t numHeads, int64_t keyDim, std::string name = "");
  MultiHeadAttention &causal(bool on) {
    causal_ = on;
    return *this;
  }
  /// Attention of `query` over `keyValue`.
  Tensor operator()(const Tensor &query, const Tensor &keyValue);
  using Layer::operator();

protected:
  Tensor call(const Tensor &x) override;

private:
  Tensor attend(const Tensor &query, const Tensor &keyValue);
  int64_t numHeads, keyDim;
  bool causal_ = false;
  std::optional<Dense> q, k, v, o;
};

/// Shorthand for a fresh Dense layer.
Tensor dense(const Tensor &x, int64_t units,
             Activation activation = Activation::None);

} // namespace kiln::dsl

#endif // KILN_FRONTENDS_DSL_LAYERS_H
