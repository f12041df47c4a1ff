//===- MapParallelLoopsToGPU.cpp - Loops on buffers to kernel launches ----===//
//
// The GPU pipeline's mapping of work onto blocks and threads: each outermost
// scf.parallel becomes a gpu.launch over its linearized iteration space, one
// iteration per thread, the last dimension fastest (coalesced accesses to
// row-major buffers). Outermost sequential loop nests become one-thread
// kernels, so that no loop over buffers stays on the host.
//
// Upstream's gpu-map-parallel-loops + convert-parallel-loops-to-gpu map each
// loop dimension to a grid dimension instead: that needs static thread
// bounds, puts a row dimension on threadIdx.x (uncoalesced) and overflows
// the grid's y and z limits (65535) on large tensors. One linear dimension
// has none of these problems and needs no tiling decision.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"

#define DEBUG_TYPE "kiln-map-parallel-loops-to-gpu"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNMAPPARALLELLOOPSTOGPU
#include "kiln/Codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

/// Creates `gpu.launch` with a 1-D grid and block, its terminator in place,
/// and leaves `b` at the start of its body.
gpu::LaunchOp createLaunch(OpBuilder &b, Location loc, Value gridSize,
                           Value blockSize) {
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto launch =
      gpu::LaunchOp::create(b, loc, gridSize, one, one, blockSize, one, one);
  Block &body = launch.getBody().front();
  b.setInsertionPointToEnd(&body);
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(&body);
  return launch;
}

/// `v`, or a copy of it at `b` when it is a constant: the kernel then sees
/// the value itself (strides and trip counts fold into the index arithmetic)
/// instead of a kernel argument.
Value localize(OpBuilder &b, Value v) {
  Operation *def = v.getDefiningOp();
  if (def && matchPattern(v, m_Constant()))
    return b.clone(*def)->getResult(0);
  return v;
}

/// Clones the ops of `from` (but its terminator) at `b`'s insertion point.
void cloneBody(OpBuilder &b, Block &from, IRMapping &mapping) {
  for (Operation &op : from.without_terminator())
    b.clone(op, mapping);
}

/// scf.parallel -> gpu.launch over the linearized iteration space.
void mapParallelLoop(scf::ParallelOp loop, int64_t blockSize) {
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  // Trip count of each dimension: ceildiv(ub - lb, step), never negative.
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  // Static counts are folded here, so that kernels see them as constants.
  SmallVector<Value> counts;
  std::optional<int64_t> staticTotal = 1;
  Value total;
  for (auto [lb, ub, step] :
       llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
    auto l = getConstantIntValue(lb), u = getConstantIntValue(ub),
         s = getConstantIntValue(step);
    Value count;
    if (l && u && s && *s > 0) {
      int64_t n = std::max<int64_t>(0, llvm::divideCeil(*u - *l, *s));
      count = arith::ConstantIndexOp::create(b, loc, n);
      if (staticTotal)
        staticTotal = *staticTotal * n;
    } else {
      Value span = arith::SubIOp::create(b, loc, ub, lb);
      count = arith::CeilDivSIOp::create(b, loc, span, step);
      count = arith::MaxSIOp::create(b, loc, count, zero);
      staticTotal = std::nullopt;
    }
    counts.push_back(count);
    total =
        total ? arith::MulIOp::create(b, loc, total, count).getResult() : count;
  }
  if (staticTotal)
    total = arith::ConstantIndexOp::create(b, loc, *staticTotal);
  else if (!total)
    total = arith::ConstantIndexOp::create(b, loc, 1);
  Value threads = arith::ConstantIndexOp::create(b, loc, blockSize);
  Value blocks = arith::CeilDivSIOp::create(b, loc, total, threads);
  // CUDA refuses a launch of zero blocks (an empty tensor): skip it.
  Value nonEmpty =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, total, zero);
  auto ifNonEmpty = scf::IfOp::create(b, loc, nonEmpty, /*withElse=*/false);
  b.setInsertionPointToStart(ifNonEmpty.thenBlock());
  gpu::LaunchOp launch = createLaunch(b, loc, blocks, threads);

  // This thread's iteration, if it is not past the end.
  Value id = arith::MulIOp::create(b, loc, launch.getBlockIds().x,
                                   launch.getBlockSize().x);
  id = arith::AddIOp::create(b, loc, id, launch.getThreadIds().x);
  Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, id,
                                        localize(b, total));
  auto ifInRange = scf::IfOp::create(b, loc, inRange, /*withElse=*/false);
  b.setInsertionPointToStart(ifInRange.thenBlock());

  // Delinearize, last dimension fastest. (Unsigned: ids and counts are
  // never negative, and unsigned division is cheaper.)
  unsigned rank = counts.size();
  SmallVector<Value> ivs(rank);
  Value rest = id;
  for (unsigned i = rank; i-- > 0;) {
    Value index = rest;
    if (i > 0) {
      Value count = localize(b, counts[i]);
      index = arith::RemUIOp::create(b, loc, rest, count);
      rest = arith::DivUIOp::create(b, loc, rest, count);
    }
    Value step = localize(b, loop.getStep()[i]);
    Value lb = localize(b, loop.getLowerBound()[i]);
    Value scaled = arith::MulIOp::create(b, loc, index, step);
    ivs[i] = arith::AddIOp::create(b, loc, scaled, lb);
  }
  IRMapping mapping;
  mapping.map(loop.getInductionVars(), ivs);
  cloneBody(b, *loop.getBody(), mapping);
  loop.erase();
}

/// An outermost sequential loop -> a kernel of one thread that runs it.
void wrapInSerialKernel(Operation *op) {
  OpBuilder b(op);
  Location loc = op->getLoc();
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  createLaunch(b, loc, one, one);
  b.clone(*op);
  op->erase();
}

/// A copy between buffers on the host -> gpu.memcpy (buffers live on the
/// device) when both sides are plain row-major buffers; otherwise (a
/// contiguous view with an offset, which kiln-expand-strided-copies leaves)
/// a kernel of one thread per element.
void copyOnDevice(memref::CopyOp copy, int64_t blockSize) {
  auto source = cast<MemRefType>(copy.getSource().getType());
  auto target = cast<MemRefType>(copy.getTarget().getType());
  OpBuilder b(copy);
  Location loc = copy.getLoc();
  if (source.getLayout().isIdentity() && target.getLayout().isIdentity()) {
    gpu::MemcpyOp::create(b, loc, TypeRange(), ValueRange(), copy.getTarget(),
                          copy.getSource());
    copy.erase();
    return;
  }
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> lbs, ubs, steps;
  for (int64_t i = 0, e = source.getRank(); i < e; ++i) {
    lbs.push_back(zero);
    steps.push_back(one);
    ubs.push_back(b.createOrFold<memref::DimOp>(loc, copy.getSource(), i));
  }
  if (lbs.empty()) { // rank 0: one element, one thread
    createLaunch(b, loc, one, one);
    Value v = memref::LoadOp::create(b, loc, copy.getSource());
    memref::StoreOp::create(b, loc, v, copy.getTarget());
    copy.erase();
    return;
  }
  auto loop = scf::ParallelOp::create(
      b, loc, lbs, ubs, steps,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange ivs) {
        Value v =
            memref::LoadOp::create(nested, nestedLoc, copy.getSource(), ivs);
        memref::StoreOp::create(nested, nestedLoc, v, copy.getTarget(), ivs);
      });
  copy.erase();
  mapParallelLoop(loop, blockSize);
}

struct MapParallelLoopsToGPU
    : public kiln::impl::KilnMapParallelLoopsToGPUBase<MapParallelLoopsToGPU> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (blockSize < 1 || blockSize > 1024) {
      func.emitError("block-size must be between 1 and 1024, got ")
          << static_cast<int64_t>(blockSize);
      return signalPassFailure();
    }
    // The outermost loops, outside any kernel. Collected first: mapping
    // rewrites the IR.
    SmallVector<Operation *> loops;
    bool failedAny = false;
    func.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<gpu::LaunchOp>(op))
        return WalkResult::skip();
      if (auto parallel = dyn_cast<scf::ParallelOp>(op)) {
        if (!parallel.getInitVals().empty()) {
          parallel.emitError(
              "a parallel loop with reductions cannot run on the GPU yet");
          failedAny = true;
        }
        loops.push_back(op);
        return WalkResult::skip();
      }
      if (isa<memref::CopyOp>(op)) {
        loops.push_back(op);
        return WalkResult::skip();
      }
      if (isa<scf::ForOp, scf::WhileOp>(op)) {
        if (op->getNumResults() != 0) {
          op->emitError("a sequential loop that yields values to the host "
                        "cannot run on the GPU yet");
          failedAny = true;
        }
        loops.push_back(op);
        return WalkResult::skip();
      }
      return WalkResult::advance();
    });
    if (failedAny)
      return signalPassFailure();
    for (Operation *op : loops) {
      if (auto parallel = dyn_cast<scf::ParallelOp>(op))
        mapParallelLoop(parallel, blockSize);
      else if (auto copy = dyn_cast<memref::CopyOp>(op))
        copyOnDevice(copy, blockSize);
      else
        wrapInSerialKernel(op);
    }
  }
};

} // namespace
