//===- LLVMIR.cpp - From the LLVM dialect to an optimized module ----------===//
//
// Translation to LLVM IR, the model descriptor and entry wrapper of
// kiln/abi.h, and LLVM's optimization pipeline for the target CPU.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/LLVMIR.h"
#include "kiln/Codegen/Passes.h"
#include "kiln/abi.h"

#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

using namespace mlir;
using namespace mlir::kiln;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::make_error<llvm::StringError>(message,
                                             llvm::inconvertibleErrorCode());
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
mlir::kiln::createTargetMachine(const CPUTargetOptions &options) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return makeError("no LLVM target for " + triple.str() + ": " + error);
  std::string cpu = options.cpu;
  std::string features = options.features;
  if (cpu.empty() || cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures host;
    for (const auto &[name, enabled] : llvm::sys::getHostCPUFeatures())
      host.AddFeature(name, enabled);
    if (!features.empty())
      host.addFeaturesVector(llvm::SubtargetFeatures(features).getFeatures());
    features = host.getString();
  }
  llvm::TargetOptions targetOptions;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, targetOptions, llvm::Reloc::PIC_,
      std::nullopt,
      options.optLevel >= 2 ? llvm::CodeGenOptLevel::Aggressive
                            : llvm::CodeGenOptLevel::Less));
  if (!machine)
    return makeError("cannot create a target machine for " + cpu);
  return machine;
}

int64_t mlir::kiln::preferredVectorBits(const llvm::TargetMachine &machine) {
  // The subtarget knows the CPU's own features as well as --mattr's.
  const llvm::MCSubtargetInfo *info = machine.getMCSubtargetInfo();
  if (info->checkFeatures("+avx512f"))
    return 512;
  if (info->checkFeatures("+avx"))
    return 256;
  return 128;
}

namespace {
/// Builds the ABI globals of kiln/abi.h in an LLVM module.
class DescriptorBuilder {
public:
  DescriptorBuilder(llvm::Module &module)
      : module(module), ctx(module.getContext()),
        ptr(llvm::PointerType::getUnqual(ctx)), i32(llvm::Type::getInt32Ty(ctx)),
        i64(llvm::Type::getInt64Ty(ctx)),
        tensorType(
            llvm::StructType::get(ctx, {ptr, i32, i32, ptr, i32, i32})) {}

  llvm::Constant *string(llvm::StringRef text, const llvm::Twine &name) {
    auto *init = llvm::ConstantDataArray::getString(ctx, text);
    return new llvm::GlobalVariable(module, init->getType(), true,
                                    llvm::GlobalValue::PrivateLinkage, init,
                                    name);
  }

  llvm::Constant *tensors(llvm::ArrayRef<TensorSignature> sigs,
                          llvm::StringRef kind) {
    std::vector<llvm::Constant *> entries;
    for (auto [i, sig] : llvm::enumerate(sigs)) {
      std::string prefix = ("kiln." + kind + "." + llvm::Twine(i)).str();
      std::vector<uint64_t> dims(sig.shape.begin(), sig.shape.end());
      llvm::Constant *shape = llvm::ConstantPointerNull::get(ptr);
      if (!dims.empty()) {
        auto *init = llvm::ConstantDataArray::get(ctx, dims);
        shape = new llvm::GlobalVariable(module, init->getType(), true,
                                         llvm::GlobalValue::PrivateLinkage,
                                         init, prefix + ".shape");
      }
      entries.push_back(llvm::ConstantStruct::get(
          tensorType, {string(sig.name, prefix + ".name"),
                       llvm::ConstantInt::get(i32, sig.dtype),
                       llvm::ConstantInt::get(i32, sig.shape.size()), shape,
                       llvm::ConstantInt::get(i32, sig.isMutable
                                                       ? KILN_TENSOR_MUTABLE
                                                       : 0),
                       llvm::ConstantInt::get(i32, 0)}));
    }
    if (entries.empty())
      return llvm::ConstantPointerNull::get(ptr);
    auto *arrayType = llvm::ArrayType::get(tensorType, entries.size());
    return new llvm::GlobalVariable(
        module, arrayType, true, llvm::GlobalValue::PrivateLinkage,
        llvm::ConstantArray::get(arrayType, entries), "kiln." + kind);
  }

  /// void kiln_entry(void **args): calls the C interface of `target` with
  /// args[0] (results) and args[1..] (inputs).
  llvm::Function *entry(llvm::Function *target, unsigned numInputs) {
    auto *type = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr},
                                         false);
    auto *fn = llvm::Function::Create(type, llvm::GlobalValue::InternalLinkage,
                                      "kiln_entry", module);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", fn));
    llvm::Value *args = fn->getArg(0);
    std::vector<llvm::Value *> callArgs;
    for (unsigned i = 0; i <= numInputs; ++i)
      callArgs.push_back(
          b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, args, i)));
    b.CreateCall(target, callArgs);
    b.CreateRetVoid();
    return fn;
  }

  /// The exported `const kiln_abi_model *kiln_model_descriptor(void)`.
  void descriptor(const ModelSignature &sig, llvm::Function *entryFn) {
    auto *modelType = llvm::StructType::get(
        ctx, {i32, i32, i32, i32, ptr, ptr, ptr, ptr, ptr});
    auto *init = llvm::ConstantStruct::get(
        modelType,
        {llvm::ConstantInt::get(i32, KILN_ABI_VERSION),
         llvm::ConstantInt::get(i32, sig.inputs.size()),
         llvm::ConstantInt::get(i32, sig.outputs.size()),
         llvm::ConstantInt::get(i32, 0), tensors(sig.inputs, "inputs"),
         tensors(sig.outputs, "outputs"), entryFn,
         string("kiln " KILN_RUNTIME_VERSION, "kiln.producer"),
         runtimeSlot()});
    auto *model = new llvm::GlobalVariable(module, modelType, true,
                                           llvm::GlobalValue::PrivateLinkage,
                                           init, "kiln.model");
    auto *fnType = llvm::FunctionType::get(ptr, {}, false);
    auto *fn = llvm::Function::Create(fnType,
                                      llvm::GlobalValue::ExternalLinkage,
                                      KILN_ABI_DESCRIPTOR_SYMBOL, module);
    fn->setVisibility(llvm::GlobalValue::DefaultVisibility);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", fn));
    b.CreateRet(model);
  }

  /// The slot the runtime fills (kiln_abi_model::runtime); the parallel
  /// loop dispatcher reads it, and every model has one.
  llvm::Constant *runtimeSlot() {
    if (llvm::GlobalVariable *slot =
            module.getGlobalVariable(kRuntimeSlotSymbol, /*AllowInternal=*/true))
      return slot;
    return new llvm::GlobalVariable(module, ptr, false,
                                    llvm::GlobalValue::InternalLinkage,
                                    llvm::ConstantPointerNull::get(ptr),
                                    kRuntimeSlotSymbol);
  }

private:
  llvm::Module &module;
  llvm::LLVMContext &ctx;
  llvm::PointerType *ptr;
  llvm::IntegerType *i32, *i64;
  llvm::StructType *tensorType;
};
} // namespace

static void optimize(llvm::Module &module, llvm::TargetMachine &machine,
                     unsigned optLevel) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = optLevel >= 2;
  tuning.SLPVectorization = optLevel >= 2;
  llvm::PassBuilder builder(&machine, tuning);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = llvm::OptimizationLevel::O0;
  if (optLevel == 1)
    level = llvm::OptimizationLevel::O1;
  else if (optLevel == 2)
    level = llvm::OptimizationLevel::O2;
  else if (optLevel >= 3)
    level = llvm::OptimizationLevel::O3;
  llvm::ModulePassManager passes =
      level == llvm::OptimizationLevel::O0
          ? builder.buildO0DefaultPipeline(level)
          : builder.buildPerModuleDefaultPipeline(level);
  passes.run(module, mam);
}

llvm::Expected<std::unique_ptr<llvm::Module>>
mlir::kiln::translateToLLVMIR(ModuleOp module, llvm::LLVMContext &llvmContext,
                              const ModelSignature &signature,
                              llvm::TargetMachine &machine,
                              unsigned optLevel) {
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, "kiln-model");
  if (!llvmModule)
    return makeError("cannot translate the lowered module to LLVM IR");
  llvmModule->setTargetTriple(machine.getTargetTriple());
  llvmModule->setDataLayout(machine.createDataLayout());

  std::string wrapperName = "_mlir_ciface_" + signature.entryName;
  llvm::Function *wrapper = llvmModule->getFunction(wrapperName);
  if (!wrapper || wrapper->isDeclaration())
    return makeError("the lowered module has no C interface '" + wrapperName +
                     "' (was the entry function marked by "
                     "kiln-mark-entry-points?)");
  if (wrapper->arg_size() != signature.inputs.size() + 1)
    return makeError("entry '" + signature.entryName + "' takes " +
                     llvm::Twine(wrapper->arg_size() - 1) +
                     " memrefs but its signature lists " +
                     llvm::Twine(signature.inputs.size()) + " inputs");

  DescriptorBuilder builder(*llvmModule);
  llvm::Function *entry = builder.entry(wrapper, signature.inputs.size());
  builder.descriptor(signature, entry);

  // Only the descriptor is exported: everything else may be inlined, renamed
  // or dropped, and two models loaded side by side cannot clash.
  for (llvm::Function &fn : *llvmModule)
    if (!fn.isDeclaration() && fn.getName() != KILN_ABI_DESCRIPTOR_SYMBOL)
      fn.setLinkage(llvm::GlobalValue::InternalLinkage);
  for (llvm::GlobalVariable &global : llvmModule->globals())
    if (!global.isDeclaration())
      global.setLinkage(llvm::GlobalValue::InternalLinkage);

  // Every function carries the CPU and features it is compiled for, as
  // clang's output does: the JIT and the .so are generated from this one
  // module, and `kiln compile --emit llvm` shows what both were built for.
  std::string cpu = machine.getTargetCPU().str();
  std::string features = machine.getTargetFeatureString().str();
  for (llvm::Function &fn : *llvmModule) {
    if (fn.isDeclaration())
      continue;
    fn.addFnAttr("target-cpu", cpu);
    if (!features.empty())
      fn.addFnAttr("target-features", features);
  }

  std::string broken;
  llvm::raw_string_ostream os(broken);
  if (llvm::verifyModule(*llvmModule, &os))
    return makeError("generated LLVM IR is invalid: " + broken);
  optimize(*llvmModule, machine, optLevel);
  return llvmModule;
}
