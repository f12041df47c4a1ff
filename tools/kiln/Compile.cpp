//===- Compile.cpp - kiln compile -----------------------------------------===//
//
// Compiles a model and writes it: as a shared library for the runtime, an
// object file, or one intermediate stage (kiln graph, linalg, LLVM IR).
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/OperationSupport.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>

using namespace mlir;
using namespace mlir::kiln::cli;

/// `kiln compile --target cuda`: the kiln and linalg stages as for CPUs,
/// then the GPU pipeline's kernels (gpu) or their PTX (ptx).
static int compileForCUDA(const std::string &input, const std::string &output,
                          const std::string &emit,
                          const mlir::kiln::CUDATargetOptions &target,
                          const CompilerFlags &flags, bool elide) {
  if (emit != "mlir" && emit != "linalg" && emit != "gpu" && emit != "ptx")
    return fail(emit.empty()
                    ? "kiln compile --target cuda needs --emit mlir, linalg, "
                      "gpu or ptx"
                    : "--emit " + emit +
                          " is not available with --target cuda yet (mlir, "
                          "linalg, gpu or ptx)");
  auto session = std::make_unique<Session>();
  OwningOpRef<ModuleOp> module = loadModel(*session, input);
  if (!module)
    return 1;
  mlir::kiln::CompileOptions options;
  if (failed(flags.apply(*module, options)))
    return 1;
  options.unrollScans = true;
  auto stage =
      emit == "mlir" ? mlir::kiln::Stage::Kiln : mlir::kiln::Stage::Linalg;
  if (auto err = mlir::kiln::lowerTo(*module, stage, options))
    return fail(std::move(err));
  (*module)->removeAttr("kiln.stage");
  std::function<llvm::Error(llvm::raw_ostream &)> write;
  std::vector<mlir::kiln::PTXModule> ptx;
  if (emit == "gpu" || emit == "ptx") {
    if (auto err = mlir::kiln::lowerForCUDA(*module, target,
                                            emit == "gpu"
                                                ? mlir::kiln::CUDAStage::Kernels
                                                : mlir::kiln::CUDAStage::PTX))
      return fail(std::move(err));
  }
  if (emit == "ptx") {
    auto modules = mlir::kiln::extractPTX(*module);
    if (!modules)
      return fail(modules.takeError());
    ptx = std::move(*modules);
    // All kernels share one module (kiln-merge-gpu-modules); should there be
    // more, each is written after a comment line naming it.
    write = [&](llvm::raw_ostream &os) {
      for (const auto &m : ptx) {
        if (ptx.size() > 1)
          os << "// kiln: PTX module " << m.name << "\n";
        os << m.ptx;
      }
      return llvm::Error::success();
    };
  } else {
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

/// The --stats figures of a phase that has just run on `module`: ops in the
/// graph, linalg ops (loop nests before fusion into kernels), and the
/// codegen pipeline's counts (see kiln-count-kernels).
static void printPhaseStats(Operation *module, StringRef phase) {
  auto count = [&](StringRef dialect) {
    int64_t n = 0;
    module->walk([&](Operation *op) {
      if (op->getDialect() && op->getDialect()->getNamespace() == dialect &&
          !op->hasTrait<OpTrait::IsTerminator>() &&
          !op->getParentOfType<linalg::LinalgOp>())
        ++n;
    });
    return n;
  };
  if (phase == "graph")
    std::fprintf(stderr, "kiln:   %lld kiln ops\n", (long long)count("kiln"));
  if (phase == "linalg")
    std::fprintf(stderr,
                 "kiln:   %lld linalg ops after elementwise fusion (loop "
                 "nests before kernel fusion)\n",
                 (long long)count("linalg"));
  if (phase != "codegen")
    return;
  auto dict = module->getAttrOfType<DictionaryAttr>("kiln.stats");
  auto get = [&](StringRef key) -> long long {
    auto attr = dict ? dict.getAs<IntegerAttr>(key) : IntegerAttr();
    return attr ? attr.getInt() : -1;
  };
  std::fprintf(stderr,
               "kiln:   loop nests: %lld before kernel fusion, %lld after\n"
               "kiln:   intermediate buffers: %lld bytes before kernel "
               "fusion, %lld after (+%lld of dynamic size)\n",
               get("unfused_loop_nests"), get("fused_loop_nests"),
               get("unfused_buffer_bytes"), get("fused_buffer_bytes"),
               get("fused_dynamic_buffers"));
}

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
                "(linalg on tensors), llvm (LLVM IR); with --target cuda: "
                "gpu (kernels and launches, MLIR), ptx (the kernels' PTX)");
  parser.flag("--stats", &stats,
              "print the time of each compiler phase, op and loop-nest "
              "counts before and after fusion, and intermediate buffer bytes");
  parser.flag("--elide-weights", &elide,
              "print large constants as '...' (mlir and linalg only)");
  flags.addTo(parser);
  flags.acceptsCUDA = true;
  if (auto code = parser.parse(args))
    return *code;
  auto cuda = flags.cudaTarget();
  if (failed(cuda))
    return 1;
  if (*cuda)
    return compileForCUDA(input, output, emit, **cuda, flags, elide);
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
    options.onPhase = [op = module->getOperation()](StringRef phase,
                                                    double seconds) {
      std::fprintf(stderr, "kiln: %-8s %8.1f ms\n", phase.str().c_str(),
                   seconds * 1e3);
      printPhaseStats(op, phase);
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
    auto stage =
        emit == "mlir" ? mlir::kiln::Stage::Kiln : mlir::kiln::Stage::Linalg;
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
