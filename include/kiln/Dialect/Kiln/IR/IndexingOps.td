//===- IndexingOps.td - Indexing kiln ops ------------------*- tablegen -*-===//
//
// Ops that select or place elements by index or condition: gather,
// scatter, slice, concat, and friends.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_INDEXINGOPS_TD
#define KILN_DIALECT_KILN_IR_INDEXINGOPS_TD

include "kiln/Dialect/Kiln/IR/KilnBase.td"

#endif // KILN_DIALECT_KILN_IR_INDEXINGOPS_TD
