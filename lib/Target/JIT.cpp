//===- JIT.cpp - Running compiled code in process -------------------------===//
//
// An ORC LLJIT per model. The runtime's model object owns it through the
// release callback of kiln_model_open_descriptor.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/JIT.h"
#include "kiln/abi.h"

#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
using namespace mlir::kiln;

llvm::Expected<kiln_model *>
mlir::kiln::openJitModel(std::unique_ptr<llvm::Module> module,
                         std::unique_ptr<llvm::LLVMContext> context,
                         const CPUTargetOptions &options) {
  auto machine = createTargetMachine(options);
  if (!machine)
    return machine.takeError();
  llvm::orc::JITTargetMachineBuilder jtmb((*machine)->getTargetTriple());
  jtmb.setCPU((*machine)->getTargetCPU().str());
  jtmb.addFeatures(llvm::SubtargetFeatures(
                       (*machine)->getTargetFeatureString())
                       .getFeatures());
  jtmb.setCodeGenOptLevel((*machine)->getOptLevel());
  jtmb.setRelocationModel(llvm::Reloc::PIC_);

  auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(jtmb).create();
  if (!jit)
    return jit.takeError();
  // Generated code calls malloc, free and libm from this process.
  auto generator =
      llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
          (*jit)->getDataLayout().getGlobalPrefix());
  if (!generator)
    return generator.takeError();
  (*jit)->getMainJITDylib().addGenerator(std::move(*generator));
  if (auto err = (*jit)->addIRModule(
          llvm::orc::ThreadSafeModule(std::move(module), std::move(context))))
    return std::move(err);
  auto symbol = (*jit)->lookup(KILN_ABI_DESCRIPTOR_SYMBOL);
  if (!symbol)
    return symbol.takeError();
  auto getDescriptor = symbol->toPtr<kiln_abi_descriptor_fn>();

  auto *owner = jit->release();
  kiln_model *model = nullptr;
  kiln_status status = kiln_model_open_descriptor(
      getDescriptor(),
      [](void *p) { delete static_cast<llvm::orc::LLJIT *>(p); }, owner,
      &model);
  if (status != KILN_OK) {
    delete owner;
    return llvm::make_error<llvm::StringError>(kiln_last_error(),
                                               llvm::inconvertibleErrorCode());
  }
  return model;
}
