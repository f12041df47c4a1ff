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

/// In an Access, a memref dimension read at index 0 (a broadcast bias).
constexpr unsigned kZeroDim = ~0u - 1;

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

/// One flat scf.parallel over the product of `extents`, so that the
/// thread pool splits every tile whatever the shape, with `b` moved into its
/// body (the caller holds an InsertionGuard). Returns the index into each
/// extent, outermost first.
SmallVector<Value> flatParallelLoop(OpBuilder &b, Location loc,
                                    ArrayRef<Value> extents) {
  Value total = arith::ConstantIndexOp::create(b, loc, 1);
  for (Value e : extents)
    total = arith::MulIOp::create(b, loc, total, e);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto par = scf::ParallelOp::create(b, loc, ValueRange{zero},
                                     ValueRange{total}, ValueRange{one});
  b.setInsertionPointToStart(par.getBody());
  Value t = par.getInductionVars()[0];
  SmallVector<Value> indices(extents.size());
  for (size_t i = extents.size(); i-- > 1;) {
    indices[i] = arith::RemUIOp::create(b, loc, t, extents[i]);
    t = arith::DivUIOp::create(b, loc, t, extents[i]);
  }
  if (!extents.empty())
    indices[0] = t;
  return indices;
}

/// Whether the body of `g` (two inputs, one init) is acc + a * b, in
/// either order of the operands: the body of every contraction the
/// lowering makes.
bool isMultiplyAccumulate(linalg::GenericOp g) {
  Block &body = g.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add || body.getOperations().size() != 3)
    return false;
  Value acc = body.getArgument(2);
  Value product = add.getLhs() == acc ? add.getRhs() : add.getLhs();
  auto mul = product.getDefiningOp<arith::MulFOp>();
  Value a = body.getArgument(0), bArg = body.getArgument(1);
  return mul && (add.getLhs() == acc || add.getRhs() == acc) &&
         ((mul.getLhs() == a && mul.getRhs() == bArg) ||
          (mul.getLhs() == bArg && mul.getRhs() == a));
}

/// Whether `op` is a matmul whose B kiln-pack-matmul-weights laid out in
/// panels: a multiply-accumulate linalg.generic whose B map is
/// (n floordiv NR, r..., n mod NR). Fills the panel width NR and the
/// indexing maps with B's read as if unpacked, (r..., n).
bool matchPackedMatmul(linalg::LinalgOp op, int64_t &panel,
                       SmallVectorImpl<AffineMap> &unpacked) {
  auto g = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!g || g.getNumDpsInputs() != 2 || g.getNumDpsInits() != 1)
    return false;
  SmallVector<AffineMap> maps = g.getIndexingMapsArray();
  ArrayRef<AffineExpr> results = maps[1].getResults();
  if (results.size() < 3)
    return false;
  auto div = dyn_cast<AffineBinaryOpExpr>(results.front());
  auto mod = dyn_cast<AffineBinaryOpExpr>(results.back());
  if (!div || !mod || div.getKind() != AffineExprKind::FloorDiv ||
      mod.getKind() != AffineExprKind::Mod || div.getLHS() != mod.getLHS() ||
      div.getRHS() != mod.getRHS() || !isa<AffineDimExpr>(div.getLHS()))
    return false;
  auto width = dyn_cast<AffineConstantExpr>(div.getRHS());
  if (!width || width.getValue() <= 0)
    return false;
  SmallVector<AffineExpr> plain(results.begin() + 1, results.end() - 1);
  plain.push_back(div.getLHS());
  maps[1] = AffineMap::get(maps[1].getNumDims(), 0, plain, g.getContext());
  for (AffineMap map : maps)
    if (!map.isProjectedPermutation())
      return false;
  // acc + a * b, as every contraction the lowering makes.
  if (!isMultiplyAccumulate(g))
    return false;
  panel = width.getValue();
  unpacked.assign(maps.begin(), maps.end());
  return true;
}

/// The elementwise consumer fused into a kernel: each of its operands' reads
/// in terms of the contraction's loops.
struct Epilogue {
  linalg::GenericOp op;
  /// For each epilogue input, its access; the contraction's result has none.
  SmallVector<std::optional<Access>> inputs;
  Access output;
};

/// Matmuls with fewer parallel tiles than this get narrower ones.
constexpr int64_t kMinTiles = 4;
/// Filters from this size on are taken to come from memory on every run
/// (L2 is 1 MB per core on Zen 4 and 5).
constexpr int64_t kPrefetchFilterBytes = 1 << 20;

class KernelBuilder {
public:
  KernelBuilder(linalg::LinalgOp op, linalg::ContractionDimensions dims,
                int64_t lanes, int64_t mr, int64_t nv, int64_t mb, int64_t nb)
      : op(op), dims(dims), lanes(lanes), mr(mr), nv(nv), mb(mb), nb(nb) {
    // Several m dimensions (x[s, b, k] @ W[k, n]): the kernel's rows run
    // over all of them flattened (outer ones first), so that x[35, 1, 256]
    // is 35 rows, not 35 matrix-vector products each reading all of B.
    while (this->dims.m.size() > 1) {
      outerM.push_back(this->dims.m.front());
      this->dims.m.erase(this->dims.m.begin());
    }
    if (this->dims.m.size() == 1 && this->dims.n.size() == 1 &&
        !this->dims.k.empty()) {
      rowDim = this->dims.m[0];
      colDim = this->dims.n[0];
      // Several k dimensions ([b, s, h, d] x [h, d, n]): the outer ones are
      // loops around the innermost reduction loop.
      kDim = this->dims.k.back();
    }
  }

  /// Checks that the kernel applies; fills the operand accesses.
  LogicalResult match() {
    if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
        op.getNumDpsInits() != 1 || dims.m.size() != 1 || dims.n.size() != 1 ||
        dims.k.empty())
      return failure();
    for (OpOperand &operand : op->getOpOperands()) {
      auto type = dyn_cast<MemRefType>(operand.get().getType());
      if (!type || !type.getElementType().isF32())
        return failure();
    }
    SmallVector<AffineMap> maps =
        panelCols ? unpackedMaps : op.getIndexingMapsArray();
    // Packed panels must be exactly one strip of the kernel wide, and a
    // tile a whole number of strips (panel boundaries are strip ones).
    if (panelCols && (panelCols != nv * lanes || nb % panelCols))
      return failure();
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
        (panelCols && cast<MemRefType>(B.memref.getType()).getRank() !=
                          (int64_t)B.dims.size() + 1) ||
        !innermostContiguous(cast<MemRefType>(B.memref.getType())) ||
        !innermostContiguous(cast<MemRefType>(C.memref.getType())))
      return failure();
    // A must not depend on n, B not on m (a real contraction).
    if (llvm::is_contained(A.dims, n) || llvm::is_contained(B.dims, dims.m[0]))
      return failure();
    for (unsigned d : outerM)
      if (llvm::is_contained(B.dims, d))
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
      if (hasN && !innermostContiguous(type))
        return false;
      // Convolutions along channels gather what is strided along them.
      if (hasN && access->dims.back() != n &&
          !(channelMode && staticStrideAlong(type, *access, n)))
        return false;
      epi.inputs.push_back(access);
    }
    Value out = generic.getDpsInits()[0];
    auto outType = dyn_cast<MemRefType>(out.getType());
    auto output = translate(out, maps.back());
    if (!outType || !outType.getElementType().isF32() || !output ||
        output->dims.size() != C.dims.size() || !innermostContiguous(outType) ||
        (output->dims.back() != n &&
         !(channelMode && staticStrideAlong(outType, *output, n))))
      return false;
    epi.output = *output;
    // A 1x1 convolution on flattened pixels reads everything flattened.
    if (flatMode) {
      for (const std::optional<Access> &in : epi.inputs)
        if (in && !flattenable(*in))
          return false;
      // An output that does not flatten (the interior of the next
      // convolution's padded input) is written row by row (storeRowed).
      if (!flattenable(epi.output) && !rowed(epi.output))
        return false;
    }
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

  /// Whether `type`'s dim that `access` indexes with loop `loop` has a
  /// static stride.
  static bool staticStrideAlong(MemRefType type, const Access &access,
                                unsigned loop) {
    SmallVector<int64_t> memStrides;
    int64_t offset;
    if (failed(type.getStridesAndOffset(memStrides, offset)))
      return false;
    auto pos = llvm::find(access.dims, loop) - access.dims.begin();
    return (size_t)pos < access.dims.size() &&
           !ShapedType::isDynamic(memStrides[pos]);
  }

  /// Records the accumulators' initial scalar (null: load C) and the op's
  /// loop sizes, at the start of every kernel builder.
  void start(OpBuilder &b, Location loc, Value init) {
    this->init = init;
    sizes.clear();
    for (Range &r : op.createLoopRanges(b, loc))
      sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, r.size));
  }

  /// Builds the kernel at the builder's insertion point. `init` is the
  /// scalar the accumulator starts from, or null to load C.
  void build(OpBuilder &b, Location loc, Value init) {
    start(b, loc, init);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    unsigned m = dims.m[0], n = dims.n[0];
    // The flattened rows of every m dimension.
    Value rowCount = sizes[m];
    for (unsigned d : outerM)
      rowCount = arith::MulIOp::create(b, loc, rowCount, sizes[d]);
    Value mbV = arith::ConstantIndexOp::create(b, loc, mb);
    Value nbV = arith::ConstantIndexOp::create(b, loc, nb);
    auto ceilDiv = [&](Value x, Value y) {
      return arith::CeilDivUIOp::create(b, loc, x, y).getResult();
    };
    Value tilesM = ceilDiv(rowCount, mbV);
    auto tileCount = [&](Value cols) {
      Value count =
          arith::MulIOp::create(b, loc, tilesM, ceilDiv(sizes[n], cols));
      for (unsigned d : dims.batch)
        count = arith::MulIOp::create(b, loc, count, sizes[d]);
      return count;
    };
    // Fewer tiles than a few per thread (the CNN's fc, 32 x 128, was one):
    // tiles one strip wide instead, so that every thread gets some. Only
    // where N is under kMinTiles wide tiles: matrix-vector products with 4
    // or more wide tiles ran slower with 16 narrow ones, and even the
    // run-time choice cost lstm_lm's 70 recurrent products (N = 1024) time.
    std::optional<int64_t> staticCols = getConstantIntValue(sizes[n]);
    if (!staticCols || *staticCols < kMinTiles * nb) {
      Value fewTiles = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::ult, tileCount(nbV),
          arith::ConstantIndexOp::create(b, loc, kMinTiles));
      nbV = arith::SelectOp::create(
          b, loc, fewTiles, arith::ConstantIndexOp::create(b, loc, nv * lanes),
          nbV);
    }
    Value tilesN = ceilDiv(sizes[n], nbV);
    SmallVector<Value> extents;
    for (unsigned d : dims.batch)
      extents.push_back(sizes[d]);
    extents.append({tilesM, tilesN});
    OpBuilder::InsertionGuard guard(b);
    SmallVector<Value> tile = flatParallelLoop(b, loc, extents);
    ivs.assign(sizes.size(), Value());
    for (auto [d, index] : llvm::zip(dims.batch, tile))
      ivs[d] = index;
    Value tm = tile[dims.batch.size()], tn = tile[dims.batch.size() + 1];
    Value i0 = arith::MulIOp::create(b, loc, tm, mbV);
    Value j0 = arith::MulIOp::create(b, loc, tn, nbV);
    Value iEnd = arith::MinUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, i0, mbV), rowCount);
    Value jEnd = arith::MinUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, j0, nbV), sizes[n]);
    auto strips = [&](OpBuilder &b) {
      walkTiles(b, loc, i0, iEnd, j0, jEnd, /*maskTail=*/true,
                [&](OpBuilder &b, Location loc, Value ii, Value jj, int64_t r,
                    int64_t vecs, Value mask) {
                  microKernel(b, loc, ii, jj, r, vecs, mask);
                });
    };
    // A long reduction runs in blocks of kBlock (outside the strips and
    // rows), so that the slice of B a tile reads stays in L2 while every
    // row block of the tile reads it; C holds the partial sums between
    // blocks, the fill starts the first block and the epilogue ends the
    // last one.
    std::optional<int64_t> staticK = getConstantIntValue(sizes[kDim]);
    if (kBlock > 0 && dims.k.size() == 1 && staticK && *staticK > kBlock) {
      Value kc = arith::ConstantIndexOp::create(b, loc, kBlock);
      scf::ForOp::create(
          b, loc, zero, sizes[kDim], kc, ValueRange{},
          [&](OpBuilder &b, Location loc, Value kb, ValueRange) {
            kLo = kb;
            kHi = arith::MinUIOp::create(
                b, loc, arith::AddIOp::create(b, loc, kb, kc), sizes[kDim]);
            firstBlock = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                               kb, zero);
            lastBlock = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                              kHi, sizes[kDim]);
            strips(b);
            scf::YieldOp::create(b, loc);
          });
      kLo = kHi = firstBlock = lastBlock = Value();
      return;
    }
    strips(b);
  }

  /// For linalg.conv_2d_nchw_fchw (and the same convolution as a
  /// linalg.generic reading a [C, KH, KW, F] filter, from
  /// kiln-fold-constant-transposes): the kernel vectorizes along the output
  /// width (ow, contiguous in NCHW) and holds `mr` output channels x `nv`
  /// vectors in registers over the reduction (c, kh, kw). Loops are
  /// (n, f, oh, ow, c, kh, kw). When the filter is channels last and the
  /// output channels are a whole number of vectors, the channels are the
  /// vector dimension instead (see buildConvChannels), so that every lane
  /// works whatever the image's width (7 and 14 in late CNN stages).
  LogicalResult matchConv(linalg::LinalgOp conv, int64_t channelRows,
                          int64_t channelVectors, int64_t flatRows,
                          int64_t flatVectors) {
    if (!conv.hasPureBufferSemantics())
      return failure();
    for (Value v : conv->getOperands()) {
      auto type = dyn_cast<MemRefType>(v.getType());
      if (!type || !type.getElementType().isF32() || !innermostContiguous(type))
        return failure();
    }
    SmallVector<int64_t> convStrides, convDilations;
    if (auto c = dyn_cast<linalg::Conv2DNchwFchwOp>(conv.getOperation())) {
      convStrides.assign(c.getStrides().getValues<int64_t>().begin(),
                         c.getStrides().getValues<int64_t>().end());
      convDilations.assign(c.getDilations().getValues<int64_t>().begin(),
                           c.getDilations().getValues<int64_t>().end());
      // Loops (n, f, oh, ow, c, kh, kw).
      nD = 0, fD = 1, ohD = 2, owD = 3, cD = 4, khD = 5, kwD = 6;
      C = Access{conv.getDpsInits()[0], {0, 1, 2, 3}};
      filterAccess = Access{conv.getDpsInputs()[1], {fD, cD, khD, kwD}};
    } else if (auto d = dyn_cast<linalg::DepthwiseConv2DNchwChwOp>(
                   conv.getOperation())) {
      convStrides.assign(d.getStrides().getValues<int64_t>().begin(),
                         d.getStrides().getValues<int64_t>().end());
      convDilations.assign(d.getDilations().getValues<int64_t>().begin(),
                           d.getDilations().getValues<int64_t>().end());
      // Loops (n, oh, ow, c, kh, kw); the channel is the kernel's row.
      nD = 0, ohD = 1, owD = 2, fD = 3, khD = 4, kwD = 5;
      depthwise = true;
      C = Access{conv.getDpsInits()[0], {0, 3, 1, 2}};
      filterAccess = Access{conv.getDpsInputs()[1], {fD, khD, kwD}};
      matchDepthwisePlanes(conv, convStrides);
    } else if (auto g = dyn_cast<linalg::GenericOp>(conv.getOperation());
               g &&
               matchPackedConv(g, convStrides, convDilations, &filterStrip)) {
      nD = 0, fD = 1, ohD = 2, owD = 3, cD = 4, khD = 5, kwD = 6;
      C = Access{conv.getDpsInits()[0], {0, 1, 2, 3}};
      filterAccess = Access{conv.getDpsInputs()[1], {cD, khD, kwD, fD}};
    } else {
      return failure();
    }
    for (int i = 0; i < 2; ++i) {
      strides[i] = convStrides[i];
      dilations[i] = convDilations[i];
    }
    input = conv.getDpsInputs()[0];
    filter = conv.getDpsInputs()[1];
    rowDim = fD;
    colDim = owD;
    isConv = true;
    // Channels as the vector dimension: the filter contiguous along f, a
    // whole number of vectors of channels, and a static stride to gather
    // and scatter the output's channels with. Measured on resnet18's
    // layers (one thread, AVX-512), this beats vectors along the width at
    // every size: 3.7x at 7x7, 2.5x at 14x14, 1.2x at 56x56, 2.2x for the
    // 7x7 stride-2 first layer (no gathers), and every lane works.
    auto outType = cast<MemRefType>(C.memref.getType());
    int64_t outChannels = outType.getDimSize(1);
    SmallVector<int64_t> outStrides;
    int64_t offset;
    // Each output vector costs a scatter (and gathers for a residual):
    // worth it over a long reduction, or when the width would leave lanes
    // idle.
    int64_t reduction = 1, outWidth = outType.getDimSize(3);
    for (unsigned d : {cD, khD, kwD})
      reduction = ShapedType::isDynamic(reduction) ||
                          ShapedType::isDynamic(conv.getStaticLoopRanges()[d])
                      ? ShapedType::kDynamic
                      : reduction * conv.getStaticLoopRanges()[d];
    bool narrow = !ShapedType::isDynamic(outWidth) && outWidth < nv * lanes;
    bool longReduction =
        !ShapedType::isDynamic(reduction) && reduction >= 4 * lanes;
    // A 1x1 convolution with stride 1 runs flattened (below) rather than
    // along channels when the image has at least 8 vectors of pixels and
    // the reduction is too short to hide a scatter per output vector (under
    // 12 vectors' worth of input channels) or the image is large (48
    // vectors: the pixel tail wastes little and each strip of input stays
    // in L1 over the reduction). Measured (one thread, AVX-512, layer
    // alone, minima, ms along channels -> flattened), mobilenet_v2's
    // 32 -> 192 at 28x28 0.156 -> 0.062, 144 -> 32 at 28x28 0.049 -> 0.039,
    // 64 -> 384 at 14x14 0.092 -> 0.052, 96 -> 576 at 14x14 0.176 -> 0.118;
    // but at 14x14 192 -> 64 0.030 -> 0.032, 384 -> 64 0.050 -> 0.061,
    // 576 -> 96 0.107 -> 0.113. At 7x7 (49 pixels: 4 vectors, the last
    // 1/16 used) along channels is far ahead: 960 -> 320 0.151 vs 0.342.
    SmallVector<int64_t> loopRanges = conv.getStaticLoopRanges();
    bool flat1x1 = !depthwise && loopRanges[khD] == 1 && loopRanges[kwD] == 1 &&
                   strides[0] == 1 && strides[1] == 1 &&
                   flattenable(Access{input, {nD, cD, ohD, owD}}) &&
                   flattenable(C);
    int64_t outPixels = ShapedType::isDynamic(outType.getDimSize(2)) ||
                                ShapedType::isDynamic(outWidth)
                            ? ShapedType::kDynamic
                            : outType.getDimSize(2) * outWidth;
    bool preferFlat =
        flat1x1 && !ShapedType::isDynamic(outPixels) &&
        outPixels >= 8 * lanes &&
        (outPixels >= 48 * lanes ||
         (!ShapedType::isDynamic(reduction) && reduction < 12 * lanes));
    if (!depthwise && !preferFlat && filterAccess.dims.back() == fD &&
        (narrow || longReduction) && !ShapedType::isDynamic(outChannels) &&
        outChannels % lanes == 0 && filterStrip % lanes == 0 &&
        succeeded(outType.getStridesAndOffset(outStrides, offset)) &&
        !ShapedType::isDynamic(outStrides[1])) {
      channelMode = true;
      colDim = fD;
      rowDim = ~0u;
      mr = channelRows;
      nv = channelVectors;
      mb = 16 * lanes;
      nb = 8 * channelRows;
      if (!ShapedType::isDynamic(outPixels)) {
        chooseChannelRows(outPixels, channelRows);
        balanceChannelTiles(outPixels, outChannels);
      }
      return success();
    }
    // Otherwise, a 1x1 convolution with stride 1 on buffers contiguous
    // across rows is a matmul of the filter [F, C] with the input
    // [C, OH * OW] of each image: vectors run along the flattened pixels,
    // with no per-row loop and no row tails (mobilenet_v2's expansions with
    // a short reduction, its projections to 24 and 40 channels); 24 -> 144
    // at 56x56 took 0.25 ms along the width and 0.17 ms here.
    if (flat1x1) {
      flatMode = true;
      flatWidth = ShapedType::isDynamic(outWidth) ? 0 : outWidth;
      mr = flatRows;
      nv = flatVectors;
      mb = 16 * flatRows;
      nb = 4 * flatVectors * lanes;
      // Static sizes: pixel tiles of equal whole vectors (784 pixels were
      // 3 x 256 + 16, two tiles per thread of 512 and 272 pixels), and at
      // least kMinTiles tiles per image, by narrower channel tiles where
      // the pixels are one tile (64 channels at 14x14 were one tile: one
      // thread of two).
      int64_t outChannelsF = outType.getDimSize(1);
      if (!ShapedType::isDynamic(outPixels) && outPixels > 0 &&
          !ShapedType::isDynamic(outChannelsF)) {
        int64_t vecs = llvm::divideCeil(outPixels, lanes);
        int64_t tilesP = llvm::divideCeil(vecs * lanes, nb);
        nb = llvm::divideCeil(vecs, tilesP) * lanes;
        int64_t tilesF = llvm::divideCeil(outChannelsF, mb);
        if (tilesF * tilesP < kMinTiles) {
          int64_t wantF = llvm::divideCeil(kMinTiles, tilesP);
          mb = std::max<int64_t>(
              mr, llvm::alignTo(llvm::divideCeil(outChannelsF, wantF), mr));
        }
      }
    }
    return success();
  }

  /// Row blocks (pixels per micro-kernel, `mr`) and pixel tiles (`nb`, a
  /// multiple of mr near 96) of the channel-vector kernel for a static
  /// `pixels` per image, at most `maxRows` pixels per kernel: the block
  /// that wastes the least on tails. A kernel of r pixels costs about r
  /// steps' time, but no less than 8 / nv (fewer than 8 accumulators wait
  /// on the FMA latency and stream the filter strip for little work), plus
  /// one for its setup and scatters. Single pixels used to take the rest
  /// of a tile: 49 pixels were 4 x 12 + 1, and the last one cost a third
  /// of a 12-pixel kernel; now 4 x 11 + 5. The remainder of the last tile
  /// runs as one kernel (`rowTail`).
  void chooseChannelRows(int64_t pixels, int64_t maxRows) {
    const int64_t tilePixels = 96;
    int64_t floorRows = std::max<int64_t>(1, 8 / nv);
    int64_t bestCost = -1;
    for (int64_t rows = maxRows; rows >= std::max<int64_t>(1, maxRows / 2);
         --rows) {
      int64_t tile =
          rows * std::max<int64_t>(1, (tilePixels + rows / 2) / rows);
      auto cost = [&](int64_t n) {
        int64_t rest = n % rows;
        return n / rows * (rows + 1) +
               (rest ? std::max(rest, floorRows) + 1 : 0);
      };
      int64_t total = pixels / tile * cost(tile) + cost(pixels % tile);
      // Ties go to the larger block (fewer passes over the filter strip).
      if (bestCost < 0 || total < bestCost) {
        bestCost = total;
        mr = rows;
        nb = tile;
      }
    }
    rowTail = pixels % nb % mr;
  }

  /// Parallel tiles of the channel-vector kernel: narrower channel tiles
  /// (whole filter strips) until an image has at least 8 tiles and, below
  /// 24, an even number of them. The thread pool gives each thread a
  /// contiguous group of tiles: 7x7x512 was 2 tiles of 256 channels, so the
  /// caller waited out the whole tile of a worker that started late, and
  /// 28x28x128's 9 pixel tiles split 5 / 4 over two threads. A narrower
  /// tile only rereads the input, which stays in L2.
  void balanceChannelTiles(int64_t pixels, int64_t channels) {
    int64_t strip = nv * lanes;
    int64_t tilesP = llvm::divideCeil(pixels, nb);
    auto tiles = [&] { return llvm::divideCeil(channels, mb) * tilesP; };
    while (mb > strip && (tiles() < 8 || (tiles() % 2 && tiles() < 24)))
      mb = std::max<int64_t>(strip, llvm::alignTo(mb / 2, strip));
  }

  /// Whether `access` reads the output rows and columns (oh, ow) as adjacent
  /// dims of a memref that collapses there (or reads neither), so that the
  /// flattened pixels of a 1x1 convolution index it.
  bool flattenable(const Access &access) const {
    auto type = cast<MemRefType>(access.memref.getType());
    size_t rank = access.dims.size();
    size_t h = llvm::find(access.dims, ohD) - access.dims.begin();
    size_t w = llvm::find(access.dims, owD) - access.dims.begin();
    if (h == rank && w == rank)
      return true;
    return h != rank && w == h + 1 &&
           memref::CollapseShapeOp::isGuaranteedCollapsible(
               type, flatGroups(rank, h));
  }

  /// Whether `access` reads the output rows and columns (oh, ow) as its two
  /// innermost dims, ow contiguous, on an image of static width: then the
  /// flattened pixels can be stored into it one row segment at a time.
  bool rowed(const Access &access) const {
    size_t rank = access.dims.size();
    return flatWidth > 0 && rank >= 2 && access.dims[rank - 2] == ohD &&
           access.dims[rank - 1] == owD &&
           innermostContiguous(cast<MemRefType>(access.memref.getType()));
  }

  static SmallVector<ReassociationIndices> flatGroups(size_t rank, size_t h) {
    SmallVector<ReassociationIndices> groups;
    for (size_t i = 0; i < rank; ++i) {
      if (i == h + 1)
        continue;
      if (i == h)
        groups.push_back({(int64_t)h, (int64_t)h + 1});
      else
        groups.push_back({(int64_t)i});
    }
    return groups;
  }

  /// `access` on its memref collapsed at (oh, ow), read by ow alone.
  Access flatten(OpBuilder &b, Location loc, const Access &access) const {
    size_t rank = access.dims.size();
    size_t h = llvm::find(access.dims, ohD) - access.dims.begin();
    if (h == rank)
      return access;
    Access result{memref::CollapseShapeOp::create(b, loc, access.memref,
                                                  flatGroups(rank, h)),
                  access.dims};
    result.dims.erase(result.dims.begin() + h);
    return result;
  }

  /// Whether the accumulators of a convolution along channels can start
  /// from what `g` would write into C: a copy of a constant (the bias)
  /// broadcast over C, read along the channels as a vector (or a scalar),
  /// instead of being gathered from C after `g` wrote it. Fills
  /// `initAccess`.
  bool matchInitializer(linalg::GenericOp g) {
    if (!(channelMode || depthwisePlanes || flatMode) ||
        g.getNumDpsInputs() != 1 || g.getNumDpsInits() != 1)
      return false;
    Value in = g.getDpsInputs()[0];
    auto inType = dyn_cast<MemRefType>(in.getType());
    if (!inType || !inType.getElementType().isF32() ||
        !rootOf(in).getDefiningOp<memref::GetGlobalOp>())
      return false;
    Block &body = g.getRegion().front();
    if (body.getOperations().size() != 1 ||
        body.getTerminator()->getOperand(0) != body.getArgument(0))
      return false;
    SmallVector<AffineMap> maps = g.getIndexingMapsArray();
    if (g.getNumLoops() != C.dims.size() || !maps[1].isIdentity())
      return false;
    Access access{in, {}};
    for (AffineExpr e : maps[0].getResults()) {
      if (auto d = dyn_cast<AffineDimExpr>(e))
        access.dims.push_back(C.dims[d.getPosition()]);
      else if (auto c = dyn_cast<AffineConstantExpr>(e); c && c.getValue() == 0)
        access.dims.push_back(kZeroDim);
      else
        return false;
    }
    if (llvm::is_contained(access.dims, colDim) &&
        (!innermostContiguous(inType) ||
         (access.dims.back() != colDim &&
          !staticStrideAlong(inType, access, colDim))))
      return false;
    // The depthwise plane kernel splats a per-channel value once per tile.
    if (depthwisePlanes && (llvm::is_contained(access.dims, ohD) ||
                            llvm::is_contained(access.dims, owD)))
      return false;
    // A 1x1 on flattened pixels reads it flattened, a vector along them.
    if (flatMode &&
        (!flattenable(access) || (llvm::is_contained(access.dims, colDim) &&
                                  access.dims.back() != colDim)))
      return false;
    initAccess = access;
    return true;
  }

  /// Whether `g` is the convolution kiln-fold-constant-transposes makes:
  /// loops (n, f, oh, ow, c, kh, kw), input (n, c, oh * s + kh * d,
  /// ow * s + kw * d), filter (c, kh, kw, f), output (n, f, oh, ow), a
  /// multiply-accumulate body. Fills the strides and dilations.
  static bool matchPackedConv(linalg::GenericOp g,
                              SmallVectorImpl<int64_t> &convStrides,
                              SmallVectorImpl<int64_t> &convDilations,
                              int64_t *strip = nullptr) {
    if (g.getNumLoops() != 7 || g.getNumDpsInputs() != 2 ||
        g.getNumDpsInits() != 1)
      return false;
    SmallVector<AffineMap> maps = g.getIndexingMapsArray();
    if (maps[0].getNumResults() != 4 || maps[1].getNumResults() < 4)
      return false;
    MLIRContext *ctx = g.getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    // Strides and dilations: the input's row and column expressions at a
    // unit output position or filter tap (the comparison with the expected
    // maps below checks the rest).
    auto at = [&](AffineExpr e, unsigned dim) -> int64_t {
      SmallVector<AffineExpr> values(7, getAffineConstantExpr(0, ctx));
      values[dim] = getAffineConstantExpr(1, ctx);
      auto c = dyn_cast<AffineConstantExpr>(e.replaceDims(values));
      return c ? c.getValue() : 0;
    };
    AffineExpr rowExpr = maps[0].getResult(2), colExpr = maps[0].getResult(3);
    int64_t s[2] = {at(rowExpr, 2), at(colExpr, 3)};
    int64_t dl[2] = {at(rowExpr, 5), at(colExpr, 6)};
    if (s[0] < 1 || s[1] < 1 || dl[0] < 1 || dl[1] < 1)
      return false;
    // The filter channels last, [C, KH, KW, F], or in strips of S output
    // channels, [F / S, C, KH, KW, S].
    int64_t width = 0;
    if (maps[1].getNumResults() == 5)
      if (auto mod = dyn_cast<AffineBinaryOpExpr>(maps[1].getResult(4));
          mod && mod.getKind() == AffineExprKind::Mod)
        if (auto c = dyn_cast<AffineConstantExpr>(mod.getRHS()))
          width = c.getValue();
    if (maps[1].getNumResults() == 5 && width <= 0)
      return false;
    SmallVector<AffineMap> want{
        AffineMap::get(7, 0,
                       {d(0), d(4), d(2) * s[0] + d(5) * dl[0],
                        d(3) * s[1] + d(6) * dl[1]},
                       ctx),
        width ? AffineMap::get(
                    7, 0,
                    {d(1).floorDiv(width), d(4), d(5), d(6), d(1) % width}, ctx)
              : AffineMap::get(7, 0, {d(4), d(5), d(6), d(1)}, ctx),
        AffineMap::get(7, 0, {d(0), d(1), d(2), d(3)}, ctx)};
    if (maps != want)
      return false;
    auto iterators = g.getIteratorTypesArray();
    for (auto [i, it] : llvm::enumerate(iterators))
      if ((it == utils::IteratorType::parallel) != (i < 4))
        return false;
    // out + in * filter.
    if (!isMultiplyAccumulate(g))
      return false;
    convStrides.assign({s[0], s[1]});
    convDilations.assign({dl[0], dl[1]});
    if (strip)
      *strip = width;
    return true;
  }

  void buildConv(OpBuilder &b, Location loc, Value init) {
    if (channelMode)
      return buildConvChannels(b, loc, init);
    if (depthwisePlanes)
      return buildDepthwise(b, loc, init);
    start(b, loc, init);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value fbV = arith::ConstantIndexOp::create(b, loc, mb);
    Value tilesF = arith::CeilDivUIOp::create(b, loc, sizes[fD], fbV);
    // One output row per parallel iteration, or (1x1 on flattened pixels)
    // one tile of `nb` pixels: every access then reads the pixels as one
    // dim, ow, of size OH * OW.
    Value rowTiles = sizes[ohD], pbV;
    if (flatMode) {
      C = flatten(b, loc, C);
      if (epilogue) {
        for (std::optional<Access> &in : epilogue->inputs)
          if (in)
            in = flatten(b, loc, *in);
        rowedOutput = !flattenable(epilogue->output);
        if (!rowedOutput)
          epilogue->output = flatten(b, loc, epilogue->output);
      }
      input = flatten(b, loc, Access{input, {nD, cD, ohD, owD}}).memref;
      if (initAccess)
        initAccess = flatten(b, loc, *initAccess);
      sizes[owD] = arith::MulIOp::create(b, loc, sizes[ohD], sizes[owD]);
      pbV = arith::ConstantIndexOp::create(b, loc, nb);
      rowTiles = arith::CeilDivUIOp::create(b, loc, sizes[owD], pbV);
    }
    OpBuilder::InsertionGuard guard(b);
    SmallVector<Value> tile =
        flatParallelLoop(b, loc, {sizes[nD], tilesF, rowTiles});
    ivs.assign(sizes.size(), Value());
    ivs[nD] = tile[0];
    Value tf = tile[1];
    ivs[ohD] = tile[2];
    Value f0 = arith::MulIOp::create(b, loc, tf, fbV);
    Value fEnd = arith::MinUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, f0, fbV), sizes[fD]);
    Value width = sizes[owD], owBegin = zero;
    if (flatMode) {
      owBegin = arith::MulIOp::create(b, loc, ivs[ohD], pbV);
      width = arith::MinUIOp::create(
          b, loc, arith::AddIOp::create(b, loc, owBegin, pbV), sizes[owD]);
      ivs[ohD] = zero;
    }
    walkTiles(b, loc, f0, fEnd, owBegin, width, /*maskTail=*/true,
              [&](OpBuilder &b, Location loc, Value f, Value ow, int64_t r,
                  int64_t vecs,
                  Value mask) { microKernel(b, loc, f, ow, r, vecs, mask); });
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
    // Stride 2: two contiguous (masked) loads of `lanes` elements and a
    // shuffle of the even ones, instead of a gather (mobilenet_v2's stride-2
    // depthwise convolutions ran at 2 GFLOP/s on gathers). An odd element
    // is loaded only when the even one after it is needed, so nothing past
    // the last needed element is read.
    Value evenLo, evenHi;
    SmallVector<int64_t> evens;
    if (strides[1] == 2) {
      auto maskType = VectorType::get({lanes}, b.getI1Type());
      Value none = arith::ConstantOp::create(
          b, loc, maskType, DenseElementsAttr::get(maskType, false));
      Value all =
          mask ? mask
               : arith::ConstantOp::create(
                     b, loc, maskType, DenseElementsAttr::get(maskType, true))
                     .getResult();
      // Input element j of the 2 * lanes loaded is needed by output lane
      // ceil(j / 2); lanes past the end read the false half.
      SmallVector<int64_t> lo, hi;
      for (int64_t j = 0; j < 2 * lanes; ++j)
        (j < lanes ? lo : hi).push_back(std::min((j + 1) / 2, lanes));
      evenLo = vector::ShuffleOp::create(b, loc, all, none, lo);
      evenHi = vector::ShuffleOp::create(b, loc, all, none, hi);
      for (int64_t l = 0; l < lanes; ++l)
        evens.push_back(2 * l);
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
                          if (flatMode)
                            at = {ivs[nD], channel, iw};
                          if (strides[1] == 1) {
                            xv.push_back(loadVector(b, loc, input, at, mask,
                                                    b.getF32Type()));
                          } else if (strides[1] == 2) {
                            Value lo = loadVector(b, loc, input, at, evenLo,
                                                  b.getF32Type());
                            at.back() = arith::AddIOp::create(b, loc, at.back(),
                                                              idx(lanes));
                            Value hi = loadVector(b, loc, input, at, evenHi,
                                                  b.getF32Type());
                            xv.push_back(vector::ShuffleOp::create(b, loc, lo,
                                                                   hi, evens));
                          } else
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
                        Value w = memref::LoadOp::create(
                            b, loc, filter, filterIndices(f, c, kh, kw));
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

  /// The convolution with output channels as the vector dimension: an
  /// outer scf.parallel over (n, tiles of `mb` channels, tiles of `nb`
  /// output pixels); inside, micro-kernels of `mr` output pixels (oh, ow
  /// flattened, so that a kernel may span two rows of a 7-wide image) x `nv`
  /// vectors of channels, each step of the reduction (c, kh, kw) loading
  /// `nv` vectors of the channels-last filter and broadcasting one input
  /// element per pixel. The results, strided along the channels in NCHW,
  /// are transposed into rows and stored once per kernel (storeChannels).
  void buildConvChannels(OpBuilder &b, Location loc, Value init) {
    start(b, loc, init);
    Value fbV = arith::ConstantIndexOp::create(b, loc, mb);
    Value pbV = arith::ConstantIndexOp::create(b, loc, nb);
    Value pixels = arith::MulIOp::create(b, loc, sizes[ohD], sizes[owD]);
    Value tilesF = arith::CeilDivUIOp::create(b, loc, sizes[fD], fbV);
    Value tilesP = arith::CeilDivUIOp::create(b, loc, pixels, pbV);
    OpBuilder::InsertionGuard guard(b);
    SmallVector<Value> tile =
        flatParallelLoop(b, loc, {sizes[nD], tilesF, tilesP});
    ivs.assign(sizes.size(), Value());
    ivs[nD] = tile[0];
    Value tf = tile[1], tp = tile[2];
    Value f0 = arith::MulIOp::create(b, loc, tf, fbV);
    Value fEnd = arith::MinUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, f0, fbV), sizes[fD]);
    Value p0 = arith::MulIOp::create(b, loc, tp, pbV);
    Value pEnd = arith::MinUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, p0, pbV), pixels);
    tileStart = p0;
    // The channel count is a whole number of vectors: no masks.
    walkTiles(b, loc, p0, pEnd, f0, fEnd, /*maskTail=*/false,
              [&](OpBuilder &b, Location loc, Value p, Value f, int64_t r,
                  int64_t vecs,
                  Value) { microKernelChannels(b, loc, p, f, r, vecs); });
  }

  /// One register tile's worth of kernel calls, for the tile of rows
  /// [rowBegin, rowEnd) x columns [colBegin, colEnd) (columns along the
  /// vector lanes): strips of `nv` vectors, then single vectors (masked to
  /// the columns left when `maskTail`), and in each strip blocks of `mr`
  /// rows, then single rows. `kernel(b, loc, row, col, rows, vecs, mask)`
  /// emits one micro-kernel; the mask is null for whole vectors.
  using TileKernel = function_ref<void(OpBuilder &, Location, Value, Value,
                                       int64_t, int64_t, Value)>;
  void walkTiles(OpBuilder &b, Location loc, Value rowBegin, Value rowEnd,
                 Value colBegin, Value colEnd, bool maskTail,
                 TileKernel kernel) {
    auto fullEnd = [&](Value begin, Value end, int64_t step) {
      Value s = arith::ConstantIndexOp::create(b, loc, step);
      Value count = arith::DivUIOp::create(
          b, loc, arith::SubIOp::create(b, loc, end, begin), s);
      return arith::AddIOp::create(b, loc, begin,
                                   arith::MulIOp::create(b, loc, count, s))
          .getResult();
    };
    Value rowFull = fullEnd(rowBegin, rowEnd, mr);
    Value colFull = fullEnd(colBegin, colEnd, nv * lanes);
    auto rows = [&](OpBuilder &b, Value col, int64_t vecs, Value mask) {
      auto loop = [&](Value lb, Value ub, int64_t step) {
        Value s = arith::ConstantIndexOp::create(b, loc, step);
        scf::ForOp::create(
            b, loc, lb, ub, s, ValueRange{},
            [&](OpBuilder &b, Location loc, Value row, ValueRange) {
              kernel(b, loc, row, col, step, vecs, mask);
              scf::YieldOp::create(b, loc);
            });
      };
      loop(rowBegin, rowFull, mr);
      if (!rowTail) {
        loop(rowFull, rowEnd, 1);
        return;
      }
      // The remainder is rowTail rows or none.
      Value left = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                         rowFull, rowEnd);
      auto tail = scf::IfOp::create(b, loc, TypeRange{}, left,
                                    /*withElseRegion=*/false);
      OpBuilder thenB = tail.getThenBodyBuilder();
      kernel(thenB, loc, rowFull, col, rowTail, vecs, mask);
    };
    Value wide = arith::ConstantIndexOp::create(b, loc, nv * lanes);
    scf::ForOp::create(b, loc, colBegin, colFull, wide, ValueRange{},
                       [&](OpBuilder &b, Location loc, Value col, ValueRange) {
                         rows(b, col, nv, Value());
                         scf::YieldOp::create(b, loc);
                       });
    Value narrow = arith::ConstantIndexOp::create(b, loc, lanes);
    scf::ForOp::create(b, loc, colFull, colEnd, narrow, ValueRange{},
                       [&](OpBuilder &b, Location loc, Value col, ValueRange) {
                         Value mask;
                         if (maskTail) {
                           Value left =
                               arith::SubIOp::create(b, loc, colEnd, col);
                           Value count =
                               arith::MinUIOp::create(b, loc, left, narrow);
                           mask = vector::CreateMaskOp::create(
                               b, loc, VectorType::get({lanes}, b.getI1Type()),
                               ValueRange{count});
                         }
                         rows(b, col, 1, mask);
                         scf::YieldOp::create(b, loc);
                       });
  }

  /// `r` pixels from flat pixel `p` x `vecs` vectors of channels from `f`.
  void microKernelChannels(OpBuilder &b, Location loc, Value p, Value f,
                           int64_t r, int64_t vecs) {
    auto vecType = VectorType::get({lanes}, b.getF32Type());
    auto idx = [&](int64_t v) {
      return arith::ConstantIndexOp::create(b, loc, v).getResult();
    };
    Value zero = idx(0), one = idx(1);
    // Each pixel's output row and column, and its input's first row and
    // column (before kh, kw).
    SmallVector<Value> ohs, ows, ihs, iws, cols;
    for (int64_t i = 0; i < r; ++i) {
      Value pi = i ? arith::AddIOp::create(b, loc, p, idx(i)).getResult() : p;
      ohs.push_back(arith::DivUIOp::create(b, loc, pi, sizes[owD]));
      ows.push_back(arith::RemUIOp::create(b, loc, pi, sizes[owD]));
      ihs.push_back(strides[0] == 1 ? ohs.back()
                                    : arith::MulIOp::create(b, loc, ohs.back(),
                                                            idx(strides[0]))
                                          .getResult());
      iws.push_back(strides[1] == 1 ? ows.back()
                                    : arith::MulIOp::create(b, loc, ows.back(),
                                                            idx(strides[1]))
                                          .getResult());
    }
    for (int64_t v = 0; v < vecs; ++v)
      cols.push_back(
          v ? arith::AddIOp::create(b, loc, f, idx(v * lanes)).getResult() : f);
    // Accumulators, pixel-major.
    SmallVector<Value> accs;
    Value splat;
    if (init)
      splat = vector::BroadcastOp::create(b, loc, vecType, init);
    for (int64_t i = 0; i < r; ++i) {
      ivs[ohD] = ohs[i];
      ivs[owD] = ows[i];
      for (int64_t v = 0; v < vecs; ++v)
        accs.push_back(splat ? splat
                             : loadAlong(b, loc, initAccess ? *initAccess : C,
                                         cols[v], b.getF32Type()));
    }
    std::function<void(OpBuilder &, Location, Value)> prefetch =
        nextStripPrefetch(b, loc, p, f);
    auto cLoop = scf::ForOp::create(
        b, loc, zero, sizes[cD], one, accs,
        [&](OpBuilder &b, Location loc, Value c, ValueRange accC) {
          if (prefetch)
            prefetch(b, loc, c);
          auto hLoop = scf::ForOp::create(
              b, loc, zero, sizes[khD], one, accC,
              [&](OpBuilder &b, Location loc, Value kh, ValueRange accH) {
                Value kho =
                    dilations[0] == 1
                        ? kh
                        : arith::MulIOp::create(b, loc, kh, idx(dilations[0]))
                              .getResult();
                auto wLoop = scf::ForOp::create(
                    b, loc, zero, sizes[kwD], one, accH,
                    [&](OpBuilder &b, Location loc, Value kw, ValueRange acc) {
                      Value kwo = dilations[1] == 1
                                      ? kw
                                      : arith::MulIOp::create(b, loc, kw,
                                                              idx(dilations[1]))
                                            .getResult();
                      SmallVector<Value> wv, next;
                      for (Value col : cols)
                        wv.push_back(vector::LoadOp::create(
                            b, loc, vecType, filter,
                            filterIndices(col, c, kh, kw)));
                      for (int64_t i = 0; i < r; ++i) {
                        Value ih = arith::AddIOp::create(b, loc, ihs[i], kho);
                        Value iw = arith::AddIOp::create(b, loc, iws[i], kwo);
                        Value x = memref::LoadOp::create(
                            b, loc, input, ValueRange{ivs[nD], c, ih, iw});
                        Value xs =
                            vector::BroadcastOp::create(b, loc, vecType, x);
                        for (int64_t v = 0; v < vecs; ++v)
                          next.push_back(vector::FMAOp::create(
                              b, loc, xs, wv[v], acc[i * vecs + v]));
                      }
                      scf::YieldOp::create(b, loc, next);
                    });
                scf::YieldOp::create(b, loc, wLoop.getResults());
              });
          scf::YieldOp::create(b, loc, hLoop.getResults());
        });
    storeChannels(b, loc, epilogue ? epilogue->output : C, ohs, ows, cols,
                  SmallVector<Value>(cLoop.getResults()));
  }

  /// For a filter too large to stay in cache between runs, packed in strips
  /// of the kernel's width: what prefetches, in each step of the kernel's
  /// input-channel loop, a share of the next strip, so that the tile's
  /// pixel blocks together fetch it once, evenly over the current strip's
  /// work. Without it, the first block of every strip waited on memory for
  /// the whole strip and the other blocks read it from L2: in resnet18 the
  /// 7x7x512 layers (9.4 MB of filter) ran about 45% slower than alone,
  /// where the filter stays in L3. The hardware prefetchers follow a
  /// strip, but only as fast as the first block reads it. Null where there
  /// is nothing to do.
  std::function<void(OpBuilder &, Location, Value)>
  nextStripPrefetch(OpBuilder &b, Location loc, Value p, Value f) {
    auto type = dyn_cast<MemRefType>(filter.getType());
    int64_t strip = nv * lanes;
    if (!filterStrip || filterStrip != strip || !type ||
        !type.hasStaticShape() || !type.getLayout().isIdentity() ||
        type.getRank() != 5 || !tileStart)
      return nullptr;
    int64_t elements = type.getNumElements();
    if (elements * 4 < kPrefetchFilterBytes)
      return nullptr;
    int64_t strips = type.getDimSize(0), channels = type.getDimSize(1);
    int64_t rowElements = elements / strips / channels;
    std::optional<int64_t> height = getConstantIntValue(sizes[ohD]),
                           width = getConstantIntValue(sizes[owD]);
    if (!height || !width)
      return nullptr;
    int64_t blocks = llvm::divideCeil(std::min(nb, *height * *width), mr);
    auto idx = [&](int64_t v) {
      return arith::ConstantIndexOp::create(b, loc, v).getResult();
    };
    // The next strip (the last one prefetches itself again), and this
    // block's index among the tile's blocks.
    Value nextStrip = arith::MinUIOp::create(
        b, loc,
        arith::AddIOp::create(
            b, loc, arith::DivUIOp::create(b, loc, f, idx(strip)), idx(1)),
        idx(strips - 1));
    Value base =
        arith::MulIOp::create(b, loc, nextStrip, idx(elements / strips));
    Value block = arith::MinUIOp::create(
        b, loc,
        arith::DivUIOp::create(
            b, loc, arith::SubIOp::create(b, loc, p, tileStart), idx(mr)),
        idx(blocks - 1));
    Value blockRow = arith::MulIOp::create(b, loc, block, idx(channels));
    auto flatType = MemRefType::get({elements}, type.getElementType());
    Value flat = memref::ReinterpretCastOp::create(
        b, loc, flatType, filter, OpFoldResult(b.getIndexAttr(0)),
        {OpFoldResult(b.getIndexAttr(elements))},
        {OpFoldResult(b.getIndexAttr(1))});
    // Step c of block j starts at (j * C + c) / blocks of the next strip's
    // channel rows; enough lines to reach the next step's start.
    int64_t lineElements = 64 / 4;
    int64_t lines =
        llvm::divideCeil(llvm::divideCeil(rowElements, blocks), lineElements) +
        1;
    return [=](OpBuilder &b, Location loc, Value c) {
      auto idx = [&](int64_t v) {
        return arith::ConstantIndexOp::create(b, loc, v).getResult();
      };
      Value row = arith::AddIOp::create(b, loc, blockRow, c);
      Value offset = arith::DivUIOp::create(
          b, loc, arith::MulIOp::create(b, loc, row, idx(rowElements)),
          idx(blocks));
      Value start = arith::AddIOp::create(b, loc, base, offset);
      for (int64_t i = 0; i < lines; ++i) {
        Value at = arith::MinUIOp::create(
            b, loc, arith::AddIOp::create(b, loc, start, idx(i * lineElements)),
            idx(elements - 1));
        memref::PrefetchOp::create(b, loc, flat, ValueRange{at},
                                   /*isWrite=*/false, /*localityHint=*/3,
                                   /*isDataCache=*/true);
      }
    };
  }

  /// Stores the channel-vector kernel's results, the epilogue applied:
  /// `results[i * vecs + v]` holds channels [cols[v], cols[v] + lanes) of
  /// pixel i, at (ohs[i], ows[i]), consecutive pixels. A scatter per vector
  /// (16 channels H * W apart) cost about 40 cycles on Zen 5: a third of the
  /// 7x7 stem's time, whose reduction is only 147 long. Where the output's
  /// rows are contiguous, each vector of channels is transposed in
  /// registers into a vector along the pixels (log2(lanes) rounds of
  /// two-source shuffles) and stored with one masked store per channel, or
  /// one per output row the block touches where it wraps onto the next rows
  /// (through a flat view of the buffer: row k's segment is the same
  /// vector, k row gaps further on, under the mask of its lanes). The
  /// epilogue then runs on those vectors too, reading a residual the same
  /// way: gathered along the channels, it cost about 12% of resnet18's
  /// 56x56 residual convolutions.
  void storeChannels(OpBuilder &b, Location loc, const Access &dest,
                     ArrayRef<Value> ohs, ArrayRef<Value> ows,
                     ArrayRef<Value> cols, ArrayRef<Value> results) {
    int64_t r = ohs.size(), vecs = cols.size();
    auto channelVectors = [&] {
      SmallVector<Value> values;
      for (int64_t i = 0; i < r; ++i) {
        ivs[ohD] = ohs[i];
        ivs[owD] = ows[i];
        for (int64_t v = 0; v < vecs; ++v)
          values.push_back(epilogue
                               ? applyEpilogue(b, loc, results[i * vecs + v],
                                               Value(), cols[v], Value())
                               : results[i * vecs + v]);
      }
      return values;
    };
    if (r < 2 || r > lanes || !alongRows(dest)) {
      SmallVector<Value> values = channelVectors();
      for (int64_t i = 0; i < r; ++i) {
        ivs[ohD] = ohs[i];
        ivs[owD] = ows[i];
        for (int64_t v = 0; v < vecs; ++v)
          storeAlong(b, loc, dest, cols[v], values[i * vecs + v]);
      }
      return;
    }
    // An epilogue input read along the pixels needs its rows contiguous;
    // one per channel or a scalar is broadcast.
    bool epilogueOnRows = epilogue.has_value();
    if (epilogue)
      for (const std::optional<Access> &input : epilogue->inputs)
        if (input && (llvm::is_contained(input->dims, ohD) ||
                      llvm::is_contained(input->dims, owD)))
          epilogueOnRows &= alongRows(*input);
    SmallVector<Value> values(results);
    if (epilogue && !epilogueOnRows)
      values = channelVectors();
    auto idx = [&](int64_t v) {
      return arith::ConstantIndexOp::create(b, loc, v).getResult();
    };
    // transposed[v * lanes + j]: channel cols[v] + j of the r pixels. Row i
    // of each lanes x lanes matrix is pixel i (rows past r repeat the last
    // pixel); each round swaps the off-diagonal s x s blocks of every
    // 2s x 2s block.
    SmallVector<Value> transposed;
    for (int64_t v = 0; v < vecs; ++v) {
      SmallVector<Value> rows;
      for (int64_t i = 0; i < lanes; ++i)
        rows.push_back(values[std::min(i, r - 1) * vecs + v]);
      for (int64_t s = 1; s < lanes; s *= 2) {
        SmallVector<int64_t> low, high;
        for (int64_t j = 0; j < lanes; ++j) {
          low.push_back(j & s ? lanes + j - s : j);
          high.push_back(j & s ? lanes + j : j + s);
        }
        SmallVector<Value> next(lanes);
        for (int64_t i = 0; i < lanes; ++i) {
          if (i & s)
            continue;
          next[i] =
              vector::ShuffleOp::create(b, loc, rows[i], rows[i + s], low);
          next[i + s] =
              vector::ShuffleOp::create(b, loc, rows[i], rows[i + s], high);
        }
        rows = std::move(next);
      }
      llvm::append_range(transposed, rows);
    }
    ivs[ohD] = ohs[0];
    ivs[owD] = ows[0];
    RowView out = rowView(b, loc, dest, cols);
    // The epilogue's inputs: views along the rows, or one scalar per
    // channel (or for all), broadcast.
    SmallVector<std::optional<RowView>> inputViews;
    SmallVector<SmallVector<Value>> inputScalars;
    if (epilogueOnRows) {
      for (const std::optional<Access> &input : epilogue->inputs) {
        inputViews.emplace_back();
        inputScalars.emplace_back();
        if (!input)
          continue;
        if (llvm::is_contained(input->dims, owD)) {
          inputViews.back() = rowView(b, loc, *input, cols);
          continue;
        }
        // One per channel, or one for all.
        int64_t count = llvm::is_contained(input->dims, fD) ? vecs * lanes : 1;
        for (int64_t c = 0; c < count; ++c) {
          Value channel =
              arith::AddIOp::create(b, loc, cols[c / lanes], idx(c % lanes));
          inputScalars.back().push_back(memref::LoadOp::create(
              b, loc, input->memref,
              indices(b, loc, *input, Value(), channel, Value())));
        }
      }
    }
    auto maskType = VectorType::get({lanes}, b.getI1Type());
    // Row segment k of every channel, under `mask`.
    auto storeAll = [&](OpBuilder &b, int64_t k, Value mask) {
      for (int64_t v = 0; v < vecs; ++v)
        for (int64_t j = 0; j < lanes; ++j) {
          Value value = transposed[v * lanes + j];
          if (epilogueOnRows) {
            Block &body = epilogue->op.getRegion().front();
            IRMapping map;
            for (auto [i, input] : llvm::enumerate(epilogue->inputs)) {
              BlockArgument arg = body.getArgument(i);
              auto vecType = VectorType::get({lanes}, arg.getType());
              if (!input) {
                map.map(arg, value);
              } else if (inputViews[i]) {
                Value pass = arith::ConstantOp::create(b, loc, vecType,
                                                       b.getZeroAttr(vecType));
                map.map(arg,
                        vector::MaskedLoadOp::create(
                            b, loc, vecType, inputViews[i]->flat,
                            inputViews[i]->at(b, loc, v, j, k), mask, pass));
              } else {
                map.map(arg,
                        vector::BroadcastOp::create(
                            b, loc, vecType,
                            inputScalars[i][llvm::is_contained(input->dims, fD)
                                                ? v * lanes + j
                                                : 0]));
              }
            }
            value = cloneEpilogue(b, loc, map);
          }
          vector::MaskedStoreOp::create(b, loc, out.flat,
                                        out.at(b, loc, v, j, k), mask, value);
        }
    };
    Value width = sizes[owD];
    Value lastCol = arith::AddIOp::create(b, loc, ows[0], idx(r - 1));
    Value inRow = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                        lastCol, width);
    auto oneRow = [&](OpBuilder &b, Location loc) {
      SmallVector<bool> bits(lanes, false);
      std::fill_n(bits.begin(), r, true);
      storeAll(b, 0,
               arith::ConstantOp::create(
                   b, loc, maskType, DenseElementsAttr::get(maskType, bits)));
      scf::YieldOp::create(b, loc);
    };
    auto severalRows = [&](OpBuilder &b, Location loc) {
      int64_t outWidth =
          cast<MemRefType>(dest.memref.getType())
              .getDimSize(llvm::find(dest.dims, owD) - dest.dims.begin());
      int64_t rowsTouched = ShapedType::isDynamic(outWidth)
                                ? r
                                : std::min(r, (r - 2) / outWidth + 2);
      Value allTrue = arith::ConstantOp::create(
          b, loc, maskType, DenseElementsAttr::get(maskType, true));
      for (int64_t k = 0; k < rowsTouched; ++k) {
        // The first lane of row `row`, at most r (the lanes past r repeat
        // the last pixel).
        auto bound = [&](int64_t row) {
          return arith::MinSIOp::create(
                     b, loc,
                     arith::SubIOp::create(
                         b, loc, arith::MulIOp::create(b, loc, idx(row), width),
                         ows[0]),
                     idx(r))
              .getResult();
        };
        Value mask = vector::CreateMaskOp::create(b, loc, maskType,
                                                  ValueRange{bound(k + 1)});
        if (k)
          mask = arith::AndIOp::create(
              b, loc, mask,
              arith::XOrIOp::create(b, loc,
                                    vector::CreateMaskOp::create(
                                        b, loc, maskType, ValueRange{bound(k)}),
                                    allTrue));
        storeAll(b, k, mask);
      }
      scf::YieldOp::create(b, loc);
    };
    scf::IfOp::create(b, loc, inRow, oneRow, severalRows);
  }

  /// Whether `access` holds the output's rows contiguously, channels
  /// outside them: what storeChannels writes (and reads) along the pixels.
  bool alongRows(const Access &access) {
    unsigned rank = access.dims.size();
    return rank >= 2 && access.dims.back() == owD &&
           llvm::is_contained(access.dims, ohD) &&
           llvm::is_contained(access.dims, fD) &&
           innermostContiguous(cast<MemRefType>(access.memref.getType()));
  }

  /// A flat view of an access's buffer (alongRows) for storeChannels: where
  /// the first pixel (ivs) of each channel vector is, and the steps to the
  /// next channel and to the next output row's segment.
  struct RowView {
    Value flat;
    SmallVector<Value> starts;
    Value channelStride, gap;
    /// Channel cols[v] + j, row segment k.
    Value at(OpBuilder &b, Location loc, int64_t v, int64_t j, int64_t k) {
      auto idx = [&](int64_t x) {
        return arith::ConstantIndexOp::create(b, loc, x).getResult();
      };
      Value result = arith::AddIOp::create(
          b, loc, starts[v],
          arith::MulIOp::create(b, loc, idx(j), channelStride));
      if (k)
        result = arith::AddIOp::create(
            b, loc, result, arith::MulIOp::create(b, loc, idx(k), gap));
      return result;
    }
  };
  RowView rowView(OpBuilder &b, Location loc, const Access &access,
                  ArrayRef<Value> cols) {
    auto idx = [&](int64_t v) {
      return arith::ConstantIndexOp::create(b, loc, v).getResult();
    };
    unsigned rank = access.dims.size();
    auto pos = [&](unsigned dim) {
      return llvm::find(access.dims, dim) - access.dims.begin();
    };
    auto meta = memref::ExtractStridedMetadataOp::create(b, loc, access.memref);
    Value extent = idx(1);
    for (unsigned d = 0; d < rank; ++d)
      extent = arith::AddIOp::create(
          b, loc, extent,
          arith::MulIOp::create(
              b, loc, arith::SubIOp::create(b, loc, meta.getSizes()[d], idx(1)),
              meta.getStrides()[d]));
    auto flatType = MemRefType::get(
        {ShapedType::kDynamic},
        cast<MemRefType>(access.memref.getType()).getElementType(),
        StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic, {1}));
    RowView view;
    view.flat = memref::ReinterpretCastOp::create(
        b, loc, flatType, meta.getBaseBuffer(), OpFoldResult(meta.getOffset()),
        {OpFoldResult(extent)}, {OpFoldResult(b.getIndexAttr(1))});
    for (Value col : cols) {
      SmallVector<Value> at = indices(b, loc, access, Value(), col, Value());
      Value linear = idx(0);
      for (unsigned d = 0; d < rank; ++d)
        linear = arith::AddIOp::create(
            b, loc, linear,
            arith::MulIOp::create(b, loc, at[d], meta.getStrides()[d]));
      view.starts.push_back(linear);
    }
    view.channelStride = meta.getStrides()[pos(fD)];
    // Row k's segment starts k * (row stride - W) elements after where the
    // first row's would continue.
    view.gap =
        arith::SubIOp::create(b, loc, meta.getStrides()[pos(ohD)], sizes[owD]);
    return view;
  }

  /// Depthwise convolutions with a static kernel of at most 5x5 and strides
  /// of 1 or 2 run on buildDepthwise's plane kernel. Picks its micro-kernel
  /// rows (`mr`), one vector along the width (`nv`), and the output rows of
  /// one parallel tile (`mb`).
  void matchDepthwisePlanes(linalg::LinalgOp conv,
                            ArrayRef<int64_t> convStrides) {
    SmallVector<int64_t> loops = conv.getStaticLoopRanges();
    int64_t kh = loops[khD], kw = loops[kwD];
    if (ShapedType::isDynamic(kh) || ShapedType::isDynamic(kw) ||
        kh * kw > 25 || convStrides[0] < 1 || convStrides[0] > 2 ||
        convStrides[1] < 1 || convStrides[1] > 2)
      return;
    int64_t outRows = loops[ohD], outCols = loops[owD];
    // An empty output (a static 0) is left to the generic kernel.
    if (outRows == 0 || outCols == 0)
      return;
    depthwisePlanes = true;
    // Each micro-kernel row is one accumulator; the taps take KH * KW
    // registers and an input row's KW vectors a few more: up to 8 rows in
    // 32 vector registers, 4 in 16. A row count dividing the image's height
    // leaves no single-row remainder (mobilenet_v2's heights are all
    // multiples of 7).
    mr = lanes >= 16 ? 8 : 4;
    if (!ShapedType::isDynamic(outRows)) {
      if (outRows <= mr) {
        mr = outRows;
      } else if (lanes >= 16) {
        for (int64_t r : {8, 7, 6, 5})
          if (outRows % r == 0) {
            mr = r;
            break;
          }
      }
    }
    nv = 1;
    // About 1024 output elements per parallel tile: several tiles per
    // channel on large images, whole planes on small ones.
    int64_t blocks = ShapedType::isDynamic(outCols)
                         ? 4
                         : std::max<int64_t>(1, 1024 / (outCols * mr));
    mb = mr * blocks;
  }

  /// Depthwise convolution, vectors along the output width: an
  /// scf.parallel over (n, channel, blocks of `mb` output rows); each tile
  /// broadcasts its channel's KH x KW filter taps into registers once, then
  /// walks its rows in micro-kernels of `mr` rows x one vector
  /// (depthwiseKernel). The input is read in place (no copy), the fused
  /// initializer and epilogue run on the accumulators.
  void buildDepthwise(OpBuilder &b, Location loc, Value init) {
    start(b, loc, init);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value rbV = arith::ConstantIndexOp::create(b, loc, mb);
    Value rowTiles = arith::CeilDivUIOp::create(b, loc, sizes[ohD], rbV);
    OpBuilder::InsertionGuard guard(b);
    SmallVector<Value> tile =
        flatParallelLoop(b, loc, {sizes[nD], sizes[fD], rowTiles});
    ivs.assign(sizes.size(), Value());
    ivs[nD] = tile[0];
    Value channel = tile[1];
    Value oh0 = arith::MulIOp::create(b, loc, tile[2], rbV);
    Value ohEnd = arith::MinUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, oh0, rbV), sizes[ohD]);
    auto vecType = VectorType::get({lanes}, b.getF32Type());
    SmallVector<int64_t> loops = op.getStaticLoopRanges();
    int64_t kh = loops[khD], kw = loops[kwD];
    // A per-channel bias the initializer would have broadcast over C.
    if (initAccess)
      this->init = memref::LoadOp::create(
          b, loc, initAccess->memref,
          indices(b, loc, *initAccess, channel, Value(), Value()));
    taps.clear();
    for (int64_t i = 0; i < kh; ++i)
      for (int64_t j = 0; j < kw; ++j) {
        Value w = memref::LoadOp::create(
            b, loc, filter,
            filterIndices(channel, Value(),
                          arith::ConstantIndexOp::create(b, loc, i),
                          arith::ConstantIndexOp::create(b, loc, j)));
        taps.push_back(vector::BroadcastOp::create(b, loc, vecType, w));
      }
    walkTiles(
        b, loc, oh0, ohEnd, zero, sizes[owD], /*maskTail=*/true,
        [&](OpBuilder &b, Location loc, Value oh, Value ow, int64_t r, int64_t,
            Value mask) { depthwiseKernel(b, loc, channel, oh, ow, r, mask); });
  }

  /// `r` output rows from `oh` x one vector from column `ow` of one
  /// channel (`mask`: the lanes in the image, null when all are). Each
  /// input row the rows read is loaded once, as KW vectors (one per filter
  /// column), and feeds every output row that reads it: (r - 1) * s + KH
  /// rows of loads for r * KH * KW FMAs, against KH * KW loads per FMA row
  /// when each row reads its own. Stride 2 along the width: the input
  /// elements of a vector are the even (or odd) ones of two contiguous
  /// loads, shared by the filter columns an even offset apart.
  void depthwiseKernel(OpBuilder &b, Location loc, Value channel, Value oh,
                       Value ow, int64_t r, Value mask) {
    auto vecType = VectorType::get({lanes}, b.getF32Type());
    auto maskType = VectorType::get({lanes}, b.getI1Type());
    auto idx = [&](int64_t v) {
      return arith::ConstantIndexOp::create(b, loc, v).getResult();
    };
    SmallVector<int64_t> loops = op.getStaticLoopRanges();
    int64_t kh = loops[khD], kw = loops[kwD];
    int64_t sh = strides[0], sw = strides[1];
    int64_t dh = dilations[0], dw = dilations[1];
    SmallVector<Value> ohs;
    for (int64_t i = 0; i < r; ++i)
      ohs.push_back(i ? arith::AddIOp::create(b, loc, oh, idx(i)).getResult()
                      : oh);
    // Accumulators: the fill's value or the channel's bias, or what C
    // holds.
    SmallVector<Value> accs;
    Value splat;
    if (init)
      splat = vector::BroadcastOp::create(b, loc, vecType, init);
    for (int64_t i = 0; i < r; ++i) {
      ivs[ohD] = ohs[i];
      accs.push_back(splat
                         ? splat
                         : loadVector(b, loc, C.memref,
                                      indices(b, loc, C, channel, ow, Value()),
                                      mask, b.getF32Type()));
    }
    // Filter column j reads the input from column ow * sw + base[j], lanes
    // parity[j], parity[j] + sw, ...
    SmallVector<int64_t> base, parity, bases;
    for (int64_t j = 0; j < kw; ++j) {
      int64_t offset = j * dw;
      base.push_back(offset - offset % sw);
      parity.push_back(offset % sw);
      if (!llvm::is_contained(bases, base.back()))
        bases.push_back(base.back());
    }
    Value iw0 = sw == 1 ? ow : arith::MulIOp::create(b, loc, ow, idx(sw));
    Value ih0 = sh == 1 ? oh : arith::MulIOp::create(b, loc, oh, idx(sh));
    // Stride 2: for each base, the masks of the two loads. Element e of
    // the 2 * lanes is needed when some filter column with this base reads
    // it for a lane in the image; unneeded ones are not read (nothing past
    // the row's last needed element).
    Value none = arith::ConstantOp::create(
        b, loc, maskType, DenseElementsAttr::get(maskType, false));
    DenseMap<int64_t, std::pair<Value, Value>> halfMasks;
    if (sw == 2)
      for (int64_t bs : bases) {
        bool even = false, odd = false;
        for (int64_t j = 0; j < kw; ++j)
          if (base[j] == bs)
            (parity[j] ? odd : even) = true;
        // Lane of output element e reads, or -1.
        auto laneOf = [&](int64_t e) -> int64_t {
          if ((e % 2 == 0 && even) || (e % 2 == 1 && odd))
            return e / 2;
          return -1;
        };
        Value halves[2];
        for (int h = 0; h < 2; ++h) {
          SmallVector<int64_t> lanesOf;
          bool all = true;
          for (int64_t e = h * lanes; e < (h + 1) * lanes; ++e) {
            lanesOf.push_back(laneOf(e));
            all &= lanesOf.back() >= 0;
          }
          if (!mask) {
            if (all)
              continue;
            SmallVector<bool> bits;
            for (int64_t l : lanesOf)
              bits.push_back(l >= 0);
            halves[h] = arith::ConstantOp::create(
                b, loc, maskType,
                DenseElementsAttr::get(maskType, ArrayRef<bool>(bits)));
            continue;
          }
          SmallVector<int64_t> pick;
          for (int64_t l : lanesOf)
            pick.push_back(l >= 0 ? l : lanes);
          halves[h] = vector::ShuffleOp::create(b, loc, mask, none, pick);
        }
        halfMasks[bs] = {halves[0], halves[1]};
      }
    SmallVector<int64_t> evens, odds;
    for (int64_t l = 0; l < lanes; ++l) {
      evens.push_back(2 * l);
      odds.push_back(2 * l + 1);
    }
    // Input rows ih0 + q, q = i * sh + a * dh for output row i, filter row a.
    int64_t inputRows = (r - 1) * sh + (kh - 1) * dh + 1;
    for (int64_t q = 0; q < inputRows; ++q) {
      SmallVector<std::pair<int64_t, int64_t>> users;
      for (int64_t i = 0; i < r; ++i) {
        int64_t rest = q - i * sh;
        if (rest >= 0 && rest % dh == 0 && rest / dh < kh)
          users.push_back({i, rest / dh});
      }
      if (users.empty())
        continue;
      Value ih = arith::AddIOp::create(b, loc, ih0, idx(q));
      SmallVector<Value> x(kw);
      for (int64_t bs : bases) {
        Value iw = arith::AddIOp::create(b, loc, iw0, idx(bs));
        SmallVector<Value> at{ivs[nD], channel, ih, iw};
        if (sw == 1) {
          Value v = loadVector(b, loc, input, at, mask, b.getF32Type());
          for (int64_t j = 0; j < kw; ++j)
            if (base[j] == bs)
              x[j] = v;
          continue;
        }
        auto [loMask, hiMask] = halfMasks[bs];
        Value lo = loadVector(b, loc, input, at, loMask, b.getF32Type());
        at.back() = arith::AddIOp::create(b, loc, iw, idx(lanes));
        Value hi = loadVector(b, loc, input, at, hiMask, b.getF32Type());
        Value even, odd;
        for (int64_t j = 0; j < kw; ++j) {
          if (base[j] != bs)
            continue;
          Value &v = parity[j] ? odd : even;
          if (!v)
            v = vector::ShuffleOp::create(b, loc, lo, hi,
                                          parity[j] ? odds : evens);
          x[j] = v;
        }
      }
      for (auto [i, a] : users)
        for (int64_t j = 0; j < kw; ++j)
          accs[i] =
              vector::FMAOp::create(b, loc, taps[a * kw + j], x[j], accs[i]);
    }
    for (int64_t i = 0; i < r; ++i) {
      ivs[ohD] = ohs[i];
      Value value = accs[i];
      const Access &dest = epilogue ? epilogue->output : C;
      if (epilogue)
        value = applyEpilogue(b, loc, value, channel, ow, mask);
      auto at = indices(b, loc, dest, channel, ow, Value());
      if (mask)
        vector::MaskedStoreOp::create(b, loc, dest.memref, at, mask, value);
      else
        vector::StoreOp::create(b, loc, value, dest.memref, at);
    }
  }

  /// The filter's indices for output channel `f`, input channel `c` and
  /// kernel position (kh, kw), in whatever order its memref has them.
  SmallVector<Value> filterIndices(Value f, Value c, Value kh, Value kw) {
    SmallVector<Value> result;
    for (unsigned d : filterAccess.dims)
      result.push_back(d == fD ? f : d == cD ? c : d == khD ? kh : kw);
    if (filterStrip) {
      // [F / S, C, KH, KW, S]: the strip first, the channel in it last. Both
      // depend on f alone, so they are computed where f is defined (out of
      // the reduction loops).
      OpBuilder b(f.getContext());
      b.setInsertionPointAfterValue(f);
      Location loc = f.getLoc();
      Value width = arith::ConstantIndexOp::create(b, loc, filterStrip);
      result.back() = arith::RemUIOp::create(b, loc, f, width);
      result.insert(result.begin(), arith::DivUIOp::create(b, loc, f, width));
    }
    return result;
  }

  std::optional<Epilogue> epilogue;
  /// B packed in panels of this many columns (0: read in place), and the
  /// indexing maps with B's read as if unpacked.
  int64_t panelCols = 0;
  SmallVector<AffineMap> unpackedMaps;
  /// Reduction blocks of this many k (0: none), and while building one:
  /// its bounds and whether it is the first or the last.
  int64_t kBlock = 0;
  Value kLo, kHi, firstBlock, lastBlock;

private:
  /// Indices of `access` with the m and n loops at `row` and `col`.
  SmallVector<Value> indices(OpBuilder &b, Location loc, const Access &access,
                             Value row, Value col, Value k) {
    SmallVector<Value> result;
    for (unsigned d : access.dims) {
      if (d == kZeroDim)
        result.push_back(arith::ConstantIndexOp::create(b, loc, 0));
      else if (d == rowDim && !outerM.empty())
        result.push_back(rowParts.lookup(row)[0]);
      else if (d == rowDim)
        result.push_back(row);
      else if (auto it = llvm::find(outerM, d); it != outerM.end())
        // parts: rowDim, then outerM innermost first.
        result.push_back(rowParts.lookup(row)[1 + (outerM.end() - 1 - it)]);
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

  /// Constant lane offsets, in elements, of a vector along memref dim
  /// `pos` of `type` (a static stride; checked when matching).
  Value laneOffsets(OpBuilder &b, Location loc, MemRefType type, unsigned pos) {
    SmallVector<int64_t> memStrides;
    int64_t offset;
    (void)type.getStridesAndOffset(memStrides, offset);
    SmallVector<int32_t> offsets;
    for (int64_t l = 0; l < lanes; ++l)
      offsets.push_back(l * memStrides[pos]);
    auto idxType = VectorType::get({lanes}, b.getI32Type());
    return arith::ConstantOp::create(
        b, loc, idxType,
        DenseElementsAttr::get(idxType, ArrayRef<int32_t>(offsets)));
  }

  /// A vector of `access` along the vector loop (colDim) at `col`: a load
  /// where that is the memref's contiguous innermost dim, a gather
  /// otherwise.
  Value loadAlong(OpBuilder &b, Location loc, const Access &access, Value col,
                  Type elementType) {
    auto idx = indices(b, loc, access, Value(), col, Value());
    auto pos = llvm::find(access.dims, colDim) - access.dims.begin();
    if ((size_t)pos == access.dims.size())
      return vector::BroadcastOp::create(
          b, loc, VectorType::get({lanes}, elementType),
          memref::LoadOp::create(b, loc, access.memref, idx));
    if ((size_t)pos + 1 == access.dims.size())
      return loadVector(b, loc, access.memref, idx, Value(), elementType);
    auto type = cast<MemRefType>(access.memref.getType());
    auto vecType = VectorType::get({lanes}, elementType);
    auto maskType = VectorType::get({lanes}, b.getI1Type());
    Value allTrue = arith::ConstantOp::create(
        b, loc, maskType, DenseElementsAttr::get(maskType, true));
    Value pass =
        arith::ConstantOp::create(b, loc, vecType, b.getZeroAttr(vecType));
    return vector::GatherOp::create(b, loc, vecType, access.memref, idx,
                                    laneOffsets(b, loc, type, pos), allTrue,
                                    pass);
  }

  /// Stores `value` into `access` along colDim at `col` (a scatter where
  /// that dim is not the innermost).
  void storeAlong(OpBuilder &b, Location loc, const Access &access, Value col,
                  Value value) {
    auto idx = indices(b, loc, access, Value(), col, Value());
    auto pos = llvm::find(access.dims, colDim) - access.dims.begin();
    if ((size_t)pos + 1 == access.dims.size()) {
      vector::StoreOp::create(b, loc, value, access.memref, idx);
      return;
    }
    auto type = cast<MemRefType>(access.memref.getType());
    auto maskType = VectorType::get({lanes}, b.getI1Type());
    Value allTrue = arith::ConstantOp::create(
        b, loc, maskType, DenseElementsAttr::get(maskType, true));
    vector::ScatterOp::create(b, loc, Type(), access.memref, idx,
                              laneOffsets(b, loc, type, pos), allTrue, value);
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
    // Each flat row's index along every m dimension, before any loop (the
    // stores after the reduction use them too).
    if (!outerM.empty() && !isConv)
      for (Value row : rowIdx) {
        SmallVector<Value> parts;
        Value rest = row;
        parts.push_back(arith::RemUIOp::create(b, loc, rest, sizes[rowDim]));
        rest = arith::DivUIOp::create(b, loc, rest, sizes[rowDim]);
        for (unsigned d : llvm::reverse(outerM)) {
          if (d == outerM.front()) {
            parts.push_back(rest);
            break;
          }
          parts.push_back(arith::RemUIOp::create(b, loc, rest, sizes[d]));
          rest = arith::DivUIOp::create(b, loc, rest, sizes[d]);
        }
        rowParts[row] = parts;
      }
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
    auto loadC = [&](OpBuilder &b) {
      SmallVector<Value> loaded;
      for (int64_t i = 0; i < r; ++i)
        for (int64_t v = 0; v < vecs; ++v)
          loaded.push_back(
              loadVector(b, loc, C.memref,
                         indices(b, loc, C, rowIdx[i], colIdx[v], Value()),
                         mask, b.getF32Type()));
      return loaded;
    };
    if (splat && kLo && !isConv) {
      // k blocks: the fill's value in the first, the partial sums in C after.
      SmallVector<Type> types(r * vecs, vecType);
      auto pick = scf::IfOp::create(b, loc, types, firstBlock,
                                    /*withElseRegion=*/true);
      OpBuilder thenB = pick.getThenBodyBuilder();
      scf::YieldOp::create(thenB, loc, SmallVector<Value>(r * vecs, splat));
      OpBuilder elseB = pick.getElseBodyBuilder();
      scf::YieldOp::create(elseB, loc, loadC(elseB));
      accs.assign(pick.getResults().begin(), pick.getResults().end());
    } else if (splat) {
      accs.assign(r * vecs, splat);
    } else if (initAccess && flatMode) {
      // What the initializer (a broadcast bias) would have written into C,
      // read from the constant: one pass over C fewer.
      for (int64_t i = 0; i < r; ++i)
        for (int64_t v = 0; v < vecs; ++v) {
          auto idx =
              indices(b, loc, *initAccess, rowIdx[i], colIdx[v], Value());
          if (llvm::is_contained(initAccess->dims, colDim)) {
            accs.push_back(loadVector(b, loc, initAccess->memref, idx, mask,
                                      b.getF32Type()));
            continue;
          }
          accs.push_back(vector::BroadcastOp::create(
              b, loc, vecType,
              memref::LoadOp::create(b, loc, initAccess->memref, idx)));
        }
    } else {
      accs = loadC(b);
    }
    SmallVector<Value> results;
    if (isConv) {
      results = convReduction(b, loc, rowIdx, colIdx, mask, accs);
    } else {
      results = reduction(b, loc, rowIdx, colIdx, r, vecs, mask, accs, 0);
    }
    auto store = [&](OpBuilder &b, bool withEpilogue) {
      for (int64_t i = 0; i < r; ++i)
        for (int64_t v = 0; v < vecs; ++v) {
          Value value = results[i * vecs + v];
          const Access &dest = withEpilogue ? epilogue->output : C;
          if (withEpilogue)
            value = applyEpilogue(b, loc, value, rowIdx[i], colIdx[v], mask);
          if (withEpilogue && rowedOutput) {
            storeRowed(b, loc, dest, rowIdx[i], colIdx[v], mask, value);
            continue;
          }
          auto idx = indices(b, loc, dest, rowIdx[i], colIdx[v], Value());
          if (mask)
            vector::MaskedStoreOp::create(b, loc, dest.memref, idx, mask,
                                          value);
          else
            vector::StoreOp::create(b, loc, value, dest.memref, idx);
        }
    };
    if (epilogue && kLo && !isConv) {
      // k blocks: partial sums to C, the epilogue after the last block.
      auto last = scf::IfOp::create(b, loc, TypeRange{}, lastBlock,
                                    /*withElseRegion=*/true);
      OpBuilder thenB = last.getThenBodyBuilder();
      store(thenB, true);
      OpBuilder elseB = last.getElseBodyBuilder();
      store(elseB, false);
      return;
    }
    store(b, epilogue.has_value());
  }

  /// Stores `value`, flat pixels [p, p + lanes) of output channel `row`
  /// (lanes off in `mask`, if any, skipped), into a flatMode output that
  /// does not flatten: one masked store per image row the vector touches,
  /// each addressed so that lane l lands on pixel p + l. A row segment
  /// starting at lane s is stored from column ow0 - j * W of row oh0 + j,
  /// a negative column whose lanes before s are masked off (they would fall
  /// in the previous row or its padding). Costs a mask and a store per
  /// segment instead of the scatter along channels would need.
  void storeRowed(OpBuilder &b, Location loc, const Access &dest, Value row,
                  Value p, Value mask, Value value) {
    auto idx = [&](int64_t v) {
      return arith::ConstantIndexOp::create(b, loc, v).getResult();
    };
    auto maskType = VectorType::get({lanes}, b.getI1Type());
    auto maskUpTo = [&](Value count) {
      return vector::CreateMaskOp::create(
                 b, loc, maskType,
                 ValueRange{arith::MinUIOp::create(b, loc, count, idx(lanes))})
          .getResult();
    };
    Value w = idx(flatWidth);
    Value oh0 = arith::DivUIOp::create(b, loc, p, w);
    Value ow0 = arith::RemUIOp::create(b, loc, p, w);
    SmallVector<Value> at = indices(b, loc, dest, row, p, Value());
    size_t h = at.size() - 2;
    Value allTrue = arith::ConstantOp::create(
        b, loc, maskType, DenseElementsAttr::get(maskType, true));
    // Rows a vector can touch: the first, and one per W lanes after it.
    int64_t segments = 1 + llvm::divideCeil(lanes - 1, flatWidth);
    for (int64_t j = 0; j < segments; ++j) {
      // Lanes [j * W - ow0, (j + 1) * W - ow0) lie in row oh0 + j.
      Value segMask = maskUpTo(
          arith::SubIOp::create(b, loc, idx((j + 1) * flatWidth), ow0));
      if (j > 0) {
        Value before =
            maskUpTo(arith::SubIOp::create(b, loc, idx(j * flatWidth), ow0));
        segMask = arith::AndIOp::create(
            b, loc, segMask, arith::XOrIOp::create(b, loc, before, allTrue));
      }
      if (mask)
        segMask = arith::AndIOp::create(b, loc, segMask, mask);
      SmallVector<Value> segAt = at;
      segAt[h] =
          j ? arith::AddIOp::create(b, loc, oh0, idx(j)).getResult() : oh0;
      segAt[h + 1] =
          j ? arith::SubIOp::create(b, loc, ow0, idx(j * flatWidth)).getResult()
            : ow0;
      if (j == 0) {
        vector::MaskedStoreOp::create(b, loc, dest.memref, segAt, segMask,
                                      value);
        continue;
      }
      // Only when the vector reaches row oh0 + j and that row exists, so
      // that no address past the image is formed.
      Value reaches = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::ugt,
          arith::AddIOp::create(b, loc, ow0, idx(lanes)), idx(j * flatWidth));
      Value exists = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                           segAt[h], sizes[ohD]);
      auto guard = scf::IfOp::create(
          b, loc, arith::AndIOp::create(b, loc, reaches, exists),
          /*withElseRegion=*/false);
      OpBuilder thenB = guard.getThenBodyBuilder();
      vector::MaskedStoreOp::create(thenB, loc, dest.memref, segAt, segMask,
                                    value);
    }
  }

  /// The reduction of a matmul micro-kernel from `accs`: one scf.for per k
  /// dimension (outermost first, from `level`), the innermost doing the
  /// outer product of r elements of A and `vecs` vectors of B.
  SmallVector<Value> reduction(OpBuilder &b, Location loc,
                               ArrayRef<Value> rowIdx, ArrayRef<Value> colIdx,
                               int64_t r, int64_t vecs, Value mask,
                               ValueRange accs, size_t level) {
    auto vecType = VectorType::get({lanes}, b.getF32Type());
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    unsigned d = dims.k[level];
    bool blocked = kLo && d == kDim;
    auto loop = scf::ForOp::create(
        b, loc, blocked ? kLo : zero, blocked ? kHi : sizes[d], one, accs,
        [&](OpBuilder &b, Location loc, Value k, ValueRange acc) {
          if (level + 1 < dims.k.size()) {
            // An outer k loop: indices() reads its induction variable.
            ivs[d] = k;
            scf::YieldOp::create(b, loc,
                                 reduction(b, loc, rowIdx, colIdx, r, vecs,
                                           mask, acc, level + 1));
            return;
          }
          SmallVector<Value> bv, next;
          for (int64_t v = 0; v < vecs; ++v) {
            auto idx = indices(b, loc, B, Value(), colIdx[v], k);
            if (panelCols) {
              // The strip's vectors lie in one panel (colIdx[0] / NR) from
              // column colIdx[0] % NR on; the last panel is zero-padded, so
              // no mask.
              Value width = arith::ConstantIndexOp::create(b, loc, panelCols);
              Value first = arith::RemUIOp::create(b, loc, colIdx[0], width);
              idx.back() =
                  v ? arith::AddIOp::create(
                          b, loc, first,
                          arith::ConstantIndexOp::create(b, loc, v * lanes))
                          .getResult()
                    : first;
              idx.insert(idx.begin(),
                         arith::DivUIOp::create(b, loc, colIdx[0], width));
              bv.push_back(
                  vector::LoadOp::create(b, loc, vecType, B.memref, idx));
              continue;
            }
            bv.push_back(
                loadVector(b, loc, B.memref, idx, mask, b.getF32Type()));
          }
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
    return SmallVector<Value>(loop.getResults());
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
      if (channelMode && llvm::is_contained(input->dims, colDim)) {
        map.map(arg, loadAlong(b, loc, *input, col, element));
      } else if (input->dims.empty() || input->dims.back() != colDim) {
        Value scalar = memref::LoadOp::create(b, loc, input->memref, idx);
        map.map(arg, vector::BroadcastOp::create(
                         b, loc, VectorType::get({lanes}, element), scalar));
      } else {
        map.map(arg, loadVector(b, loc, input->memref, idx, mask, element));
      }
    }
    return cloneEpilogue(b, loc, map);
  }

  /// The epilogue's body on vectors, its block arguments mapped in `map`.
  Value cloneEpilogue(OpBuilder &b, Location loc, IRMapping &map) {
    Block &body = epilogue->op.getRegion().front();
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
  /// The m dimensions outside rowDim, outermost first, flattened with it
  /// into the kernel's rows; each flat row's index along rowDim and them
  /// (rowDim first, then outerM innermost first).
  SmallVector<unsigned> outerM;
  DenseMap<Value, SmallVector<Value>> rowParts;
  int64_t lanes, mr, nv, mb, nb;
  Access A, B, C;
  SmallVector<Value> sizes, ivs;
  Value init;
  // Convolutions.
  bool isConv = false, depthwise = false;
  /// Whether a depthwise convolution runs on buildDepthwise's plane kernel,
  /// and while building it: the channel's filter taps, broadcast.
  bool depthwisePlanes = false;
  SmallVector<Value> taps;
  /// Whether the convolution's vectors run along output channels.
  bool channelMode = false;
  /// Whether a 1x1 convolution's vectors run along its flattened pixels.
  bool flatMode = false;
  /// In flatMode: the output image's width when static (0 otherwise), and
  /// whether the epilogue's output is stored row by row (storeRowed).
  int64_t flatWidth = 0;
  bool rowedOutput = false;
  Access filterAccess;
  /// Rows left after the blocks of `mr` in a tile, when that is static (the
  /// channel-vector kernel on static images: the last tile's remainder,
  /// every other tile a whole number of blocks): walkTiles runs them as one
  /// kernel; 0: as single rows.
  int64_t rowTail = 0;
  /// Output channels per strip of a filter packed [F / S, C, KH, KW, S] by
  /// kiln-fold-constant-transposes (filterAccess then lists the dims as if
  /// it were [C, KH, KW, F]); 0 when it is not.
  int64_t filterStrip = 0;
  /// The channel-vector kernel's first pixel in its parallel tile.
  Value tileStart;
  /// What the accumulators start from when not C or a splat.
  std::optional<Access> initAccess;
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
        tileCols < vectorsPerKernel * (vectorBits / 32) || kBlock < 0) {
      getOperation().emitError(
          "kiln-vectorize-contractions: bad options (vector-bits a multiple "
          "of 32, at least 128; tiles at least one kernel; k-block not "
          "negative)");
      return signalPassFailure();
    }
    SmallVector<linalg::LinalgOp> candidates;
    getOperation().walk([&](linalg::LinalgOp op) {
      int64_t panel;
      SmallVector<AffineMap> maps;
      if (linalg::isaContractionOpInterface(op) || isConvolution(op) ||
          matchPackedMatmul(op, panel, maps))
        candidates.push_back(op);
    });
    for (linalg::LinalgOp op : candidates)
      rewrite(op);
  }

  /// The convolutions the kernels take: the named NCHW ones, and the
  /// channels-last-filter generic of kiln-fold-constant-transposes.
  static bool isConvolution(linalg::LinalgOp op) {
    SmallVector<int64_t> unused;
    if (isa<linalg::Conv2DNchwFchwOp, linalg::DepthwiseConv2DNchwChwOp>(op))
      return true;
    auto g = dyn_cast<linalg::GenericOp>(op.getOperation());
    return g && KernelBuilder::matchPackedConv(g, unused, unused);
  }

  /// The value `g` writes to every element of `c`, when it is a fill in
  /// disguise: no inputs, `c` its only output, a body that yields a value
  /// defined outside it.
  static Value filledValue(linalg::GenericOp g, Value c) {
    if (g.getNumDpsInputs() != 0 || g.getNumDpsInits() != 1 ||
        g.getDpsInits()[0] != c)
      return {};
    Block &body = g.getRegion().front();
    if (body.getOperations().size() != 1)
      return {};
    Value v = body.getTerminator()->getOperand(0);
    if (v.getParentRegion() == &g.getRegion())
      return {};
    return v;
  }

  /// Whether `g` writes every element of `buffer` (its only output, an
  /// identity map, every loop parallel) without reading it.
  static bool overwritesWhole(linalg::GenericOp g, Value buffer) {
    if (g.getNumDpsInits() != 1 || g.getDpsInits()[0] != buffer ||
        g.getNumReductionLoops() != 0 ||
        !g.getIndexingMapsArray().back().isIdentity())
      return false;
    for (Value in : g.getDpsInputs())
      if (rootOf(in) == buffer)
        return false;
    Block &body = g.getRegion().front();
    return body.getArgument(body.getNumArguments() - 1).use_empty();
  }

  void rewrite(linalg::LinalgOp op) {
    bool conv = isConvolution(op);
    linalg::ContractionDimensions noDims;
    FailureOr<linalg::ContractionDimensions> dims = noDims;
    int64_t panel = 0;
    SmallVector<AffineMap> unpackedMaps;
    bool packed = !conv && matchPackedMatmul(op, panel, unpackedMaps);
    if (packed)
      dims = linalg::inferContractionDims(unpackedMaps);
    else if (!conv)
      dims = linalg::inferContractionDims(op);
    if (failed(dims))
      return;
    // Convolutions: 8 output channels x 2 vectors of output columns, tiles
    // of 64 channels (one row of the output image each).
    KernelBuilder kernel(op, *dims, vectorBits / 32, conv ? 8 : rowsPerKernel,
                         conv ? 2 : vectorsPerKernel, conv ? 64 : tileRows,
                         tileCols);
    if (packed) {
      kernel.panelCols = panel;
      kernel.unpackedMaps = unpackedMaps;
    }
    if (!conv)
      kernel.kBlock = kBlock;
    // Convolutions along channels: up to 12 pixels x 2 vectors (6 x 2 with
    // 16 vector registers), fewer where the image's pixels divide better
    // (chooseChannelRows), so that one strip of a 3x3 filter's channels
    // (C x 9 x 2 vectors) stays in L2 while every pixel tile reads it. 14
    // pixels (28 accumulators) ran 7x7x512 at half speed.
    int64_t channelRows = vectorBits >= 512 ? 12 : 6;
    if (failed(conv ? kernel.matchConv(op, channelRows, /*channelVectors=*/2,
                                       rowsPerKernel, vectorsPerKernel)
                    : kernel.match()))
      return;
    Value c = op.getDpsInits()[0];
    Value cRoot = rootOf(c);
    Operation *fill = nullptr;
    Value fillValue;
    linalg::GenericOp initializer;
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
        // Deallocations and size queries do not read the contents.
        if (user == op.getOperation() ||
            isa<memref::DeallocOp, memref::DimOp>(user))
          continue;
        bool before = user->isBeforeInBlock(op);
        if (auto f = dyn_cast<linalg::FillOp>(user);
            f && before && f.getDpsInits()[0] == c) {
          fill = f;
          fillValue = f.getDpsInputs()[0];
          hasInitializer = false;
          continue;
        }
        auto g = dyn_cast<linalg::GenericOp>(user);
        // A generic that writes one value from outside its body everywhere
        // (what a zero bias folds to) is a fill too.
        if (Value v = g && before ? filledValue(g, c) : Value()) {
          fill = g;
          fillValue = v;
          hasInitializer = false;
          continue;
        }
        // An initializer that only writes the accumulator: the kernel loads
        // what it wrote.
        if (g && before && g.getNumDpsInits() == 1 && g.getDpsInits()[0] == c &&
            !llvm::is_contained(g.getDpsInputs(), c)) {
          Block &body = g.getRegion().front();
          if (body.getArgument(body.getNumArguments() - 1).use_empty()) {
            hasInitializer = true;
            initializer = g;
            continue;
          }
        }
        if (!before && !consumer && g &&
            llvm::is_contained(g.getDpsInputs(), c)) {
          consumer = g;
          continue;
        }
        // A later op that overwrites the whole buffer without reading it
        // (bufferization reusing it for another result, as a depthwise
        // convolution's Clip reuses its expansion's): what the kernel
        // leaves there is dead, and later users see that op's result.
        if (!before && consumer && g && overwritesWhole(g, cRoot))
          break;
        // Later readers see the final contents; a returned buffer (a model
        // that ends in a convolution) is read after everything.
        if (!before && (consumer || isa<func::ReturnOp>(user))) {
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
      if (!private_ || !hasInitializer)
        initializer = {};
    }
    // Convolutions along channels read a broadcast bias themselves rather
    // than gather it back from C.
    if (initializer && (!conv || !kernel.matchInitializer(initializer)))
      initializer = {};
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
      init = fillValue;
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
    if (initializer)
      initializer->erase();
  }
};
} // namespace
