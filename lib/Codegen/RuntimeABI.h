//===- RuntimeABI.h - The runtime table as the LLVM dialect sees it -*- C++ -*-===//
//
// Compiled code reaches the runtime's services (kiln_abi_runtime in
// kiln/abi.h) through the model's slot. These helpers build the slot and
// load a service from it, for the passes that call the runtime.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_LIB_CODEGEN_RUNTIMEABI_H
#define KILN_LIB_CODEGEN_RUNTIMEABI_H

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::kiln {

/// The fields of kiln_abi_runtime, in order.
enum class RuntimeService : int32_t {
  ParallelFor = 2,
  Fail = 3,
  Allocate = 4,
  Deallocate = 5
};

/// The model's runtime slot (a null pointer until the runtime fills it).
LLVM::GlobalOp getOrCreateRuntimeSlot(ModuleOp module);

/// Emits: table = *slot; returns it (null when no runtime is attached).
Value loadRuntimeTable(OpBuilder &b, Location loc);

/// Emits the load of a service's function pointer from a non-null table.
Value loadRuntimeService(OpBuilder &b, Location loc, Value table,
                         RuntimeService service);

} // namespace mlir::kiln

#endif // KILN_LIB_CODEGEN_RUNTIMEABI_H
