//===- NNOps.cpp - kiln neural-network ops --------------------------------===//
//
// Type inference and verification of convolution and pooling (NCHW).
//
//===----------------------------------------------------------------------===//

#include "OpUtils.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;

//===----------------------------------------------------------------------===//
// Conv2DOp
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location>,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  auto weight = rankedType(adaptor.getWeight());
  if (!input || !weight)
    return failure();
  SmallVector<int64_t> out(4, ShapedType::kDynamic);
  ArrayRef<int64_t> strides = adaptor.getStrides(), pads = adaptor.getPads(),
                    dilations = adaptor.getDilations();
  if (input.getRank() == 4 && weight.getRank() == 4 && strides.size() == 2 &&
      pads.size() == 4 && dilations.size() == 2) {
    out[0] = input.getDimSize(0);
    out[1] = weight.getDimSize(0);
    for (int i = 0; i < 2; ++i)
      out[2 + i] = windowOutputSize(input.getDimSize(2 + i),
                                    weight.getDimSize(2 + i), strides[i],
                                    pads[i], pads[2 + i], dilations[i],
                                    /*ceilMode=*/false);
  }
  types.push_back(RankedTensorType::get(out, input.getElementType()));
  return success();
}

LogicalResult Conv2DOp::verify() {
  auto input = getInput().getType(), weight = getWeight().getType();
  if (input.getRank() != 4)
    return emitOpError() << "expects a rank-4 NCHW input, got "
                         << formatShape(input.getShape());
  if (weight.getRank() != 4)
    return emitOpError() << "expects a rank-4 FCHW weight, got "
                         << formatShape(weight.getShape());
  if (input.getElementType() != weight.getElementType())
    return emitOpError("expects input and weight of one element type");
  if (failed(verifyArray(*this, "strides", getStrides(), 2, 1)) ||
      failed(verifyArray(*this, "pads", getPads(), 4, 0)) ||
      failed(verifyArray(*this, "dilations", getDilations(), 2, 1)))
    return failure();
  int64_t groups = getGroups();
  if (groups < 1)
    return emitOpError() << "expects groups >= 1, got " << groups;
  int64_t channels = input.getDimSize(1), filters = weight.getDimSize(0),
          perGroup = weight.getDimSize(1);
  if (!ShapedType::isDynamic(filters) && filters % groups != 0)
    return emitOpError() << "weight has " << filters
                         << " filters, not a multiple of groups = " << groups;
  if (!ShapedType::isDynamic(channels) && !ShapedType::isDynamic(perGroup) &&
      channels != perGroup * groups)
    return emitOpError() << "input has " << channels
                         << " channels but weight expects " << perGroup
                         << " per group x " << groups << " groups";
  if (Value bias = getBias()) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getRank() != 1 ||
        (!ShapedType::isDynamic(filters) &&
         !ShapedType::isDynamic(biasType.getDimSize(0)) &&
         biasType.getDimSize(0) != filters))
      return emitOpError() << "expects a bias of shape " << formatShape(filters)
                           << ", got " << formatShape(biasType.getShape());
    if (biasType.getElementType() != input.getElementType())
      return emitOpError("expects bias of the input's element type");
  }
  for (int i = 0; i < 2; ++i) {
    int64_t size = input.getDimSize(2 + i), kernel = weight.getDimSize(2 + i);
    if (ShapedType::isDynamic(size) || ShapedType::isDynamic(kernel))
      continue;
    if (size + getPads()[i] + getPads()[2 + i] <
        getDilations()[i] * (kernel - 1) + 1)
      return emitOpError() << "kernel " << formatShape(weight.getShape().drop_front(2))
                           << " does not fit the padded input "
                           << formatShape(input.getShape().drop_front(2));
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

template <typename Adaptor>
static void inferPoolType(Adaptor adaptor, SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  SmallVector<int64_t> out(input.getRank(), ShapedType::kDynamic);
  ArrayRef<int64_t> kernel = adaptor.getKernelShape(),
                    strides = adaptor.getStrides(), pads = adaptor.getPads(),
                    dilations = adaptor.getDilations();
  if (input.getRank() == 4 && kernel.size() == 2 && strides.size() == 2 &&
      pads.size() == 4 && dilations.size() == 2) {
    out[0] = input.getDimSize(0);
    out[1] = input.getDimSize(1);
    for (int i = 0; i < 2; ++i)
      out[2 + i] = windowOutputSize(input.getDimSize(2 + i), kernel[i],
                                    strides[i], pads[i], pads[2 + i],
                                    dilations[i], adaptor.getCeilMode());
  }
  types.push_back(RankedTensorType::get(out, input.getElementType()));
}

template <typename OpTy> static LogicalResult verifyPool(OpTy op) {
  auto input = op.getInput().getType();
  if (input.getRank() != 4)
    return op.emitOpError() << "expects a rank-4 NCHW input, got "
                            << formatShape(input.getShape());
  if (failed(verifyArray(op, "kernel_shape", op.getKernelShape(), 2, 1)) ||
      failed(verifyArray(op, "strides", op.getStrides(), 2, 1)) ||
      failed(verifyArray(op, "pads", op.getPads(), 4, 0)) ||
      failed(verifyArray(op, "dilations", op.getDilations(), 2, 1)))
    return failure();
  for (int i = 0; i < 2; ++i) {
    int64_t kernel = op.getKernelShape()[i];
    // A pad as wide as the window would give windows of padding only.
    if (op.getPads()[i] >= kernel || op.getPads()[2 + i] >= kernel)
      return op.emitOpError()
             << "pads [" << op.getPads() << "] must be smaller than the kernel ["
             << op.getKernelShape() << "]";
    int64_t size = input.getDimSize(2 + i);
    if (!ShapedType::isDynamic(size) &&
        size + op.getPads()[i] + op.getPads()[2 + i] <
            op.getDilations()[i] * (kernel - 1) + 1)
      return op.emitOpError()
             << "kernel [" << op.getKernelShape()
             << "] does not fit the padded input "
             << formatShape(input.getShape().drop_front(2));
  }
  return success();
}

LogicalResult MaxPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location>,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  if (!rankedType(adaptor.getInput()))
    return failure();
  inferPoolType(adaptor, types);
  return success();
}

LogicalResult MaxPool2DOp::verify() { return verifyPool(*this); }

LogicalResult AvgPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location>,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  if (!rankedType(adaptor.getInput()))
    return failure();
  inferPoolType(adaptor, types);
  return success();
}

LogicalResult AvgPool2DOp::verify() { return verifyPool(*this); }
