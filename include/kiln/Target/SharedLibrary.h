//===- SharedLibrary.h - Compiled models as object files and .so -*- C++ -*-===//
//
// Ahead-of-time output: the optimized module as an ELF object, and that
// object linked by LLD (in process, no external linker) into a shared
// library that kiln_model_open() loads.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TARGET_SHAREDLIBRARY_H
#define KILN_TARGET_SHAREDLIBRARY_H

#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

namespace mlir::kiln {

/// Writes `module` as an object file to `path`, streaming it to disk.
llvm::Error writeObjectFile(llvm::Module &module, llvm::TargetMachine &machine,
                            llvm::StringRef path);

/// Links the object file `objectPath` into the shared library `outputPath`.
/// The library depends on libc and libm only; compiler builtins it needs
/// (half-precision conversions, ...) are linked in.
llvm::Error linkSharedLibrary(llvm::StringRef objectPath,
                              llvm::StringRef outputPath);

} // namespace mlir::kiln

#endif // KILN_TARGET_SHAREDLIBRARY_H
