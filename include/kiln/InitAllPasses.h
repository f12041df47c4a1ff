//===- InitAllPasses.h - Every pass and pipeline Kiln registers -*- C++ -*-===//
//
// One registration point for Kiln's passes and named pipelines (for kiln-opt
// and for textual pass pipelines).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_INITALLPASSES_H
#define KILN_INITALLPASSES_H

namespace mlir::kiln {

/// Registers Kiln's passes, the upstream passes its pipelines use, and the
/// named Kiln pipelines.
void registerAllPasses();

} // namespace mlir::kiln

#endif // KILN_INITALLPASSES_H
