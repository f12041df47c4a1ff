//===- Graph.cpp - DSL graphs: inputs, parameters, checked op building ----===//
//
// A Graph owns an MLIRContext and a module with one `func.func @main` that
// grows as the user builds: inputs become block arguments (the function's
// type is set when a Model takes the graph), parameters become kiln.constant
// ops marked `kiln.parameter`, and every op is verified as it is created so
// that a shape error is reported where the user made it.
//
//===----------------------------------------------------------------------===//

#include "GraphImpl.h"

#include "kiln/InitAllDialects.h"
#include "kiln/Target/Signature.h"
#include "kiln/Training/TrainingStep.h"

#include "llvm/Support/raw_ostream.h"

#include <sstream>

using namespace kiln::dsl;
using namespace kiln::dsl::detail;
namespace mk = mlir::kiln;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

const char *kiln::dsl::dtypeName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "f32";
  case DType::F64:
    return "f64";
  case DType::I32:
    return "i32";
  case DType::I64:
    return "i64";
  case DType::Bool:
    return "bool";
  }
  return "invalid";
}

std::string kiln::dsl::shapeString(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      text += ", ";
    text += shape[i] < 0 ? std::string("?") : std::to_string(shape[i]);
  }
  return text + "]";
}

std::vector<int64_t> detail::shapeOf(mlir::Value value) {
  auto type = mlir::cast<mlir::RankedTensorType>(value.getType());
  std::vector<int64_t> shape;
  for (int64_t d : type.getShape())
    shape.push_back(mlir::ShapedType::isDynamic(d) ? dyn : d);
  return shape;
}

std::string detail::shapeString(mlir::Value value) {
  auto type = mlir::cast<mlir::RankedTensorType>(value.getType());
  return kiln::dsl::shapeString(shapeOf(value)) + " " +
         dtypeName(dtypeOf(type.getElementType()));
}

DType detail::dtypeOf(mlir::Type t) {
  if (t.isF64())
    return DType::F64;
  if (t.isInteger(64))
    return DType::I64;
  if (t.isInteger(32))
    return DType::I32;
  if (t.isInteger(1))
    return DType::Bool;
  return DType::F32;
}

mlir::Value detail::valueOf(const Tensor &t, const GraphImpl *graph) {
  if (!t)
    throw Error("a null dsl::Tensor was used (a Tensor that was never "
                "assigned a value)");
  if (graph && t.graphImpl() != graph)
    throw Error("tensors from two different graphs were combined");
  return mlir::Value::getFromOpaquePointer(t.opaqueValue());
}

GraphImpl &detail::graphOf(const Tensor &t) {
  valueOf(t);
  return *t.graphImpl();
}

GraphImpl &detail::graphOf(const Tensor &a, const Tensor &b) {
  GraphImpl &g = graphOf(a);
  valueOf(b, &g);
  return g;
}

//===----------------------------------------------------------------------===//
// GraphImpl
//===----------------------------------------------------------------------===//

GraphImpl::GraphImpl(uint64_t seed)
    : context(std::make_unique<mlir::MLIRContext>(
          mlir::MLIRContext::Threading::DISABLED)),
      builder(context.get()), rngState(seed) {
  mlir::DialectRegistry registry;
  mk::registerAllDialects(registry);
  context->appendDialectRegistry(registry);
  context->loadAllAvailableDialects();
  mlir::Location unknown = mlir::UnknownLoc::get(context.get());
  module = mlir::ModuleOp::create(unknown);
  builder.setInsertionPointToEnd(module->getBody());
  func = mlir::func::FuncOp::create(builder, unknown, "main",
                                    builder.getFunctionType({}, {}));
  builder.setInsertionPointToEnd(func.addEntryBlock());
}

mlir::Location GraphImpl::loc() const {
  if (!scopeLocs.empty())
    return scopeLocs.back();
  return mlir::UnknownLoc::get(context.get());
}

std::string GraphImpl::where(llvm::StringRef opName) const {
  if (!scopes.empty())
    return scopes.back();
  return ("op '" + opName + "'").str();
}

void GraphImpl::fail(const std::string &message) const { throw Error(message); }

void GraphImpl::checkOpen() const {
  if (finished)
    throw Error("the graph was already turned into a Model; build a new "
                "Graph to add to it");
}

void GraphImpl::verifyOrThrow(mlir::Operation *op,
                              llvm::ArrayRef<mlir::Value> operands) {
  std::string message;
  {
    mlir::ScopedDiagnosticHandler capture(
        context.get(), [&](mlir::Diagnostic &diag) {
          if (diag.getSeverity() == mlir::DiagnosticSeverity::Error &&
              message.empty())
            message = diag.str();
          return mlir::success();
        });
    if (mlir::succeeded(mlir::verify(op, /*verifyRecursively=*/false)))
      return;
  }
  std::string opName = op->getName().getStringRef().str();
  op->erase();
  std::string text = where(opName) + ": cannot build " + opName;
  if (!operands.empty()) {
    text += " on shapes ";
    for (size_t i = 0; i < operands.size(); ++i)
      text += (i ? " and " : "") + detail::shapeString(operands[i]);
  }
  fail(text + ": " + message);
}

mlir::Type GraphImpl::elementType(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return builder.getF32Type();
  case DType::F64:
    return builder.getF64Type();
  case DType::I32:
    return builder.getI32Type();
  case DType::I64:
    return builder.getI64Type();
  case DType::Bool:
    return builder.getI1Type();
  }
  return builder.getF32Type();
}

mlir::Value GraphImpl::constant(llvm::ArrayRef<int64_t> shape,
                                llvm::ArrayRef<double> values,
                                mlir::Type elementType) {
  checkOpen();
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0)
      fail(where("kiln.constant") + ": a constant needs a static shape, got " +
           kiln::dsl::shapeString(
               std::vector<int64_t>(shape.begin(), shape.end())));
    count *= d;
  }
  if (values.size() != 1 && (int64_t)values.size() != count)
    fail(where("kiln.constant") + ": " + std::to_string(values.size()) +
         " values given for a constant of shape " +
         kiln::dsl::shapeString(
             std::vector<int64_t>(shape.begin(), shape.end())));
  auto type = mlir::RankedTensorType::get(shape, elementType);
  mlir::DenseElementsAttr attr;
  if (elementType.isF32()) {
    std::vector<float> v(values.begin(), values.end());
    attr = mlir::DenseElementsAttr::get(type, llvm::ArrayRef<float>(v));
  } else if (elementType.isF64()) {
    attr = mlir::DenseElementsAttr::get(type, values);
  } else if (elementType.isInteger(1)) {
    llvm::SmallVector<bool> v;
    for (double x : values)
      v.push_back(x != 0);
    attr = mlir::DenseElementsAttr::get(type, llvm::ArrayRef<bool>(v));
  } else if (elementType.isInteger(32)) {
    std::vector<int32_t> v(values.begin(), values.end());
    attr = mlir::DenseElementsAttr::get(type, llvm::ArrayRef<int32_t>(v));
  } else {
    std::vector<int64_t> v(values.begin(), values.end());
    attr = mlir::DenseElementsAttr::get(type, llvm::ArrayRef<int64_t>(v));
  }
  return mk::ConstantOp::create(builder, loc(), attr);
}

mlir::Value GraphImpl::indexVector(llvm::ArrayRef<int64_t> values) {
  auto type = mlir::RankedTensorType::get({(int64_t)values.size()},
                                          builder.getI64Type());
  return mk::ConstantOp::create(builder, loc(),
                                mlir::DenseElementsAttr::get(type, values));
}

//===----------------------------------------------------------------------===//
// Tensor
//===----------------------------------------------------------------------===//

std::vector<int64_t> Tensor::shape() const { return shapeOf(valueOf(*this)); }

int64_t Tensor::rank() const { return (int64_t)shape().size(); }

int64_t Tensor::dim(int64_t d) const {
  std::vector<int64_t> s = shape();
  int64_t r = (int64_t)s.size();
  if (d < -r || d >= r)
    throw Error("dimension " + std::to_string(d) +
                " is out of range for a tensor of shape " +
                kiln::dsl::shapeString(s));
  return s[d < 0 ? d + r : d];
}

DType Tensor::dtype() const {
  return dtypeOf(mlir::cast<mlir::RankedTensorType>(valueOf(*this).getType())
                     .getElementType());
}

//===----------------------------------------------------------------------===//
// Graph
//===----------------------------------------------------------------------===//

Graph::Graph(uint64_t seed) : graphImpl(std::make_unique<GraphImpl>(seed)) {}
Graph::~Graph() = default;
Graph::Graph(Graph &&) noexcept = default;
Graph &Graph::operator=(Graph &&) noexcept = default;

static GraphImpl &implOf(const std::unique_ptr<GraphImpl> &impl) {
  if (!impl)
    throw Error("this Graph was moved from");
  return *impl;
}

Tensor Graph::input(const std::string &name, const std::vector<int64_t> &shape,
                    DType dtype) {
  GraphImpl &g = implOf(graphImpl);
  g.checkOpen();
  if (name.empty())
    throw Error("an input needs a name");
  for (const std::string &n : g.inputNames)
    if (n == name)
      throw Error("input '" + name + "' is declared twice");
  llvm::SmallVector<int64_t> dims;
  for (int64_t d : shape) {
    if (d < dyn || d == 0)
      throw Error("input '" + name + "' has an invalid extent " +
                  std::to_string(d) + " in shape " +
                  kiln::dsl::shapeString(shape) +
                  " (use dsl::dyn for a dynamic dimension)");
    dims.push_back(d == dyn ? mlir::ShapedType::kDynamic : d);
  }
  auto type = mlir::RankedTensorType::get(dims, g.elementType(dtype));
  mlir::Value arg = g.func.getBody().front().addArgument(
      type, mlir::NameLoc::get(g.builder.getStringAttr(name)));
  g.inputNames.push_back(name);
  return g.wrap(arg);
}

void Graph::output(const std::string &name, const Tensor &value) {
  GraphImpl &g = implOf(graphImpl);
  g.checkOpen();
  mlir::Value v = valueOf(value, &g);
  std::string outName =
      name.empty() ? "output" + std::to_string(g.outputs.size()) : name;
  for (auto &[n, _] : g.outputs)
    if (n == outName)
      throw Error("output '" + outName + "' is declared twice");
  g.outputs.emplace_back(outName, v);
}

std::string Graph::uniqueName(const std::string &base) {
  GraphImpl &g = implOf(graphImpl);
  std::string name = base;
  for (int i = 1; !g.usedNames.insert(name).second; ++i)
    name = base + "_" + std::to_string(i);
  return name;
}

Tensor Graph::parameter(const std::string &name,
                        const std::vector<int64_t> &shape,
                        const Initializer &initializer) {
  return implOf(graphImpl).parameter(name, shape, initializer);
}

Tensor GraphImpl::parameter(const std::string &name,
                            const std::vector<int64_t> &shape,
                            const Initializer &initializer) {
  GraphImpl &g = *this;
  g.checkOpen();
  for (int64_t d : shape)
    if (d <= 0)
      throw Error(g.where("kiln.constant") + ": parameter '" + name +
                  "' needs a static shape, got " +
                  kiln::dsl::shapeString(shape));
  std::string unique = name;
  for (int i = 1;; ++i) {
    bool taken = false;
    for (const ParameterInfo &p : g.parameters)
      taken |= p.name == unique;
    if (!taken)
      break;
    unique = name + "_" + std::to_string(i);
  }
  std::vector<float> values = init::generate(initializer, shape, g.rngState);
  auto type = mlir::RankedTensorType::get(
      llvm::SmallVector<int64_t>(shape.begin(), shape.end()),
      g.builder.getF32Type());
  auto attr = mlir::DenseElementsAttr::get(type, llvm::ArrayRef<float>(values));
  // Parameters go to the top of the function, where a trainer finds them.
  mlir::OpBuilder::InsertionGuard guard(g.builder);
  g.builder.setInsertionPointToStart(&g.func.getBody().front());
  auto op = mk::ConstantOp::create(g.builder, g.loc(), attr);
  op->setAttr(mk::kParameterAttr, g.builder.getStringAttr(unique));
  g.parameters.push_back({unique, op});
  return g.wrap(op.getResult());
}

Tensor Graph::constant(const std::vector<int64_t> &shape,
                       const std::vector<double> &values, DType dtype) {
  GraphImpl &g = implOf(graphImpl);
  return g.wrap(g.constant(shape, values, g.elementType(dtype)));
}

Tensor Graph::scalar(double value, DType dtype) {
  return constant({}, {value}, dtype);
}

std::string Graph::str() const {
  GraphImpl &g = implOf(graphImpl);
  std::string text;
  llvm::raw_string_ostream os(text);
  g.module->print(os);
  return text;
}

//===----------------------------------------------------------------------===//
// LayerScope
//===----------------------------------------------------------------------===//

static void pushScope(GraphImpl &g, const std::string &kind,
                      const std::string &name) {
  g.scopes.push_back("layer '" + name + "' (" + kind + ")");
  g.scopeLocs.push_back(mlir::NameLoc::get(g.builder.getStringAttr(name)));
}

LayerScope::LayerScope(const Tensor &anyValueOfGraph, const std::string &kind,
                       const std::string &name)
    : graph(&graphOf(anyValueOfGraph)) {
  pushScope(*graph, kind, name);
}

LayerScope::LayerScope(Graph &g, const std::string &kind,
                       const std::string &name)
    : graph(g.impl()) {
  pushScope(*graph, kind, name);
}

LayerScope::~LayerScope() {
  graph->scopes.pop_back();
  graph->scopeLocs.pop_back();
}
