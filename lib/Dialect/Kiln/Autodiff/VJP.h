//===- VJP.h - Building blocks of the gradient rules ------------*- C++ -*-===//
//
// Every op family's gradient rules (ElementwiseVJP.cpp, LinalgVJP.cpp, ...)
// are plain functions from an op and its result cotangents to its operand
// cotangents. RuleModel turns such a function into the op's
// DifferentiableOpInterface, so that registering a rule is one line.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_LIB_DIALECT_KILN_AUTODIFF_VJP_H
#define KILN_LIB_DIALECT_KILN_AUTODIFF_VJP_H

#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/TypeUtilities.h"

namespace mlir::kiln {

/// A gradient rule: given `op`'s result cotangents (null where none), push
/// one cotangent per operand (null where none).
template <typename OpTy>
using VJPRule = LogicalResult (*)(OpTy op, OpBuilder &b,
                                  ValueRange resultCotangents,
                                  SmallVectorImpl<Value> &operandCotangents);

/// DifferentiableOpInterface for OpTy, implemented by `Rule`.
template <typename OpTy, VJPRule<OpTy> Rule>
struct RuleModel
    : public DifferentiableOpInterface::ExternalModel<RuleModel<OpTy, Rule>,
                                                      OpTy> {
  LogicalResult buildVJP(Operation *op, OpBuilder &b,
                         ValueRange resultCotangents,
                         SmallVectorImpl<Value> &operandCotangents) const {
    return Rule(cast<OpTy>(op), b, resultCotangents, operandCotangents);
  }
};

/// Attaches `Rule` to OpTy in `ctx`.
template <typename OpTy, VJPRule<OpTy> Rule> void attachRule(MLIRContext *ctx) {
  OpTy::template attachInterface<RuleModel<OpTy, Rule>>(*ctx);
}

/// Builds a kiln op whose result type is inferred and returns its result.
template <typename OpTy, typename... Args>
Value make(OpBuilder &b, Location loc, Args &&...args) {
  return OpTy::create(b, loc, std::forward<Args>(args)...)->getResult(0);
}

/// A rank-0 constant of `like`'s element type.
Value scalarLike(OpBuilder &b, Location loc, Value like, double value);

/// A tensor shaped like `like`, filled with `value`.
Value fullLike(OpBuilder &b, Location loc, Value like, double value);

/// The cotangent `grad` of a broadcast result, summed back to `operand`'s
/// shape (and cast to its exact type).
Value unbroadcastTo(OpBuilder &b, Location loc, Value grad, Value operand);

/// `value` given `like`'s exact type when they differ only by refinement.
Value castTo(OpBuilder &b, Location loc, Value value, Type like);

/// Reshapes `value` to `like`'s shape; fails when `like` has several dynamic
/// dimensions (a static reshape spec cannot say where they go).
FailureOr<Value> reshapeLike(OpBuilder &b, Location loc, Value value,
                             Value like);

/// Whether values of this type carry cotangents (floating point).
inline bool isDifferentiable(Type type) {
  return isa<FloatType>(getElementTypeOrSelf(type));
}

// One registration function per family.
void registerElementwiseVJPs(MLIRContext *ctx);
void registerIndexingVJPs(MLIRContext *ctx);
void registerLinalgVJPs(MLIRContext *ctx);
void registerNNVJPs(MLIRContext *ctx);
void registerNormalizationVJPs(MLIRContext *ctx);
void registerReductionVJPs(MLIRContext *ctx);
void registerShapeVJPs(MLIRContext *ctx);
void registerTrainingVJPs(MLIRContext *ctx);

} // namespace mlir::kiln

#endif // KILN_LIB_DIALECT_KILN_AUTODIFF_VJP_H
