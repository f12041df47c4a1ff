//===- OnnxExport.cpp - A DSL model as an ONNX ModelProto -----------------===//
//
// Model::saveOnnx: walks the DSL's `@main` in order and writes each kiln op
// as the standard ONNX op (opset 17) with the same meaning; constants become
// initializers (parameters under their own names). Because the walk is over
// kiln ops rather than layers, anything the DSL builds exports, and a layer
// is exactly the ONNX ops of its formula. The model must pass libonnx's
// checker and strict shape inference before anything is written, and the
// file is written under a temporary name and renamed, so a failure leaves
// nothing at the path.
//
//===----------------------------------------------------------------------===//

#include "ModelImpl.h"

#include "kiln/Training/TrainingStep.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Process.h"

#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <fstream>

using namespace kiln::dsl;
using namespace kiln::dsl::detail;
namespace mk = mlir::kiln;

namespace {

int onnxElementType(mlir::Type t) {
  if (t.isF32())
    return onnx::TensorProto::FLOAT;
  if (t.isF64())
    return onnx::TensorProto::DOUBLE;
  if (t.isInteger(1))
    return onnx::TensorProto::BOOL;
  if (t.isInteger(32))
    return onnx::TensorProto::INT32;
  if (t.isInteger(64))
    return onnx::TensorProto::INT64;
  return onnx::TensorProto::UNDEFINED;
}

class Exporter {
public:
  explicit Exporter(GraphImpl &g) : g(g) {}

  onnx::ModelProto run();

private:
  std::string nameOf(mlir::Value v) {
    auto it = names.find(v);
    if (it == names.end())
      throw Error("saveOnnx: internal error: a value is used before it is "
                  "defined");
    return it->second;
  }
  std::string fresh(const std::string &base) {
    return base + "_" + std::to_string(counter++);
  }
  void setType(onnx::TypeProto *type, mlir::Type mlirType,
               const std::string &inputName);
  void addInitializer(const std::string &name, mlir::ElementsAttr value);
  onnx::NodeProto *node(mlir::Operation *op, const std::string &opType,
                        std::vector<std::string> inputs = {});
  void addInts(onnx::NodeProto *n, const std::string &name,
               llvm::ArrayRef<int64_t> values);
  void addInt(onnx::NodeProto *n, const std::string &name, int64_t value);
  void addFloat(onnx::NodeProto *n, const std::string &name, float value);
  std::string indexInitializer(llvm::ArrayRef<int64_t> values);
  std::string scalarInitializer(mlir::Type elementType, double value);
  void addString(onnx::NodeProto *n, const std::string &name,
                 const std::string &value);
  /// A node of `opType` on `inputs` with one fresh output, for ops that
  /// export as several ONNX nodes; returns the output's name.
  std::string step(const std::string &opType, std::vector<std::string> inputs,
                   onnx::NodeProto **created = nullptr);
  /// The mean over all dimensions of `input` (of rank `rank`), a rank-0
  /// result: what kiln-decompose makes of a loss' average.
  std::string meanAll(const std::string &input, int64_t rank);
  void exportLoss(mlir::Operation *op);
  [[noreturn]] void noForm(mlir::Operation *op, const std::string &why);
  void exportOp(mlir::Operation *op);

  GraphImpl &g;
  onnx::GraphProto *graph = nullptr;
  llvm::DenseMap<mlir::Value, std::string> names;
  int counter = 0;
};

void Exporter::setType(onnx::TypeProto *type, mlir::Type mlirType,
                       const std::string &inputName) {
  auto tensorType = mlir::cast<mlir::RankedTensorType>(mlirType);
  auto *t = type->mutable_tensor_type();
  t->set_elem_type(onnxElementType(tensorType.getElementType()));
  auto *shape = t->mutable_shape();
  for (auto [i, d] : llvm::enumerate(tensorType.getShape())) {
    auto *dim = shape->add_dim();
    if (!mlir::ShapedType::isDynamic(d))
      dim->set_dim_value(d);
    else if (!inputName.empty())
      // The batch dimension is one symbol for every input; others get
      // their own.
      dim->set_dim_param(i == 0 ? std::string("batch")
                                : inputName + "_dim" + std::to_string(i));
  }
}

void Exporter::addInitializer(const std::string &name,
                              mlir::ElementsAttr value) {
  auto dense = mlir::dyn_cast<mlir::DenseElementsAttr>(value);
  if (!dense)
    throw Error("saveOnnx: constant '" + name + "' is not a dense literal");
  onnx::TensorProto *t = graph->add_initializer();
  t->set_name(name);
  mlir::Type et = dense.getElementType();
  t->set_data_type(onnxElementType(et));
  for (int64_t d : dense.getType().getShape())
    t->add_dims(d);
  if (et.isF32()) {
    for (float v : dense.getValues<float>())
      t->add_float_data(v);
  } else if (et.isF64()) {
    for (double v : dense.getValues<double>())
      t->add_double_data(v);
  } else if (et.isInteger(64)) {
    for (int64_t v : dense.getValues<int64_t>())
      t->add_int64_data(v);
  } else if (et.isInteger(32)) {
    for (int32_t v : dense.getValues<int32_t>())
      t->add_int32_data(v);
  } else if (et.isInteger(1)) {
    for (bool v : dense.getValues<bool>())
      t->add_int32_data(v ? 1 : 0);
  } else {
    throw Error("saveOnnx: constant '" + name +
                "' has an element type ONNX "
                "export does not handle");
  }
}

std::string Exporter::indexInitializer(llvm::ArrayRef<int64_t> values) {
  std::string name = fresh("const");
  onnx::TensorProto *t = graph->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::INT64);
  t->add_dims((int64_t)values.size());
  for (int64_t v : values)
    t->add_int64_data(v);
  return name;
}

onnx::NodeProto *Exporter::node(mlir::Operation *op, const std::string &opType,
                                std::vector<std::string> inputs) {
  onnx::NodeProto *n = graph->add_node();
  n->set_op_type(opType);
  std::string base = opType;
  if (auto nameLoc = mlir::dyn_cast<mlir::NameLoc>(op->getLoc()))
    base = nameLoc.getName().str() + "/" + opType;
  n->set_name(fresh(base));
  if (inputs.empty())
    for (mlir::Value v : op->getOperands())
      inputs.push_back(nameOf(v));
  for (const std::string &i : inputs)
    n->add_input(i);
  for (mlir::Value r : op->getResults()) {
    // Unused secondary results (layer_norm's statistics) stay unnamed, as
    // ONNX allows for optional outputs.
    if (mlir::cast<mlir::OpResult>(r).getResultNumber() > 0 && r.use_empty()) {
      n->add_output("");
      continue;
    }
    std::string name = fresh("t");
    names[r] = name;
    n->add_output(name);
  }
  // Trailing empty outputs are dropped.
  while (n->output_size() && n->output(n->output_size() - 1).empty())
    n->mutable_output()->RemoveLast();
  return n;
}

void Exporter::addInts(onnx::NodeProto *n, const std::string &name,
                       llvm::ArrayRef<int64_t> values) {
  auto *a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values)
    a->add_ints(v);
}

void Exporter::addInt(onnx::NodeProto *n, const std::string &name,
                      int64_t value) {
  auto *a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

void Exporter::addFloat(onnx::NodeProto *n, const std::string &name,
                        float value) {
  auto *a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(value);
}

std::string Exporter::scalarInitializer(mlir::Type elementType, double value) {
  std::string name = fresh("const");
  onnx::TensorProto *t = graph->add_initializer();
  t->set_name(name);
  t->set_data_type(onnxElementType(elementType));
  if (elementType.isF32())
    t->add_float_data((float)value);
  else if (elementType.isF64())
    t->add_double_data(value);
  else if (elementType.isInteger(64))
    t->add_int64_data((int64_t)value);
  else
    t->add_int32_data((int32_t)value);
  return name;
}

void Exporter::addString(onnx::NodeProto *n, const std::string &name,
                         const std::string &value) {
  auto *a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(value);
}

std::string Exporter::step(const std::string &opType,
                           std::vector<std::string> inputs,
                           onnx::NodeProto **created) {
  onnx::NodeProto *n = graph->add_node();
  n->set_op_type(opType);
  n->set_name(fresh(opType));
  for (const std::string &i : inputs)
    n->add_input(i);
  std::string out = fresh("t");
  n->add_output(out);
  if (created)
    *created = n;
  return out;
}

std::string Exporter::meanAll(const std::string &input, int64_t rank) {
  onnx::NodeProto *n;
  std::string out = step("ReduceMean", {input}, &n);
  std::vector<int64_t> axes;
  for (int64_t i = 0; i < rank; ++i)
    axes.push_back(i);
  addInts(n, "axes", axes);
  addInt(n, "keepdims", 0);
  return out;
}

void Exporter::noForm(mlir::Operation *op, const std::string &why) {
  std::string where;
  if (auto nameLoc = mlir::dyn_cast<mlir::NameLoc>(op->getLoc()))
    where = " (in layer '" + nameLoc.getName().str() + "')";
  throw Error("saveOnnx: " + op->getName().getStringRef().str() + where +
              " has no ONNX opset 17 form: " + why);
}

// ONNX has no MSE, MAE, Huber or BCE loss op, and its
// SoftmaxCrossEntropyLoss imports as a different computation; the losses
// are written as the primitive ops kiln-decompose expands them into, in
// the same order, so that the model that comes back computes the same
// numbers.
void Exporter::exportLoss(mlir::Operation *op) {
  mlir::Value p = op->getOperand(0), t = op->getOperand(1);
  std::string x = nameOf(p), y = nameOf(t);
  mlir::Type et = mlir::getElementTypeOrSelf(p.getType());
  int64_t rank = mlir::cast<mlir::RankedTensorType>(p.getType()).getRank();
  std::string result;
  if (mlir::isa<mk::MSELossOp>(op)) {
    std::string d = step("Sub", {x, y});
    result = meanAll(step("Mul", {d, d}), rank);
  } else if (mlir::isa<mk::MAELossOp>(op)) {
    result = meanAll(step("Abs", {step("Sub", {x, y})}), rank);
  } else if (auto h = mlir::dyn_cast<mk::HuberLossOp>(op)) {
    double delta = h.getDelta().convertToDouble();
    std::string d = step("Sub", {x, y});
    std::string a = step("Abs", {d});
    std::string quadratic =
        step("Mul", {step("Mul", {d, d}), scalarInitializer(et, 0.5)});
    std::string linear =
        step("Mul", {step("Sub", {a, scalarInitializer(et, 0.5 * delta)}),
                     scalarInitializer(et, delta)});
    std::string small = step("LessOrEqual", {a, scalarInitializer(et, delta)});
    result = meanAll(step("Where", {small, quadratic, linear}), rank);
  } else if (mlir::isa<mk::BCEWithLogitsLossOp>(op)) {
    std::string softplus = step(
        "Log", {step("Add", {scalarInitializer(et, 1.0),
                             step("Exp", {step("Neg", {step("Abs", {x})})})})});
    std::string perElement =
        step("Add",
             {step("Sub", {step("Relu", {x}), step("Mul", {x, y})}), softplus});
    result = meanAll(perElement, rank);
  } else {
    // Cross-entropy: log_softmax over dimension 1 as kiln-decompose writes
    // it, then the label's entry (integer labels) or the labels' weighted
    // sum, averaged and negated.
    onnx::NodeProto *n;
    std::string max = step("ReduceMax", {x}, &n);
    addInts(n, "axes", {1});
    addInt(n, "keepdims", 1);
    std::string shifted = step("Sub", {x, max});
    std::string total =
        step("ReduceSum", {step("Exp", {shifted}), indexInitializer({1})}, &n);
    addInt(n, "keepdims", 1);
    std::string logProbs = step("Sub", {shifted, step("Log", {total})});
    std::string perSample;
    if (mlir::isa<mlir::IntegerType>(mlir::getElementTypeOrSelf(t.getType()))) {
      std::string column = step("Reshape", {y, indexInitializer({-1, 1})});
      perSample = step("GatherElements", {logProbs, column}, &n);
      addInt(n, "axis", 1);
    } else {
      perSample = step("ReduceSum",
                       {step("Mul", {y, logProbs}), indexInitializer({1})}, &n);
      addInt(n, "keepdims", 0);
    }
    int64_t perSampleRank =
        mlir::isa<mlir::IntegerType>(mlir::getElementTypeOrSelf(t.getType()))
            ? 2
            : 1;
    result = step("Neg", {meanAll(perSample, perSampleRank)});
  }
  names[op->getResult(0)] = result;
}

void Exporter::exportOp(mlir::Operation *op) {
  auto simple = [&](const char *type) { node(op, type); };
  llvm::TypeSwitch<mlir::Operation *>(op)
      .Case([&](mk::ConstantOp c) {
        std::string name;
        if (auto p = c->getAttrOfType<mlir::StringAttr>(mk::kParameterAttr))
          name = p.str();
        else if (auto b = c->getAttrOfType<mlir::StringAttr>(mk::kBufferAttr))
          name = b.str(); // running statistics, under their own names
        else
          name = fresh("const");
        addInitializer(name, c.getValue());
        names[c.getResult()] = name;
      })
      .Case([&](mk::AddOp) { simple("Add"); })
      .Case([&](mk::SubOp) { simple("Sub"); })
      .Case([&](mk::MulOp) { simple("Mul"); })
      .Case([&](mk::DivOp) { simple("Div"); })
      .Case([&](mk::PowOp) { simple("Pow"); })
      .Case([&](mk::MaxOp) { simple("Max"); })
      .Case([&](mk::MinOp) { simple("Min"); })
      .Case([&](mk::EqualOp) { simple("Equal"); })
      .Case([&](mk::LessOp) { simple("Less"); })
      .Case([&](mk::LessEqualOp) { simple("LessOrEqual"); })
      .Case([&](mk::GreaterOp) { simple("Greater"); })
      .Case([&](mk::GreaterEqualOp) { simple("GreaterOrEqual"); })
      .Case([&](mk::SelectOp) { simple("Where"); })
      .Case([&](mk::NegOp) { simple("Neg"); })
      .Case([&](mk::AbsOp) { simple("Abs"); })
      .Case([&](mk::ExpOp) { simple("Exp"); })
      .Case([&](mk::LogOp) { simple("Log"); })
      .Case([&](mk::SqrtOp) { simple("Sqrt"); })
      .Case([&](mk::ErfOp) { simple("Erf"); })
      .Case([&](mk::SinOp) { simple("Sin"); })
      .Case([&](mk::CosOp) { simple("Cos"); })
      .Case([&](mk::FloorOp) { simple("Floor"); })
      .Case([&](mk::CeilOp) { simple("Ceil"); })
      .Case([&](mk::SignOp) { simple("Sign"); })
      .Case([&](mk::ReluOp) { simple("Relu"); })
      .Case([&](mk::SigmoidOp) { simple("Sigmoid"); })
      .Case([&](mk::TanhOp) { simple("Tanh"); })
      .Case([&](mk::MatmulOp) { simple("MatMul"); })
      .Case([&](mk::SoftmaxOp s) {
        addInt(node(op, "Softmax"), "axis", (int64_t)s.getAxis());
      })
      .Case([&](mk::LogSoftmaxOp s) {
        addInt(node(op, "LogSoftmax"), "axis", (int64_t)s.getAxis());
      })
      .Case([&](mk::ReduceSumOp r) {
        // ReduceSum takes its axes as an input since opset 13.
        onnx::NodeProto *n =
            node(op, "ReduceSum",
                 {nameOf(r.getInput()), indexInitializer(r.getAxes())});
        addInt(n, "keepdims", r.getKeepdims());
      })
      .Case<mk::ReduceMeanOp, mk::ReduceMaxOp, mk::ReduceMinOp>([&](auto r) {
        const char *type = mlir::isa<mk::ReduceMeanOp>(op)  ? "ReduceMean"
                           : mlir::isa<mk::ReduceMaxOp>(op) ? "ReduceMax"
                                                            : "ReduceMin";
        onnx::NodeProto *n = node(op, type);
        addInts(n, "axes", r.getAxes());
        addInt(n, "keepdims", r.getKeepdims());
      })
      .Case([&](mk::ArgMaxOp a) {
        onnx::NodeProto *n = node(op, "ArgMax");
        addInt(n, "axis", (int64_t)a.getAxis());
        addInt(n, "keepdims", a.getKeepdims());
      })
      .Case([&](mk::TransposeOp t) {
        addInts(node(op, "Transpose"), "perm", t.getPermutation());
      })
      .Case([&](mk::ReshapeOp r) {
        node(op, "Reshape",
             {nameOf(r.getInput()), indexInitializer(r.getShape())});
      })
      .Case([&](mk::FlattenOp f) {
        addInt(node(op, "Flatten"), "axis", (int64_t)f.getAxis());
      })
      .Case([&](mk::ConcatOp c) {
        addInt(node(op, "Concat"), "axis", (int64_t)c.getAxis());
      })
      .Case([&](mk::SliceOp) { simple("Slice"); })
      .Case([&](mk::SqueezeOp) { simple("Squeeze"); })
      .Case([&](mk::UnsqueezeOp) { simple("Unsqueeze"); })
      .Case([&](mk::GatherOp gth) {
        addInt(node(op, "Gather"), "axis", (int64_t)gth.getAxis());
      })
      .Case([&](mk::CastOp c) {
        addInt(node(op, "Cast"), "to",
               onnxElementType(mlir::getElementTypeOrSelf(c.getType())));
      })
      .Case([&](mk::Conv2DOp c) {
        onnx::NodeProto *n = node(op, "Conv");
        auto w = mlir::cast<mlir::RankedTensorType>(c.getWeight().getType());
        addInts(n, "kernel_shape", w.getShape().drop_front(2));
        addInts(n, "strides", c.getStrides());
        // kiln's [top, left, bottom, right] is ONNX's [x1_begin, x2_begin,
        // x1_end, x2_end].
        addInts(n, "pads", c.getPads());
        addInts(n, "dilations", c.getDilations());
        addInt(n, "group", (int64_t)c.getGroups());
      })
      .Case([&](mk::MaxPool2DOp p) {
        onnx::NodeProto *n = node(op, "MaxPool");
        addInts(n, "kernel_shape", p.getKernelShape());
        addInts(n, "strides", p.getStrides());
        addInts(n, "pads", p.getPads());
        addInts(n, "dilations", p.getDilations());
        addInt(n, "ceil_mode", p.getCeilMode());
      })
      .Case([&](mk::AvgPool2DOp p) {
        // AveragePool has no dilations before opset 19.
        for (int64_t d : p.getDilations())
          if (d != 1)
            throw Error("saveOnnx: dilated average pooling has no ONNX "
                        "opset 17 form");
        onnx::NodeProto *n = node(op, "AveragePool");
        addInts(n, "kernel_shape", p.getKernelShape());
        addInts(n, "strides", p.getStrides());
        addInts(n, "pads", p.getPads());
        addInt(n, "ceil_mode", p.getCeilMode());
        addInt(n, "count_include_pad", p.getCountIncludePad());
      })
      .Case([&](mk::LayerNormOp l) {
        if (!l.getScale() || !l.getBias())
          throw Error("saveOnnx: layer normalization without scale and bias "
                      "has no direct ONNX form");
        onnx::NodeProto *n = node(op, "LayerNormalization");
        addInt(n, "axis", (int64_t)l.getAxis());
        addFloat(n, "epsilon", (float)l.getEpsilon().convertToDouble());
      })
      // The DSL's Dropout layer: `training` is a constant false outside
      // the training step, so this is ONNX's inference Dropout (identity).
      .Case([&](mk::DropoutOp) { simple("Dropout"); })
      .Case([&](mk::BatchNormOp b) {
        addFloat(node(op, "BatchNormalization"), "epsilon",
                 (float)b.getEpsilon().convertToDouble());
      })
      .Case([&](mk::RemOp) {
        // fmod=1 is the truncated remainder, for integers and floats.
        addInt(node(op, "Mod"), "fmod", 1);
      })
      .Case([&](mk::ModOp m) {
        if (!mlir::isa<mlir::IntegerType>(
                mlir::getElementTypeOrSelf(m.getType())))
          noForm(op, "ONNX Mod takes floats only with fmod=1, the truncated "
                     "remainder (kiln.rem)");
        addInt(node(op, "Mod"), "fmod", 0);
      })
      .Case<mk::AndOp, mk::OrOp, mk::XorOp, mk::NotOp>([&](auto) {
        // The bitwise forms (BitwiseAnd, ...) come with opset 18.
        if (!mlir::getElementTypeOrSelf(op->getResult(0).getType())
                 .isInteger(1))
          noForm(op, "ONNX's And, Or, Xor and Not take booleans only");
        simple(mlir::isa<mk::AndOp>(op)   ? "And"
               : mlir::isa<mk::OrOp>(op)  ? "Or"
               : mlir::isa<mk::XorOp>(op) ? "Xor"
                                          : "Not");
      })
      .Case<mk::ShiftLeftOp, mk::ShiftRightOp>([&](auto) {
        if (!mlir::getElementTypeOrSelf(op->getResult(0).getType())
                 .isUnsignedInteger())
          noForm(op, "ONNX BitShift takes unsigned integers only");
        addString(node(op, "BitShift"), "direction",
                  mlir::isa<mk::ShiftLeftOp>(op) ? "LEFT" : "RIGHT");
      })
      .Case([&](mk::RoundOp) { simple("Round"); })
      .Case([&](mk::TanOp) { simple("Tan"); })
      .Case([&](mk::AsinOp) { simple("Asin"); })
      .Case([&](mk::AcosOp) { simple("Acos"); })
      .Case([&](mk::AtanOp) { simple("Atan"); })
      .Case([&](mk::SinhOp) { simple("Sinh"); })
      .Case([&](mk::CoshOp) { simple("Cosh"); })
      .Case([&](mk::AsinhOp) { simple("Asinh"); })
      .Case([&](mk::AcoshOp) { simple("Acosh"); })
      .Case([&](mk::AtanhOp) { simple("Atanh"); })
      .Case([&](mk::DynamicReduceSumOp r) {
        addInt(node(op, "ReduceSum"), "keepdims", r.getKeepdims());
      })
      .Case([&](mk::ReduceProdOp r) {
        onnx::NodeProto *n = node(op, "ReduceProd");
        addInts(n, "axes", r.getAxes());
        addInt(n, "keepdims", r.getKeepdims());
      })
      .Case<mk::ArgMaxOp, mk::ArgMinOp>([&](auto a) {
        onnx::NodeProto *n =
            node(op, mlir::isa<mk::ArgMaxOp>(op) ? "ArgMax" : "ArgMin");
        addInt(n, "axis", (int64_t)a.getAxis());
        addInt(n, "keepdims", a.getKeepdims());
        if (a.getSelectLastIndex())
          addInt(n, "select_last_index", 1);
      })
      .Case([&](mk::CumSumOp c) {
        onnx::NodeProto *n = node(op, "CumSum");
        addInt(n, "exclusive", c.getExclusive());
        addInt(n, "reverse", c.getReverse());
      })
      .Case([&](mk::TopKOp t) {
        onnx::NodeProto *n = node(op, "TopK");
        addInt(n, "axis", (int64_t)t.getAxis());
        addInt(n, "largest", t.getLargest());
        addInt(n, "sorted", 1);
      })
      .Case([&](mk::GatherElementsOp gth) {
        addInt(node(op, "GatherElements"), "axis", (int64_t)gth.getAxis());
      })
      .Case([&](mk::GatherNDOp gth) {
        addInt(node(op, "GatherND"), "batch_dims", (int64_t)gth.getBatchDims());
      })
      .Case([&](mk::ScatterElementsOp sc) {
        onnx::NodeProto *n = node(op, "ScatterElements");
        addInt(n, "axis", (int64_t)sc.getAxis());
        addString(n, "reduction", sc.getReduction().str());
      })
      .Case([&](mk::ScatterNDOp sc) {
        addString(node(op, "ScatterND"), "reduction", sc.getReduction().str());
      })
      .Case([&](mk::NonZeroOp) { simple("NonZero"); })
      .Case([&](mk::TriluOp t) {
        addInt(node(op, "Trilu"), "upper", t.getUpper());
      })
      .Case([&](mk::OneHotOp o) {
        addInt(node(op, "OneHot"), "axis", (int64_t)o.getAxis());
      })
      .Case([&](mk::ReverseSequenceOp r) {
        int64_t batch = (int64_t)r.getBatchAxis(),
                time = (int64_t)r.getTimeAxis();
        if (!((batch == 0 && time == 1) || (batch == 1 && time == 0)))
          noForm(op, "ONNX ReverseSequence takes batch and time axes 0 and "
                     "1, got " +
                         std::to_string(batch) + " and " +
                         std::to_string(time));
        onnx::NodeProto *n = node(op, "ReverseSequence");
        addInt(n, "batch_axis", batch);
        addInt(n, "time_axis", time);
      })
      .Case([&](mk::EinsumOp e) {
        addString(node(op, "Einsum"), "equation", e.getEquation().str());
      })
      .Case([&](mk::DetOp) { simple("Det"); })
      .Case([&](mk::MaxPool2DWithIndicesOp p) {
        onnx::NodeProto *n = node(op, "MaxPool");
        addInts(n, "kernel_shape", p.getKernelShape());
        addInts(n, "strides", p.getStrides());
        addInts(n, "pads", p.getPads());
        addInts(n, "dilations", p.getDilations());
        addInt(n, "ceil_mode", p.getCeilMode());
        addInt(n, "storage_order", p.getColumnMajor());
      })
      .Case([&](mk::ConvTransposeOp c) {
        onnx::NodeProto *n = node(op, "ConvTranspose");
        auto w = mlir::cast<mlir::RankedTensorType>(c.getWeight().getType());
        addInts(n, "kernel_shape", w.getShape().drop_front(2));
        addInts(n, "strides", c.getStrides());
        addInts(n, "pads", c.getPads());
        addInts(n, "dilations", c.getDilations());
        addInts(n, "output_padding", c.getOutputPadding());
        addInt(n, "group", (int64_t)c.getGroups());
      })
      .Case([&](mk::ResizeOp r) {
        // Resize-13's inputs are X, roi, scales, sizes; "" leaves one out.
        auto optional = [&](mlir::Value v) {
          return v ? nameOf(v) : std::string();
        };
        onnx::NodeProto *n =
            node(op, "Resize",
                 {nameOf(r.getInput()), optional(r.getRoi()),
                  optional(r.getScales()), optional(r.getSizes())});
        while (n->input_size() && n->input(n->input_size() - 1).empty())
          n->mutable_input()->RemoveLast();
        addString(n, "mode", r.getMode().str());
        addString(n, "coordinate_transformation_mode",
                  r.getCoordinateTransformationMode().str());
        addString(n, "nearest_mode", r.getNearestMode().str());
        addFloat(n, "cubic_coeff_a",
                 (float)r.getCubicCoeffA().convertToDouble());
        addInt(n, "exclude_outside", r.getExcludeOutside());
        addFloat(n, "extrapolation_value",
                 (float)r.getExtrapolationValue().convertToDouble());
      })
      .Case([&](mk::GridSampleOp gs) {
        onnx::NodeProto *n = node(op, "GridSample");
        addString(n, "mode", gs.getMode().str());
        addString(n, "padding_mode", gs.getPaddingMode().str());
        addInt(n, "align_corners", gs.getAlignCorners());
      })
      .Case([&](mk::LRNOp l) {
        onnx::NodeProto *n = node(op, "LRN");
        addInt(n, "size", (int64_t)l.getSize());
        addFloat(n, "alpha", (float)l.getAlpha().convertToDouble());
        addFloat(n, "beta", (float)l.getBeta().convertToDouble());
        addFloat(n, "bias", (float)l.getBias().convertToDouble());
      })
      .Case([&](mk::NLLLossOp l) {
        onnx::NodeProto *n = node(op, "NegativeLogLikelihoodLoss");
        addString(n, "reduction", l.getReduction().str());
        if (auto ignore = l.getIgnoreIndex())
          addInt(n, "ignore_index", (int64_t)*ignore);
      })
      .Case<mk::MSELossOp, mk::MAELossOp, mk::HuberLossOp,
            mk::BCEWithLogitsLossOp, mk::CrossEntropyLossOp>(
          [&](auto) { exportLoss(op); })
      .Case([&](mk::ShapeOfOp sh) {
        onnx::NodeProto *n = node(op, "Shape");
        addInt(n, "start", (int64_t)sh.getStart());
        addInt(n, "end", (int64_t)sh.getEnd());
      })
      .Case([&](mk::DynamicReshapeOp r) {
        onnx::NodeProto *n = node(op, "Reshape");
        if (r.getAllowzero())
          addInt(n, "allowzero", 1);
      })
      .Case([&](mk::ExpandOp) { simple("Expand"); })
      .Case([&](mk::TileOp) { simple("Tile"); })
      .Case([&](mk::PadOp p) {
        addString(node(op, "Pad"), "mode", p.getMode().str());
      })
      .Case([&](mk::ConstantOfShapeOp c) {
        onnx::NodeProto *n = node(op, "ConstantOfShape");
        auto *a = n->add_attribute();
        a->set_name("value");
        a->set_type(onnx::AttributeProto::TENSOR);
        onnx::TensorProto *t = a->mutable_t();
        mlir::Type et = c.getValue().getType();
        t->set_data_type(onnxElementType(et));
        t->add_dims(1);
        if (auto f = mlir::dyn_cast<mlir::FloatAttr>(c.getValue())) {
          if (et.isF64())
            t->add_double_data(f.getValueAsDouble());
          else
            t->add_float_data((float)f.getValueAsDouble());
        } else {
          int64_t v = mlir::cast<mlir::IntegerAttr>(c.getValue()).getInt();
          if (et.isInteger(64))
            t->add_int64_data(v);
          else
            t->add_int32_data(et.isInteger(1) ? (v != 0) : (int32_t)v);
        }
      })
      .Case([&](mk::RangeOp) { simple("Range"); })
      .Case([&](mk::FullLikeOp f) {
        // ConstantOfShape(Shape(like)): the like's extents, known only
        // when the model runs if dynamic.
        std::string shape = step("Shape", {nameOf(f.getLike())});
        onnx::NodeProto *n = node(op, "ConstantOfShape", {shape});
        auto *a = n->add_attribute();
        a->set_name("value");
        a->set_type(onnx::AttributeProto::TENSOR);
        onnx::TensorProto *t = a->mutable_t();
        mlir::Type et = mlir::getElementTypeOrSelf(f.getType());
        double v = f.getValue().convertToDouble();
        t->set_data_type(onnxElementType(et));
        t->add_dims(1);
        if (et.isF32())
          t->add_float_data((float)v);
        else if (et.isF64())
          t->add_double_data(v);
        else if (et.isInteger(64))
          t->add_int64_data((int64_t)v);
        else
          t->add_int32_data((int32_t)v);
      })
      .Default([&](mlir::Operation *other) {
        std::string where;
        if (auto nameLoc = mlir::dyn_cast<mlir::NameLoc>(other->getLoc()))
          where = " (in layer '" + nameLoc.getName().str() + "')";
        throw Error("saveOnnx: " + other->getName().getStringRef().str() +
                    where + " has no ONNX export yet");
      });
}

onnx::ModelProto Exporter::run() {
  onnx::ModelProto model;
  model.set_ir_version(8); // what opset 17 (libonnx 1.12) goes with
  model.set_producer_name("kiln-dsl");
  auto *opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(17);
  graph = model.mutable_graph();
  graph->set_name("main");

  mlir::Block &body = g.func.getBody().front();
  for (auto [i, arg] : llvm::enumerate(body.getArguments())) {
    const std::string &name = g.inputNames[i];
    names[arg] = name;
    auto *input = graph->add_input();
    input->set_name(name);
    setType(input->mutable_type(), arg.getType(), name);
  }
  for (mlir::Operation &op : body.without_terminator())
    exportOp(&op);

  auto ret = mlir::cast<mlir::func::ReturnOp>(body.getTerminator());
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    const std::string &name = g.outputs[i].first;
    // An Identity gives each output its user-facing name, even when two
    // outputs (or an output and an input) are one value.
    onnx::NodeProto *n = graph->add_node();
    n->set_op_type("Identity");
    n->set_name(fresh("output/Identity"));
    n->add_input(nameOf(v));
    n->add_output(name);
    auto *output = graph->add_output();
    output->set_name(name);
    setType(output->mutable_type(), v.getType(), "");
  }
  return model;
}

} // namespace

void kiln::dsl::detail::writeOnnx(GraphImpl &g, const std::string &path) {
  onnx::ModelProto model = Exporter(g).run();
  try {
    onnx::checker::check_model(model);
    onnx::ModelProto copy = model;
    onnx::shape_inference::InferShapes(
        copy, onnx::OpSchemaRegistry::Instance(),
        onnx::ShapeInferenceOptions(/*check_type=*/true, /*strict_mode=*/1));
  } catch (const std::exception &e) {
    throw Error(std::string("saveOnnx: the exported model fails ONNX's "
                            "checks: ") +
                e.what());
  }
  std::string bytes;
  if (!model.SerializeToString(&bytes))
    throw Error("saveOnnx: cannot serialize the model (over 2 GiB?)");
  writeFileAtomically(path, bytes, "saveOnnx");
}

void kiln::dsl::detail::writeFileAtomically(const std::string &path,
                                            const std::string &bytes,
                                            const std::string &what) {
  std::string temporary =
      path + ".partial" + std::to_string(llvm::sys::Process::getProcessId());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), (std::streamsize)bytes.size());
    out.close();
    if (!out) {
      llvm::sys::fs::remove(temporary);
      throw Error(what + ": cannot write '" + path + "'");
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(temporary, path)) {
    llvm::sys::fs::remove(temporary);
    throw Error(what + ": cannot write '" + path + "': " + ec.message());
  }
}
