//===- Compile.cpp - kiln compile -----------------------------------------===//
//
// Compiles a model and writes it: as a shared library for the runtime, an
// object file, or one intermediate stage (kiln graph, linalg, LLVM IR).
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/OperationSupport.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>

using namespace mlir;
using namespace mlir::kiln::cli;

int mlir::kiln::cli::runCompile(const std::vector<std::string> &args) {
  std::string input, output, emit;
  bool stats = false, elide = false;
  CompilerFlags flags;
  ArgParser parser(
      "compile", "kiln compile MODEL -o FILE [--emit STAGE] [options]",
      "Compiles MODEL (.onnx, ONNX text, or .mlir of kiln ops). By default it\n"
      "writes a shared library for the runtime (kiln run model.so, or\n"
      "kiln_model_open in a program); --emit picks another output. A failed\n"
      "compile leaves no output file.");
  parser.positional("MODEL", &input, "the model to compile");
  parser.option("--output", &output, "FILE",
                "where to write (standard output for text stages)", "-o");
  parser.option("--emit", &emit, "STAGE",
                "so (shared library; the default when FILE ends in .so), obj "
                "(object file; default for .o), mlir (kiln ops), linalg "
                "(linalg on tensors), llvm (LLVM IR)");
  parser.flag("--stats", &stats, "print the time of each compiler phase");
  parser.flag("--elide-weights", &elide,
              "print large constants as '...' (mlir and linalg only)");
  flags.addTo(parser);
  if (auto code = parser.parse(args))
    return *code;
  if (emit.empty()) {
    if (StringRef(output).ends_with(".o"))
      emit = "obj";
    else if (!output.empty() && output != "-")
      emit = "so";
    else
      return fail("kiln compile needs -o FILE (for a shared library) or "
                  "--emit mlir|linalg|llvm");
  }
  bool binary = emit == "so" || emit == "obj";
  if (!binary && emit != "mlir" && emit != "linalg" && emit != "llvm")
    return fail("unknown --emit stage '" + emit +
                "' (so, obj, mlir, linalg or llvm)");
  if (binary && (output.empty() || output == "-"))
    return fail("--emit " + emit + " needs -o FILE");

  auto session = std::make_unique<Session>();
  OwningOpRef<ModuleOp> module = loadModel(*session, input);
  if (!module)
    return 1;
  mlir::kiln::CompileOptions options;
  if (failed(flags.apply(*module, options)))
    return 1;
  if (stats)
    options.onPhase = [](StringRef phase, double seconds) {
      std::fprintf(stderr, "kiln: %-8s %8.1f ms\n", phase.str().c_str(),
                   seconds * 1e3);
    };

  std::function<llvm::Error(llvm::raw_ostream &)> write;
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule;
  if (binary) {
    auto compiled = mlir::kiln::compileToLLVMIR(*module, llvmContext, options);
    if (!compiled)
      return fail(compiled.takeError());
    // The weights now live in the LLVM module: free the MLIR copy (its blobs
    // belong to the context) before code generation.
    module = nullptr;
    session.reset();
    if (auto err = mlir::kiln::writeCompiledModel(**compiled, options, output,
                                                  emit == "so"))
      return fail(std::move(err));
    return 0;
  }
  if (emit == "llvm") {
    auto compiled = mlir::kiln::compileToLLVMIR(*module, llvmContext, options);
    if (!compiled)
      return fail(compiled.takeError());
    llvmModule = std::move(*compiled);
    write = [&](llvm::raw_ostream &os) {
      llvmModule->print(os, nullptr);
      return llvm::Error::success();
    };
  } else {
    auto stage = emit == "mlir" ? mlir::kiln::Stage::Kiln
                                : mlir::kiln::Stage::Linalg;
    if (auto err = mlir::kiln::lowerTo(*module, stage, options))
      return fail(std::move(err));
    (*module)->removeAttr("kiln.stage");
    write = [&](llvm::raw_ostream &os) {
      OpPrintingFlags printing;
      if (elide)
        printing.elideLargeElementsAttrs(16).elideLargeResourceString(64);
      module->print(os, printing);
      return llvm::Error::success();
    };
  }
  if (output.empty() || output == "-") {
    if (auto err = write(llvm::outs()))
      return fail(std::move(err));
    return 0;
  }
  if (auto err = writeFileAtomically(output, write))
    return fail(std::move(err));
  return 0;
}
