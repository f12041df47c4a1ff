//===- Resize.cpp - kiln.resize and kiln.grid_sample to linalg ------------===//
//
// Resampling ops become linalg.generics over the output whose bodies compute
// where each output element comes from and read the input there with
// tensor.extract.
//
// kiln.resize: `nearest` is one generic over every dimension. `linear` and
// `cubic` are separable, so they run one generic per resized dimension (the
// innermost first), each blending 2 or 4 taps along that dimension only:
// 2 x 4 taps instead of 4^2 for a 2-D cubic resize, and a dimension whose
// scale is a constant 1 costs nothing. The coordinate arithmetic is done in
// f64 as in ONNX's reference; every tap index is clamped into the input in
// floating point before it becomes an integer, so no scale, roi or NaN can
// make the code read outside the input.
//
// kiln.grid_sample: one generic over N x C x HO x WO that reads the grid
// point, maps it to input coordinates and blends 1, 4 or 16 taps, following
// PyTorch's grid_sampler_2d.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "kiln/Conversion/KilnToLinalg/KilnToLinalg.h"
#include "kiln/Dialect/Kiln/IR/ConstantOperands.h"
#include "kiln/Dialect/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// Scalar f64 arithmetic in a generic's body, spelled briefly.
struct F64Builder {
  OpBuilder &b;
  Location loc;

  Value c(double v) {
    return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(v));
  }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value floor(Value x) { return math::FloorOp::create(b, loc, x); }
  Value ceil(Value x) { return math::CeilOp::create(b, loc, x); }
  Value cmp(arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, p, x, y);
  }
  Value select(Value cond, Value x, Value y) {
    return arith::SelectOp::create(b, loc, cond, x, y);
  }
  /// An index as f64.
  Value fromIndex(Value i) {
    return arith::SIToFPOp::create(
        b, loc, b.getF64Type(),
        arith::IndexCastOp::create(b, loc, b.getI64Type(), i));
  }
  /// `x` clamped into [0, hi] (NaN becomes hi), as an index.
  Value clampToIndex(Value x, Value hi) {
    Value clamped = arith::MaxNumFOp::create(
        b, loc, arith::MinNumFOp::create(b, loc, x, hi), c(0));
    return arith::IndexCastOp::create(
        b, loc, b.getIndexType(),
        arith::FPToSIOp::create(b, loc, b.getI64Type(), clamped));
  }
};

/// The type interpolation accumulates in: f64 for f64, else f32.
Type computeType(Type elementType) {
  return elementType.isF64() ? elementType
                             : Float32Type::get(elementType.getContext());
}

Value convertFloat(OpBuilder &b, Location loc, Value v, Type to) {
  Type from = v.getType();
  if (from == to)
    return v;
  if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
    return arith::ExtFOp::create(b, loc, to, v);
  return arith::TruncFOp::create(b, loc, to, v);
}

//===----------------------------------------------------------------------===//
// kiln.resize
//===----------------------------------------------------------------------===//

/// What the body of a generic needs to know about one dimension.
struct ResizeDim {
  Value inSize;           // index
  Value inF;              // f64
  OpFoldResult outSize;   // index
  Value scale;            // f64
  Value length;           // f64: inSize * scale
  Value roiStart, roiEnd; // f64, tf_crop_and_resize only
  bool identity = false;  // known to copy the dimension unchanged
};

struct ResizeLowering : public OpConversionPattern<ResizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ResizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput();
    int64_t rank = resultType.getRank();
    SmallVector<ResizeDim> dims = resizeDims(rewriter, loc, op, adaptor,
                                             resultType);

    Value result = input;
    if (op.getMode() == "nearest") {
      if (!llvm::all_of(dims, [](const ResizeDim &d) { return d.identity; }))
        result = nearest(rewriter, loc, op, input, dims, resultType);
    } else {
      // One pass per resized dimension, innermost first.
      for (int64_t d = rank - 1; d >= 0; --d)
        if (!dims[d].identity)
          result = interpolate(rewriter, loc, op, result, d, dims[d]);
    }
    if (result.getType() != resultType)
      result = tensor::CastOp::create(rewriter, loc, resultType, result);
    rewriter.replaceOp(op, result);
    return success();
  }

  /// Reads the sizes, scales and roi (constants where they are, else
  /// tensor.extract) and checks at run time what the verifier could not.
  static SmallVector<ResizeDim> resizeDims(OpBuilder &b, Location loc,
                                           ResizeOp op, OpAdaptor adaptor,
                                           RankedTensorType resultType) {
    F64Builder f{b, loc};
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    int64_t rank = inputType.getRank();
    StringRef transform = op.getCoordinateTransformationMode();
    bool crop = transform == "tf_crop_and_resize";
    // A dimension may be skipped when its scale is a constant 1 and the
    // mode maps every coordinate to itself.
    bool identityMapping = !crop && transform != "tf_half_pixel_for_nn";
    auto constScales = getConstantElements(op.getScales());
    auto constSizes = getConstantInts(op.getSizes());
    std::string where = describeForCheck(op);
    auto element = [&](Value vector, int64_t i) -> Value {
      Value index = arith::ConstantIndexOp::create(b, loc, i);
      return tensor::ExtractOp::create(b, loc, vector, index);
    };

    SmallVector<ResizeDim> dims(rank);
    for (int64_t d = 0; d < rank; ++d) {
      ResizeDim &dim = dims[d];
      dim.inSize = getValueOrCreateConstantIndexOp(
          b, loc, tensor::getMixedSize(b, loc, input, d));
      dim.inF = f.fromIndex(dim.inSize);
      int64_t staticIn = inputType.getDimSize(d);
      int64_t staticOut = resultType.getDimSize(d);
      if (crop) {
        dim.roiStart = convertFloat(b, loc, element(adaptor.getRoi(), d),
                                    b.getF64Type());
        dim.roiEnd = convertFloat(b, loc, element(adaptor.getRoi(), rank + d),
                                  b.getF64Type());
      }
      Value outIndex;
      if (Value sizes = adaptor.getSizes()) {
        if (constSizes) {
          outIndex = arith::ConstantIndexOp::create(b, loc, (*constSizes)[d]);
          dim.identity = identityMapping && staticIn == (*constSizes)[d];
        } else {
          Value size = element(sizes, d);
          outIndex =
              isUnsignedInteger(op.getSizes().getType())
                  ? arith::IndexCastUIOp::create(b, loc, b.getIndexType(), size)
                        .getResult()
                  : arith::IndexCastOp::create(b, loc, b.getIndexType(), size)
                        .getResult();
          check(b, loc,
                arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                      outIndex,
                                      arith::ConstantIndexOp::create(b, loc, 0)),
                where + ": a size is negative");
        }
        dim.scale = f.div(f.fromIndex(outIndex), dim.inF);
      } else {
        if (constScales) {
          APFloat v = constScales.getValues<APFloat>()[d];
          bool lost;
          v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                    &lost);
          dim.scale = f.c(v.convertToDouble());
          dim.identity = identityMapping && v.convertToDouble() == 1.0;
        } else {
          dim.scale = convertFloat(b, loc, element(adaptor.getScales(), d),
                                   b.getF64Type());
          check(b, loc,
                f.cmp(arith::CmpFPredicate::OGT, dim.scale, f.c(0)),
                where + ": a scale is not positive");
        }
        // floor(in * scale), times the roi's extent when cropping.
        Value length = f.mul(dim.inF, dim.scale);
        if (crop)
          length = f.mul(length, f.sub(dim.roiEnd, dim.roiStart));
        Value floored = arith::MaxNumFOp::create(b, loc, f.floor(length),
                                                 f.c(0));
        outIndex = arith::IndexCastOp::create(
            b, loc, b.getIndexType(),
            arith::FPToSIOp::create(b, loc, b.getI64Type(), floored));
      }
      dim.length = f.mul(dim.inF, dim.scale);
      dim.outSize = ShapedType::isDynamic(staticOut)
                        ? OpFoldResult(outIndex)
                        : OpFoldResult(b.getIndexAttr(staticOut));
      // Reading an empty dimension would be out of bounds.
      if (staticIn == ShapedType::kDynamic || staticIn == 0) {
        Value zero = arith::ConstantIndexOp::create(b, loc, 0);
        Value ok = arith::OrIOp::create(
            b, loc,
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt,
                                  dim.inSize, zero),
            arith::CmpIOp::create(
                b, loc, arith::CmpIPredicate::eq,
                getValueOrCreateConstantIndexOp(b, loc, dim.outSize), zero));
        check(b, loc, ok,
              where + ": cannot resize an empty dimension to a non-empty one");
      }
    }
    return dims;
  }

  /// The input coordinate (f64) of output position `out` (an index) along
  /// one dimension, and whether it lies outside the input
  /// (tf_crop_and_resize only; null otherwise).
  static std::pair<Value, Value> coordinate(OpBuilder &b, Location loc,
                                            ResizeOp op, const ResizeDim &dim,
                                            Value out) {
    F64Builder f{b, loc};
    Value x = f.fromIndex(out);
    StringRef transform = op.getCoordinateTransformationMode();
    Value one = f.c(1), half = f.c(0.5);
    Value inLast = f.sub(dim.inF, one);
    if (transform == "half_pixel")
      return {f.sub(f.div(f.add(x, half), dim.scale), half), Value()};
    if (transform == "pytorch_half_pixel") {
      Value mapped = f.sub(f.div(f.add(x, half), dim.scale), half);
      return {f.select(f.cmp(arith::CmpFPredicate::OGT, dim.length, one),
                       mapped, f.c(0)),
              Value()};
    }
    if (transform == "align_corners") {
      Value mapped = f.div(f.mul(x, inLast), f.sub(dim.length, one));
      return {f.select(f.cmp(arith::CmpFPredicate::OEQ, dim.length, one),
                       f.c(0), mapped),
              Value()};
    }
    if (transform == "asymmetric")
      return {f.div(x, dim.scale), Value()};
    if (transform == "tf_half_pixel_for_nn")
      return {f.div(f.add(x, half), dim.scale), Value()};
    // tf_crop_and_resize
    Value extent = f.sub(dim.roiEnd, dim.roiStart);
    Value mapped = f.div(f.mul(f.mul(x, extent), inLast),
                         f.sub(dim.length, one));
    Value single = f.div(f.mul(extent, inLast), f.c(2));
    mapped = f.select(f.cmp(arith::CmpFPredicate::OEQ, dim.length, one),
                      single, mapped);
    mapped = f.add(mapped, f.mul(dim.roiStart, inLast));
    // Ordered comparisons: a NaN coordinate counts as outside.
    Value inside = arith::AndIOp::create(
        b, loc, f.cmp(arith::CmpFPredicate::OGE, mapped, f.c(0)),
        f.cmp(arith::CmpFPredicate::OLE, mapped, inLast));
    Value outside = arith::XOrIOp::create(
        b, loc, inside, arith::ConstantIntOp::create(b, loc, 1, 1));
    return {mapped, outside};
  }

  static Value extrapolation(OpBuilder &b, Location loc, ResizeOp op,
                             Type elementType) {
    return scalarConstant(b, loc, elementType,
                          op.getExtrapolationValue().convertToDouble());
  }

  /// Nearest-neighbour resize: one generic over all dimensions.
  static Value nearest(OpBuilder &b, Location loc, ResizeOp op, Value input,
                       ArrayRef<ResizeDim> dims,
                       RankedTensorType resultType) {
    SmallVector<OpFoldResult> outDims;
    for (const ResizeDim &d : dims)
      outDims.push_back(d.outSize);
    StringRef rounding = op.getNearestMode();
    return buildElementwise(
        b, loc, resultType, ValueRange{},
        [&](OpBuilder &nb, Location l, ValueRange) {
          F64Builder f{nb, l};
          SmallVector<Value> indices;
          Value outside;
          for (auto [d, dim] : llvm::enumerate(dims)) {
            Value out = linalg::IndexOp::create(nb, l, d);
            if (dim.identity) {
              indices.push_back(out);
              continue;
            }
            auto [x, isOutside] = coordinate(nb, l, op, dim, out);
            if (isOutside)
              outside = outside ? arith::OrIOp::create(nb, l, outside,
                                                       isOutside)
                                      .getResult()
                                : isOutside;
            Value rounded;
            if (rounding == "floor")
              rounded = f.floor(x);
            else if (rounding == "ceil")
              rounded = f.ceil(x);
            else if (rounding == "round_prefer_ceil")
              rounded = f.floor(f.add(x, f.c(0.5)));
            else // round_prefer_floor
              rounded = f.ceil(f.sub(x, f.c(0.5)));
            indices.push_back(
                f.clampToIndex(rounded, f.sub(dim.inF, f.c(1))));
          }
          Value value = tensor::ExtractOp::create(nb, l, input, indices);
          if (outside)
            value = arith::SelectOp::create(
                nb, l, outside,
                extrapolation(nb, l, op, resultType.getElementType()), value);
          return value;
        },
        outDims);
  }

  /// The interpolation weights of the taps at floor(x) + offset, for offset
  /// in [-1, 2] (cubic) or [0, 1] (linear), given t = x - floor(x).
  static SmallVector<Value> weights(F64Builder &f, ResizeOp op, Value t) {
    Value one = f.c(1);
    if (op.getMode() == "linear")
      return {f.sub(one, t), t};
    double a = op.getCubicCoeffA().convertToDouble();
    // Keys' kernel: distance s <= 1: (A + 2) s^3 - (A + 3) s^2 + 1;
    // 1 < s < 2: A s^3 - 5A s^2 + 8A s - 4A.
    auto near = [&](Value s) {
      return f.add(
          f.mul(f.mul(f.sub(f.mul(f.c(a + 2), s), f.c(a + 3)), s), s), one);
    };
    auto far = [&](Value s) {
      return f.sub(
          f.mul(f.add(f.mul(f.sub(f.mul(f.c(a), s), f.c(5 * a)), s),
                      f.c(8 * a)),
                s),
          f.c(4 * a));
    };
    Value u = f.sub(one, t);
    return {far(f.add(t, one)), near(t), near(u), far(f.add(u, one))};
  }

  /// Linear or cubic interpolation along dimension `d` only.
  static Value interpolate(OpBuilder &b, Location loc, ResizeOp op,
                           Value source, int64_t d, const ResizeDim &dim) {
    auto sourceType = cast<RankedTensorType>(source.getType());
    Type elementType = sourceType.getElementType();
    Type accType = computeType(elementType);
    SmallVector<OpFoldResult> outDims = getDims(b, loc, source);
    outDims[d] = dim.outSize;
    SmallVector<int64_t> shape(sourceType.getShape());
    auto staticOut = getConstantIntValue(dim.outSize);
    shape[d] = staticOut ? *staticOut : ShapedType::kDynamic;
    auto passType = RankedTensorType::get(shape, elementType);
    bool cubic = op.getMode() == "cubic";
    bool exclude = op.getExcludeOutside();
    return buildElementwise(
        b, loc, passType, ValueRange{},
        [&](OpBuilder &nb, Location l, ValueRange) {
          F64Builder f{nb, l};
          SmallVector<Value> indices;
          for (int64_t i = 0; i < passType.getRank(); ++i)
            indices.push_back(linalg::IndexOp::create(nb, l, i));
          auto [x, outside] = coordinate(nb, l, op, dim, indices[d]);
          Value base = f.floor(x);
          SmallVector<Value> w = weights(f, op, f.sub(x, base));
          Value inLast = f.sub(dim.inF, f.c(1));
          int64_t first = cubic ? -1 : 0;
          SmallVector<Value> taps;
          for (size_t k = 0; k < w.size(); ++k)
            taps.push_back(f.add(base, f.c(first + (int64_t)k)));
          if (exclude) {
            // Taps outside the input get no weight; the rest share it.
            Value sum = f.c(0);
            for (size_t k = 0; k < w.size(); ++k) {
              Value inside = arith::AndIOp::create(
                  nb, l, f.cmp(arith::CmpFPredicate::OGE, taps[k], f.c(0)),
                  f.cmp(arith::CmpFPredicate::OLE, taps[k], inLast));
              w[k] = f.select(inside, w[k], f.c(0));
              sum = f.add(sum, w[k]);
            }
            for (Value &weight : w)
              weight = f.div(weight, sum);
          }
          Value acc;
          for (size_t k = 0; k < w.size(); ++k) {
            SmallVector<Value> at(indices);
            at[d] = f.clampToIndex(taps[k], inLast);
            Value v = convertFloat(
                nb, l, tensor::ExtractOp::create(nb, l, source, at), accType);
            Value term = arith::MulFOp::create(
                nb, l, v, convertFloat(nb, l, w[k], accType));
            acc = acc ? arith::AddFOp::create(nb, l, acc, term).getResult()
                      : term;
          }
          Value value = convertFloat(nb, l, acc, elementType);
          if (outside)
            value = arith::SelectOp::create(
                nb, l, outside, extrapolation(nb, l, op, elementType), value);
          return value;
        },
        outDims);
  }
};

//===----------------------------------------------------------------------===//
// kiln.grid_sample
//===----------------------------------------------------------------------===//

struct GridSampleLowering : public OpConversionPattern<GridSampleOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GridSampleOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = convertedType(getTypeConverter(), op.getType());
    Value input = adaptor.getInput(), grid = adaptor.getGrid();
    checkEqual(rewriter, loc, tensor::getMixedSize(rewriter, loc, input, 0),
               tensor::getMixedSize(rewriter, loc, grid, 0),
               describeForCheck(op) +
                   ": the input and the grid have different batch sizes");
    checkEqual(rewriter, loc, tensor::getMixedSize(rewriter, loc, grid, 3),
               rewriter.getIndexAttr(2),
               describeForCheck(op) + ": the grid's last dimension is not 2");
    SmallVector<OpFoldResult> outDims{
        tensor::getMixedSize(rewriter, loc, input, 0),
        tensor::getMixedSize(rewriter, loc, input, 1),
        tensor::getMixedSize(rewriter, loc, grid, 1),
        tensor::getMixedSize(rewriter, loc, grid, 2)};
    Value height = getValueOrCreateConstantIndexOp(
        rewriter, loc, tensor::getMixedSize(rewriter, loc, input, 2));
    Value width = getValueOrCreateConstantIndexOp(
        rewriter, loc, tensor::getMixedSize(rewriter, loc, input, 3));
    Type elementType = resultType.getElementType();
    Type accType = computeType(elementType);
    StringRef mode = op.getMode(), padding = op.getPaddingMode();
    bool alignCorners = op.getAlignCorners();

    Value result = buildElementwise(
        rewriter, loc, resultType, ValueRange{},
        [&](OpBuilder &b, Location l, ValueRange) {
          Sampler s{b, l, accType, alignCorners, padding};
          Value n = linalg::IndexOp::create(b, l, 0);
          Value c = linalg::IndexOp::create(b, l, 1);
          Value ho = linalg::IndexOp::create(b, l, 2);
          Value wo = linalg::IndexOp::create(b, l, 3);
          auto gridAt = [&](int64_t k) {
            Value v = tensor::ExtractOp::create(
                b, l, grid,
                ValueRange{n, ho, wo, arith::ConstantIndexOp::create(b, l, k)});
            return convertFloat(b, l, v, accType);
          };
          Value sizeW = s.fromIndex(width), sizeH = s.fromIndex(height);
          // Unnormalized coordinates: x along W, y along H.
          Value x = s.unnormalize(gridAt(0), sizeW);
          Value y = s.unnormalize(gridAt(1), sizeH);
          // Reads input[n, c, yi, xi] for integer-valued floats, 0 outside
          // (taps are first mapped by the padding mode where it applies).
          auto read = [&](Value yi, Value xi) {
            Value inside = arith::AndIOp::create(b, l, s.inside(xi, sizeW),
                                                 s.inside(yi, sizeH));
            Value v = tensor::ExtractOp::create(
                b, l, input,
                ValueRange{n, c, s.clampToIndex(yi, sizeH),
                           s.clampToIndex(xi, sizeW)});
            v = convertFloat(b, l, v, accType);
            return s.select(inside, v, s.c(0));
          };
          Value value;
          if (mode == "bicubic") {
            // Taps around the raw coordinate, each mapped by the padding.
            Value x0 = s.floor(x), y0 = s.floor(y);
            SmallVector<Value> wx = s.cubicWeights(s.sub(x, x0));
            SmallVector<Value> wy = s.cubicWeights(s.sub(y, y0));
            for (int j = 0; j < 4; ++j) {
              Value row;
              Value yj = s.pad(s.add(y0, s.c(j - 1)), sizeH);
              for (int i = 0; i < 4; ++i) {
                Value xi = s.pad(s.add(x0, s.c(i - 1)), sizeW);
                Value term = s.mul(read(yj, xi), wx[i]);
                row = row ? s.add(row, term) : term;
              }
              Value term = s.mul(row, wy[j]);
              value = value ? s.add(value, term) : term;
            }
          } else {
            x = s.pad(x, sizeW);
            y = s.pad(y, sizeH);
            if (mode == "nearest") {
              value = read(math::RoundEvenOp::create(b, l, y),
                           math::RoundEvenOp::create(b, l, x));
            } else {
              Value x0 = s.floor(x), y0 = s.floor(y);
              Value x1 = s.add(x0, s.c(1)), y1 = s.add(y0, s.c(1));
              Value tx = s.sub(x, x0), ty = s.sub(y, y0);
              Value ux = s.sub(s.c(1), tx), uy = s.sub(s.c(1), ty);
              value = s.add(
                  s.add(s.mul(read(y0, x0), s.mul(ux, uy)),
                        s.mul(read(y0, x1), s.mul(tx, uy))),
                  s.add(s.mul(read(y1, x0), s.mul(ux, ty)),
                        s.mul(read(y1, x1), s.mul(tx, ty))));
            }
          }
          return convertFloat(b, l, value, elementType);
        },
        outDims);
    rewriter.replaceOp(op, result);
    return success();
  }

  /// Float arithmetic of grid_sample in the accumulation type.
  struct Sampler {
    OpBuilder &b;
    Location loc;
    Type type;
    bool alignCorners;
    StringRef padding;

    Value c(double v) {
      return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, v));
    }
    Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
    Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
    Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
    Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
    Value floor(Value x) { return math::FloorOp::create(b, loc, x); }
    Value select(Value cond, Value x, Value y) {
      return arith::SelectOp::create(b, loc, cond, x, y);
    }
    Value min(Value x, Value y) {
      return arith::MinNumFOp::create(b, loc, x, y);
    }
    Value max(Value x, Value y) {
      return arith::MaxNumFOp::create(b, loc, x, y);
    }
    Value fromIndex(Value i) {
      return arith::SIToFPOp::create(
          b, loc, type, arith::IndexCastOp::create(b, loc, b.getI64Type(), i));
    }
    /// Whether the integer-valued `v` is in [0, size).
    Value inside(Value v, Value size) {
      return arith::AndIOp::create(
          b, loc, arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGE, v, c(0)),
          arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, v, size));
    }
    /// `v` clamped into [0, size - 1] (NaN too), as an index.
    Value clampToIndex(Value v, Value size) {
      Value clamped = max(min(v, sub(size, c(1))), c(0));
      return arith::IndexCastOp::create(
          b, loc, b.getIndexType(),
          arith::FPToSIOp::create(b, loc, b.getI64Type(), clamped));
    }
    /// [-1, 1] to input coordinates.
    Value unnormalize(Value g, Value size) {
      Value shifted = add(g, c(1));
      if (alignCorners)
        return div(mul(shifted, sub(size, c(1))), c(2));
      return div(sub(mul(shifted, size), c(1)), c(2));
    }
    /// Mirrors `v` into [low, high] (given doubled, as PyTorch does).
    Value reflect(Value v, double twiceLow, Value twiceHigh) {
      Value low = c(twiceLow / 2);
      Value span = div(sub(twiceHigh, c(twiceLow)), c(2));
      Value d = math::AbsFOp::create(b, loc, sub(v, low));
      Value extra = arith::RemFOp::create(b, loc, d, span);
      Value flips = floor(div(d, span));
      Value odd = arith::CmpFOp::create(
          b, loc, arith::CmpFPredicate::OEQ,
          arith::RemFOp::create(b, loc, flips, c(2)), c(1));
      Value reflected =
          select(odd, add(sub(span, extra), low), add(extra, low));
      // A span of zero (a single element) reflects everything onto it.
      Value degenerate =
          arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLE, span, c(0));
      return select(degenerate, c(0), reflected);
    }
    /// Applies the padding mode to a coordinate: border clamps, reflection
    /// mirrors then clamps, zeros leaves it (reads outside give 0).
    Value pad(Value v, Value size) {
      if (padding == "border")
        return max(min(v, sub(size, c(1))), c(0));
      if (padding == "reflection") {
        Value r = alignCorners
                      ? reflect(v, 0, mul(c(2), sub(size, c(1))))
                      : reflect(v, -1, sub(mul(c(2), size), c(1)));
        return max(min(r, sub(size, c(1))), c(0));
      }
      return v;
    }
    /// Cubic convolution weights (A = -0.75) of the taps at -1, 0, 1, 2
    /// from floor(x), given t = x - floor(x).
    SmallVector<Value> cubicWeights(Value t) {
      const double a = -0.75;
      auto near = [&](Value s) {
        return add(mul(mul(sub(mul(c(a + 2), s), c(a + 3)), s), s), c(1));
      };
      auto far = [&](Value s) {
        return sub(mul(add(mul(sub(mul(c(a), s), c(5 * a)), s), c(8 * a)), s),
                   c(4 * a));
      };
      Value u = sub(c(1), t);
      return {far(add(t, c(1))), near(t), near(u), far(add(u, c(1)))};
    }
  };
};

} // namespace

void mlir::kiln::populateResizeToLinalgPatterns(const TypeConverter &converter,
                                                RewritePatternSet &patterns) {
  patterns.add<ResizeLowering, GridSampleLowering>(converter,
                                                   patterns.getContext());
}
