//===- DispatchParallelLoops.cpp - Parallel loop calls to the runtime -----===//
//
// The second half of multithreading, on the LLVM dialect: a call of an
// outlined loop body becomes a call of the runtime's parallel_for, which runs
// a thunk over chunks of the range. The captured arguments travel in a
// stack record the thunk unpacks.
//
//===----------------------------------------------------------------------===//

#include "RuntimeABI.h"
#include "kiln/Codegen/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

#define DEBUG_TYPE "kiln-dispatch-parallel-loops"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNDISPATCHPARALLELLOOPS
#include "kiln/Codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {
struct KilnDispatchParallelLoopsPass
    : public kiln::impl::KilnDispatchParallelLoopsBase<
          KilnDispatchParallelLoopsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<LLVM::LLVMFuncOp> bodies;
    for (auto fn : module.getOps<LLVM::LLVMFuncOp>())
      if (fn->hasAttr(kiln::kParallelBodyAttr))
        bodies.push_back(fn);
    if (bodies.empty())
      return;
    getOrCreateRuntimeSlot(module);
    LLVM::LLVMFuncOp dispatch = getDispatcher(module);
    for (LLVM::LLVMFuncOp body : bodies) {
      // The calls to rewrite, found before the thunk adds its own.
      SmallVector<LLVM::CallOp> calls;
      module.walk([&](LLVM::CallOp call) {
        if (call.getCallee() == body.getSymName())
          calls.push_back(call);
      });
      LLVM::LLVMFuncOp thunk = makeThunk(module, body);
      for (LLVM::CallOp call : calls)
        rewriteCall(call, body, thunk, dispatch);
    }
  }

  Type ptrType() { return LLVM::LLVMPointerType::get(&getContext()); }
  Type i64Type() { return IntegerType::get(&getContext(), 64); }

  /// void kiln.parallel_dispatch(ptr thunk, ptr record, i64 begin, i64 end):
  /// through the runtime's parallel_for when there is one, else inline.
  LLVM::LLVMFuncOp getDispatcher(ModuleOp module) {
    StringRef name = "kiln.parallel_dispatch";
    if (auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
      return fn;
    Location loc = module.getLoc();
    MLIRContext *ctx = &getContext();
    Type ptr = ptrType(), i64 = i64Type();
    auto voidType = LLVM::LLVMVoidType::get(ctx);
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    auto fn = LLVM::LLVMFuncOp::create(
        b, loc, name, LLVM::LLVMFunctionType::get(voidType, {ptr, ptr, i64, i64}),
        LLVM::Linkage::Internal);
    Block *entry = fn.addEntryBlock(b);
    Block *inline_ = b.createBlock(&fn.getBody());
    Block *pooled = b.createBlock(&fn.getBody());
    Value thunk = entry->getArgument(0), record = entry->getArgument(1),
          begin = entry->getArgument(2), end = entry->getArgument(3);

    b.setInsertionPointToStart(entry);
    Value table = loadRuntimeTable(b, loc);
    Value null = LLVM::ZeroOp::create(b, loc, ptr);
    Value missing =
        LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq, table, null);
    LLVM::CondBrOp::create(b, loc, missing, inline_, pooled);

    auto thunkType =
        LLVM::LLVMFunctionType::get(voidType, {ptr, i64, i64});
    b.setInsertionPointToStart(inline_);
    LLVM::CallOp::create(b, loc, thunkType, ValueRange{thunk, record, begin, end});
    LLVM::ReturnOp::create(b, loc, ValueRange{});

    b.setInsertionPointToStart(pooled);
    Value parallelFor =
        loadRuntimeService(b, loc, table, RuntimeService::ParallelFor);
    auto forType =
        LLVM::LLVMFunctionType::get(voidType, {ptr, ptr, i64, i64});
    LLVM::CallOp::create(b, loc, forType,
                         ValueRange{parallelFor, thunk, record, begin, end});
    LLVM::ReturnOp::create(b, loc, ValueRange{});
    return fn;
  }

  /// The record type holding `body`'s captured arguments (all but the last
  /// two, begin and end).
  LLVM::LLVMStructType recordType(LLVM::LLVMFuncOp body) {
    ArrayRef<Type> params = body.getFunctionType().getParams();
    return LLVM::LLVMStructType::getLiteral(&getContext(),
                                            params.drop_back(2));
  }

  /// void <body>_thunk(ptr record, i64 begin, i64 end).
  LLVM::LLVMFuncOp makeThunk(ModuleOp module, LLVM::LLVMFuncOp body) {
    Location loc = body.getLoc();
    Type ptr = ptrType(), i64 = i64Type();
    auto voidType = LLVM::LLVMVoidType::get(&getContext());
    OpBuilder b(body);
    b.setInsertionPointAfter(body);
    auto thunk = LLVM::LLVMFuncOp::create(
        b, loc, (body.getSymName() + "_thunk").str(),
        LLVM::LLVMFunctionType::get(voidType, {ptr, i64, i64}),
        LLVM::Linkage::Internal);
    Block *entry = thunk.addEntryBlock(b);
    b.setInsertionPointToStart(entry);
    LLVM::LLVMStructType record = recordType(body);
    SmallVector<Value> args;
    for (auto [i, type] : llvm::enumerate(record.getBody())) {
      Value field =
          LLVM::GEPOp::create(b, loc, ptr, record, entry->getArgument(0),
                              ArrayRef<LLVM::GEPArg>{0, (int32_t)i});
      args.push_back(LLVM::LoadOp::create(b, loc, type, field));
    }
    args.push_back(entry->getArgument(1));
    args.push_back(entry->getArgument(2));
    LLVM::CallOp::create(b, loc, body, args);
    LLVM::ReturnOp::create(b, loc, ValueRange{});
    return thunk;
  }

  void rewriteCall(LLVM::CallOp call, LLVM::LLVMFuncOp body,
                   LLVM::LLVMFuncOp thunk, LLVM::LLVMFuncOp dispatch) {
    Location loc = call.getLoc();
    Type ptr = ptrType();
    LLVM::LLVMStructType record = recordType(body);
    // The record lives in the caller's frame, allocated once at entry.
    auto caller = call->getParentOfType<LLVM::LLVMFuncOp>();
    OpBuilder b = OpBuilder::atBlockBegin(&caller.getBody().front());
    Value one = LLVM::ConstantOp::create(b, loc, i64Type(), 1);
    Value storage = LLVM::AllocaOp::create(b, loc, ptr, record, one);

    b.setInsertionPoint(call);
    ValueRange operands = call.getArgOperands();
    for (auto [i, value] : llvm::enumerate(operands.drop_back(2))) {
      Value field = LLVM::GEPOp::create(b, loc, ptr, record, storage,
                                        ArrayRef<LLVM::GEPArg>{0, (int32_t)i});
      LLVM::StoreOp::create(b, loc, value, field);
    }
    Value thunkAddress =
        LLVM::AddressOfOp::create(b, loc, ptr, thunk.getSymName());
    LLVM::CallOp::create(b, loc, dispatch,
                         ValueRange{thunkAddress, storage,
                                    operands[operands.size() - 2],
                                    operands[operands.size() - 1]});
    call.erase();
  }
};
} // namespace
