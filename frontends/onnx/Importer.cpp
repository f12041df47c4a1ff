//===- Importer.cpp - ONNX models to the kiln dialect ---------------------===//
//
// Loading (binary or text), libonnx's checker and shape inference, the
// up-front check that every node has an importer, and the walk that turns
// the graph into `func.func @main` through the op registry.
//
//===----------------------------------------------------------------------===//

#include "kiln/Frontends/ONNX/Importer.h"
#include "Flops.h"
#include "NodeImporter.h"

#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Target/Signature.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <onnx/checker.h>
#include <onnx/defs/parser.h>
#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

namespace onnx::checker {
// What check_model(path) runs with the model's folder in `ctx`: libonnx 1.12
// exports it but its checker.h does not declare it.
void check_model(const ModelProto &model, CheckerContext &ctx);
} // namespace onnx::checker

using namespace mlir;
using namespace mlir::kiln;

//===----------------------------------------------------------------------===//
// Loading and checking
//===----------------------------------------------------------------------===//

namespace {

/// A model read from disk or memory, checked by libonnx.
struct LoadedModel {
  onnx::ModelProto proto;
  std::string name;    ///< for diagnostics: the path or buffer name
  std::string baseDir; ///< where external data lives
  int64_t opset = 0;   ///< the default domain's opset
};

/// The opset the model imports for the default ONNX domain.
int64_t defaultOpset(const onnx::ModelProto &model) {
  for (const auto &entry : model.opset_import())
    if (entry.domain().empty() || entry.domain() == "ai.onnx")
      return entry.version();
  return 0;
}

/// What a non-tensor ONNX type is, in words.
std::string describeNonTensor(const onnx::TypeProto &type) {
  if (type.has_sequence_type())
    return "a sequence";
  if (type.has_optional_type())
    return "an optional";
  if (type.has_map_type())
    return "a map";
  if (type.has_sparse_tensor_type())
    return "a sparse tensor";
  return "of an unknown kind";
}

/// libonnx's multi-line messages as one line: lines joined with "; ",
/// blanks trimmed.
std::string oneLine(StringRef text) {
  SmallVector<StringRef> lines;
  text.split(lines, '\n', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  std::string result;
  for (StringRef line : lines) {
    line = line.trim();
    if (line.empty())
      continue;
    if (!result.empty())
      result += "; ";
    result += line.str();
  }
  return result;
}

/// Parses `buffer` (binary or text) into `model.proto`.
LogicalResult parseProto(StringRef buffer, LoadedModel &model,
                         MLIRContext *ctx) {
  Location loc = FileLineColLoc::get(ctx, model.name, 0, 0);
  // The text format starts with '<' after blanks and '#' comment lines.
  StringRef rest = buffer;
  while (true) {
    rest = rest.ltrim();
    if (!rest.starts_with("#"))
      break;
    rest = rest.drop_until([](char c) { return c == '\n'; });
  }
  bool isText = rest.starts_with("<");
  if (isText) {
    std::string text = buffer.str();
    auto status = onnx::OnnxParser::Parse(model.proto, text.c_str());
    if (!status.IsOK())
      return emitError(loc) << "cannot parse the ONNX text format: "
                            << oneLine(status.ErrorMessage());
  } else if (buffer.empty()) {
    return emitError(loc) << "the file is empty, not an ONNX model";
  } else if (!model.proto.ParseFromArray(buffer.data(), (int)buffer.size()) ||
             !model.proto.has_graph() || model.proto.ir_version() <= 0) {
    return emitError(loc) << "not an ONNX model (the file is truncated or "
                             "not an ONNX protobuf)";
  }
  return success();
}

/// Checks a parsed model with libonnx (and infers its shapes).
LogicalResult checkModel(LoadedModel &model, MLIRContext *ctx,
                         bool runShapeInference) {
  Location loc = FileLineColLoc::get(ctx, model.name, 0, 0);
  model.opset = defaultOpset(model.proto);
  if (model.opset <= 0) {
    // Name the domains it does import (ONNX's training ops live in
    // ai.onnx.preview.training), so that the user sees what is missing.
    auto diag = emitError(loc)
                << "the model imports no opset of the default ONNX domain";
    std::string domains;
    for (const auto &entry : model.proto.opset_import())
      domains += (domains.empty() ? "" : ", ") + entry.domain() + " " +
                 std::to_string(entry.version());
    if (!domains.empty())
      diag << "; it imports only " << domains
           << ", which Kiln does not support";
    return diag;
  }
  if (model.opset > kLatestOpset)
    return emitError(loc) << "the model uses opset " << model.opset
                          << "; Kiln supports opsets up to " << kLatestOpset;
  try {
    // External data is looked up next to the model, not in the working
    // directory.
    onnx::checker::CheckerContext checkerContext;
    checkerContext.set_model_dir(model.baseDir);
    onnx::checker::check_model(model.proto, checkerContext);
    if (runShapeInference)
      onnx::shape_inference::InferShapes(
          model.proto, onnx::OpSchemaRegistry::Instance(),
          onnx::ShapeInferenceOptions(/*check_type=*/true,
                                      /*strict_mode=*/1));
  } catch (const std::exception &e) {
    // libonnx puts its whole explanation in what(); keep the first line.
    std::string what = e.what();
    if (size_t nl = what.find("\n\n"); nl != std::string::npos)
      what.resize(nl);
    return emitError(loc) << "the ONNX checker rejects the model: "
                          << oneLine(what);
  }
  return success();
}

LogicalResult loadFile(StringRef path, LoadedModel &model, MLIRContext *ctx,
                       bool runShapeInference) {
  model.name = path.str();
  model.baseDir = llvm::sys::path::parent_path(path).str();
  {
    // The file's bytes go as soon as they are parsed: with large weights,
    // every copy held at once counts.
    auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
    if (!buffer)
      return emitError(FileLineColLoc::get(ctx, path, 0, 0))
             << "cannot read: " << buffer.getError().message();
    if (failed(parseProto((*buffer)->getBuffer(), model, ctx)))
      return failure();
  }
  return checkModel(model, ctx, runShapeInference);
}

/// A name for a node in messages, even when the model gave it none.
std::string nodeName(const onnx::NodeProto &node, int index) {
  if (!node.name().empty())
    return node.name();
  return node.op_type() + "_" + std::to_string(index);
}

std::string describeNode(const onnx::NodeProto &node, int index,
                         int64_t opset) {
  return "node '" + nodeName(node, index) + "' (" + node.op_type() +
         ", opset " + std::to_string(opset) + ")";
}

/// The schema version of `node` under the model's opset, or 0 if ONNX does
/// not know the op.
int64_t schemaVersion(const onnx::NodeProto &node, int64_t opset) {
  const onnx::OpSchema *schema = onnx::OpSchemaRegistry::Schema(
      node.op_type(), (int)opset, node.domain() == "ai.onnx" ? "" : node.domain());
  return schema ? schema->SinceVersion() : 0;
}

/// The opset `model` imports for `domain`, or 0.
int64_t domainOpset(const onnx::ModelProto &model, StringRef domain) {
  for (const auto &entry : model.opset_import())
    if (entry.domain() == domain)
      return entry.version();
  return 0;
}

/// Every node Kiln cannot import, described for the user. An op Kiln has at
/// other schema versions says which opsets it is supported at.
std::vector<std::string> unsupportedNodes(const LoadedModel &model) {
  std::vector<std::string> result;
  const OnnxOpRegistry &registry = OnnxOpRegistry::get();
  const auto &nodes = model.proto.graph().node();
  for (int i = 0; i < nodes.size(); ++i) {
    const onnx::NodeProto &node = nodes[i];
    bool known = node.domain().empty() || node.domain() == "ai.onnx";
    if (!known) {
      std::string text = "node '" + nodeName(node, i) + "' (" + node.op_type() +
                         " from domain '" + node.domain() + "'";
      if (int64_t opset = domainOpset(model.proto, node.domain()))
        text += ", opset " + std::to_string(opset);
      result.push_back(text + ")");
      continue;
    }
    int64_t version = schemaVersion(node, model.opset);
    if (version && registry.lookup(node.op_type(), version))
      continue;
    std::string text = describeNode(node, i, model.opset);
    auto entries = registry.entries().find(node.op_type());
    if (entries != registry.entries().end()) {
      int64_t first = kLatestOpset, last = 0;
      for (const OnnxOpRegistry::Entry &e : entries->second) {
        first = std::min(first, e.minVersion);
        last = std::max(last, e.maxVersion);
      }
      text.pop_back();
      text += "; Kiln supports " + node.op_type() + " from opset " +
              std::to_string(first);
      if (last < kLatestOpset)
        text += " to " + std::to_string(last);
      text += ")";
    }
    result.push_back(text);
  }
  return result;
}

std::string formatValueType(const onnx::TypeProto &type) {
  if (!type.has_tensor_type())
    return "non-tensor";
  const auto &tensor = type.tensor_type();
  std::string text = onnx::TensorProto::DataType_Name(
      (onnx::TensorProto::DataType)tensor.elem_type());
  for (char &c : text)
    c = (char)std::tolower(c);
  if (!tensor.has_shape())
    return text + "[unknown shape]";
  text += "[";
  for (int i = 0; i < tensor.shape().dim_size(); ++i) {
    const auto &dim = tensor.shape().dim(i);
    if (i)
      text += ",";
    if (dim.has_dim_value())
      text += std::to_string(dim.dim_value());
    else if (dim.has_dim_param() && !dim.dim_param().empty())
      text += dim.dim_param();
    else
      text += "?";
  }
  return text + "]";
}

} // namespace

//===----------------------------------------------------------------------===//
// GraphImporter
//===----------------------------------------------------------------------===//

namespace mlir::kiln {
/// Builds the entry function of one graph.
class GraphImporter {
public:
  GraphImporter(LoadedModel &model, MLIRContext *ctx)
      : model(model), ctx(ctx), builder(ctx) {}

  OwningOpRef<ModuleOp> run(const OnnxImportOptions &options);

  /// The value named `name`: a graph input, a node output, or an initializer
  /// (materialized as a kiln.constant on first use).
  Value lookup(StringRef name);

  Location nodeLoc(const onnx::NodeProto &node, int index) {
    return NameLoc::get(StringAttr::get(ctx, nodeName(node, index)),
                        FileLineColLoc::get(ctx, model.name, 0, 0));
  }

  LoadedModel &model;
  MLIRContext *ctx;
  OpBuilder builder;
  llvm::StringMap<Value> values;
  /// Initializers not yet materialized; each one's data is released once it
  /// is a constant, so a large model's weights are not held twice.
  llvm::StringMap<onnx::TensorProto *> initializers;
  /// The node being imported, for OnnxNode::emitError.
  std::string currentNode;
  bool markParameters = false;
};
} // namespace mlir::kiln

Value GraphImporter::lookup(StringRef name) {
  auto it = values.find(name);
  if (it != values.end())
    return it->second;
  auto init = initializers.find(name);
  if (init == initializers.end())
    return {};
  std::string error;
  auto attr = importTensorProto(*init->second, ctx, model.baseDir, error);
  if (failed(attr)) {
    emitError(FileLineColLoc::get(ctx, model.name, 0, 0))
        << "initializer '" << name << "': " << error;
    return {};
  }
  auto constant = ConstantOp::create(
      builder, NameLoc::get(StringAttr::get(ctx, name)), *attr);
  if (markParameters)
    constant->setAttr(kParameterAttr, StringAttr::get(ctx, name));
  values[name] = constant;
  init->second->clear_raw_data();
  initializers.erase(init);
  return constant;
}

OwningOpRef<ModuleOp> GraphImporter::run(const OnnxImportOptions &options) {
  Location fileLoc = FileLineColLoc::get(ctx, model.name, 0, 0);
  const onnx::GraphProto &graph = model.proto.graph();

  std::vector<std::string> unsupported = unsupportedNodes(model);
  if (!unsupported.empty()) {
    auto diag = emitError(fileLoc)
                << "the model uses " << unsupported.size()
                << (unsupported.size() == 1 ? " unsupported op: "
                                            : " unsupported ops: ");
    llvm::interleaveComma(unsupported, diag);
    return nullptr;
  }

  for (onnx::TensorProto &init : *model.proto.mutable_graph()->mutable_initializer())
    initializers[init.name()] = &init;

  // Graph inputs that are not initializers become function arguments.
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (initializers.count(input.name()))
      continue;
    const onnx::TypeProto &type = input.type();
    if (!type.has_tensor_type()) {
      // Sequences, optionals and maps: Kiln's values are tensors only.
      emitError(fileLoc) << "input '" << input.name() << "' is "
                         << describeNonTensor(type)
                         << ", not a tensor; Kiln does not support "
                            "non-tensor values";
      return nullptr;
    }
    Type elementType = onnxElementType(type.tensor_type().elem_type(), ctx);
    if (!elementType) {
      emitError(fileLoc) << "input '" << input.name() << "' has element type "
                         << formatValueType(type)
                         << ", which Kiln does not support";
      return nullptr;
    }
    if (!type.tensor_type().has_shape()) {
      emitError(fileLoc) << "input '" << input.name()
                         << "' has no shape; Kiln needs at least its rank";
      return nullptr;
    }
    SmallVector<int64_t> shape;
    for (const auto &dim : type.tensor_type().shape().dim())
      shape.push_back(dim.has_dim_value() && dim.dim_value() >= 0
                          ? dim.dim_value()
                          : ShapedType::kDynamic);
    argTypes.push_back(RankedTensorType::get(shape, elementType));
    argNames.push_back(input.name());
  }

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(builder, fileLoc, options.entryName,
                                   builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, name] : llvm::enumerate(argNames)) {
    values[name] = entry->getArgument(i);
    func.setArgAttr(i, kNameAttr, builder.getStringAttr(name));
  }
  builder.setInsertionPointToEnd(entry);

  const OnnxOpRegistry &registry = OnnxOpRegistry::get();
  const auto &nodes = graph.node();
  for (int i = 0; i < nodes.size(); ++i) {
    const onnx::NodeProto &proto = nodes[i];
    int64_t version = schemaVersion(proto, model.opset);
    const OnnxOpImportFn *import = registry.lookup(proto.op_type(), version);
    assert(import && "unsupported nodes are rejected up front");
    currentNode = describeNode(proto, i, model.opset);
    OnnxNode node(*this, proto, version, builder, nodeLoc(proto, i));
    if (failed((*import)(node)))
      return nullptr;
    for (int o = 0; o < proto.output_size(); ++o)
      if (!proto.output(o).empty() && !values.count(proto.output(o))) {
        node.emitError() << "produced no value for output '" << proto.output(o)
                         << "'";
        return nullptr;
      }
  }

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    Value value = lookup(output.name());
    if (!value) {
      emitError(fileLoc) << "graph output '" << output.name()
                         << "' is not produced by any node";
      return nullptr;
    }
    results.push_back(value);
    resultTypes.push_back(value.getType());
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setFunctionType(builder.getFunctionType(argTypes, resultTypes));
  for (auto [i, output] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, kNameAttr, builder.getStringAttr(output.name()));

  if (failed(verify(*module)))
    return nullptr;
  return module;
}

//===----------------------------------------------------------------------===//
// OnnxNode
//===----------------------------------------------------------------------===//

Value OnnxNode::input(unsigned i) {
  if (i >= (unsigned)proto.input_size() || proto.input(i).empty())
    return {};
  return graph.lookup(proto.input(i));
}

FailureOr<Value> OnnxNode::requiredInput(unsigned i) {
  if (i >= (unsigned)proto.input_size() || proto.input(i).empty()) {
    emitError() << "expects input " << i;
    return failure();
  }
  Value value = graph.lookup(proto.input(i));
  if (!value) {
    emitError() << "input '" << proto.input(i) << "' is not defined";
    return failure();
  }
  return value;
}

DenseElementsAttr OnnxNode::constantInput(unsigned i) {
  Value value = input(i);
  Attribute attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return {};
  return dyn_cast<DenseElementsAttr>(attr);
}

FailureOr<SmallVector<int64_t>> OnnxNode::constantInts(unsigned i,
                                                      StringRef what) {
  DenseElementsAttr attr = constantInput(i);
  if (!attr || !isa<IntegerType>(attr.getElementType())) {
    emitError() << "needs its " << what
                << " input to be a constant integer tensor (an initializer "
                   "or a Constant node)";
    return failure();
  }
  SmallVector<int64_t> values;
  for (const APInt &v : attr.getValues<APInt>())
    values.push_back(v.getSExtValue());
  return values;
}

const onnx::AttributeProto *OnnxNode::attr(StringRef name) const {
  for (const onnx::AttributeProto &a : proto.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

bool OnnxNode::hasAttr(StringRef name) const { return attr(name) != nullptr; }

int64_t OnnxNode::intAttr(StringRef name, int64_t defaultValue) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->i() : defaultValue;
}

float OnnxNode::floatAttr(StringRef name, float defaultValue) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->f() : defaultValue;
}

std::string OnnxNode::stringAttr(StringRef name, StringRef defaultValue) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->s() : defaultValue.str();
}

SmallVector<int64_t> OnnxNode::intsAttr(StringRef name,
                                        ArrayRef<int64_t> defaultValue) const {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return SmallVector<int64_t>(defaultValue);
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

SmallVector<float> OnnxNode::floatsAttr(StringRef name) const {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return {};
  return SmallVector<float>(a->floats().begin(), a->floats().end());
}

const onnx::TensorProto *OnnxNode::tensorAttr(StringRef name) const {
  const onnx::AttributeProto *a = attr(name);
  return a && a->has_t() ? &a->t() : nullptr;
}

bool OnnxNode::outputUsed(unsigned i) const {
  return i < (unsigned)proto.output_size() && !proto.output(i).empty();
}

LogicalResult OnnxNode::setResult(unsigned i, Value value) {
  if (!outputUsed(i))
    return success();
  graph.values[proto.output(i)] = value;
  return success();
}

LogicalResult OnnxNode::setResults(ValueRange values) {
  for (auto [i, v] : llvm::enumerate(values))
    (void)setResult(i, v);
  return success();
}

InFlightDiagnostic OnnxNode::emitError() {
  // The text names the node; the location is the file.
  return mlir::emitError(cast<NameLoc>(loc).getChildLoc())
         << graph.currentNode << ": ";
}

LogicalResult OnnxNode::verifyCreated(Operation *op) {
  std::string message;
  {
    ScopedDiagnosticHandler capture(getContext(), [&](Diagnostic &diag) {
      if (diag.getSeverity() == DiagnosticSeverity::Error && message.empty())
        message = diag.str();
      return success();
    });
    if (succeeded(mlir::verify(op, /*verifyRecursively=*/false)))
      return success();
  }
  op->erase();
  emitError() << message;
  return failure();
}

FailureOr<int64_t> OnnxNode::normalizeAxis(int64_t axis, int64_t rank,
                                           StringRef what) {
  if (axis < -rank || axis >= rank) {
    emitError() << what << " " << axis << " is out of range for rank "
                << rank;
    return failure();
  }
  return axis < 0 ? axis + rank : axis;
}

Value OnnxNode::constant(RankedTensorType type, ArrayRef<double> values) {
  Type elementType = type.getElementType();
  DenseElementsAttr attr;
  if (auto floatType = dyn_cast<FloatType>(elementType)) {
    SmallVector<APFloat> floats;
    for (double v : values) {
      APFloat f(v);
      bool lost;
      f.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                &lost);
      floats.push_back(f);
    }
    attr = DenseElementsAttr::get(type, floats);
  } else {
    SmallVector<APInt> ints;
    for (double v : values)
      ints.push_back(APInt(elementType.getIntOrFloatBitWidth(), (int64_t)v,
                           /*isSigned=*/true));
    attr = DenseElementsAttr::get(type, ints);
  }
  return ConstantOp::create(builder, loc, cast<ElementsAttr>(attr));
}

Value OnnxNode::scalar(Type elementType, double value) {
  return constant(RankedTensorType::get({}, elementType), {value});
}

//===----------------------------------------------------------------------===//
// OnnxOpRegistry
//===----------------------------------------------------------------------===//

void OnnxOpRegistry::add(StringRef opType, int64_t minVersion,
                         int64_t maxVersion, OnnxOpImportFn fn) {
  table[opType].push_back({minVersion, maxVersion, std::move(fn)});
}

const OnnxOpImportFn *OnnxOpRegistry::lookup(StringRef opType,
                                             int64_t version) const {
  auto it = table.find(opType);
  if (it == table.end())
    return nullptr;
  for (const Entry &entry : it->second)
    if (version >= entry.minVersion && version <= entry.maxVersion)
      return &entry.fn;
  return nullptr;
}

const OnnxOpRegistry &OnnxOpRegistry::get() {
  static const OnnxOpRegistry registry = [] {
    OnnxOpRegistry r;
    registerCastOps(r);
    registerElementwiseOps(r);
    registerIndexingOps(r);
    registerLogicalOps(r);
    registerLossOps(r);
    registerMatmulOps(r);
    registerNNOps(r);
    registerNormalizationOps(r);
    registerRecurrentOps(r);
    registerReduceOps(r);
    registerTensorOps(r);
    return r;
  }();
  return registry;
}

//===----------------------------------------------------------------------===//
// Public API
//===----------------------------------------------------------------------===//

static void loadDialects(MLIRContext *context) {
  context->loadDialect<KilnDialect, func::FuncDialect>();
}

OwningOpRef<ModuleOp>
mlir::kiln::importOnnxFile(StringRef path, MLIRContext *context,
                           const OnnxImportOptions &options) {
  loadDialects(context);
  LoadedModel model;
  if (failed(loadFile(path, model, context, /*runShapeInference=*/true)))
    return nullptr;
  GraphImporter importer(model, context);
  importer.markParameters = options.markParameters;
  return importer.run(options);
}

OwningOpRef<ModuleOp>
mlir::kiln::importOnnxBuffer(StringRef buffer, StringRef name,
                             MLIRContext *context,
                             const OnnxImportOptions &options) {
  loadDialects(context);
  LoadedModel model;
  model.name = name.str();
  if (failed(parseProto(buffer, model, context)) ||
      failed(checkModel(model, context, /*runShapeInference=*/true)))
    return nullptr;
  GraphImporter importer(model, context);
  importer.markParameters = options.markParameters;
  return importer.run(options);
}

LogicalResult mlir::kiln::summarizeOnnxFile(StringRef path,
                                            MLIRContext *context,
                                            OnnxModelSummary &summary) {
  LoadedModel model;
  if (failed(loadFile(path, model, context, /*runShapeInference=*/false)))
    return failure();
  const onnx::GraphProto &graph = model.proto.graph();
  summary.producer = model.proto.producer_name();
  if (!model.proto.producer_version().empty())
    summary.producer += " " + model.proto.producer_version();
  summary.irVersion = model.proto.ir_version();
  summary.opset = model.opset;
  std::set<std::string> initNames;
  for (const onnx::TensorProto &init : graph.initializer()) {
    initNames.insert(init.name());
    int64_t count = 1;
    for (int64_t d : init.dims())
      count *= d;
    summary.parameterCount += count;
    Type type = onnxElementType(init.data_type(), context);
    summary.parameterBytes +=
        count * (type ? std::max<int64_t>(1, type.getIntOrFloatBitWidth() / 8)
                      : 0);
  }
  for (const onnx::ValueInfoProto &input : graph.input())
    if (!initNames.count(input.name()))
      summary.inputs.push_back({input.name(), formatValueType(input.type())});
  for (const onnx::ValueInfoProto &output : graph.output())
    summary.outputs.push_back({output.name(), formatValueType(output.type())});
  for (const onnx::NodeProto &node : graph.node())
    ++summary.opCounts[node.op_type()];
  summary.unsupported = unsupportedNodes(model);
  FlopEstimate flops = estimateFlops(model.proto);
  summary.flops = flops.flops;
  summary.unestimatedNodes = flops.unestimatedNodes;
  return success();
}

std::vector<OnnxOpSupport> mlir::kiln::supportedOnnxOps() {
  std::vector<OnnxOpSupport> rows;
  for (const auto &entry : OnnxOpRegistry::get().entries())
    for (const OnnxOpRegistry::Entry &e : entry.second)
      rows.push_back({entry.first().str(), e.minVersion, e.maxVersion});
  llvm::sort(rows, [](const OnnxOpSupport &a, const OnnxOpSupport &b) {
    return std::tie(a.opType, a.minVersion) < std::tie(b.opType, b.minVersion);
  });
  return rows;
}
