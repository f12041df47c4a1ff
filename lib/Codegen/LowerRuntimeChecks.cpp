//===- LowerRuntimeChecks.cpp - Failed checks end the run -----------------===//
//
// cf.assert would become a call of abort(); a compiled model must instead
// report bad inputs through the runtime, which returns an error to the
// caller of kiln_model_run.
//
//===----------------------------------------------------------------------===//

#include "RuntimeABI.h"
#include "kiln/Codegen/Passes.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#define DEBUG_TYPE "kiln-lower-runtime-checks"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNLOWERRUNTIMECHECKS
#include "kiln/Codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {
struct KilnLowerRuntimeChecksPass
    : public kiln::impl::KilnLowerRuntimeChecksBase<
          KilnLowerRuntimeChecksPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<cf::AssertOp> checks;
    module.walk([&](cf::AssertOp check) { checks.push_back(check); });
    if (checks.empty())
      return;
    getOrCreateRuntimeSlot(module);
    LLVM::LLVMFuncOp checker = getChecker(module);
    llvm::StringMap<LLVM::GlobalOp> messages;
    for (cf::AssertOp check : checks) {
      OpBuilder b(check);
      Location loc = check.getLoc();
      LLVM::GlobalOp message = getMessage(module, check.getMsg(), messages);
      Value text = LLVM::AddressOfOp::create(
          b, loc, LLVM::LLVMPointerType::get(&getContext()),
          message.getSymName());
      LLVM::CallOp::create(b, loc, checker,
                           ValueRange{check.getArg(), text});
      check.erase();
    }
  }

  LLVM::GlobalOp getMessage(ModuleOp module, StringRef text,
                            llvm::StringMap<LLVM::GlobalOp> &cache) {
    auto it = cache.find(text);
    if (it != cache.end())
      return it->second;
    OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
    std::string value = text.str();
    value.push_back('\0');
    auto type = LLVM::LLVMArrayType::get(IntegerType::get(&getContext(), 8),
                                         value.size());
    auto global = LLVM::GlobalOp::create(
        b, module.getLoc(), type, /*isConstant=*/true, LLVM::Linkage::Internal,
        "kiln.check_message." + std::to_string(cache.size()),
        b.getStringAttr(value));
    cache[text] = global;
    return global;
  }

  /// void kiln.check(i1 ok, ptr message): on failure, the runtime's fail
  /// service, or a trap without a runtime.
  LLVM::LLVMFuncOp getChecker(ModuleOp module) {
    StringRef name = "kiln.check";
    if (auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
      return fn;
    MLIRContext *ctx = &getContext();
    Location loc = module.getLoc();
    Type ptr = LLVM::LLVMPointerType::get(ctx), i1 = IntegerType::get(ctx, 1);
    auto voidType = LLVM::LLVMVoidType::get(ctx);
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    auto fn = LLVM::LLVMFuncOp::create(
        b, loc, name, LLVM::LLVMFunctionType::get(voidType, {i1, ptr}),
        LLVM::Linkage::Internal);
    Block *entry = fn.addEntryBlock(b);
    Block *pass = b.createBlock(&fn.getBody());
    Block *failed = b.createBlock(&fn.getBody());
    Block *report = b.createBlock(&fn.getBody());
    Block *trap = b.createBlock(&fn.getBody());

    b.setInsertionPointToStart(entry);
    LLVM::CondBrOp::create(b, loc, entry->getArgument(0), pass, failed);
    b.setInsertionPointToStart(pass);
    LLVM::ReturnOp::create(b, loc, ValueRange{});

    b.setInsertionPointToStart(failed);
    Value table = loadRuntimeTable(b, loc);
    Value null = LLVM::ZeroOp::create(b, loc, ptr);
    Value missing =
        LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq, table, null);
    LLVM::CondBrOp::create(b, loc, missing, trap, report);

    b.setInsertionPointToStart(report);
    Value fail = loadRuntimeService(b, loc, table, RuntimeService::Fail);
    LLVM::CallOp::create(b, loc, LLVM::LLVMFunctionType::get(voidType, {ptr}),
                         ValueRange{fail, entry->getArgument(1)});
    LLVM::UnreachableOp::create(b, loc);

    b.setInsertionPointToStart(trap);
    LLVM::Trap::create(b, loc);
    LLVM::UnreachableOp::create(b, loc);
    return fn;
  }
};
} // namespace
