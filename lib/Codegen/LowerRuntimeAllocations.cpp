//===- LowerRuntimeAllocations.cpp - Buffers from the runtime -------------===//
//
// Compiled code that called malloc and free for every intermediate buffer
// paid, on every run, for glibc's mmap and munmap of large blocks: page
// faults and the kernel zeroing fresh pages. finalize-memref-to-llvm with
// use-generic-functions calls _mlir_memref_to_llvm_{alloc,aligned_alloc,free}
// instead; this pass defines them to call the runtime's allocate and
// deallocate services, which keep freed blocks for reuse (runtime/src/
// Allocator.cpp), or libc when no runtime filled the model's slot.
//
//===----------------------------------------------------------------------===//

#include "RuntimeABI.h"
#include "kiln/Codegen/Passes.h"

#include "mlir/Dialect/LLVMIR/FunctionCallUtils.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#define DEBUG_TYPE "kiln-lower-runtime-allocations"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNLOWERRUNTIMEALLOCATIONS
#include "kiln/Codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// What each generic function does, with and without a runtime.
enum class Kind { Alloc, AlignedAlloc, Free };

struct KilnLowerRuntimeAllocationsPass
    : public kiln::impl::KilnLowerRuntimeAllocationsBase<
          KilnLowerRuntimeAllocationsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::pair<StringRef, Kind> functions[] = {
        {"_mlir_memref_to_llvm_alloc", Kind::Alloc},
        {"_mlir_memref_to_llvm_aligned_alloc", Kind::AlignedAlloc},
        {"_mlir_memref_to_llvm_free", Kind::Free}};
    for (auto [name, kind] : functions) {
      auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(name);
      if (!fn || !fn.isExternal())
        continue;
      if (failed(checkSignature(fn, kind)) || failed(define(module, fn, kind)))
        return signalPassFailure();
    }
  }

  /// The signatures finalize-memref-to-llvm declares (index as i64).
  LogicalResult checkSignature(LLVM::LLVMFuncOp fn, Kind kind) {
    MLIRContext *ctx = &getContext();
    Type ptr = LLVM::LLVMPointerType::get(ctx), i64 = IntegerType::get(ctx, 64);
    LLVM::LLVMFunctionType expected;
    switch (kind) {
    case Kind::Alloc:
      expected = LLVM::LLVMFunctionType::get(ptr, {i64});
      break;
    case Kind::AlignedAlloc:
      expected = LLVM::LLVMFunctionType::get(ptr, {i64, i64});
      break;
    case Kind::Free:
      expected =
          LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {ptr});
      break;
    }
    if (fn.getFunctionType() == expected)
      return success();
    return fn.emitOpError("has type ")
           << fn.getFunctionType() << " where the runtime's allocator needs "
           << expected;
  }

  /// Gives `fn` a body: the runtime's service when the slot holds a table,
  /// else libc.
  LogicalResult define(ModuleOp module, LLVM::LLVMFuncOp fn, Kind kind) {
    MLIRContext *ctx = &getContext();
    Location loc = fn.getLoc();
    Type ptr = LLVM::LLVMPointerType::get(ctx), i64 = IntegerType::get(ctx, 64);
    auto voidType = LLVM::LLVMVoidType::get(ctx);
    OpBuilder b(ctx);

    // The libc functions of the fallback, declared before the body exists
    // (lookupOrCreate inserts at the start of the module).
    FailureOr<LLVM::LLVMFuncOp> libc;
    switch (kind) {
    case Kind::Alloc:
      libc = LLVM::lookupOrCreateMallocFn(b, module, i64);
      break;
    case Kind::AlignedAlloc:
      libc = LLVM::lookupOrCreateAlignedAllocFn(b, module, i64);
      break;
    case Kind::Free:
      libc = LLVM::lookupOrCreateFreeFn(b, module);
      break;
    }
    if (failed(libc))
      return fn.emitOpError("cannot declare the libc allocation function");
    getOrCreateRuntimeSlot(module);

    fn.setLinkage(LLVM::Linkage::Internal);
    // A buffer is fresh memory no other pointer reaches, as from malloc; kept
    // out of line so that callers keep knowing it.
    if (kind != Kind::Free) {
      fn.setResultAttr(0, LLVM::LLVMDialect::getNoAliasAttrName(),
                       UnitAttr::get(ctx));
      fn.setNoInline(true);
    }
    Block *entry = fn.addEntryBlock(b);
    Block *runtime = b.createBlock(&fn.getBody());
    Block *fallback = b.createBlock(&fn.getBody());

    b.setInsertionPointToStart(entry);
    Value table = loadRuntimeTable(b, loc);
    Value null = LLVM::ZeroOp::create(b, loc, ptr);
    Value missing =
        LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq, table, null);
    LLVM::CondBrOp::create(b, loc, missing, fallback, runtime);

    // allocate(size, alignment) / deallocate(block).
    b.setInsertionPointToStart(runtime);
    SmallVector<Value> args;
    LLVM::LLVMFunctionType serviceType;
    RuntimeService service;
    switch (kind) {
    case Kind::Alloc:
      args = {entry->getArgument(0),
              LLVM::ConstantOp::create(b, loc, i64, (int64_t)0)};
      serviceType = LLVM::LLVMFunctionType::get(ptr, {i64, i64});
      service = RuntimeService::Allocate;
      break;
    case Kind::AlignedAlloc:
      // aligned_alloc takes (alignment, size); the service (size, alignment).
      args = {entry->getArgument(1), entry->getArgument(0)};
      serviceType = LLVM::LLVMFunctionType::get(ptr, {i64, i64});
      service = RuntimeService::Allocate;
      break;
    case Kind::Free:
      args = {entry->getArgument(0)};
      serviceType = LLVM::LLVMFunctionType::get(voidType, {ptr});
      service = RuntimeService::Deallocate;
      break;
    }
    Value callee = loadRuntimeService(b, loc, table, service);
    SmallVector<Value> operands{callee};
    operands.append(args);
    auto viaRuntime = LLVM::CallOp::create(b, loc, serviceType, operands);
    LLVM::ReturnOp::create(b, loc, viaRuntime.getResults());

    b.setInsertionPointToStart(fallback);
    auto viaLibc =
        LLVM::CallOp::create(b, loc, *libc, ValueRange(entry->getArguments()));
    LLVM::ReturnOp::create(b, loc, viaLibc.getResults());
    return success();
  }
};

} // namespace
