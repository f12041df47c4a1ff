//===- RuntimeABI.cpp - The runtime table as the LLVM dialect sees it -----===//
//
// See RuntimeABI.h. The struct layout here must match kiln_abi_runtime.
//
//===----------------------------------------------------------------------===//

#include "RuntimeABI.h"
#include "kiln/Codegen/Passes.h"

using namespace mlir;
using namespace mlir::kiln;

LLVM::GlobalOp mlir::kiln::getOrCreateRuntimeSlot(ModuleOp module) {
  if (auto slot = module.lookupSymbol<LLVM::GlobalOp>(kRuntimeSlotSymbol))
    return slot;
  Location loc = module.getLoc();
  auto ptr = LLVM::LLVMPointerType::get(module.getContext());
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  auto slot = LLVM::GlobalOp::create(b, loc, ptr, /*isConstant=*/false,
                                     LLVM::Linkage::Internal,
                                     kRuntimeSlotSymbol, Attribute());
  b.setInsertionPointToStart(b.createBlock(&slot.getInitializerRegion()));
  LLVM::ReturnOp::create(b, loc, LLVM::ZeroOp::create(b, loc, ptr).getResult());
  return slot;
}

Value mlir::kiln::loadRuntimeTable(OpBuilder &b, Location loc) {
  auto ptr = LLVM::LLVMPointerType::get(b.getContext());
  Value slot = LLVM::AddressOfOp::create(b, loc, ptr, kRuntimeSlotSymbol);
  return LLVM::LoadOp::create(b, loc, ptr, slot);
}

Value mlir::kiln::loadRuntimeService(OpBuilder &b, Location loc, Value table,
                                     RuntimeService service) {
  MLIRContext *ctx = b.getContext();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  // kiln_abi_runtime: { u32 version, u32 reserved, parallel_for, fail,
  // allocate, deallocate }.
  auto tableType = LLVM::LLVMStructType::getLiteral(
      ctx, {IntegerType::get(ctx, 32), IntegerType::get(ctx, 32), ptr, ptr, ptr,
            ptr});
  Value field =
      LLVM::GEPOp::create(b, loc, ptr, tableType, table,
                          ArrayRef<LLVM::GEPArg>{0, (int32_t)service});
  return LLVM::LoadOp::create(b, loc, ptr, field);
}
