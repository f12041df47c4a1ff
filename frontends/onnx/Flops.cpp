//===- Flops.cpp - Estimated arithmetic of an ONNX model ------------------===//
//
// Runs ONNX's shape inference on a copy of the model, then costs each node
// from its input and output shapes: contractions (Conv, MatMul, Gemm, the
// recurrent ops) by their multiply-adds, pooling by window, elementwise and
// normalization ops by output size. Shape-only ops cost nothing.
//
//===----------------------------------------------------------------------===//

#include "Flops.h"

#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include <map>
#include <set>
#include <string>
#include <vector>

using namespace mlir::kiln;

namespace {

using Shape = std::vector<int64_t>;

/// Dims of a value (dynamic ones as 1); false when there is no shape.
bool shapeOf(const onnx::TypeProto &type, Shape &shape) {
  if (!type.has_tensor_type() || !type.tensor_type().has_shape())
    return false;
  shape.clear();
  for (const auto &dim : type.tensor_type().shape().dim())
    shape.push_back(dim.has_dim_value() && dim.dim_value() > 0 ? dim.dim_value()
                                                               : 1);
  return true;
}

int64_t count(const Shape &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

const onnx::AttributeProto *attribute(const onnx::NodeProto &node,
                                      const std::string &name) {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

/// Ops that only move or describe data.
const std::set<std::string> &freeOps() {
  static const std::set<std::string> ops = {
      "Identity", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose",
      "Shape", "Size", "Constant", "ConstantOfShape", "Concat", "Split",
      "Slice", "Gather", "GatherElements", "GatherND", "Expand", "Tile",
      "Cast", "CastLike", "Dropout", "Pad", "Range", "DepthToSpace",
      "SpaceToDepth", "NonZero", "OneHot", "Trilu", "EyeLike", "Compress"};
  return ops;
}

/// Rough cost per output element of normalizing and softmax-like ops.
const std::map<std::string, int64_t> &perElement() {
  static const std::map<std::string, int64_t> costs = {
      {"Softmax", 5}, {"LogSoftmax", 5}, {"LayerNormalization", 8},
      {"BatchNormalization", 2}, {"InstanceNormalization", 8},
      {"LRN", 8}, {"Erf", 10}, {"Gelu", 10}};
  return costs;
}

} // namespace

FlopEstimate mlir::kiln::estimateFlops(const onnx::ModelProto &original) {
  FlopEstimate estimate;
  onnx::ModelProto model = original;
  // Weights are not needed to infer shapes.
  for (onnx::TensorProto &init : *model.mutable_graph()->mutable_initializer())
    init.clear_raw_data();
  // Concrete input shapes (dynamic dims as 1) and data propagation let
  // shape inference follow Shape -> ... -> Reshape chains.
  for (onnx::ValueInfoProto &input : *model.mutable_graph()->mutable_input()) {
    auto *tensor = input.mutable_type()->mutable_tensor_type();
    if (!tensor->has_shape())
      continue;
    for (auto &dim : *tensor->mutable_shape()->mutable_dim())
      if (!dim.has_dim_value())
        dim.set_dim_value(1);
  }
  model.mutable_graph()->clear_value_info();
  try {
    onnx::shape_inference::InferShapes(
        model, onnx::OpSchemaRegistry::Instance(),
        onnx::ShapeInferenceOptions(/*check_type=*/false, /*strict_mode=*/0,
                                    /*data_prop=*/true));
  } catch (const std::exception &) {
    // Partial shapes are still useful; nodes without them are uncounted.
  }
  std::map<std::string, const onnx::TypeProto *> types;
  const onnx::GraphProto &graph = model.graph();
  for (const auto &v : graph.input())
    types[v.name()] = &v.type();
  for (const auto &v : graph.value_info())
    types[v.name()] = &v.type();
  for (const auto &v : graph.output())
    types[v.name()] = &v.type();
  std::map<std::string, Shape> initShapes;
  for (const auto &init : graph.initializer())
    initShapes[init.name()] = Shape(init.dims().begin(), init.dims().end());

  auto shape = [&](const std::string &name, Shape &out) {
    if (auto it = initShapes.find(name); it != initShapes.end()) {
      out = it->second;
      return true;
    }
    auto it = types.find(name);
    return it != types.end() && shapeOf(*it->second, out);
  };

  for (const onnx::NodeProto &node : graph.node()) {
    const std::string &op = node.op_type();
    if (freeOps().count(op))
      continue;
    Shape in, weight, out;
    bool haveIn = node.input_size() > 0 && shape(node.input(0), in);
    bool haveOut = node.output_size() > 0 && shape(node.output(0), out);
    if (!haveOut) {
      ++estimate.unestimatedNodes;
      continue;
    }
    int64_t outCount = count(out), flops = -1;
    if ((op == "Conv" || op == "ConvTranspose") && node.input_size() > 1 &&
        shape(node.input(1), weight) && weight.size() >= 3) {
      // Conv weight: F x C/g x k...; ConvTranspose: C x F/g x k...
      int64_t window = count(Shape(weight.begin() + 2, weight.end()));
      flops = op == "Conv" ? 2 * outCount * weight[1] * window
                           : 2 * (haveIn ? count(in) : 0) * weight[1] * window;
    } else if ((op == "MatMul" || op == "Gemm" || op == "MatMulInteger") &&
               haveIn && !in.empty()) {
      const onnx::AttributeProto *transA = attribute(node, "transA");
      int64_t k = transA && transA->i() && in.size() == 2 ? in[0] : in.back();
      flops = 2 * outCount * k + (op == "Gemm" ? outCount : 0);
    } else if ((op == "LSTM" || op == "GRU" || op == "RNN") &&
               node.input_size() > 2 && shape(node.input(1), weight) &&
               haveIn && in.size() == 3) {
      // W: dirs x gates*H x I; a step costs gates*H*(I + H) multiply-adds.
      int64_t dirs = weight[0], gatesH = weight[1], inputSize = weight[2];
      int64_t gates = op == "LSTM" ? 4 : op == "GRU" ? 3 : 1;
      int64_t hidden = gatesH / gates;
      flops = 2 * dirs * in[0] * in[1] * gatesH * (inputSize + hidden);
    } else if (op.find("Pool") != std::string::npos) {
      const onnx::AttributeProto *kernel = attribute(node, "kernel_shape");
      int64_t window = 1;
      if (kernel)
        for (int64_t k : kernel->ints())
          window *= k;
      else if (haveIn && in.size() > 2)
        window = count(Shape(in.begin() + 2, in.end()));
      flops = outCount * window;
    } else if (op.rfind("Reduce", 0) == 0 || op == "ArgMax" ||
               op == "ArgMin" || op == "CumSum" || op == "TopK") {
      flops = haveIn ? count(in) : outCount;
    } else if (auto it = perElement().find(op); it != perElement().end()) {
      flops = it->second * outCount;
    } else if (onnx::OpSchemaRegistry::Schema(op, 17)) {
      // Any other op: about one operation per output element.
      flops = outCount;
    }
    if (flops < 0)
      ++estimate.unestimatedNodes;
    else
      estimate.flops += flops;
  }
  return estimate;
}
