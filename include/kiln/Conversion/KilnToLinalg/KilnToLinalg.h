//===- KilnToLinalg.h - Lowering kiln to linalg -----------------*- C++ -*-===//
//
// Pattern population for the kiln -> linalg/tensor/arith/math lowering, one
// entry point per op family (each lives in its own file).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CONVERSION_KILNTOLINALG_KILNTOLINALG_H
#define KILN_CONVERSION_KILNTOLINALG_KILNTOLINALG_H

#include "mlir/Transforms/DialectConversion.h"

namespace mlir::kiln {

/// Converts kiln tensor types to the types lowered code uses: integer element
/// types become signless (`ui8` -> `i8`); everything else is unchanged.
class KilnTypeConverter : public TypeConverter {
public:
  KilnTypeConverter();
};

void populateElementwiseToLinalgPatterns(const TypeConverter &converter,
                                         RewritePatternSet &patterns);
void populateIndexingToLinalgPatterns(const TypeConverter &converter,
                                      RewritePatternSet &patterns);
void populateMatmulToLinalgPatterns(const TypeConverter &converter,
                                    RewritePatternSet &patterns);
void populateNormalizationToLinalgPatterns(const TypeConverter &converter,
                                           RewritePatternSet &patterns);
void populateConvToLinalgPatterns(const TypeConverter &converter,
                                  RewritePatternSet &patterns);
void populatePoolToLinalgPatterns(const TypeConverter &converter,
                                  RewritePatternSet &patterns);
void populateReduceToLinalgPatterns(const TypeConverter &converter,
                                    RewritePatternSet &patterns);
void populateResizeToLinalgPatterns(const TypeConverter &converter,
                                    RewritePatternSet &patterns);
void populateScanToLinalgPatterns(const TypeConverter &converter,
                                  RewritePatternSet &patterns);
void populateShapeToLinalgPatterns(const TypeConverter &converter,
                                   RewritePatternSet &patterns);
void populateTrainingToLinalgPatterns(const TypeConverter &converter,
                                      RewritePatternSet &patterns);

/// All of the above.
void populateKilnToLinalgPatterns(const TypeConverter &converter,
                                  RewritePatternSet &patterns);

} // namespace mlir::kiln

#endif // KILN_CONVERSION_KILNTOLINALG_KILNTOLINALG_H
