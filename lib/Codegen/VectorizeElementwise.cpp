//===- VectorizeElementwise.cpp - Vector loops for elementwise ops --------===//
//
// Elementwise ops that no kernel took (gate activations of an LSTM, a
// residual add between two kernels, casts, clips) reach this point as linalg
// ops on buffers; lowered as they are, each is a scalar loop nest, and its
// exp, tanh or erf a libm call per element. This pass turns each such op
// into one scf.parallel over its outer dimensions around a vector loop
// along the innermost one (full vectors, then one masked vector), with the
// body cloned onto vectors (VectorLoops.h, shared with the row kernels);
// kiln-approximate-vector-math later makes f32 exp/tanh/erf/log
// polynomials.
//
// What is vectorized: every loop parallel; outputs with identity maps and
// a contiguous innermost dimension; each input read along the innermost
// loop contiguously (as its own innermost dimension), or not depending on
// it at all (a per-row value, a scalar: loaded once per row and broadcast).
// Anything else (a transposed input, linalg.index, integer division, i1
// buffers) stays a scalar loop nest.
//
// The "column" the vector loop walks is not always one dimension: trailing
// loops that every operand reads contiguously in order (identity layouts,
// so that a collapse_shape view exists) or not at all are collapsed into
// one. A [B, 49, 7] op then runs as vectors over 343 elements per row, and
// a same-shape op over the whole buffer. The column is cut into chunks (a
// dimension of the scf.parallel) so that threads share an op whose outer
// dimensions are short, a batch of 1 say.
//
// Max and sum pools (MaxPool, AveragePool's window sums) are not all
// parallel (the window is a reduction) and get their own vector loop along
// the output row, the window unrolled (vectorizePool).
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Passes.h"

#include "VectorLoops.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#define DEBUG_TYPE "kiln-vectorize-elementwise"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNVECTORIZEELEMENTWISE
#include "kiln/Codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

/// How the op reads or writes one operand.
struct Access {
  /// The map's results: a loop, or -1 for the constant 0. Empty for a
  /// scalar operand.
  SmallVector<int64_t> loops;
  bool isBuffer = false;
  /// The first memref dimension of the column (the dimensions from there on
  /// are collapsed into one); -1 when the operand does not depend on the
  /// column (it is broadcast along it).
  int64_t columnStart = -1;
};

/// An op and how to vectorize it.
struct Plan {
  linalg::LinalgOp op;
  /// The first loop of the column; the loops before it are outer loops.
  unsigned firstColumnLoop = 0;
  /// One per operand of the op, in operand order.
  SmallVector<Access> accesses;
};

/// Where the column starts in `type` read through `loops`, when the loops
/// from `k` on (those of static size 1 aside) are the column: -1 for an
/// operand that does not depend on them, failure when it reads them other
/// than contiguously in order.
FailureOr<int64_t> columnStartFor(ArrayRef<int64_t> loops, MemRefType type,
                                  int64_t k, ArrayRef<int64_t> ranges) {
  int64_t numLoops = ranges.size();
  auto isColumnLoop = [&](int64_t l) { return l >= k && ranges[l] != 1; };
  int64_t start = -1;
  for (auto [i, l] : llvm::enumerate(loops))
    if (isColumnLoop(l)) {
      start = i;
      break;
    }
  if (start < 0)
    return int64_t(-1);
  // From `start` on: column loops in increasing order (unit ones may be
  // missing), or memref dimensions of size 1 (indexed by 0 whatever the
  // map says).
  SmallVector<int64_t> seen;
  for (int64_t i = start, e = loops.size(); i < e; ++i) {
    if (loops[i] >= k) {
      if (!seen.empty() && loops[i] <= seen.back())
        return failure();
      seen.push_back(loops[i]);
    } else if (type.getDimSize(i) != 1) {
      return failure();
    }
  }
  for (int64_t l = k; l < numLoops; ++l)
    if (isColumnLoop(l) && !llvm::is_contained(seen, l))
      return failure();
  int64_t rank = type.getRank();
  if (start == rank - 1)
    return kiln::hasContiguousInnermostDim(type) ? start : FailureOr<int64_t>();
  SmallVector<ReassociationIndices> groups;
  for (int64_t i = 0; i < start; ++i)
    groups.push_back({i});
  groups.push_back(llvm::to_vector(llvm::seq<int64_t>(start, rank)));
  if (!memref::CollapseShapeOp::isGuaranteedCollapsible(type, groups) ||
      !kiln::hasContiguousInnermostDim(
          memref::CollapseShapeOp::computeCollapsedType(type, groups)))
    return failure();
  return start;
}

/// Analyzes `op`; fails when it is not an elementwise op this pass takes.
FailureOr<Plan> analyze(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumLoops() == 0 ||
      op.getNumParallelLoops() != op.getNumLoops() ||
      isa<linalg::FillOp>(op.getOperation()) || !op.getBlock() ||
      !kiln::isVectorizableBody(*op.getBlock()))
    return failure();
  Block &body = *op.getBlock();
  for (BlockArgument arg : body.getArguments())
    if (!kiln::isVectorizableElementType(arg.getType()))
      return failure();
  for (Value v : body.getTerminator()->getOperands())
    if (!kiln::isVectorizableElementType(v.getType()))
      return failure();

  Plan plan;
  plan.op = op;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  for (OpOperand &operand : op->getOpOperands()) {
    Access access;
    Type type = operand.get().getType();
    if (!isa<MemRefType>(type)) {
      // A scalar input (its map has no results).
      if (op.isDpsInit(&operand) || !type.isIntOrFloat())
        return failure();
      plan.accesses.push_back(access);
      continue;
    }
    access.isBuffer = true;
    AffineMap map = maps[operand.getOperandNumber()];
    for (AffineExpr e : map.getResults()) {
      if (auto d = dyn_cast<AffineDimExpr>(e)) {
        if (llvm::is_contained(access.loops, (int64_t)d.getPosition()))
          return failure();
        access.loops.push_back(d.getPosition());
      } else if (auto c = dyn_cast<AffineConstantExpr>(e);
                 c && c.getValue() == 0) {
        access.loops.push_back(-1);
      } else {
        return failure();
      }
    }
    if (op.isDpsInit(&operand) && !map.isIdentity())
      return failure();
    plan.accesses.push_back(access);
  }

  // An input that aliases an output must be that very buffer read the same
  // way: vectors read ahead of the scalar order otherwise.
  for (OpOperand &out : op.getDpsInitsMutable()) {
    Value root = kiln::rootBuffer(out.get());
    for (OpOperand *in : op.getDpsInputOperands()) {
      if (!isa<MemRefType>(in->get().getType()) ||
          kiln::rootBuffer(in->get()) != root)
        continue;
      if (in->get() != out.get() ||
          maps[in->getOperandNumber()] != maps[out.getOperandNumber()])
        return failure();
    }
  }

  // The column: the most trailing loops every operand takes.
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t numLoops = ranges.size();
  int64_t best = -1;
  bool columnHasWork = false;
  for (int64_t k = numLoops - 1; k >= 0; --k) {
    columnHasWork |= ranges[k] != 1;
    SmallVector<int64_t> starts;
    bool fits = true;
    for (OpOperand &operand : op->getOpOperands()) {
      const Access &access = plan.accesses[operand.getOperandNumber()];
      if (!access.isBuffer) {
        starts.push_back(-1);
        continue;
      }
      auto start = columnStartFor(
          access.loops, cast<MemRefType>(operand.get().getType()), k, ranges);
      if (failed(start) ||
          (op.isDpsInit(&operand) && columnHasWork && *start < 0)) {
        fits = false;
        break;
      }
      starts.push_back(*start);
    }
    if (!fits)
      break;
    if (!columnHasWork)
      continue;
    best = k;
    for (auto [access, start] : llvm::zip(plan.accesses, starts))
      access.columnStart = start;
  }
  if (best < 0)
    return failure();
  plan.firstColumnLoop = best;
  return plan;
}

class PlanBuilder {
public:
  PlanBuilder(Plan &plan, int64_t lanes, int64_t chunk)
      : plan(plan), lanes(lanes), chunk(chunk) {}

  void build() {
    linalg::LinalgOp op = plan.op;
    OpBuilder b(op);
    Location loc = op.getLoc();
    unsigned k = plan.firstColumnLoop;
    SmallVector<Value> sizes;
    for (Range &range : op.createLoopRanges(b, loc))
      sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, range.size));
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    // The column's length (a constant when static: whether it needs chunks
    // is decided here, not after folding).
    // (The ranges are kept alive: an ArrayRef of the temporary dangled.)
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    std::optional<int64_t> staticColumns = 1;
    for (int64_t range : ArrayRef<int64_t>(ranges).drop_front(k))
      staticColumns = ShapedType::isDynamic(range) || !staticColumns
                          ? std::nullopt
                          : std::optional<int64_t>(*staticColumns * range);
    Value columns;
    if (staticColumns) {
      columns = arith::ConstantIndexOp::create(b, loc, *staticColumns);
    } else {
      columns = sizes[k];
      for (unsigned l = k + 1; l < sizes.size(); ++l)
        columns = arith::MulIOp::create(b, loc, columns, sizes[l]);
    }

    // Views with the column collapsed into one dimension.
    for (auto [operand, access] :
         llvm::zip(op->getOpOperands(), plan.accesses)) {
      Value v = operand.get();
      if (access.isBuffer && access.columnStart >= 0) {
        int64_t rank = cast<MemRefType>(v.getType()).getRank();
        if (access.columnStart < rank - 1) {
          SmallVector<ReassociationIndices> groups;
          for (int64_t i = 0; i < access.columnStart; ++i)
            groups.push_back({i});
          groups.push_back(
              llvm::to_vector(llvm::seq<int64_t>(access.columnStart, rank)));
          v = memref::CollapseShapeOp::create(b, loc, v, groups);
        }
      }
      views.push_back(v);
    }

    // The parallel loop: the outer loops, then chunks of the column unless
    // it fits in one.
    SmallVector<Value> lbs, ubs, steps;
    for (unsigned l = 0; l < k; ++l) {
      lbs.push_back(zero);
      ubs.push_back(sizes[l]);
      steps.push_back(one);
    }
    bool chunked = !staticColumns || *staticColumns > chunk;
    Value chunkSize = arith::ConstantIndexOp::create(b, loc, chunk);
    if (chunked) {
      lbs.push_back(zero);
      ubs.push_back(arith::CeilDivUIOp::create(b, loc, columns, chunkSize));
      steps.push_back(one);
    }
    SmallVector<Value> ivs;
    OpBuilder::InsertionGuard guard(b);
    if (!lbs.empty()) {
      auto par = scf::ParallelOp::create(b, loc, lbs, ubs, steps);
      b.setInsertionPointToStart(par.getBody());
      ivs = par.getInductionVars();
    }
    outerIvs.assign(ivs.begin(), ivs.begin() + k);
    Value colLb = zero, colUb = columns;
    if (chunked) {
      colLb = arith::MulIOp::create(b, loc, ivs.back(), chunkSize);
      colUb = arith::MinUIOp::create(
          b, loc, arith::AddIOp::create(b, loc, colLb, chunkSize), columns);
    }

    // Operands that do not depend on the column: loaded and broadcast once.
    Block &body = *op.getBlock();
    SmallVector<Value> invariant(views.size());
    for (auto [i, access] : llvm::enumerate(plan.accesses)) {
      if (body.getArgument(i).use_empty() ||
          (access.isBuffer && access.columnStart >= 0))
        continue;
      Value s = views[i];
      if (access.isBuffer)
        s = memref::LoadOp::create(b, loc, s, indices(b, loc, i, Value()));
      invariant[i] = vector::BroadcastOp::create(
          b, loc, VectorType::get({lanes}, s.getType()), s);
    }

    auto outputs = op.getDpsInitsMutable();
    unsigned firstOutput = outputs.empty() ? 0 : outputs[0].getOperandNumber();
    kiln::buildVectorColumns(
        b, loc, colLb, colUb, lanes, Value(),
        [&](OpBuilder &b, Value col, Value mask, Value) -> Value {
          SmallVector<Value> args;
          for (unsigned i = 0; i < views.size(); ++i) {
            if (invariant[i] || body.getArgument(i).use_empty())
              args.push_back(invariant[i]);
            else
              args.push_back(load(b, loc, i, col, mask));
          }
          IRMapping map;
          kiln::cloneBody(b, loc, body, args, nullptr, lanes, map);
          for (auto [j, v] :
               llvm::enumerate(body.getTerminator()->getOperands())) {
            unsigned i = firstOutput + j;
            Value value = kiln::lookupBodyValue(b, loc, map, v, lanes);
            auto idx = indices(b, loc, i, col);
            if (mask)
              vector::MaskedStoreOp::create(b, loc, views[i], idx, mask, value);
            else
              vector::StoreOp::create(b, loc, value, views[i], idx);
          }
          return Value();
        });
    op->erase();
  }

private:
  /// The indices of operand `i` (its view) at column `col` (null for an
  /// operand that does not depend on the column).
  SmallVector<Value> indices(OpBuilder &b, Location loc, unsigned i,
                             Value col) {
    const Access &access = plan.accesses[i];
    int64_t end = access.columnStart >= 0 ? access.columnStart
                                          : (int64_t)access.loops.size();
    SmallVector<Value> result;
    for (int64_t p = 0; p < end; ++p) {
      int64_t l = access.loops[p];
      if (l >= 0 && l < (int64_t)outerIvs.size())
        result.push_back(outerIvs[l]);
      else
        result.push_back(arith::ConstantIndexOp::create(b, loc, 0));
    }
    if (access.columnStart >= 0)
      result.push_back(col);
    return result;
  }

  Value load(OpBuilder &b, Location loc, unsigned i, Value col, Value mask) {
    auto type = VectorType::get(
        {lanes}, cast<MemRefType>(views[i].getType()).getElementType());
    auto idx = indices(b, loc, i, col);
    if (!mask)
      return vector::LoadOp::create(b, loc, type, views[i], idx);
    Value pass = arith::ConstantOp::create(b, loc, type, b.getZeroAttr(type));
    return vector::MaskedLoadOp::create(b, loc, type, views[i], idx, mask,
                                        pass);
  }

  Plan &plan;
  int64_t lanes;
  int64_t chunk;
  SmallVector<Value> views;
  SmallVector<Value> outerIvs;
};

/// Pooling windows: linalg.pooling_nchw_max (MaxPool) and
/// linalg.pooling_nchw_sum (AveragePool's sums) on buffers. Their window
/// loops are reductions, so the elementwise plan does not take them, and
/// LLVM's own vectorization of the scalar nest left most of resnet18's
/// 3x3 stride-2 max pool in scalar NaN-propagating maximum sequences. Each
/// becomes one scf.parallel over (batch, channel, output row) around a
/// vector loop along the output row: the accumulator starts from the
/// value of the fill just before the pool (which then goes, see
/// fillBefore), else it is loaded from the output; the window is unrolled
/// (at most `maxWindow` positions) and each position's input row read as
/// one vector (stride 1) or as two vectors' worth of contiguous elements,
/// masked at the end of the input row, whose even elements are picked by a
/// shuffle (stride 2).
/// The padding is already in the input (tensor.pad or padSpatial), so
/// every read of a live output lane is in bounds. Other strides, integer
/// bodies that could trap, and inputs that share a buffer with the output
/// stay scalar. Returns whether `op` was replaced.
constexpr int64_t maxWindow = 64;

/// The value a fill of all of `output` just before `op` (only allocations and
/// ops without memory effects between them) writes, and that fill: a
/// linalg.fill or a generic that yields a value from outside. The pool writes
/// every output element, so its accumulators can start from that value and the
/// fill can go: resnet18's max pool output (800 KB) was filled with -inf in a
/// pass of its own, 0.3 ms, one element per cache line as LLVM
/// vectorized it.
std::pair<Value, Operation *> fillBefore(Operation *op, Value output) {
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    if (auto fill = dyn_cast<linalg::FillOp>(prev)) {
      if (fill.hasPureBufferSemantics() && fill.getDpsInits()[0] == output)
        return {fill.getInputs()[0], fill};
      return {};
    }
    if (auto g = dyn_cast<linalg::GenericOp>(prev)) {
      if (!g.hasPureBufferSemantics() || g.getNumDpsInputs() != 0 ||
          g.getNumDpsInits() != 1 || g.getDpsInits()[0] != output ||
          g.getBody()->getOperations().size() != 1)
        return {};
      Value v = g.getBody()->getTerminator()->getOperand(0);
      if (v.getParentRegion() == &g.getRegion())
        return {};
      return {v, g};
    }
    // The window's buffer is allocated between the fill and the pool.
    if (!isMemoryEffectFree(prev) && !isa<memref::AllocOp>(prev))
      return {};
  }
  return {};
}

bool vectorizePool(linalg::LinalgOp op, int64_t lanes) {
  DenseIntElementsAttr stridesAttr, dilationsAttr;
  if (auto pool = dyn_cast<linalg::PoolingNchwMaxOp>(op.getOperation())) {
    stridesAttr = pool.getStrides();
    dilationsAttr = pool.getDilations();
  } else if (auto pool =
                 dyn_cast<linalg::PoolingNchwSumOp>(op.getOperation())) {
    stridesAttr = pool.getStrides();
    dilationsAttr = pool.getDilations();
  } else {
    return false;
  }
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !op.getBlock() ||
      !kiln::isVectorizableBody(*op.getBlock()))
    return false;
  SmallVector<int64_t> strides(stridesAttr.getValues<int64_t>());
  SmallVector<int64_t> dilations(dilationsAttr.getValues<int64_t>());
  Value input = op.getDpsInputOperand(0)->get();
  Value window = op.getDpsInputOperand(1)->get();
  Value output = op.getDpsInitOperand(0)->get();
  auto inType = dyn_cast<MemRefType>(input.getType());
  auto winType = dyn_cast<MemRefType>(window.getType());
  auto outType = dyn_cast<MemRefType>(output.getType());
  if (!inType || !winType || !outType || inType.getRank() != 4 ||
      outType.getRank() != 4 || winType.getRank() != 2 ||
      !winType.hasStaticShape() || strides.size() != 2 || dilations.size() != 2)
    return false;
  Type elementType = outType.getElementType();
  if (inType.getElementType() != elementType ||
      !kiln::isVectorizableElementType(elementType) ||
      !kiln::hasContiguousInnermostDim(inType) ||
      !kiln::hasContiguousInnermostDim(outType))
    return false;
  int64_t kh = winType.getDimSize(0), kw = winType.getDimSize(1);
  if (kh * kw > maxWindow || kh < 1 || kw < 1 ||
      (strides[1] != 1 && strides[1] != 2) ||
      kiln::rootBuffer(input) == kiln::rootBuffer(output))
    return false;

  OpBuilder b(op);
  Location loc = op.getLoc();
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto dim = [&](Value v, int64_t d) -> Value {
    return b.createOrFold<memref::DimOp>(loc, v, d);
  };
  Value zero = index(0), one = index(1);
  Value inWidth = dim(input, 3);
  auto par = scf::ParallelOp::create(
      b, loc, ValueRange{zero, zero, zero},
      ValueRange{dim(output, 0), dim(output, 1), dim(output, 2)},
      ValueRange{one, one, one});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(par.getBody());
  Value n = par.getInductionVars()[0], c = par.getInductionVars()[1];
  Value oh = par.getInductionVars()[2];
  Value rowBase = arith::MulIOp::create(b, loc, oh, index(strides[0]));
  auto type = VectorType::get({lanes}, elementType);
  auto wideType = VectorType::get({2 * lanes}, elementType);
  SmallVector<int64_t> evens;
  for (int64_t i = 0; i < lanes; ++i)
    evens.push_back(2 * i);
  Block &body = *op.getBlock();
  Value yielded = body.getTerminator()->getOperand(0);
  auto [initial, fill] = fillBefore(op, output);
  if (initial && initial.getType() != elementType)
    initial = Value();
  Value initialVector;
  if (initial)
    initialVector = vector::BroadcastOp::create(b, loc, type, initial);

  kiln::buildVectorColumns(
      b, loc, zero, dim(output, 3), lanes, Value(),
      [&](OpBuilder &b, Value col, Value mask, Value) -> Value {
        Value pass =
            arith::ConstantOp::create(b, loc, type, b.getZeroAttr(type));
        SmallVector<Value> outIdx{n, c, oh, col};
        Value acc = initialVector ? initialVector
                    : mask
                        ? vector::MaskedLoadOp::create(b, loc, type, output,
                                                       outIdx, mask, pass)
                              .getResult()
                        : vector::LoadOp::create(b, loc, type, output, outIdx)
                              .getResult();
        Value colBase = arith::MulIOp::create(b, loc, col, index(strides[1]));
        Value widePass = arith::ConstantOp::create(b, loc, wideType,
                                                   b.getZeroAttr(wideType));
        for (int64_t i = 0; i < kh; ++i) {
          Value ih =
              arith::AddIOp::create(b, loc, rowBase, index(i * dilations[0]));
          for (int64_t j = 0; j < kw; ++j) {
            Value iw =
                arith::AddIOp::create(b, loc, colBase, index(j * dilations[1]));
            SmallVector<Value> inIdx{n, c, ih, iw};
            Value x;
            if (strides[1] == 1) {
              x = mask ? vector::MaskedLoadOp::create(b, loc, type, input,
                                                      inIdx, mask, pass)
                             .getResult()
                       : vector::LoadOp::create(b, loc, type, input, inIdx)
                             .getResult();
            } else {
              // Two vectors' worth from iw on, cut at the row's end (the
              // last odd element a full vector would read lies past it).
              Value left = arith::SubIOp::create(b, loc, inWidth, iw);
              Value rowMask = vector::CreateMaskOp::create(
                  b, loc, VectorType::get({2 * lanes}, b.getI1Type()),
                  ValueRange{left});
              Value wide = vector::MaskedLoadOp::create(
                  b, loc, wideType, input, inIdx, rowMask, widePass);
              x = vector::ShuffleOp::create(b, loc, wide, wide, evens);
            }
            IRMapping map;
            kiln::cloneBody(b, loc, body, ValueRange{x, Value(), acc}, nullptr,
                            lanes, map);
            acc = kiln::lookupBodyValue(b, loc, map, yielded, lanes);
            // Which zero a window of -0 and +0 yields does not matter to a
            // pool (PyTorch keeps the first); without that guarantee LLVM
            // drops the sign fix-up of its NaN-propagating maximum (6 to
            // 3 instructions per element). NaNs still propagate.
            if (auto max = acc.getDefiningOp<arith::MaximumFOp>())
              max.setFastmath(max.getFastmath() | arith::FastMathFlags::nsz);
          }
        }
        if (mask)
          vector::MaskedStoreOp::create(b, loc, output, outIdx, mask, acc);
        else
          vector::StoreOp::create(b, loc, acc, output, outIdx);
        return Value();
      });
  if (initialVector)
    fill->erase();
  op->erase();
  return true;
}

struct KilnVectorizeElementwisePass
    : public kiln::impl::KilnVectorizeElementwiseBase<
          KilnVectorizeElementwisePass> {
  using KilnVectorizeElementwiseBase::KilnVectorizeElementwiseBase;

  void runOnOperation() override {
    if (vectorBits % 32 || vectorBits < 128) {
      getOperation().emitError("kiln-vectorize-elementwise: vector-bits "
                               "must be a multiple of 32, at least 128");
      return signalPassFailure();
    }
    int64_t lanes = vectorBits / 32;
    if (chunkElements < lanes || chunkElements % lanes) {
      getOperation().emitError("kiln-vectorize-elementwise: chunk-elements "
                               "must be a positive multiple of the lanes (")
          << lanes << ")";
      return signalPassFailure();
    }
    SmallVector<Plan> plans;
    SmallVector<linalg::LinalgOp> pools;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isa<linalg::PoolingNchwMaxOp, linalg::PoolingNchwSumOp>(
              op.getOperation())) {
        pools.push_back(op);
        return;
      }
      FailureOr<Plan> plan = analyze(op);
      if (succeeded(plan))
        plans.push_back(*plan);
    });
    for (Plan &plan : plans)
      PlanBuilder(plan, lanes, chunkElements).build();
    for (linalg::LinalgOp pool : pools)
      (void)vectorizePool(pool, lanes);
  }
};

} // namespace
