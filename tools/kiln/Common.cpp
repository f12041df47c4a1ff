//===- Common.cpp - What the kiln verbs share -----------------------------===//
//
// See Common.h.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "kiln/Frontends/ONNX/Importer.h"
#include "kiln/InitAllDialects.h"
#include "kiln/Target/Signature.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>

using namespace mlir;
using namespace mlir::kiln::cli;

static std::string oneLine(std::string text) {
  for (char &c : text)
    if (c == '\n')
      c = ' ';
  return text;
}

int mlir::kiln::cli::fail(const std::string &message) {
  std::fprintf(stderr, "kiln: error: %s\n", oneLine(message).c_str());
  return 1;
}

int mlir::kiln::cli::fail(llvm::Error error) {
  std::string message = llvm::toString(std::move(error));
  // Errors gathered from diagnostics may hold several lines: print each,
  // the notes attached to an error as notes.
  StringRef rest = message;
  while (!rest.empty()) {
    auto [line, tail] = rest.split('\n');
    line = line.trim();
    if (line.consume_front("note:"))
      std::fprintf(stderr, "kiln: note: %s\n", line.ltrim().str().c_str());
    else if (!line.empty())
      std::fprintf(stderr, "kiln: error: %s\n", line.str().c_str());
    rest = tail;
  }
  return 1;
}

/// "model.onnx", "model.mlir:3:5", "model.onnx: node 'x'".
static std::string describe(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc)) {
    std::string child = describe(name.getChildLoc());
    std::string node = "node '" + name.getName().str() + "'";
    return child.empty() ? node : child + ": " + node;
  }
  if (auto file = dyn_cast<FileLineColLoc>(loc)) {
    std::string text = file.getFilename().str();
    if (file.getLine() > 0)
      text += ":" + std::to_string(file.getLine()) + ":" +
              std::to_string(file.getColumn());
    return text;
  }
  if (auto fused = dyn_cast<FusedLoc>(loc))
    if (!fused.getLocations().empty())
      return describe(fused.getLocations().front());
  if (auto callSite = dyn_cast<CallSiteLoc>(loc))
    return describe(callSite.getCallee());
  return "";
}

struct Session::Handler {
  explicit Handler(MLIRContext &ctx)
      : handler(&ctx, [](Diagnostic &diag) {
          if (diag.getSeverity() != DiagnosticSeverity::Error)
            return success();
          std::string where = describe(diag.getLocation());
          std::string text = diag.str();
          for (Diagnostic &note : diag.getNotes())
            text += " (" + note.str() + ")";
          fail(where.empty() ? text : where + ": " + text);
          return success();
        }) {}
  ScopedDiagnosticHandler handler;
};

Session::Session() {
  DialectRegistry registry;
  mlir::kiln::registerAllDialects(registry);
  ctx.appendDialectRegistry(registry);
  ctx.loadAllAvailableDialects();
  handler = std::make_unique<Handler>(ctx);
}

Session::~Session() = default;

LogicalResult mlir::kiln::cli::checkModelFile(const std::string &path) {
  if (!llvm::sys::fs::exists(path)) {
    fail("cannot open '" + path + "': no such file");
    return failure();
  }
  if (llvm::sys::fs::is_directory(path)) {
    fail("'" + path + "' is a directory, not a model file");
    return failure();
  }
  return success();
}

OwningOpRef<ModuleOp> mlir::kiln::cli::loadModel(Session &session,
                                                 const std::string &path,
                                                 bool markParameters) {
  if (failed(checkModelFile(path)))
    return nullptr;
  if (StringRef(path).ends_with(".mlir"))
    return parseSourceFile<ModuleOp>(path, &session.context());
  OnnxImportOptions options;
  options.markParameters = markParameters;
  return mlir::kiln::importOnnxFile(path, &session.context(), options);
}

FailureOr<kiln_model *>
mlir::kiln::cli::openOrCompileModel(const std::string &modelPath,
                                    const CompilerFlags &flags) {
  kiln_model *opened = nullptr;
  if (StringRef(modelPath).ends_with(".so")) {
    if (!flags.inputShapes.empty()) {
      fail("--input-shape applies when compiling; '" + modelPath +
           "' is already compiled");
      return failure();
    }
    if (kiln_model_open(modelPath.c_str(), &opened) != KILN_OK) {
      fail(kiln_last_error());
      return failure();
    }
    return opened;
  }
  Session session;
  OwningOpRef<ModuleOp> module = loadModel(session, modelPath);
  if (!module)
    return failure();
  mlir::kiln::CompileOptions options;
  if (failed(flags.apply(*module, options)))
    return failure();
  auto loaded = mlir::kiln::compileAndLoad(*module, options);
  if (!loaded) {
    fail(loaded.takeError());
    return failure();
  }
  return *loaded;
}

void CompilerFlags::addTo(ArgParser &parser) {
  parser.option("--opt-level", &optLevel, "N",
                "LLVM optimization level 0-3 (default 3); also -O0..-O3", "-O",
                /*attached=*/true);
  parser.option("--mcpu", &cpu, "CPU",
                "target CPU for LLVM (default: native, the host's)");
  parser.option("--mattr", &features, "FEATURES",
                "CPU features to add or remove, e.g. +avx2,-avx512f");
  parser.list("--input-shape", &inputShapes, "NAME=DxD...",
              "fix the shape of an input with dynamic dimensions (repeatable)");
  parser.option("--target", &target, "TARGET",
                "cpu (the default), or cuda[:sm_XX] for NVIDIA GPUs (sm_80 "
                "unless given; kiln compile only, see docs/gpu.md)");
}

FailureOr<std::optional<mlir::kiln::CUDATargetOptions>>
CompilerFlags::cudaTarget() const {
  if (target == "cpu")
    return std::optional<mlir::kiln::CUDATargetOptions>();
  auto cuda = mlir::kiln::parseCUDATarget(target);
  if (!cuda) {
    fail(cuda.takeError());
    return failure();
  }
  unsigned level;
  if (!StringRef(optLevel).getAsInteger(10, level) && level <= 3)
    cuda->optLevel = level;
  return std::optional<mlir::kiln::CUDATargetOptions>(*cuda);
}

FailureOr<std::vector<int64_t>> mlir::kiln::cli::parseShape(const std::string &text) {
  std::vector<int64_t> dims;
  if (text == "scalar" || text.empty())
    return dims;
  SmallVector<StringRef> parts;
  StringRef(text).split(parts, 'x');
  for (StringRef part : parts) {
    int64_t d;
    if (part == "?")
      d = -1;
    else if (part.getAsInteger(10, d) || d < 0)
      return failure();
    dims.push_back(d);
  }
  return dims;
}

LogicalResult CompilerFlags::apply(ModuleOp module,
                                   mlir::kiln::CompileOptions &options) const {
  auto cuda = cudaTarget();
  if (failed(cuda))
    return failure();
  if (*cuda && !acceptsCUDA) {
    fail("--target " + target +
         ": running on the GPU is not implemented yet; `kiln compile "
         "--target cuda --emit ptx` writes the kernels (see docs/gpu.md)");
    return failure();
  }
  unsigned level;
  if (StringRef(optLevel).getAsInteger(10, level) || level > 3) {
    fail("--opt-level must be 0, 1, 2 or 3, got '" + optLevel + "'");
    return failure();
  }
  options.target.optLevel = level;
  options.target.cpu = cpu;
  options.target.features = features;
  if (inputShapes.empty())
    return success();
  auto entry = module.lookupSymbol<func::FuncOp>(options.entry);
  if (!entry) {
    fail("the model has no entry function '" + options.entry + "'");
    return failure();
  }
  std::string spec;
  for (const std::string &item : inputShapes) {
    auto [name, shapeText] = StringRef(item).split('=');
    auto shape = parseShape(shapeText.str());
    if (failed(shape) || shapeText.empty()) {
      fail("--input-shape wants NAME=DxD..., got '" + item + "'");
      return failure();
    }
    int index = -1;
    for (unsigned i = 0; i < entry.getNumArguments(); ++i) {
      auto argName =
          entry.getArgAttrOfType<StringAttr>(i, mlir::kiln::kNameAttr);
      if ((argName && argName.getValue() == name) ||
          (!argName && name == "input" + std::to_string(i)))
        index = i;
    }
    if (index < 0) {
      fail("--input-shape names '" + name.str() +
           "', which is not an input of the model");
      return failure();
    }
    if (!spec.empty())
      spec += ",";
    spec += std::to_string(index) + "=" + shapeText.str();
  }
  options.inputShapes = spec;
  return success();
}

llvm::Error mlir::kiln::cli::writeFileAtomically(
    const std::string &path,
    llvm::function_ref<llvm::Error(llvm::raw_ostream &)> write) {
  SmallString<256> temporary;
  int fd;
  std::string model = path + ".tmp%%%%%%";
  if (auto ec = llvm::sys::fs::createUniqueFile(model, fd, temporary))
    return llvm::createStringError(ec, "cannot write '%s': %s", path.c_str(),
                                   ec.message().c_str());
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    if (auto err = write(os)) {
      os.close();
      llvm::sys::fs::remove(temporary);
      return err;
    }
    os.close();
    if (os.has_error()) {
      std::string why = os.error().message();
      os.clear_error();
      llvm::sys::fs::remove(temporary);
      return llvm::createStringError(std::errc::io_error,
                                     "cannot write '%s': %s", path.c_str(),
                                     why.c_str());
    }
  }
  if (auto ec = llvm::sys::fs::rename(temporary, path)) {
    llvm::sys::fs::remove(temporary);
    return llvm::createStringError(ec, "cannot write '%s': %s", path.c_str(),
                                   ec.message().c_str());
  }
  return llvm::Error::success();
}
