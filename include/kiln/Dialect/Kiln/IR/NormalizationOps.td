//===- NormalizationOps.td - Normalization kiln ops --------*- tablegen -*-===//
//
// Layer, batch and instance normalization.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_NORMALIZATIONOPS_TD
#define KILN_DIALECT_KILN_IR_NORMALIZATIONOPS_TD

include "kiln/Dialect/Kiln/IR/KilnBase.td"

#endif // KILN_DIALECT_KILN_IR_NORMALIZATIONOPS_TD
