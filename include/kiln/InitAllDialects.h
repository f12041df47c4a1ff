//===- InitAllDialects.h - Every dialect Kiln's tools load ------*- C++ -*-===//
//
// One registration point for the kiln dialect and the upstream dialects its
// pipelines pass through, so that every tool sees the same set.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_INITALLDIALECTS_H
#define KILN_INITALLDIALECTS_H

#include "mlir/IR/DialectRegistry.h"

namespace mlir::kiln {

/// Adds the kiln dialect, the upstream dialects Kiln lowers through, their
/// interface implementations (bufferization, tiling, ...) and the LLVM IR
/// translations.
void registerAllDialects(DialectRegistry &registry);

} // namespace mlir::kiln

#endif // KILN_INITALLDIALECTS_H
