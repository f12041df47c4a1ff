//===- NNOps.cpp - kiln neural-network ops --------------------------------===//
//
// Type inference and verification of convolution, transposed convolution
// and pooling (NCHW), and of the resampling ops (resize, grid_sample).
//
//===----------------------------------------------------------------------===//

#include "OpUtils.h"

#include "kiln/Dialect/Kiln/IR/ConstantOperands.h"

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

/// The pooled shape; `withIndices` adds the i64 index result of
/// max_pool2d_with_indices.
template <typename Adaptor>
static void inferPoolType(Adaptor adaptor, SmallVectorImpl<Type> &types,
                          bool withIndices = false) {
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
  if (withIndices)
    types.push_back(
        RankedTensorType::get(out, IntegerType::get(input.getContext(), 64)));
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

LogicalResult MaxPool2DWithIndicesOp::inferReturnTypes(
    MLIRContext *, std::optional<Location>, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  if (!rankedType(adaptor.getInput()))
    return failure();
  inferPoolType(adaptor, types, /*withIndices=*/true);
  return success();
}

LogicalResult MaxPool2DWithIndicesOp::verify() { return verifyPool(*this); }

//===----------------------------------------------------------------------===//
// ConvTransposeOp
//===----------------------------------------------------------------------===//

/// The output extent of a transposed convolution along one dimension.
static int64_t transposedOutputSize(int64_t size, int64_t kernel,
                                    int64_t stride, int64_t padBegin,
                                    int64_t padEnd, int64_t dilation,
                                    int64_t outputPadding) {
  if (ShapedType::isDynamic(size) || ShapedType::isDynamic(kernel))
    return ShapedType::kDynamic;
  return (size - 1) * stride + dilation * (kernel - 1) + 1 - padBegin -
         padEnd + outputPadding;
}

LogicalResult ConvTransposeOp::inferReturnTypes(
    MLIRContext *, std::optional<Location>, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  auto weight = rankedType(adaptor.getWeight());
  if (!input || !weight)
    return failure();
  int64_t rank = input.getRank();
  size_t spatial = rank >= 2 ? rank - 2 : 0;
  SmallVector<int64_t> out(rank, ShapedType::kDynamic);
  ArrayRef<int64_t> strides = adaptor.getStrides(), pads = adaptor.getPads(),
                    dilations = adaptor.getDilations(),
                    outputPadding = adaptor.getOutputPadding();
  if ((rank == 4 || rank == 5) && weight.getRank() == rank &&
      strides.size() == spatial && pads.size() == 2 * spatial &&
      dilations.size() == spatial && outputPadding.size() == spatial) {
    out[0] = input.getDimSize(0);
    int64_t perGroup = weight.getDimSize(1);
    if (!ShapedType::isDynamic(perGroup))
      out[1] = perGroup * adaptor.getGroups();
    for (size_t i = 0; i < spatial; ++i) {
      int64_t size = transposedOutputSize(
          input.getDimSize(2 + i), weight.getDimSize(2 + i), strides[i],
          pads[i], pads[spatial + i], dilations[i], outputPadding[i]);
      // Left dynamic when invalid: the verifier explains.
      out[2 + i] = ShapedType::isDynamic(size) || size < 1
                       ? ShapedType::kDynamic
                       : size;
    }
  }
  types.push_back(RankedTensorType::get(out, input.getElementType()));
  return success();
}

LogicalResult ConvTransposeOp::verify() {
  auto input = getInput().getType(), weight = getWeight().getType();
  int64_t rank = input.getRank();
  if (rank != 4 && rank != 5)
    return emitOpError() << "expects a rank-4 NCHW or rank-5 NCDHW input, got "
                         << formatShape(input.getShape());
  if (weight.getRank() != rank)
    return emitOpError() << "expects a rank-" << rank << " weight, got "
                         << formatShape(weight.getShape());
  if (input.getElementType() != weight.getElementType())
    return emitOpError("expects input and weight of one element type");
  size_t spatial = rank - 2;
  if (failed(verifyArray(*this, "strides", getStrides(), spatial, 1)) ||
      failed(verifyArray(*this, "pads", getPads(), 2 * spatial, 0)) ||
      failed(verifyArray(*this, "dilations", getDilations(), spatial, 1)) ||
      failed(verifyArray(*this, "output_padding", getOutputPadding(), spatial,
                         0)))
    return failure();
  int64_t groups = getGroups();
  if (groups < 1)
    return emitOpError() << "expects groups >= 1, got " << groups;
  if (rank == 5 && groups != 1)
    return emitOpError() << "expects groups = 1 over 3 spatial dims, got "
                         << groups;
  int64_t channels = input.getDimSize(1), weightChannels = weight.getDimSize(0);
  if (!ShapedType::isDynamic(channels) &&
      !ShapedType::isDynamic(weightChannels) && channels != weightChannels)
    return emitOpError() << "input has " << channels
                         << " channels but the weight has " << weightChannels;
  if (!ShapedType::isDynamic(weightChannels) && weightChannels % groups != 0)
    return emitOpError() << "weight has " << weightChannels
                         << " input channels, not a multiple of groups = "
                         << groups;
  if (llvm::any_of(weight.getShape().drop_front(2), ShapedType::isDynamic))
    return emitOpError() << "expects a weight with static kernel "
                            "dimensions, got "
                         << formatShape(weight.getShape());
  int64_t filters = ShapedType::isDynamic(weight.getDimSize(1))
                        ? ShapedType::kDynamic
                        : weight.getDimSize(1) * groups;
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
  for (size_t i = 0; i < spatial; ++i) {
    int64_t size = transposedOutputSize(
        input.getDimSize(2 + i), weight.getDimSize(2 + i), getStrides()[i],
        getPads()[i], getPads()[spatial + i], getDilations()[i],
        getOutputPadding()[i]);
    if (!ShapedType::isDynamic(size) && size < 1)
      return emitOpError() << "pads [" << getPads()
                           << "] leave no output of the input "
                           << formatShape(input.getShape().drop_front(2));
  }
  return success();
}

//===----------------------------------------------------------------------===//
// ResizeOp
//===----------------------------------------------------------------------===//

static bool isOneOf(StringRef value, ArrayRef<StringRef> allowed) {
  return llvm::is_contained(allowed, value);
}

/// The constant float entries of `value`, if it is a constant.
static std::optional<SmallVector<double>> constantFloats(Value value) {
  DenseElementsAttr attr = getConstantElements(value);
  if (!attr || !isa<FloatType>(attr.getElementType()))
    return std::nullopt;
  SmallVector<double> values;
  for (APFloat v : attr.getValues<APFloat>()) {
    bool lost;
    v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
    values.push_back(v.convertToDouble());
  }
  return values;
}

LogicalResult ResizeOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location>,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  if (!input)
    return failure();
  int64_t rank = input.getRank();
  SmallVector<int64_t> out(rank, ShapedType::kDynamic);
  if (Value sizes = adaptor.getSizes()) {
    auto values = getConstantInts(sizes);
    if (values && (int64_t)values->size() == rank)
      for (int64_t d = 0; d < rank; ++d)
        if ((*values)[d] >= 0)
          out[d] = (*values)[d];
  } else if (Value scales = adaptor.getScales()) {
    auto values = constantFloats(scales);
    bool crop =
        adaptor.getCoordinateTransformationMode() == "tf_crop_and_resize";
    std::optional<SmallVector<double>> roi;
    if (crop && adaptor.getRoi())
      roi = constantFloats(adaptor.getRoi());
    bool roiKnown = !crop || (roi && (int64_t)roi->size() == 2 * rank);
    if (values && (int64_t)values->size() == rank && roiKnown)
      for (int64_t d = 0; d < rank; ++d) {
        int64_t size = input.getDimSize(d);
        double scale = (*values)[d];
        if (ShapedType::isDynamic(size) || !(scale > 0))
          continue;
        double extent = crop ? (*roi)[rank + d] - (*roi)[d] : 1.0;
        double length = std::floor((double)size * extent * scale);
        if (length >= 0 && length < (double)(int64_t(1) << 62))
          out[d] = (int64_t)length;
      }
  }
  types.push_back(RankedTensorType::get(out, input.getElementType()));
  return success();
}

LogicalResult ResizeOp::verify() {
  auto input = getInput().getType();
  int64_t rank = input.getRank();
  if (rank < 1)
    return emitOpError("expects an input of rank >= 1");
  if ((bool)getScales() == (bool)getSizes())
    return emitOpError("expects exactly one of scales and sizes");
  Value given = getScales() ? getScales() : getSizes();
  int64_t length = cast<RankedTensorType>(given.getType()).getDimSize(0);
  if (length != rank)
    return emitOpError() << "expects " << (getScales() ? "scales" : "sizes")
                         << " to have one entry per dimension (" << rank
                         << "), got " << length;
  StringRef mode = getMode(), transform = getCoordinateTransformationMode();
  if (!isOneOf(mode, {"nearest", "linear", "cubic"}))
    return emitOpError() << "unknown mode '" << mode << "'";
  if (!isOneOf(transform, {"half_pixel", "pytorch_half_pixel",
                           "align_corners", "asymmetric",
                           "tf_half_pixel_for_nn", "tf_crop_and_resize"}))
    return emitOpError() << "unknown coordinate_transformation_mode '"
                         << transform << "'";
  if (!isOneOf(getNearestMode(),
               {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}))
    return emitOpError() << "unknown nearest_mode '" << getNearestMode()
                         << "'";
  if (mode != "nearest" && !isa<FloatType>(input.getElementType()))
    return emitOpError() << "expects a floating-point input for " << mode
                         << " interpolation";
  if (Value roi = getRoi()) {
    int64_t roiLength = cast<RankedTensorType>(roi.getType()).getDimSize(0);
    if (roiLength != 2 * rank)
      return emitOpError() << "expects roi to have 2 x " << rank
                           << " entries, got " << roiLength;
  } else if (transform == "tf_crop_and_resize") {
    return emitOpError("expects a roi for tf_crop_and_resize");
  }
  if (auto scales = constantFloats(getScales()))
    for (double s : *scales)
      if (!(s > 0))
        return emitOpError() << "expects positive scales, got " << s;
  if (auto sizes = getConstantInts(getSizes()))
    for (int64_t s : *sizes)
      if (s < 0)
        return emitOpError() << "expects non-negative sizes, got " << s;
  return success();
}

//===----------------------------------------------------------------------===//
// GridSampleOp
//===----------------------------------------------------------------------===//

LogicalResult GridSampleOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location>,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  auto grid = rankedType(adaptor.getGrid());
  if (!input || !grid)
    return failure();
  SmallVector<int64_t> out(4, ShapedType::kDynamic);
  if (input.getRank() == 4 && grid.getRank() == 4) {
    out[0] = ShapedType::isDynamic(input.getDimSize(0)) ? grid.getDimSize(0)
                                                        : input.getDimSize(0);
    out[1] = input.getDimSize(1);
    out[2] = grid.getDimSize(1);
    out[3] = grid.getDimSize(2);
  }
  types.push_back(RankedTensorType::get(out, input.getElementType()));
  return success();
}

LogicalResult GridSampleOp::verify() {
  auto input = getInput().getType(), grid = getGrid().getType();
  if (input.getRank() != 4)
    return emitOpError() << "expects a rank-4 NCHW input, got "
                         << formatShape(input.getShape());
  if (grid.getRank() != 4 || (!ShapedType::isDynamic(grid.getDimSize(3)) &&
                              grid.getDimSize(3) != 2))
    return emitOpError() << "expects an N x HO x WO x 2 grid, got "
                         << formatShape(grid.getShape());
  if (input.getElementType() != grid.getElementType())
    return emitOpError("expects input and grid of one element type");
  int64_t n = input.getDimSize(0), gridN = grid.getDimSize(0);
  if (!ShapedType::isDynamic(n) && !ShapedType::isDynamic(gridN) && n != gridN)
    return emitOpError() << "input has a batch of " << n
                         << " but the grid one of " << gridN;
  if (!isOneOf(getMode(), {"bilinear", "nearest", "bicubic"}))
    return emitOpError() << "unknown mode '" << getMode() << "'";
  if (!isOneOf(getPaddingMode(), {"zeros", "border", "reflection"}))
    return emitOpError() << "unknown padding_mode '" << getPaddingMode()
                         << "'";
  return success();
}
