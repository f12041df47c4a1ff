//===- Model.cpp - Compiling, running and saving DSL models ---------------===//
//
// A Model finishes its graph (the return op, the function's type, the
// `kiln.name` of each input and output), then hands copies of the module to
// the same driver the CLI uses: compileAndLoad for the JIT, compileToLLVMIR
// and writeCompiledModel for an AOT library. Every error, the compiler's and
// the runtime's, reaches the user as a dsl::Error.
//
//===----------------------------------------------------------------------===//

#include "ModelImpl.h"

#include "kiln/Driver/Compiler.h"
#include "kiln/Target/Signature.h"
#include "kiln/Training/TrainingStep.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace kiln::dsl;
using namespace kiln::dsl::detail;
namespace mk = mlir::kiln;

namespace {

void finish(GraphImpl &g) {
  if (g.outputs.empty())
    throw Error("the graph has no output (call Graph::output)");
  llvm::SmallVector<mlir::Value> results;
  for (auto &[name, v] : g.outputs)
    results.push_back(v);
  mlir::func::ReturnOp::create(g.builder,
                               mlir::UnknownLoc::get(g.context.get()), results);
  mlir::Block &body = g.func.getBody().front();
  g.func.setFunctionType(g.builder.getFunctionType(
      body.getArgumentTypes(), mlir::ValueRange(results).getTypes()));
  for (auto [i, name] : llvm::enumerate(g.inputNames))
    g.func.setArgAttr(i, mk::kNameAttr, g.builder.getStringAttr(name));
  for (auto [i, out] : llvm::enumerate(g.outputs))
    g.func.setResultAttr(i, mk::kNameAttr, g.builder.getStringAttr(out.first));
  g.finished = true;
}

mk::CompileOptions optionsFor(const Target &target) {
  if (target.device != "cpu")
    throw Error("unknown target device '" + target.device +
                "' (the DSL compiles for \"cpu\")");
  if (target.optLevel > 3)
    throw Error("optimization level must be 0 to 3, got " +
                std::to_string(target.optLevel));
  mk::CompileOptions options;
  options.entry = "main";
  options.target.cpu = target.cpu;
  options.target.optLevel = target.optLevel;
  return options;
}

/// A buffer (a running statistic: a constant marked kBufferAttr) named
/// `name`, or null.
mk::ConstantOp findBuffer(const GraphImpl &g, const std::string &name) {
  mk::ConstantOp found;
  const_cast<mlir::func::FuncOp &>(g.func).walk([&](mk::ConstantOp c) {
    if (auto b = c->getAttrOfType<mlir::StringAttr>(mk::kBufferAttr))
      if (b.getValue() == name)
        found = c;
  });
  return found;
}

const ParameterInfo &findParameter(const GraphImpl &g,
                                   const std::string &name) {
  for (const ParameterInfo &p : g.parameters)
    if (p.name == name)
      return p;
  throw Error("the model has no parameter '" + name + "'");
}

} // namespace

Model::Model(Graph &&graph) : modelImpl(std::make_unique<Impl>()) {
  if (!graph.graphImpl)
    throw Error("this Graph was moved from");
  finish(*graph.graphImpl);
  modelImpl->graph = std::move(graph.graphImpl);
}

Model::~Model() = default;
Model::Model(Model &&) noexcept = default;
Model &Model::operator=(Model &&) noexcept = default;

void Model::compile(const Target &target) {
  mk::CompileOptions options = optionsFor(target);
  GraphImpl &g = *modelImpl->graph;
  mlir::OwningOpRef<mlir::ModuleOp> copy =
      mlir::cast<mlir::ModuleOp>(g.module->clone());
  auto model = mk::compileAndLoad(*copy, options);
  if (!model)
    throw Error("compiling the model failed: " +
                llvm::toString(model.takeError()));
  modelImpl->target = target;
  modelImpl->compiled.emplace(*model);
}

std::vector<kiln::Tensor>
Model::predict(const std::vector<const kiln::Tensor *> &inputs) {
  if (!modelImpl->compiled)
    compile(modelImpl->target);
  GraphImpl &g = *modelImpl->graph;
  if (inputs.size() != g.inputNames.size())
    throw Error("predict: the model takes " +
                std::to_string(g.inputNames.size()) + " inputs, got " +
                std::to_string(inputs.size()));
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!inputs[i] || !*inputs[i])
      throw Error("predict: input '" + g.inputNames[i] + "' is null");
  try {
    return modelImpl->compiled->run(inputs);
  } catch (const kiln::Error &e) {
    throw Error(std::string("predict: ") + e.what());
  }
}

kiln::Tensor Model::predict(const kiln::Tensor &input) {
  GraphImpl &g = *modelImpl->graph;
  if (g.inputNames.size() != 1 || g.outputs.size() != 1)
    throw Error("predict(tensor) is for models with one input and one "
                "output; this one has " +
                std::to_string(g.inputNames.size()) + " and " +
                std::to_string(g.outputs.size()));
  std::vector<kiln::Tensor> out = predict({&input});
  return std::move(out[0]);
}

void Model::saveOnnx(const std::string &path) const {
  writeOnnx(*modelImpl->graph, path);
}

void Model::saveLibrary(const std::string &path) const {
  mk::CompileOptions options = optionsFor(modelImpl->target);
  GraphImpl &g = *modelImpl->graph;
  mlir::OwningOpRef<mlir::ModuleOp> copy =
      mlir::cast<mlir::ModuleOp>(g.module->clone());
  llvm::LLVMContext llvmContext;
  auto compiled = mk::compileToLLVMIR(*copy, llvmContext, options);
  if (!compiled)
    throw Error("saveLibrary: compiling the model failed: " +
                llvm::toString(compiled.takeError()));
  if (llvm::Error err = mk::writeCompiledModel(**compiled, options, path,
                                               /*sharedLibrary=*/true))
    throw Error("saveLibrary: " + llvm::toString(std::move(err)));
}

std::vector<std::string> Model::parameterNames() const {
  std::vector<std::string> names;
  for (const ParameterInfo &p : modelImpl->graph->parameters)
    names.push_back(p.name);
  return names;
}

kiln::Tensor Model::parameter(const std::string &name) const {
  mk::ConstantOp op = findBuffer(*modelImpl->graph, name);
  if (!op)
    op = findParameter(*modelImpl->graph, name).op;
  auto attr = mlir::cast<mlir::DenseElementsAttr>(op.getValue());
  std::vector<int64_t> shape(attr.getType().getShape().begin(),
                             attr.getType().getShape().end());
  kiln::Tensor t = kiln::Tensor::zeros(KILN_DTYPE_F32, shape);
  float *data = t.data<float>();
  size_t i = 0;
  for (float v : attr.getValues<float>())
    data[i++] = v;
  return t;
}

void Model::setParameter(const std::string &name, const kiln::Tensor &value) {
  const ParameterInfo &p = findParameter(*modelImpl->graph, name);
  mk::ConstantOp op = p.op;
  auto type = mlir::cast<mlir::RankedTensorType>(op.getType());
  std::vector<int64_t> shape(type.getShape().begin(), type.getShape().end());
  if (!value || value.dtype() != KILN_DTYPE_F32 || value.shape() != shape)
    throw Error("setParameter: parameter '" + name + "' is f32 " +
                kiln::dsl::shapeString(shape) + ", got " +
                (value ? std::string(kiln_dtype_name(value.dtype())) + " " +
                             kiln::dsl::shapeString(value.shape())
                       : std::string("a null tensor")));
  llvm::ArrayRef<float> data(value.data<float>(), value.size());
  op.setValueAttr(mlir::DenseElementsAttr::get(type, data));
  modelImpl->compiled.reset();
  // A trainer holds its own copy of the parameters.
  if (auto &trainer = modelImpl->trainer) {
    auto infos = trainer->parameterInfo();
    for (size_t i = 0; i < infos.size(); ++i)
      if (infos[i].name == name)
        if (llvm::Error err = trainer->setParameter(i, value.get()))
          throw Error("setParameter: " + llvm::toString(std::move(err)));
  }
}

std::vector<std::string> Model::inputNames() const {
  return modelImpl->graph->inputNames;
}

std::vector<std::string> Model::outputNames() const {
  std::vector<std::string> names;
  for (auto &[name, _] : modelImpl->graph->outputs)
    names.push_back(name);
  return names;
}

std::string Model::str() const {
  std::string text;
  llvm::raw_string_ostream os(text);
  modelImpl->graph->module->print(os);
  return text;
}
