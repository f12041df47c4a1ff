//===- Compiler.cpp - From a module of kiln ops to runnable code ----------===//
//
// Runs the phases of lib/Pipelines with diagnostics collected into errors,
// then hands the result to lib/Target.
//
//===----------------------------------------------------------------------===//

#include "kiln/Driver/Compiler.h"
#include "kiln/Dialect/Kiln/Transforms/Passes.h"
#include "kiln/Target/JIT.h"
#include "kiln/Target/SharedLibrary.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace mlir;
using namespace mlir::kiln;

namespace {
/// Collects error diagnostics while alive, for turning into an llvm::Error.
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(MLIRContext *ctx)
      : handler(ctx, [this](Diagnostic &diag) {
          if (diag.getSeverity() != DiagnosticSeverity::Error)
            return success();
          if (!messages.empty())
            messages += "\n";
          messages += diag.str();
          for (Diagnostic &note : diag.getNotes())
            messages += "\n  note: " + note.str();
          return success();
        }) {}

  /// The collected errors, or `fallback` when there were none.
  llvm::Error takeError(StringRef fallback) {
    return llvm::make_error<llvm::StringError>(
        messages.empty() ? fallback.str() : messages,
        llvm::inconvertibleErrorCode());
  }

  /// `error`, followed by the collected errors that explain it.
  llvm::Error explain(llvm::Error error) {
    std::string text = llvm::toString(std::move(error));
    if (!messages.empty())
      text += ": " + messages;
    return llvm::make_error<llvm::StringError>(text,
                                               llvm::inconvertibleErrorCode());
  }

private:
  std::string messages;
  ScopedDiagnosticHandler handler;
};

using Clock = std::chrono::steady_clock;

/// Runs one phase's passes, reporting its time.
llvm::Error runPhase(ModuleOp module, StringRef name,
                     const CompileOptions &options,
                     function_ref<void(OpPassManager &)> build) {
  DiagnosticCollector diagnostics(module.getContext());
  PassManager pm(module.getContext());
  build(pm);
  auto start = Clock::now();
  if (failed(pm.run(module)))
    return diagnostics.takeError(("the " + name + " phase failed").str());
  if (options.onPhase)
    options.onPhase(
        name, std::chrono::duration<double>(Clock::now() - start).count());
  return llvm::Error::success();
}

/// The module's stage, recorded so that lowerTo can resume.
constexpr StringLiteral kStageAttr = "kiln.stage";

int stageOf(ModuleOp module) {
  auto attr = module->getAttrOfType<IntegerAttr>(kStageAttr);
  return attr ? attr.getInt() : -1;
}
} // namespace

llvm::Error mlir::kiln::lowerTo(ModuleOp module, Stage stage,
                                const CompileOptions &options) {
  CPUPipelineOptions pipeline;
  pipeline.inputShapes = options.inputShapes;
  // The kernels' vector width follows the target CPU (--mcpu/--mattr).
  if (stage >= Stage::LLVMDialect) {
    auto machine = createTargetMachine(options.target);
    if (!machine)
      return machine.takeError();
    pipeline.vectorBits = preferredVectorBits(**machine);
  }
  auto setStage = [&](Stage s) {
    module->setAttr(kStageAttr, IntegerAttr::get(IntegerType::get(
                                                     module.getContext(), 32),
                                                 (int)s));
  };
  int current = stageOf(module);
  if (current < (int)Stage::Kiln) {
    if (auto err = runPhase(module, "graph", options, [&](OpPassManager &pm) {
          buildGraphPipeline(pm, pipeline);
        }))
      return err;
    setStage(Stage::Kiln);
  }
  if (stage >= Stage::Linalg && current < (int)Stage::Linalg) {
    if (auto err = runPhase(module, "linalg", options, [&](OpPassManager &pm) {
          if (options.unrollScans)
            pm.addNestedPass<func::FuncOp>(createKilnUnrollScans());
          buildLinalgPipeline(pm);
        }))
      return err;
    setStage(Stage::Linalg);
  }
  if (stage >= Stage::LLVMDialect && current < (int)Stage::LLVMDialect) {
    if (auto err = runPhase(module, "codegen", options, [&](OpPassManager &pm) {
          buildCPUCodegenPipeline(pm, pipeline);
        }))
      return err;
    setStage(Stage::LLVMDialect);
  }
  return llvm::Error::success();
}

llvm::Expected<ModelSignature>
mlir::kiln::entrySignature(ModuleOp module, const CompileOptions &options) {
  if (auto err = lowerTo(module, Stage::Kiln, options))
    return std::move(err);
  auto entry = module.lookupSymbol<func::FuncOp>(options.entry);
  if (!entry)
    return llvm::make_error<llvm::StringError>(
        "the module has no entry function '" + options.entry + "'",
        llvm::inconvertibleErrorCode());
  DiagnosticCollector diagnostics(module.getContext());
  auto signature = getSignature(entry);
  if (failed(signature))
    return diagnostics.takeError("cannot read the entry signature");
  return *signature;
}

llvm::Expected<std::unique_ptr<llvm::Module>>
mlir::kiln::compileToLLVMIR(ModuleOp module, llvm::LLVMContext &llvmContext,
                            const CompileOptions &options,
                            ModelSignature *signatureOut) {
  auto signature = entrySignature(module, options);
  if (!signature)
    return signature.takeError();
  if (auto err = lowerTo(module, Stage::LLVMDialect, options))
    return std::move(err);
  auto machine = createTargetMachine(options.target);
  if (!machine)
    return machine.takeError();
  auto start = Clock::now();
  DiagnosticCollector diagnostics(module.getContext());
  auto llvmModule = translateToLLVMIR(module, llvmContext, *signature,
                                      **machine, options.target.optLevel);
  if (!llvmModule)
    return diagnostics.explain(llvmModule.takeError());
  if (options.onPhase)
    options.onPhase("llvm",
                    std::chrono::duration<double>(Clock::now() - start).count());
  if (signatureOut)
    *signatureOut = *signature;
  return llvmModule;
}

llvm::Expected<kiln_model *>
mlir::kiln::compileAndLoad(ModuleOp module, const CompileOptions &options) {
  auto llvmContext = std::make_unique<llvm::LLVMContext>();
  auto llvmModule = compileToLLVMIR(module, *llvmContext, options);
  if (!llvmModule)
    return llvmModule.takeError();
  auto start = Clock::now();
  auto model = openJitModel(std::move(*llvmModule), std::move(llvmContext),
                            options.target);
  if (model && options.onPhase)
    options.onPhase("jit",
                    std::chrono::duration<double>(Clock::now() - start).count());
  return model;
}

llvm::Error mlir::kiln::writeCompiledModel(llvm::Module &module,
                                           const CompileOptions &options,
                                           llvm::StringRef path,
                                           bool sharedLibrary) {
  auto machine = createTargetMachine(options.target);
  if (!machine)
    return machine.takeError();
  // Temporary files beside the output, so that the final rename stays on one
  // file system.
  SmallString<256> objectPath, libraryPath;
  auto makeTemporary = [&](StringRef suffix, SmallString<256> &out) {
    return llvm::sys::fs::createUniqueFile(path + ".tmp%%%%%%" + suffix, out);
  };
  if (auto ec = makeTemporary(".o", objectPath))
    return llvm::createStringError(ec, "cannot write '%s': %s",
                                   path.str().c_str(), ec.message().c_str());
  auto removeTemporaries = llvm::make_scope_exit([&] {
    llvm::sys::fs::remove(objectPath);
    if (!libraryPath.empty())
      llvm::sys::fs::remove(libraryPath);
  });
  auto start = Clock::now();
  if (auto err = writeObjectFile(module, **machine, objectPath))
    return err;
  if (options.onPhase)
    options.onPhase("object",
                    std::chrono::duration<double>(Clock::now() - start).count());
  StringRef finished = objectPath;
  if (sharedLibrary) {
    if (auto ec = makeTemporary(".so", libraryPath))
      return llvm::createStringError(ec, "cannot write '%s': %s",
                                     path.str().c_str(), ec.message().c_str());
    start = Clock::now();
    if (auto err = linkSharedLibrary(objectPath, libraryPath))
      return err;
    if (options.onPhase)
      options.onPhase("link", std::chrono::duration<double>(Clock::now() -
                                                            start)
                                  .count());
    finished = libraryPath;
  }
  if (auto ec = llvm::sys::fs::rename(finished, path))
    return llvm::createStringError(ec, "cannot write '%s': %s",
                                   path.str().c_str(), ec.message().c_str());
  return llvm::Error::success();
}
