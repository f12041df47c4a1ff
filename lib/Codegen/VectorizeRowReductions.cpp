//===- VectorizeRowReductions.cpp - Fused, vectorized row reductions ------===//
//
// Softmax and layer normalization reach the buffers as a chain of small ops
// over the same rows: fills of per-row accumulators, reductions along the
// innermost dimension (max, sum), elementwise ops that read a row and a
// per-row value (x - max, exp, divide; x - mean, square, scale), and
// per-row scalar ops (mean = sum / n, 1 / sqrt(var + eps)). Lowered one by
// one, each is a scalar loop nest over the whole tensor, with libm calls
// for exp.
//
// This pass finds each run of consecutive such ops (in one block, separated
// at most by allocations, views, size queries, pure index arithmetic and
// deallocations) that contains a reduction and whose ops share the same
// rows, and replaces the run by one scf.parallel over the rows. For each
// row the ops run in order: elementwise ops and reductions as vector loops
// along the row (masked tail), a reduction into a vector accumulator and
// one vector.reduction at the end, per-row ops on scalars. A row (a few KB)
// stays in L1 from the first op to the last. Intermediate buffers are still
// written (later ops may read them), but only while hot in cache.
//
// A buffer written in the run must be read and written by every op of the
// run at the same row (same root, identity layouts, the non-unit
// dimensions indexed by the row loops in order and then the column), so
// running the ops row by row gives what running them one after the other
// does. Reductions along any other axis, and ops that read a row-written
// buffer across rows, end or prevent a run.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Passes.h"

#include "VectorLoops.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include <limits>

#define DEBUG_TYPE "kiln-vectorize-row-reductions"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNVECTORIZEROWREDUCTIONS
#include "kiln/Codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

using kiln::rootBuffer;

/// A size, traced back to where it comes from, so that sizes of different
/// views of the same data compare equal: a constant, or an SSA value (an
/// allocation's size, a function argument's dimension, index arithmetic).
struct SizeKey {
  int64_t constant = ShapedType::kDynamic;
  Value value;
  int64_t dim = -1;
  bool operator==(const SizeKey &o) const {
    return constant == o.constant && value == o.value && dim == o.dim;
  }
};

SizeKey sizeOfValue(Value v);

/// The size of dimension `dim` of `memref`.
SizeKey sizeOfDim(Value memref, int64_t dim) {
  auto type = cast<MemRefType>(memref.getType());
  if (!type.isDynamicDim(dim))
    return {type.getDimSize(dim), {}, -1};
  if (auto alloc = memref.getDefiningOp<memref::AllocOp>())
    return sizeOfValue(alloc.getDynamicSizes()[type.getDynamicDimIndex(dim)]);
  if (auto expand = memref.getDefiningOp<memref::ExpandShapeOp>()) {
    OpFoldResult size = expand.getMixedOutputShape()[dim];
    if (auto v = dyn_cast<Value>(size))
      return sizeOfValue(v);
  }
  if (auto collapse = memref.getDefiningOp<memref::CollapseShapeOp>()) {
    auto group = collapse.getReassociationIndices()[dim];
    auto srcType = collapse.getSrcType();
    // One dynamic source dimension in the group, the others 1.
    int64_t dynamic = -1;
    for (int64_t d : group) {
      if (srcType.isDynamicDim(d)) {
        if (dynamic >= 0)
          return {ShapedType::kDynamic, memref, dim};
        dynamic = d;
      } else if (srcType.getDimSize(d) != 1) {
        return {ShapedType::kDynamic, memref, dim};
      }
    }
    if (dynamic >= 0)
      return sizeOfDim(collapse.getSrc(), dynamic);
  }
  return {ShapedType::kDynamic, memref, dim};
}

SizeKey sizeOfValue(Value v) {
  if (auto c = getConstantIntValue(v))
    return {*c, {}, -1};
  if (auto dim = v.getDefiningOp<memref::DimOp>())
    if (auto index = dim.getConstantIndex())
      return sizeOfDim(dim.getSource(), *index);
  return {ShapedType::kDynamic, v, -1};
}

/// How one operand is indexed: for each memref dimension, a loop or -1 for
/// the constant 0.
struct Operand {
  Value memref;
  SmallVector<int64_t> loops;
  bool hasCol = false;
};

/// One op of a run: a linalg.fill or generic over (rows..., column), or a
/// memref.copy (bufferization copies a shared accumulator's fill).
struct RowOp {
  Operation *self = nullptr;
  /// Null for a copy.
  linalg::LinalgOp op;
  bool copy = false;
  /// The loops over rows (non-unit outer loops), in order, and the column
  /// loop (the last loop; absent for a fill of a row of one element).
  SmallVector<unsigned> rowLoops;
  unsigned colLoop = 0;
  SmallVector<SizeKey> rowSizes;
  SizeKey colSize;
  bool reduction = false;
  SmallVector<Operand> inputs;
  Operand output;
  /// For reductions: the combining op of the body.
  Operation *combiner = nullptr;
};

/// The neutral element of a combining op and its vector.reduction kind.
std::optional<std::pair<double, vector::CombiningKind>>
combinerInfo(Operation *op) {
  double inf = std::numeric_limits<double>::infinity();
  if (isa<arith::AddFOp>(op))
    return std::make_pair(0.0, vector::CombiningKind::ADD);
  if (isa<arith::MulFOp>(op))
    return std::make_pair(1.0, vector::CombiningKind::MUL);
  if (isa<arith::MaximumFOp>(op))
    return std::make_pair(-inf, vector::CombiningKind::MAXIMUMF);
  if (isa<arith::MinimumFOp>(op))
    return std::make_pair(inf, vector::CombiningKind::MINIMUMF);
  if (isa<arith::MaxNumFOp>(op))
    return std::make_pair(-inf, vector::CombiningKind::MAXNUMF);
  if (isa<arith::MinNumFOp>(op))
    return std::make_pair(inf, vector::CombiningKind::MINNUMF);
  return std::nullopt;
}

/// Analyzes `op` as a row op; fails when it is not one.
FailureOr<RowOp> analyze(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumLoops() == 0)
    return failure();
  auto fill = dyn_cast<linalg::FillOp>(op.getOperation());
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!fill && !generic)
    return failure();
  RowOp row;
  row.self = op;
  row.op = op;
  unsigned numLoops = op.getNumLoops();
  row.colLoop = numLoops - 1;
  SmallVector<int64_t> staticRanges = op.getStaticLoopRanges();
  auto iterators = op.getIteratorTypesArray();
  for (unsigned d = 0; d + 1 < numLoops; ++d)
    if (iterators[d] != utils::IteratorType::parallel)
      return failure();
  row.reduction = iterators.back() == utils::IteratorType::reduction;
  if (row.reduction && !generic)
    return failure();

  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  auto operandOf = [&](OpOperand &operand) -> std::optional<Operand> {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    if (!type || !type.getElementType().isF32())
      return std::nullopt;
    AffineMap map = maps[operand.getOperandNumber()];
    Operand result{operand.get(), {}, false};
    for (AffineExpr e : map.getResults()) {
      if (auto d = dyn_cast<AffineDimExpr>(e)) {
        result.loops.push_back(d.getPosition());
      } else if (auto c = dyn_cast<AffineConstantExpr>(e);
                 c && c.getValue() == 0) {
        result.loops.push_back(-1);
      } else {
        return std::nullopt;
      }
    }
    // The column, when read, is the contiguous innermost dimension.
    for (auto [i, l] : llvm::enumerate(result.loops))
      if (l == (int64_t)row.colLoop) {
        if (i + 1 != result.loops.size() ||
            !kiln::hasContiguousInnermostDim(type))
          return std::nullopt;
        result.hasCol = true;
      }
    return result;
  };
  for (OpOperand *operand : op.getDpsInputOperands()) {
    if (!isa<MemRefType>(operand->get().getType())) {
      // A fill's scalar.
      if (!fill || !operand->get().getType().isF32())
        return failure();
      continue;
    }
    auto access = operandOf(*operand);
    if (!access)
      return failure();
    row.inputs.push_back(*access);
  }
  auto output = operandOf(*op.getDpsInitOperand(0));
  if (!output)
    return failure();
  row.output = *output;
  // The output is indexed by every row loop (and the column unless this is a
  // reduction), each once.
  for (unsigned d = 0; d < numLoops; ++d) {
    bool unit = staticRanges[d] == 1;
    bool isCol = d == row.colLoop;
    if (!isCol && unit)
      continue;
    if (isCol && (row.reduction || unit))
      continue;
    if (llvm::count(row.output.loops, (int64_t)d) != 1)
      return failure();
  }
  if (row.reduction && row.output.hasCol)
    return failure();

  // Sizes: of each non-unit outer loop, and of the column.
  auto sizeOfLoop = [&](unsigned d) -> std::optional<SizeKey> {
    if (!ShapedType::isDynamic(staticRanges[d]))
      return SizeKey{staticRanges[d], {}, -1};
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isa<MemRefType>(operand.get().getType()))
        continue;
      for (auto [i, e] :
           llvm::enumerate(maps[operand.getOperandNumber()].getResults()))
        if (auto dim = dyn_cast<AffineDimExpr>(e);
            dim && dim.getPosition() == d)
          return sizeOfDim(operand.get(), i);
    }
    return std::nullopt;
  };
  for (unsigned d = 0; d + 1 < numLoops; ++d) {
    if (staticRanges[d] == 1)
      continue;
    auto size = sizeOfLoop(d);
    if (!size)
      return failure();
    row.rowLoops.push_back(d);
    row.rowSizes.push_back(*size);
  }
  auto col = sizeOfLoop(row.colLoop);
  if (!col)
    return failure();
  row.colSize = *col;

  if (generic) {
    Block &body = generic.getRegion().front();
    if (!kiln::isVectorizableBody(body))
      return failure();
    BlockArgument out = body.getArgument(body.getNumArguments() - 1);
    if (row.reduction) {
      // yield combine(out, g(inputs)), out used only there.
      Operation *comb = body.getTerminator()->getOperand(0).getDefiningOp();
      if (!comb || comb->getBlock() != &body || !combinerInfo(comb) ||
          !out.hasOneUse() || out.getUses().begin()->getOwner() != comb)
        return failure();
      row.combiner = comb;
    } else if (!out.use_empty()) {
      return failure();
    }
  }
  return row;
}

/// Analyzes a memref.copy between identity-layout f32 buffers as a row op
/// (the last dimension the column).
FailureOr<RowOp> analyzeCopy(memref::CopyOp copy) {
  auto src = dyn_cast<MemRefType>(copy.getSource().getType());
  auto dst = dyn_cast<MemRefType>(copy.getTarget().getType());
  if (!src || !dst || src.getRank() == 0 || src.getRank() != dst.getRank() ||
      !src.getElementType().isF32() || !dst.getElementType().isF32() ||
      !src.getLayout().isIdentity() || !dst.getLayout().isIdentity())
    return failure();
  RowOp row;
  row.self = copy;
  row.copy = true;
  int64_t rank = src.getRank();
  row.colLoop = rank - 1;
  SmallVector<int64_t> loops = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  row.inputs.push_back(Operand{copy.getSource(), loops, true});
  row.output = Operand{copy.getTarget(), loops, true};
  for (int64_t d = 0; d + 1 < rank; ++d) {
    if (src.getDimSize(d) == 1)
      continue;
    row.rowLoops.push_back(d);
    row.rowSizes.push_back(sizeOfDim(copy.getSource(), d));
  }
  row.colSize = sizeOfDim(copy.getSource(), rank - 1);
  return row;
}

/// Whether `a` reads or writes the same row of the data as the run's row
/// loops: identity layout, the non-unit memref dimensions indexed by the
/// row loops in order (then the column).
bool rowAligned(const RowOp &row, const Operand &access) {
  auto type = cast<MemRefType>(access.memref.getType());
  if (!type.getLayout().isIdentity())
    return false;
  SmallVector<int64_t> expected(row.rowLoops.begin(), row.rowLoops.end());
  // A column of one element is a unit dimension like the others.
  if (access.hasCol && type.getShape().back() != 1)
    expected.push_back(row.colLoop);
  SmallVector<int64_t> got;
  for (auto [i, l] : llvm::enumerate(access.loops)) {
    if (type.getDimSize(i) == 1)
      continue;
    got.push_back(l);
  }
  return got == expected;
}

/// A run of row ops being collected.
struct Run {
  SmallVector<RowOp, 4> ops;
  /// Deallocations met between them: they move after the fused loop.
  SmallVector<Operation *> deallocs;
  bool hasReduction = false;

  bool compatible(const RowOp &next) const {
    if (ops.empty())
      return true;
    return next.rowSizes == ops.front().rowSizes;
  }

  /// Whether every access to a buffer that an op of the run (with `next`)
  /// writes is row-aligned.
  bool safeWith(const RowOp &next) const {
    SmallVector<const RowOp *> all;
    for (const RowOp &r : ops)
      all.push_back(&r);
    all.push_back(&next);
    llvm::SmallDenseSet<Value> written;
    for (const RowOp *r : all)
      written.insert(rootBuffer(r->output.memref));
    for (const RowOp *r : all) {
      for (const Operand &in : r->inputs)
        if (written.contains(rootBuffer(in.memref)) && !rowAligned(*r, in))
          return false;
      if (!rowAligned(*r, r->output))
        return false;
    }
    return true;
  }
};

class RunBuilder {
public:
  RunBuilder(Run &run, int64_t lanes) : run(run), lanes(lanes) {}

  void build() {
    Operation *last = run.ops.back().self;
    OpBuilder b(last);
    Location loc = last->getLoc();
    // Sizes, from the first op's loop ranges (all ops share them).
    SmallVector<SmallVector<Value>> ranges;
    for (RowOp &r : run.ops) {
      SmallVector<Value> sizes;
      if (r.copy) {
        Value src = r.inputs[0].memref;
        for (int64_t d = 0, e = cast<MemRefType>(src.getType()).getRank();
             d < e; ++d)
          sizes.push_back(memref::DimOp::create(b, loc, src, d));
      } else {
        for (Range &range : r.op.createLoopRanges(b, loc))
          sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, range.size));
      }
      ranges.push_back(sizes);
    }
    const RowOp &first = run.ops.front();
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value total = one;
    for (unsigned d : first.rowLoops)
      total = arith::MulIOp::create(b, loc, total, ranges[0][d]);
    auto par = scf::ParallelOp::create(b, loc, ValueRange{zero},
                                       ValueRange{total}, ValueRange{one});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(par.getBody());
    // The row's index in each row dimension.
    Value t = par.getInductionVars()[0];
    SmallVector<Value> rowIvs(first.rowLoops.size());
    for (int64_t i = (int64_t)first.rowLoops.size() - 1; i >= 0; --i) {
      Value size = ranges[0][first.rowLoops[i]];
      rowIvs[i] = i == 0 ? t : arith::RemUIOp::create(b, loc, t, size);
      if (i)
        t = arith::DivUIOp::create(b, loc, t, size);
    }
    for (auto [r, sizes] : llvm::zip(run.ops, ranges))
      buildOp(b, loc, r, rowIvs, sizes);
    b.setInsertionPointAfter(par);
    for (Operation *dealloc : run.deallocs)
      dealloc->moveAfter(par);
    for (RowOp &r : run.ops)
      r.self->erase();
  }

private:
  /// Indices of `access` for this row and column `col` (null for none).
  SmallVector<Value> indices(OpBuilder &b, Location loc, const RowOp &r,
                             const Operand &access, ArrayRef<Value> rowIvs,
                             Value col) {
    SmallVector<Value> result;
    for (int64_t l : access.loops) {
      auto it = llvm::find(r.rowLoops, l);
      if (l >= 0 && it != r.rowLoops.end())
        result.push_back(rowIvs[it - r.rowLoops.begin()]);
      else if (l == (int64_t)r.colLoop && col)
        result.push_back(col);
      else
        result.push_back(arith::ConstantIndexOp::create(b, loc, 0));
    }
    return result;
  }

  Value load(OpBuilder &b, Location loc, const RowOp &r, const Operand &a,
             ArrayRef<Value> rowIvs, Value col, Value mask, bool vec) {
    auto idx = indices(b, loc, r, a, rowIvs, col);
    if (!vec || !a.hasCol) {
      Value s = memref::LoadOp::create(b, loc, a.memref, idx);
      if (!vec)
        return s;
      return vector::BroadcastOp::create(b, loc, vecType(b), s);
    }
    if (!mask)
      return vector::LoadOp::create(b, loc, vecType(b), a.memref, idx);
    Value pass = arith::ConstantOp::create(b, loc, vecType(b),
                                           b.getZeroAttr(vecType(b)));
    return vector::MaskedLoadOp::create(b, loc, vecType(b), a.memref, idx, mask,
                                        pass);
  }

  VectorType vecType(OpBuilder &b, Type element = {}) {
    return VectorType::get({lanes}, element ? element : b.getF32Type());
  }

  /// The generic's body (up to `stop`, exclusive) on the loaded inputs;
  /// returns the value `want`.
  Value applyBody(OpBuilder &b, Location loc, linalg::GenericOp generic,
                  ArrayRef<Value> inputs, Operation *stop, Value want,
                  bool vec) {
    Block &body = generic.getRegion().front();
    IRMapping map;
    kiln::cloneBody(b, loc, body, inputs, stop, vec ? lanes : 0, map);
    return kiln::lookupBodyValue(b, loc, map, want, vec ? lanes : 0);
  }

  void buildOp(OpBuilder &b, Location loc, const RowOp &r,
               ArrayRef<Value> rowIvs, ArrayRef<Value> sizes) {
    if (r.copy) {
      if (r.colSize.constant == 1) {
        Value v = load(b, loc, r, r.inputs[0], rowIvs, Value(), Value(), false);
        memref::StoreOp::create(b, loc, v, r.output.memref,
                                indices(b, loc, r, r.output, rowIvs, Value()));
        return;
      }
      columns(b, loc, sizes[r.colLoop], [&](Value col, Value mask) {
        store(b, loc, r, rowIvs, col, mask,
              load(b, loc, r, r.inputs[0], rowIvs, col, mask, true));
      });
      return;
    }
    linalg::LinalgOp op = r.op;
    auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
    // A fill, or any op over rows of one element: scalar code.
    if (!generic || (!r.reduction && r.colSize.constant == 1)) {
      Value value;
      if (!generic) {
        value = op.getDpsInputs()[0];
      } else {
        SmallVector<Value> in;
        for (const Operand &a : r.inputs)
          in.push_back(load(b, loc, r, a, rowIvs, Value(), Value(), false));
        Block &body = generic.getRegion().front();
        value = applyBody(b, loc, generic, in, nullptr,
                          body.getTerminator()->getOperand(0), false);
      }
      if (!generic && r.colSize.constant != 1) {
        // A fill of whole rows.
        Value splat = vector::BroadcastOp::create(b, loc, vecType(b), value);
        columns(b, loc, sizes[r.colLoop], [&](Value col, Value mask) {
          store(b, loc, r, rowIvs, col, mask, splat);
        });
        return;
      }
      memref::StoreOp::create(b, loc, value, r.output.memref,
                              indices(b, loc, r, r.output, rowIvs, Value()));
      return;
    }
    Block &body = generic.getRegion().front();
    auto inputsAt = [&](Value col, Value mask) {
      SmallVector<Value> in;
      for (const Operand &a : r.inputs)
        in.push_back(load(b, loc, r, a, rowIvs, col, mask, true));
      return in;
    };
    if (!r.reduction) {
      columns(b, loc, sizes[r.colLoop], [&](Value col, Value mask) {
        Value v = applyBody(b, loc, generic, inputsAt(col, mask), nullptr,
                            body.getTerminator()->getOperand(0), true);
        store(b, loc, r, rowIvs, col, mask, v);
      });
      return;
    }
    // A reduction: a vector accumulator along the row, then one
    // vector.reduction, combined with what the output holds.
    auto [neutral, kind] = *combinerInfo(r.combiner);
    Value out = body.getArgument(body.getNumArguments() - 1);
    Value g = r.combiner->getOperand(0) == out ? r.combiner->getOperand(1)
                                               : r.combiner->getOperand(0);
    Value neutralV = arith::ConstantOp::create(
        b, loc, vecType(b),
        DenseElementsAttr::get(vecType(b), b.getF32FloatAttr(neutral)));
    auto combine = [&](OpBuilder &b, Value x, Value y, bool vec) -> Value {
      OperationState state(loc, r.combiner->getName());
      state.addOperands({x, y});
      state.addTypes(vec ? Type(vecType(b)) : Type(b.getF32Type()));
      state.addAttributes(r.combiner->getAttrs());
      return b.create(state)->getResult(0);
    };
    Value acc = neutralV;
    acc = columns(b, loc, sizes[r.colLoop], acc,
                  [&](Value col, Value mask, Value acc) -> Value {
                    Value v = applyBody(b, loc, generic, inputsAt(col, mask),
                                        r.combiner, g, true);
                    if (mask)
                      v = arith::SelectOp::create(b, loc, mask, v, neutralV);
                    return combine(b, acc, v, true);
                  });
    auto reduced = vector::ReductionOp::create(b, loc, kind, acc);
    if (kind == vector::CombiningKind::ADD ||
        kind == vector::CombiningKind::MUL)
      reduced.setFastmath(arith::FastMathFlags::reassoc);
    auto idx = indices(b, loc, r, r.output, rowIvs, Value());
    Value old = memref::LoadOp::create(b, loc, r.output.memref, idx);
    memref::StoreOp::create(b, loc, combine(b, old, reduced, false),
                            r.output.memref, idx);
  }

  void store(OpBuilder &b, Location loc, const RowOp &r, ArrayRef<Value> rowIvs,
             Value col, Value mask, Value v) {
    auto idx = indices(b, loc, r, r.output, rowIvs, col);
    if (mask)
      vector::MaskedStoreOp::create(b, loc, r.output.memref, idx, mask, v);
    else
      vector::StoreOp::create(b, loc, v, r.output.memref, idx);
  }

  /// Full vectors along [0, n), then at most one masked one.
  void columns(OpBuilder &b, Location loc, Value n,
               function_ref<void(Value, Value)> body) {
    (void)columns(b, loc, n, Value(), [&](Value col, Value mask, Value) {
      body(col, mask);
      return Value();
    });
  }

  /// The same, carrying `acc` (when not null) through the loops.
  Value columns(OpBuilder &b, Location loc, Value n, Value acc,
                function_ref<Value(Value, Value, Value)> body) {
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    return kiln::buildVectorColumns(
        b, loc, zero, n, lanes, acc,
        [&](OpBuilder &, Value col, Value mask, Value acc) {
          return body(col, mask, acc);
        });
  }

  Run &run;
  int64_t lanes;
};

/// Ops that may sit between the ops of a run: they neither read nor write
/// buffer contents (deallocations move after the fused loop).
bool isNeutral(Operation *op) {
  if (isa<memref::DimOp, memref::AllocOp, memref::AllocaOp, memref::DeallocOp>(
          op))
    return true;
  if (isa<ViewLikeOpInterface>(op) && isPure(op))
    return true;
  return !op->getNumRegions() && isPure(op);
}

struct KilnVectorizeRowReductionsPass
    : public kiln::impl::KilnVectorizeRowReductionsBase<
          KilnVectorizeRowReductionsPass> {
  using KilnVectorizeRowReductionsBase::KilnVectorizeRowReductionsBase;

  void runOnOperation() override {
    if (vectorBits % 32 || vectorBits < 128) {
      getOperation().emitError("kiln-vectorize-row-reductions: vector-bits "
                               "must be a multiple of 32, at least 128");
      return signalPassFailure();
    }
    SmallVector<Block *> blocks;
    getOperation().walk([&](Block *block) { blocks.push_back(block); });
    SmallVector<Run, 4> runs;
    for (Block *block : blocks) {
      Run run;
      auto flush = [&]() {
        if (run.hasReduction)
          runs.push_back(run);
        run = Run();
      };
      for (Operation &op : *block) {
        auto linalgOp = dyn_cast<linalg::LinalgOp>(&op);
        auto copy = dyn_cast<memref::CopyOp>(&op);
        if (linalgOp || copy) {
          FailureOr<RowOp> row =
              linalgOp ? analyze(linalgOp) : analyzeCopy(copy);
          if (succeeded(row) && !(run.compatible(*row) && run.safeWith(*row)))
            flush();
          if (succeeded(row) && run.safeWith(*row)) {
            run.hasReduction |= row->reduction;
            run.ops.push_back(*row);
            continue;
          }
          flush();
          continue;
        }
        if (!run.ops.empty() && isNeutral(&op)) {
          if (isa<memref::DeallocOp>(op))
            run.deallocs.push_back(&op);
          continue;
        }
        flush();
      }
      flush();
    }
    for (Run &run : runs) {
      // Trailing deallocations (after the last op) stay where they are.
      Operation *last = run.ops.back().self;
      llvm::erase_if(run.deallocs,
                     [&](Operation *d) { return last->isBeforeInBlock(d); });
      RunBuilder(run, vectorBits / 32).build();
    }
  }
};

} // namespace
