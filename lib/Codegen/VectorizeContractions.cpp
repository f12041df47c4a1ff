//===- VectorizeContractions.cpp - Register-tiled FMA kernels for matmuls -===//
//
// Replaces every f32 contraction on buffers (linalg.matmul, batch_matmul and
// the matmul-like linalg.generic ops the lowering makes for MatMul/Gemm with
// any number of batch dimensions) by a register-tiled loop nest of vector
// FMAs, and fuses into it the elementwise op that consumes the result (bias,
// activation, residual add) and the fill that zeroes the accumulator.
//
// Why by hand rather than through linalg tiling + vectorization: the kernel
// wanted is small and fixed (an outer product of a broadcast element of A and
// a row of B into MR x NV vector accumulators held in registers across the
// whole reduction), and building it directly keeps the accumulators in
// SSA values that LLVM maps onto registers, with no vector.contract lowering
// or transfer-op hoisting to depend on. The outermost loop is an scf.parallel
// over cache tiles, which kiln-outline-parallel-loops hands to the runtime's
// threads.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNVECTORIZECONTRACTIONS
#include "kiln/Codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

/// The buffer a view (subview, reshape, cast) was taken of.
Value rootOf(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

/// Every non-view operation that uses `root` or a view of it.
void collectUsers(Value root, SmallVectorImpl<Operation *> &users) {
  for (Operation *user : root.getUsers()) {
    if (auto view = dyn_cast<ViewLikeOpInterface>(user);
        view && view.getViewSource() == root) {
      for (Value result : user->getResults())
        collectUsers(result, users);
      continue;
    }
    users.push_back(user);
  }
}

/// Whether `type`'s innermost dimension is contiguous (stride 1).
bool innermostContiguous(MemRefType type) {
  if (type.getRank() == 0)
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)))
    return false;
  return strides.back() == 1;
}

/// How an operand is read in the kernel: the loop dimension indexing each of
/// its memref dimensions.
struct Access {
  Value memref;
  SmallVector<unsigned> dims;
};

/// Maps an operand through a projected-permutation indexing map.
std::optional<Access> accessOf(Value memref, AffineMap map) {
  if (!map.isProjectedPermutation(/*allowZeroInResults=*/false))
    return std::nullopt;
  Access access{memref, {}};
  for (AffineExpr e : map.getResults())
    access.dims.push_back(cast<AffineDimExpr>(e).getPosition());
  return access;
}

/// The elementwise consumer fused into a kernel: each of its operands' reads
/// in terms of the contraction's loops.
struct Epilogue {
  linalg::GenericOp op;
  /// For each epilogue input, its access; the contraction's result has none.
  SmallVector<std::optional<Access>> inputs;
  Access output;
};

class KernelBuilder {
public:
  KernelBuilder(linalg::LinalgOp op, linalg::ContractionDimensions dims,
                int64_t lanes, int64_t mr, int64_t nv, int64_t mb, int64_t nb)
      : op(op), dims(dims), lanes(lanes), mr(mr), nv(nv), mb(mb), nb(nb) {
    if (dims.m.size() == 1 && dims.n.size() == 1 && dims.k.size() == 1) {
      rowDim = dims.m[0];
      colDim = dims.n[0];
      kDim = dims.k[0];
    }
  }

  /// Checks that the kernel applies; fills the operand accesses.
  LogicalResult match() {
    if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
        op.getNumDpsInits() != 1 || dims.m.size() != 1 || dims.n.size() != 1 ||
        dims.k.size() != 1)
      return failure();
    for (OpOperand &operand : op->getOpOperands()) {
      auto type = dyn_cast<MemRefType>(operand.get().getType());
      if (!type || !type.getElementType().isF32())
        return failure();
    }
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    auto a = accessOf(op.getDpsInputs()[0], maps[0]);
    auto b = accessOf(op.getDpsInputs()[1], maps[1]);
    auto c = accessOf(op.getDpsInits()[0], maps[2]);
    if (!a || !b || !c)
      return failure();
    A = *a;
    B = *b;
    C = *c;
    // The vector dimension is n: B and C must be contiguous along it.
    unsigned n = dims.n[0];
    if (B.dims.back() != n || C.dims.back() != n ||
        !innermostContiguous(cast<MemRefType>(B.memref.getType())) ||
        !innermostContiguous(cast<MemRefType>(C.memref.getType())))
      return failure();
    // A must not depend on n, B not on m (a real contraction).
    if (llvm::is_contained(A.dims, n) || llvm::is_contained(B.dims, dims.m[0]))
      return failure();
    return success();
  }

  /// Whether `generic` can be fused as the consumer of the result; fills
  /// `epilogue` when so.
  bool matchEpilogue(linalg::GenericOp generic) {
    if (!generic.hasPureBufferSemantics() || generic.getNumDpsInits() != 1 ||
        generic.getNumReductionLoops() != 0 ||
        generic.getNumLoops() != C.dims.size())
      return false;
    // The result must be read once, by a permutation map, so that each of
    // the epilogue's loops corresponds to one of the contraction's.
    SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
    int cIndex = -1;
    for (auto [i, input] : llvm::enumerate(generic.getDpsInputs()))
      if (input == C.memref) {
        if (cIndex >= 0)
          return false;
        cIndex = i;
      }
    if (cIndex < 0 || !maps[cIndex].isPermutation())
      return false;
    SmallVector<unsigned> toContraction(generic.getNumLoops());
    for (auto [memDim, e] : llvm::enumerate(maps[cIndex].getResults()))
      toContraction[cast<AffineDimExpr>(e).getPosition()] = C.dims[memDim];
    auto translate = [&](Value memref, AffineMap map) -> std::optional<Access> {
      auto access = accessOf(memref, map);
      if (!access)
        return std::nullopt;
      for (unsigned &d : access->dims)
        d = toContraction[d];
      return access;
    };
    Epilogue epi{generic, {}, {}};
    unsigned n = colDim;
    for (auto [i, input] : llvm::enumerate(generic.getDpsInputs())) {
      if ((int)i == cIndex) {
        epi.inputs.push_back(std::nullopt);
        continue;
      }
      auto type = dyn_cast<MemRefType>(input.getType());
      if (!type)
        return false;
      auto access = translate(input, maps[i]);
      if (!access)
        return false;
      // Read as a vector along n (contiguous), or as a broadcast scalar.
      bool hasN = llvm::is_contained(access->dims, n);
      if (hasN && (access->dims.back() != n || !innermostContiguous(type)))
        return false;
      epi.inputs.push_back(access);
    }
    Value out = generic.getDpsInits()[0];
    auto outType = dyn_cast<MemRefType>(out.getType());
    auto output = translate(out, maps.back());
    if (!outType || !outType.getElementType().isF32() || !output ||
        output->dims.size() != C.dims.size() || output->dims.back() != n ||
        !innermostContiguous(outType))
      return false;
    epi.output = *output;
    // The body: elementwise scalar ops only, not reading the output.
    Block &body = generic.getRegion().front();
    if (!body.getArgument(body.getNumArguments() - 1).use_empty())
      return false;
    for (Operation &inner : body.without_terminator()) {
      if (!OpTrait::hasElementwiseMappableTraits(&inner) ||
          inner.getNumRegions() || inner.getNumResults() != 1)
        return false;
      for (Type t :
           llvm::concat<Type>(inner.getOperandTypes(), inner.getResultTypes()))
        if (!t.isIntOrIndexOrFloat())
          return false;
    }
    epilogue = epi;
    return true;
  }

  /// Builds the kernel at the builder's insertion point. `init` is the
  /// scalar the accumulator starts from, or null to load C.
  void build(OpBuilder &b, Location loc, Value init) {
    this->init = init;
    auto ranges = op.createLoopRanges(b, loc);
    sizes.clear();
    for (Range &r : ranges)
      sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, r.size));
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    unsigned m = dims.m[0], n = dims.n[0];
    Value mbV = arith::ConstantIndexOp::create(b, loc, mb);
    Value nbV = arith::ConstantIndexOp::create(b, loc, nb);
    auto ceilDiv = [&](Value x, Value y) {
      return arith::CeilDivUIOp::create(b, loc, x, y).getResult();
    };
    Value tilesM = ceilDiv(sizes[m], mbV), tilesN = ceilDiv(sizes[n], nbV);
    Value total = arith::MulIOp::create(b, loc, tilesM, tilesN);
    for (unsigned d : dims.batch)
      total = arith::MulIOp::create(b, loc, total, sizes[d]);
    // One flat parallel dimension, so that threads split every tile.
    auto par = scf::ParallelOp::create(b, loc, ValueRange{zero},
                                       ValueRange{total}, ValueRange{one});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(par.getBody());
    Value t = par.getInductionVars()[0];
    ivs.assign(sizes.size(), Value());
    Value tn = arith::RemUIOp::create(b, loc, t, tilesN);
    t = arith::DivUIOp::create(b, loc, t, tilesN);
    Value tm = arith::RemUIOp::create(b, loc, t, tilesM);
    t = arith::DivUIOp::create(b, loc, t, tilesM);
    for (unsigned d : llvm::reverse(dims.batch)) {
      ivs[d] = arith::RemUIOp::create(b, loc, t, sizes[d]);
      t = arith::DivUIOp::create(b, loc, t, sizes[d]);
    }
    Value i0 = arith::MulIOp::create(b, loc, tm, mbV);
    Value j0 = arith::MulIOp::create(b, loc, tn, nbV);
    Value iEnd = arith::MinUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, i0, mbV), sizes[m]);
    Value jEnd = arith::MinUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, j0, nbV), sizes[n]);
    auto fullEnd = [&](Value begin, Value end, int64_t step) {
      Value s = arith::ConstantIndexOp::create(b, loc, step);
      Value count = arith::DivUIOp::create(
          b, loc, arith::SubIOp::create(b, loc, end, begin), s);
      return arith::AddIOp::create(b, loc, begin,
                                   arith::MulIOp::create(b, loc, count, s))
          .getResult();
    };
    Value iFull = fullEnd(i0, iEnd, mr);
    Value jFull = fullEnd(j0, jEnd, nv * lanes);

    // Row blocks of mr, then single rows, for one column strip.
    auto rows = [&](OpBuilder &b, Value jj, int64_t vecs, Value mask) {
      auto loop = [&](Value lb, Value ub, int64_t step, int64_t r) {
        Value s = arith::ConstantIndexOp::create(b, loc, step);
        scf::ForOp::create(
            b, loc, lb, ub, s, ValueRange{},
            [&](OpBuilder &b, Location loc, Value ii, ValueRange) {
              microKernel(b, loc, ii, jj, r, vecs, mask);
              scf::YieldOp::create(b, loc);
            });
      };
      loop(i0, iFull, mr, mr);
      loop(iFull, iEnd, 1, 1);
    };
    Value wide = arith::ConstantIndexOp::create(b, loc, nv * lanes);
    scf::ForOp::create(b, loc, j0, jFull, wide, ValueRange{},
                       [&](OpBuilder &b, Location loc, Value jj, ValueRange) {
                         rows(b, jj, nv, Value());
                         scf::YieldOp::create(b, loc);
                       });
    Value narrow = arith::ConstantIndexOp::create(b, loc, lanes);
    scf::ForOp::create(b, loc, jFull, jEnd, narrow, ValueRange{},
                       [&](OpBuilder &b, Location loc, Value jj, ValueRange) {
                         Value left = arith::SubIOp::create(b, loc, jEnd, jj);
                         Value count =
                             arith::MinUIOp::create(b, loc, left, narrow);
                         Value mask = vector::CreateMaskOp::create(
                             b, loc, VectorType::get({lanes}, b.getI1Type()),
                             ValueRange{count});
                         rows(b, jj, 1, mask);
                         scf::YieldOp::create(b, loc);
                       });
  }

  /// For linalg.conv_2d_nchw_fchw: the kernel vectorizes along the output
  /// width (ow, contiguous in NCHW) and holds `mr` output channels x `nv`
  /// vectors in registers over the reduction (c, kh, kw). Loops are
  /// (n, f, oh, ow, c, kh, kw).
  LogicalResult matchConv(linalg::LinalgOp conv) {
    if (!conv.hasPureBufferSemantics())
      return failure();
    for (Value v : conv->getOperands()) {
      auto type = dyn_cast<MemRefType>(v.getType());
      if (!type || !type.getElementType().isF32() || !innermostContiguous(type))
        return failure();
    }
    DenseIntElementsAttr convStrides, convDilations;
    if (auto c = dyn_cast<linalg::Conv2DNchwFchwOp>(conv.getOperation())) {
      convStrides = c.getStrides();
      convDilations = c.getDilations();
      // Loops (n, f, oh, ow, c, kh, kw).
      nD = 0, fD = 1, ohD = 2, owD = 3, cD = 4, khD = 5, kwD = 6;
      C = Access{conv.getDpsInits()[0], {0, 1, 2, 3}};
    } else if (auto d = dyn_cast<linalg::DepthwiseConv2DNchwChwOp>(
                   conv.getOperation())) {
      convStrides = d.getStrides();
      convDilations = d.getDilations();
      // Loops (n, oh, ow, c, kh, kw); the channel is the kernel's row.
      nD = 0, ohD = 1, owD = 2, fD = 3, khD = 4, kwD = 5;
      depthwise = true;
      C = Access{conv.getDpsInits()[0], {0, 3, 1, 2}};
    } else {
      return failure();
    }
    for (auto [i, s] : llvm::enumerate(convStrides.getValues<int64_t>()))
      strides[i] = s;
    for (auto [i, d] : llvm::enumerate(convDilations.getValues<int64_t>()))
      dilations[i] = d;
    input = conv.getDpsInputs()[0];
    filter = conv.getDpsInputs()[1];
    rowDim = fD;
    colDim = owD;
    isConv = true;
    return success();
  }

  void buildConv(OpBuilder &b, Location loc, Value init) {
    this->init = init;
    auto ranges = op.createLoopRanges(b, loc);
    sizes.clear();
    for (Range &r : ranges)
      sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, r.size));
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value fbV = arith::ConstantIndexOp::create(b, loc, mb);
    Value tilesF = arith::CeilDivUIOp::create(b, loc, sizes[fD], fbV);
    Value total = arith::MulIOp::create(
        b, loc, arith::MulIOp::create(b, loc, sizes[nD], tilesF), sizes[ohD]);
    auto par = scf::ParallelOp::create(b, loc, ValueRange{zero},
                                       ValueRange{total}, ValueRange{one});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(par.getBody());
    Value t = par.getInductionVars()[0];
    ivs.assign(sizes.size(), Value());
    ivs[ohD] = arith::RemUIOp::create(b, loc, t, sizes[ohD]);
    t = arith::DivUIOp::create(b, loc, t, sizes[ohD]);
    Value tf = arith::RemUIOp::create(b, loc, t, tilesF);
    ivs[nD] = arith::DivUIOp::create(b, loc, t, tilesF);
    Value f0 = arith::MulIOp::create(b, loc, tf, fbV);
    Value fEnd = arith::MinUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, f0, fbV), sizes[fD]);
    Value width = sizes[owD];
    auto fullEnd = [&](Value begin, Value end, int64_t step) {
      Value s = arith::ConstantIndexOp::create(b, loc, step);
      Value count = arith::DivUIOp::create(
          b, loc, arith::SubIOp::create(b, loc, end, begin), s);
      return arith::AddIOp::create(b, loc, begin,
                                   arith::MulIOp::create(b, loc, count, s))
          .getResult();
    };
    Value fFull = fullEnd(f0, fEnd, mr);
    Value owFull = fullEnd(zero, width, nv * lanes);
    auto rows = [&](OpBuilder &b, Value ow, int64_t vecs, Value mask) {
      auto loop = [&](Value lb, Value ub, int64_t step, int64_t r) {
        Value s = arith::ConstantIndexOp::create(b, loc, step);
        scf::ForOp::create(
            b, loc, lb, ub, s, ValueRange{},
            [&](OpBuilder &b, Location loc, Value f, ValueRange) {
              microKernel(b, loc, f, ow, r, vecs, mask);
              scf::YieldOp::create(b, loc);
            });
      };
      loop(f0, fFull, mr, mr);
      loop(fFull, fEnd, 1, 1);
    };
    Value wide = arith::ConstantIndexOp::create(b, loc, nv * lanes);
    scf::ForOp::create(b, loc, zero, owFull, wide, ValueRange{},
                       [&](OpBuilder &b, Location loc, Value ow, ValueRange) {
                         rows(b, ow, nv, Value());
                         scf::YieldOp::create(b, loc);
                       });
    Value narrow = arith::ConstantIndexOp::create(b, loc, lanes);
    scf::ForOp::create(b, loc, owFull, width, narrow, ValueRange{},
                       [&](OpBuilder &b, Location loc, Value ow, ValueRange) {
                         Value left = arith::SubIOp::create(b, loc, width, ow);
                         Value count =
                             arith::MinUIOp::create(b, loc, left, narrow);
                         Value mask = vector::CreateMaskOp::create(
                             b, loc, VectorType::get({lanes}, b.getI1Type()),
                             ValueRange{count});
                         rows(b, ow, 1, mask);
                         scf::YieldOp::create(b, loc);
                       });
  }

  /// The reduction of a convolution micro-kernel: accumulators `accs` over
  /// (c, kh, kw) for output channels `rowIdx` and output columns `colIdx`.
  SmallVector<Value> convReduction(OpBuilder &b, Location loc,
                                   ArrayRef<Value> rowIdx,
                                   ArrayRef<Value> colIdx, Value mask,
                                   ValueRange accs) {
    auto vecType = VectorType::get({lanes}, b.getF32Type());
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto idx = [&](int64_t v) {
      return arith::ConstantIndexOp::create(b, loc, v).getResult();
    };
    // Input columns of the first output column of each vector, before kw.
    SmallVector<Value> baseCols;
    for (Value col : colIdx)
      baseCols.push_back(
          strides[1] == 1 ? col
                          : arith::MulIOp::create(b, loc, col, idx(strides[1]))
                                .getResult());
    Value rowBase = strides[0] == 1 ? ivs[ohD]
                                    : arith::MulIOp::create(b, loc, ivs[ohD],
                                                            idx(strides[0]))
                                          .getResult();
    Value gatherIdx, allTrue, pass;
    if (strides[1] != 1) {
      SmallVector<int32_t> offsets;
      for (int64_t l = 0; l < lanes; ++l)
        offsets.push_back(l * strides[1]);
      auto idxType = VectorType::get({lanes}, b.getI32Type());
      gatherIdx = arith::ConstantOp::create(
          b, loc, idxType,
          DenseElementsAttr::get(idxType, ArrayRef<int32_t>(offsets)));
      allTrue = arith::ConstantOp::create(
          b, loc, VectorType::get({lanes}, b.getI1Type()),
          DenseElementsAttr::get(VectorType::get({lanes}, b.getI1Type()),
                                 true));
      pass = arith::ConstantOp::create(b, loc, vecType, b.getZeroAttr(vecType));
    }
    auto cLoop = scf::ForOp::create(
        b, loc, zero, depthwise ? one : sizes[cD], one, accs,
        [&](OpBuilder &b, Location loc, Value c, ValueRange accC) {
          auto hLoop = scf::ForOp::create(
              b, loc, zero, sizes[khD], one, accC,
              [&](OpBuilder &b, Location loc, Value kh, ValueRange accH) {
                Value kho =
                    dilations[0] == 1
                        ? kh
                        : arith::MulIOp::create(b, loc, kh, idx(dilations[0]))
                              .getResult();
                Value ih = arith::AddIOp::create(b, loc, rowBase, kho);
                auto wLoop = scf::ForOp::create(
                    b, loc, zero, sizes[kwD], one, accH,
                    [&](OpBuilder &b, Location loc, Value kw, ValueRange acc) {
                      Value kwo = dilations[1] == 1
                                      ? kw
                                      : arith::MulIOp::create(b, loc, kw,
                                                              idx(dilations[1]))
                                            .getResult();
                      // One row of input vectors per input channel: the
                      // same for every output channel, or (depthwise) the
                      // row's own channel.
                      auto inputRow = [&](Value channel) {
                        SmallVector<Value> xv;
                        for (Value base : baseCols) {
                          Value iw = arith::AddIOp::create(b, loc, base, kwo);
                          SmallVector<Value> at{ivs[nD], channel, ih, iw};
                          if (strides[1] == 1)
                            xv.push_back(loadVector(b, loc, input, at, mask,
                                                    b.getF32Type()));
                          else
                            xv.push_back(vector::GatherOp::create(
                                b, loc, vecType, input, at, gatherIdx,
                                mask ? mask : allTrue, pass));
                        }
                        return xv;
                      };
                      SmallVector<Value> shared, next;
                      if (!depthwise)
                        shared = inputRow(c);
                      for (auto [r, f] : llvm::enumerate(rowIdx)) {
                        SmallVector<Value> xv =
                            depthwise ? inputRow(f) : shared;
                        SmallVector<Value> at{f, c, kh, kw};
                        if (depthwise)
                          at = {f, kh, kw};
                        Value w = memref::LoadOp::create(b, loc, filter, at);
                        Value splat =
                            vector::BroadcastOp::create(b, loc, vecType, w);
                        for (auto [v, x] : llvm::enumerate(xv))
                          next.push_back(vector::FMAOp::create(
                              b, loc, splat, x, acc[r * xv.size() + v]));
                      }
                      scf::YieldOp::create(b, loc, next);
                    });
                scf::YieldOp::create(b, loc, wLoop.getResults());
              });
          scf::YieldOp::create(b, loc, hLoop.getResults());
        });
    return SmallVector<Value>(cLoop.getResults());
  }

  std::optional<Epilogue> epilogue;

private:
  /// Indices of `access` with the m and n loops at `row` and `col`.
  SmallVector<Value> indices(OpBuilder &b, Location loc, const Access &access,
                             Value row, Value col, Value k) {
    SmallVector<Value> result;
    for (unsigned d : access.dims) {
      if (d == rowDim)
        result.push_back(row);
      else if (d == colDim)
        result.push_back(col);
      else if (d == kDim)
        result.push_back(k);
      else
        result.push_back(ivs[d]);
    }
    return result;
  }

  Value loadVector(OpBuilder &b, Location loc, Value memref,
                   ArrayRef<Value> idx, Value mask, Type elementType) {
    auto type = VectorType::get({lanes}, elementType);
    if (!mask)
      return vector::LoadOp::create(b, loc, type, memref, idx);
    Value pass = arith::ConstantOp::create(b, loc, type, b.getZeroAttr(type));
    return vector::MaskedLoadOp::create(b, loc, type, memref, idx, mask, pass);
  }

  /// r rows x vecs vectors at (ii, jj): the accumulators, the reduction,
  /// the epilogue and the stores.
  void microKernel(OpBuilder &b, Location loc, Value ii, Value jj, int64_t r,
                   int64_t vecs, Value mask) {
    auto vecType = VectorType::get({lanes}, b.getF32Type());
    SmallVector<Value> rowIdx, colIdx;
    for (int64_t i = 0; i < r; ++i)
      rowIdx.push_back(
          i ? arith::AddIOp::create(b, loc, ii,
                                    arith::ConstantIndexOp::create(b, loc, i))
                  .getResult()
            : ii);
    for (int64_t v = 0; v < vecs; ++v)
      colIdx.push_back(
          v ? arith::AddIOp::create(
                  b, loc, jj, arith::ConstantIndexOp::create(b, loc, v * lanes))
                  .getResult()
            : jj);
    SmallVector<Value> accs;
    Value splat;
    if (init)
      splat = vector::BroadcastOp::create(b, loc, vecType, init);
    for (int64_t i = 0; i < r; ++i)
      for (int64_t v = 0; v < vecs; ++v)
        accs.push_back(splat ? splat
                             : loadVector(b, loc, C.memref,
                                          indices(b, loc, C, rowIdx[i],
                                                  colIdx[v], Value()),
                                          mask, b.getF32Type()));
    SmallVector<Value> results;
    if (isConv) {
      results = convReduction(b, loc, rowIdx, colIdx, mask, accs);
    } else {
      Value zero = arith::ConstantIndexOp::create(b, loc, 0);
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      auto loop = scf::ForOp::create(
          b, loc, zero, sizes[dims.k[0]], one, accs,
          [&](OpBuilder &b, Location loc, Value k, ValueRange acc) {
            SmallVector<Value> bv, next;
            for (int64_t v = 0; v < vecs; ++v)
              bv.push_back(loadVector(b, loc, B.memref,
                                      indices(b, loc, B, Value(), colIdx[v], k),
                                      mask, b.getF32Type()));
            for (int64_t i = 0; i < r; ++i) {
              Value a = memref::LoadOp::create(
                  b, loc, A.memref, indices(b, loc, A, rowIdx[i], Value(), k));
              Value splatA = vector::BroadcastOp::create(b, loc, vecType, a);
              for (int64_t v = 0; v < vecs; ++v)
                next.push_back(vector::FMAOp::create(b, loc, splatA, bv[v],
                                                     acc[i * vecs + v]));
            }
            scf::YieldOp::create(b, loc, next);
          });
      results.assign(loop.getResults().begin(), loop.getResults().end());
    }
    for (int64_t i = 0; i < r; ++i)
      for (int64_t v = 0; v < vecs; ++v) {
        Value value = results[i * vecs + v];
        const Access &dest = epilogue ? epilogue->output : C;
        if (epilogue)
          value = applyEpilogue(b, loc, value, rowIdx[i], colIdx[v], mask);
        auto idx = indices(b, loc, dest, rowIdx[i], colIdx[v], Value());
        if (mask)
          vector::MaskedStoreOp::create(b, loc, dest.memref, idx, mask, value);
        else
          vector::StoreOp::create(b, loc, value, dest.memref, idx);
      }
  }

  /// The epilogue's body on vectors.
  Value applyEpilogue(OpBuilder &b, Location loc, Value acc, Value row,
                      Value col, Value mask) {
    Block &body = epilogue->op.getRegion().front();
    IRMapping map;
    for (auto [i, input] : llvm::enumerate(epilogue->inputs)) {
      BlockArgument arg = body.getArgument(i);
      if (!input) {
        map.map(arg, acc);
        continue;
      }
      auto idx = indices(b, loc, *input, row, col, Value());
      Type element = arg.getType();
      if (input->dims.empty() || input->dims.back() != colDim) {
        Value scalar = memref::LoadOp::create(b, loc, input->memref, idx);
        map.map(arg, vector::BroadcastOp::create(
                         b, loc, VectorType::get({lanes}, element), scalar));
      } else {
        map.map(arg, loadVector(b, loc, input->memref, idx, mask, element));
      }
    }
    auto vectorOf = [&](Value v) -> Value {
      if (Value mapped = map.lookupOrNull(v))
        return mapped;
      // Defined outside the body: the same scalar in every lane.
      Value splat = vector::BroadcastOp::create(
          b, loc, VectorType::get({lanes}, v.getType()), v);
      map.map(v, splat);
      return splat;
    };
    for (Operation &inner : body.without_terminator()) {
      OperationState state(loc, inner.getName());
      for (Value operand : inner.getOperands())
        state.addOperands(vectorOf(operand));
      state.addTypes(VectorType::get({lanes}, inner.getResult(0).getType()));
      state.addAttributes(inner.getAttrs());
      Operation *clone = b.create(state);
      map.map(inner.getResult(0), clone->getResult(0));
    }
    return vectorOf(body.getTerminator()->getOperand(0));
  }

  linalg::LinalgOp op;
  linalg::ContractionDimensions dims;
  /// The loops of C's rows (one per micro-kernel row), of its vector
  /// columns, and of the reduction (contractions only).
  unsigned rowDim = ~0u, colDim = ~0u, kDim = ~0u;
  int64_t lanes, mr, nv, mb, nb;
  Access A, B, C;
  SmallVector<Value> sizes, ivs;
  Value init;
  // Convolutions.
  bool isConv = false, depthwise = false;
  unsigned nD = 0, fD = 0, ohD = 0, owD = 0, cD = 0, khD = 0, kwD = 0;
  Value input, filter;
  int64_t strides[2] = {1, 1}, dilations[2] = {1, 1};
};

/// Whether anything between `from` and `to` (same block, exclusive) may
/// write to one of `roots`.
bool mayWriteBetween(Operation *from, Operation *to, ArrayRef<Value> roots) {
  for (Operation *it = from->getNextNode(); it && it != to;
       it = it->getNextNode()) {
    auto effects = dyn_cast<MemoryEffectOpInterface>(it);
    if (!effects) {
      if (it->getNumRegions() || !isPure(it))
        return true;
      continue;
    }
    SmallVector<MemoryEffects::EffectInstance> list;
    effects.getEffects(list);
    for (auto &e : list) {
      if (!isa<MemoryEffects::Write>(e.getEffect()))
        continue;
      Value v = e.getValue();
      if (!v || llvm::is_contained(roots, rootOf(v)))
        return true;
    }
  }
  return false;
}

struct KilnVectorizeContractionsPass
    : public kiln::impl::KilnVectorizeContractionsBase<
          KilnVectorizeContractionsPass> {
  using KilnVectorizeContractionsBase::KilnVectorizeContractionsBase;

  void runOnOperation() override {
    if (vectorBits % 32 || vectorBits < 128 || rowsPerKernel < 1 ||
        vectorsPerKernel < 1 || tileRows < rowsPerKernel ||
        tileCols < vectorsPerKernel * (vectorBits / 32)) {
      getOperation().emitError(
          "kiln-vectorize-contractions: bad options (vector-bits a multiple "
          "of 32, at least 128; tiles at least one kernel)");
      return signalPassFailure();
    }
    SmallVector<linalg::LinalgOp> candidates;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (linalg::isaContractionOpInterface(op) ||
          isa<linalg::Conv2DNchwFchwOp, linalg::DepthwiseConv2DNchwChwOp>(op))
        candidates.push_back(op);
    });
    for (linalg::LinalgOp op : candidates)
      rewrite(op);
  }

  void rewrite(linalg::LinalgOp op) {
    bool conv =
        isa<linalg::Conv2DNchwFchwOp, linalg::DepthwiseConv2DNchwChwOp>(op);
    linalg::ContractionDimensions noDims;
    FailureOr<linalg::ContractionDimensions> dims = noDims;
    if (!conv)
      dims = linalg::inferContractionDims(op);
    if (failed(dims))
      return;
    // Convolutions: 8 output channels x 2 vectors of output columns, tiles
    // of 64 channels (one row of the output image each).
    KernelBuilder kernel(op, *dims, vectorBits / 32, conv ? 8 : rowsPerKernel,
                         conv ? 2 : vectorsPerKernel, conv ? 64 : tileRows,
                         tileCols);
    if (failed(conv ? kernel.matchConv(op) : kernel.match()))
      return;
    Value c = op.getDpsInits()[0];
    Value cRoot = rootOf(c);
    Operation *fill = nullptr;
    linalg::GenericOp consumer;
    // The accumulator's buffer is private to this computation when it is a
    // local allocation that, in its block, is written before the op only by
    // a fill or an initializer (a broadcast bias), and read after it first
    // by one elementwise consumer. Then the fill becomes the accumulators'
    // initial value and the consumer runs on them in registers. Later
    // readers are fine when the consumer writes its result back in place
    // (they see the same final contents).
    bool laterUsers = false;
    if (cRoot.getDefiningOp<memref::AllocOp>()) {
      SmallVector<Operation *> users;
      collectUsers(cRoot, users);
      bool private_ = true, hasInitializer = false;
      for (Operation *user : users)
        if (user->getBlock() != op->getBlock())
          private_ = false;
      if (private_)
        llvm::sort(users, [](Operation *x, Operation *y) {
          return x->isBeforeInBlock(y);
        });
      for (Operation *user : users) {
        if (!private_)
          break;
        if (user == op.getOperation() || isa<memref::DeallocOp>(user))
          continue;
        bool before = user->isBeforeInBlock(op);
        if (auto f = dyn_cast<linalg::FillOp>(user);
            f && before && f.getDpsInits()[0] == c) {
          fill = f;
          hasInitializer = false;
          continue;
        }
        auto g = dyn_cast<linalg::GenericOp>(user);
        // An initializer that only writes the accumulator: the kernel loads
        // what it wrote.
        if (g && before && g.getNumDpsInits() == 1 && g.getDpsInits()[0] == c &&
            !llvm::is_contained(g.getDpsInputs(), c)) {
          Block &body = g.getRegion().front();
          if (body.getArgument(body.getNumArguments() - 1).use_empty()) {
            hasInitializer = true;
            continue;
          }
        }
        if (!before && !consumer && g &&
            llvm::is_contained(g.getDpsInputs(), c)) {
          consumer = g;
          continue;
        }
        if (!before && consumer) {
          laterUsers = true;
          continue;
        }
        private_ = false;
      }
      if (!private_) {
        fill = nullptr;
        consumer = {};
      }
      // Whatever the initializer wrote replaces the fill's value.
      if (hasInitializer)
        fill = nullptr;
    }
    Operation *anchor = op;
    if (consumer && kernel.matchEpilogue(consumer)) {
      SmallVector<Value> inputRoots{rootOf(op.getDpsInputs()[0]),
                                    rootOf(op.getDpsInputs()[1])};
      Value out = consumer.getDpsInits()[0];
      Value outRoot = rootOf(out);
      // In place: the consumer writes exactly the accumulator's buffer.
      bool inPlace = out == c;
      if (llvm::is_contained(inputRoots, outRoot) ||
          (outRoot == cRoot && !inPlace) || (laterUsers && !inPlace) ||
          mayWriteBetween(op, consumer, inputRoots))
        kernel.epilogue.reset();
      else
        anchor = consumer;
    }
    Value init;
    if (fill)
      init = cast<linalg::FillOp>(fill).getDpsInputs()[0];
    OpBuilder b(anchor);
    if (conv)
      kernel.buildConv(b, op.getLoc(), init);
    else
      kernel.build(b, op.getLoc(), init);
    if (kernel.epilogue)
      consumer->erase();
    op->erase();
    if (fill)
      fill->erase();
  }
};
} // namespace
