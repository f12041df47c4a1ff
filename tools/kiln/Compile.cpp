//===- Compile.cpp - kiln compile -----------------------------------------===//
//
// Compiles a model and writes one stage of it: the kiln graph, linalg, or
// LLVM IR.
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
      "compile", "kiln compile MODEL --emit STAGE [-o FILE] [options]",
      "Compiles MODEL (.onnx, ONNX text, or .mlir of kiln ops) and writes one\n"
      "stage of it. A failed compile leaves no output file.");
  parser.positional("MODEL", &input, "the model to compile");
  parser.option("--emit", &emit, "STAGE",
                "what to write: mlir (kiln ops), linalg (linalg on tensors), "
                "llvm (LLVM IR)");
  parser.option("--output", &output, "FILE",
                "where to write it (default: standard output)", "-o");
  parser.flag("--stats", &stats, "print the time of each compiler phase");
  parser.flag("--elide-weights", &elide,
              "print large constants as '...' (mlir and linalg only)");
  flags.addTo(parser);
  if (auto code = parser.parse(args))
    return *code;
  if (emit != "mlir" && emit != "linalg" && emit != "llvm")
    return fail(emit.empty()
                    ? "kiln compile needs --emit mlir, linalg or llvm"
                    : "unknown --emit stage '" + emit +
                          "' (mlir, linalg or llvm)");

  Session session;
  OwningOpRef<ModuleOp> module = loadModel(session, input);
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
    write(llvm::outs());
    return 0;
  }
  if (auto err = writeFileAtomically(output, write))
    return fail(std::move(err));
  return 0;
}
