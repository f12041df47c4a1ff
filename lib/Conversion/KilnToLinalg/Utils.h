//===- Utils.h - Helpers shared by the kiln-to-linalg patterns --*- C++ -*-===//
//
// Building blocks every op family's lowering uses: sizes of dynamic tensors,
// initialized destinations, scalar constants, the broadcasting elementwise
// generic, and reshapes that work for any mix of static and dynamic dims.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_LIB_CONVERSION_KILNTOLINALG_UTILS_H
#define KILN_LIB_CONVERSION_KILNTOLINALG_UTILS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::kiln {

/// The sizes of a ranked tensor value: attributes where static, tensor.dim
/// values where dynamic.
SmallVector<OpFoldResult> getDims(OpBuilder &b, Location loc, Value tensor);

/// A tensor.empty of `type` whose dynamic sizes come from `dims`.
Value createEmpty(OpBuilder &b, Location loc, RankedTensorType type,
                  ArrayRef<OpFoldResult> dims);

/// A tensor of `type` (sizes `dims`) filled with the scalar `value`.
Value createFilled(OpBuilder &b, Location loc, RankedTensorType type,
                   ArrayRef<OpFoldResult> dims, Value value);

/// Scalar constants of a signless element type.
Value scalarConstant(OpBuilder &b, Location loc, Type type, double value);
/// The identity of max: -inf for floats, the smallest integer otherwise.
Value lowestValue(OpBuilder &b, Location loc, Type type, bool isUnsigned);

/// Whether a kiln element type is an unsigned integer.
inline bool isUnsignedInteger(Type kilnType) {
  return getElementTypeOrSelf(kilnType).isUnsignedInteger();
}

/// The result dims of broadcasting `inputs` to `resultType` (numpy rules):
/// each dynamic result dim is read from an input that does not broadcast it.
SmallVector<OpFoldResult> broadcastDims(OpBuilder &b, Location loc,
                                        RankedTensorType resultType,
                                        ValueRange inputs);

/// Computes `body` elementwise over `inputs` broadcast (numpy rules) to
/// `resultType`. `body` receives one scalar per input. The result sizes are
/// `dims` when given, else read from the inputs.
Value buildElementwise(
    OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange inputs,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body,
    ArrayRef<OpFoldResult> dims = {});

/// Broadcasts `input` (numpy rules) to `resultType` with sizes `dims`.
Value broadcastTo(OpBuilder &b, Location loc, Value input,
                  RankedTensorType resultType, ArrayRef<OpFoldResult> dims);

/// Reshapes `source` (row-major order kept) into `resultType` with sizes
/// `dims`, by collapse/expand of tensor dims.
Value reshapeTensor(OpBuilder &b, Location loc, Value source,
                    RankedTensorType resultType, ArrayRef<OpFoldResult> dims);

/// Pads the spatial dims of an NCHW tensor by `pads` = [top, left, bottom,
/// right], plus `extraEnd` = [bottom, right] more (may be empty; static or
/// computed), with `value`.
Value padSpatial(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> pads, ArrayRef<OpFoldResult> extraEnd,
                 Value value);

/// The number of windows along NCHW dim `dim` of an already padded input;
/// `staticSize` when known.
OpFoldResult windowOutputDim(OpBuilder &b, Location loc, Value paddedInput,
                             int64_t dim, int64_t kernel, int64_t stride,
                             int64_t dilation, int64_t staticSize);

//===----------------------------------------------------------------------===//
// Run-time checks
//
// Where a lowering relies on a property of dynamic sizes that only the
// inputs decide (two extents that must agree, a kernel that must fit), it
// emits a cf.assert. kiln-hoist-runtime-checks moves the checks before any
// allocation and kiln-lower-runtime-checks makes a failure end the run with
// the message, through the runtime.
//===----------------------------------------------------------------------===//

/// How a check names the op it guards: "node 'conv1' (kiln.conv2d)" for ops
/// imported from a named node, else the op name and its location.
std::string describeForCheck(Operation *op);

/// Emits a check that `actual` == `expected`, unless they are the same
/// value or equal constants. The message says "<op>: <what> is N..." is not
/// available at run time, so `what` must describe the requirement.
void checkEqual(OpBuilder &b, Location loc, OpFoldResult actual,
                OpFoldResult expected, const Twine &message);

/// Emits a check that `condition` holds.
void check(OpBuilder &b, Location loc, Value condition, const Twine &message);

/// Checks that every dimension of each input that does not broadcast has
/// the extent `dims` gives the result (numpy broadcasting, where a dynamic
/// extent must match rather than stretch).
void checkBroadcast(OpBuilder &b, Location loc, Operation *op,
                    RankedTensorType resultType, ValueRange inputs,
                    ArrayRef<OpFoldResult> dims);

/// Checks that a window of `kernel` taps `dilation` apart fits dimension
/// `dim` of `input` padded by `padBegin` and `padEnd` (when that size is
/// dynamic).
void checkWindowFits(OpBuilder &b, Location loc, Operation *op, Value input,
                     int64_t dim, int64_t padBegin, int64_t padEnd,
                     int64_t kernel, int64_t dilation);

/// Folds an OpFoldResult product into one index value.
Value productOf(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> dims);

/// The converted (signless) type of a kiln op's result.
inline RankedTensorType convertedType(const TypeConverter *converter,
                                      Type type) {
  return cast<RankedTensorType>(converter->convertType(type));
}

} // namespace mlir::kiln

#endif // KILN_LIB_CONVERSION_KILNTOLINALG_UTILS_H
