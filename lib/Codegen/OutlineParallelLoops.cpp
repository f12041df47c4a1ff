//===- OutlineParallelLoops.cpp - Parallel loop bodies as functions -------===//
//
// The first half of multithreading: an outermost scf.parallel becomes a call
// of a function that runs a sub-range of its leading dimensions, collapsed
// into one. Semantics do not change here; kiln-dispatch-parallel-loops
// spreads the calls over threads once everything is in the LLVM dialect.
//
// Why collapse: the thread pool splits only the range of the call. Models
// take a dynamic batch dimension first, so at batch 1 a loop over (N, C, H,
// W) split over N alone ran on one thread. Leading dimensions with static
// trip counts join the first one until the range has `min-iterations`
// iterations (at batch 1); the body recovers each index with a division and
// a remainder by constants, which LLVM turns into multiplications.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"

#define DEBUG_TYPE "kiln-outline-parallel-loops"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNOUTLINEPARALLELLOOPS
#include "kiln/Codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

/// The static trip counts of a loop's dimensions; nullopt if one is not
/// static.
static std::optional<SmallVector<int64_t>>
tripCounts(LoopLikeOpInterface loop) {
  auto lbs = loop.getLoopLowerBounds(), ubs = loop.getLoopUpperBounds(),
       steps = loop.getLoopSteps();
  if (!lbs || !ubs || !steps)
    return std::nullopt;
  SmallVector<int64_t> counts;
  for (auto [lb, ub, step] : llvm::zip(*lbs, *ubs, *steps)) {
    auto l = getConstantIntValue(lb), u = getConstantIntValue(ub),
         s = getConstantIntValue(step);
    if (!l || !u || !s || *s <= 0)
      return std::nullopt;
    counts.push_back(std::max<int64_t>(0, (*u - *l + *s - 1) / *s));
  }
  return counts;
}

/// A static estimate of the work in `op`'s regions: operations weighted by
/// the trip counts of the loops around them; nullopt when a trip count is
/// not static (assume the loop is big).
static std::optional<int64_t> staticWork(Operation *op) {
  int64_t work = 0;
  for (Region &region : op->getRegions())
    for (Operation &inner : region.getOps()) {
      int64_t trips = 1;
      if (auto loop = dyn_cast<LoopLikeOpInterface>(&inner)) {
        auto counts = tripCounts(loop);
        if (!counts)
          return std::nullopt;
        for (int64_t c : *counts)
          trips *= c;
      }
      int64_t nested = 1;
      if (inner.getNumRegions()) {
        auto innerWork = staticWork(&inner);
        if (!innerWork)
          return std::nullopt;
        nested = std::max<int64_t>(1, *innerWork);
      }
      work += trips * nested;
    }
  return work;
}

/// Static work per iteration (see staticWork) from which an iteration is
/// worth a division and a remainder of index arithmetic.
constexpr int64_t kHeavyBody = 16;

namespace {
struct KilnOutlineParallelLoopsPass
    : public kiln::impl::KilnOutlineParallelLoopsBase<
          KilnOutlineParallelLoopsPass> {
  using KilnOutlineParallelLoopsBase::KilnOutlineParallelLoopsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<scf::ParallelOp> loops;
    module.walk<WalkOrder::PreOrder>([&](scf::ParallelOp loop) {
      loops.push_back(loop);
      return WalkResult::skip(); // nested loops run inside the outer one
    });
    for (scf::ParallelOp loop : loops) {
      if (loop.getNumResults() != 0 || !worthThreads(loop))
        continue;
      outline(loop, symbols);
    }
  }

  /// The static trip count of each dimension of `loop`, 0 where unknown.
  static SmallVector<int64_t> staticTrips(scf::ParallelOp loop) {
    SmallVector<int64_t> trips;
    for (auto [lb, ub, step] : llvm::zip(
             loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
      auto l = getConstantIntValue(lb), u = getConstantIntValue(ub),
           s = getConstantIntValue(step);
      trips.push_back(l && u && s && *s > 0 && *u > *l ? (*u - *l + *s - 1) / *s
                                                       : 0);
    }
    return trips;
  }

  /// How many leading dimensions the outlined range covers: the first, then
  /// the following ones with static trip counts while the range (counting a
  /// dynamic first dimension as 1, as at batch 1) is below minIterations.
  /// The innermost dimension stays inside unless the body holds loops or
  /// enough operations, so that no iteration of the range is a lone scalar
  /// operation paying for its index arithmetic.
  unsigned collapsedDims(scf::ParallelOp loop) {
    SmallVector<int64_t> trips = staticTrips(loop);
    int64_t range = trips[0] ? trips[0] : 1;
    unsigned limit = trips.size();
    if (staticWork(loop).value_or(kHeavyBody) < kHeavyBody)
      --limit;
    unsigned dims = 1;
    while (dims < limit && range < minIterations && trips[dims]) {
      range *= trips[dims];
      ++dims;
    }
    return dims;
  }

  bool worthThreads(scf::ParallelOp loop) {
    auto trips = tripCounts(loop);
    auto body = staticWork(loop);
    if (!trips || !body)
      return true;
    int64_t range = 1;
    for (int64_t t : ArrayRef<int64_t>(*trips).take_front(collapsedDims(loop)))
      range *= t;
    if (range < 2)
      return false;
    int64_t work = std::max<int64_t>(1, *body);
    for (int64_t t : *trips)
      work *= t;
    return work >= minWork;
  }

  void outline(scf::ParallelOp loop, SymbolTable &symbols) {
    MLIRContext *ctx = &getContext();
    Location loc = loop.getLoc();
    auto parent = loop->getParentOfType<func::FuncOp>();

    // Values from outside: constants are cloned, the rest passed in.
    llvm::SetVector<Value> used;
    getUsedValuesDefinedAbove(loop.getRegion(), used);
    for (Value v : loop.getOperands())
      used.insert(v);
    SmallVector<Value> captured;
    SmallVector<Operation *> constants;
    for (Value v : used) {
      Operation *def = v.getDefiningOp();
      if (def && def->hasTrait<OpTrait::ConstantLike>())
        constants.push_back(def);
      else
        captured.push_back(v);
    }

    SmallVector<Type> argTypes;
    for (Value v : captured)
      argTypes.push_back(v.getType());
    IndexType index = IndexType::get(ctx);
    argTypes.push_back(index);
    argTypes.push_back(index);
    OpBuilder moduleBuilder(parent);
    auto fn = func::FuncOp::create(moduleBuilder, loc,
                                   (parent.getSymName() + "_par").str(),
                                   FunctionType::get(ctx, argTypes, {}));
    fn.setPrivate();
    fn->setAttr(kiln::kParallelBodyAttr, UnitAttr::get(ctx));
    symbols.insert(fn);

    // The body: for k in [begin, end): the indices of the `dims` collapsed
    // dimensions from k (row-major, the first one slowest), then the other
    // dimensions as a nested parallel loop.
    unsigned dims = collapsedDims(loop);
    SmallVector<int64_t> trips = staticTrips(loop);
    Block *entry = fn.addEntryBlock();
    OpBuilder b = OpBuilder::atBlockBegin(entry);
    IRMapping map;
    for (Operation *c : constants)
      b.clone(*c, map);
    for (auto [v, arg] : llvm::zip(captured, entry->getArguments()))
      map.map(v, arg);
    Value begin = entry->getArgument(captured.size());
    Value end = entry->getArgument(captured.size() + 1);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto outer = scf::ForOp::create(b, loc, begin, end, one);
    func::ReturnOp::create(b, loc);

    b.setInsertionPointToStart(outer.getBody());
    SmallVector<Value> oldIvs = loop.getInductionVars();
    auto indexOf = [&](unsigned d, Value k) {
      Value lb = map.lookupOrDefault(loop.getLowerBound()[d]);
      Value step = map.lookupOrDefault(loop.getStep()[d]);
      return arith::AddIOp::create(b, loc, lb,
                                   arith::MulIOp::create(b, loc, k, step));
    };
    Value rest = outer.getInductionVar();
    for (unsigned d = dims - 1; d > 0; --d) {
      Value count = arith::ConstantIndexOp::create(b, loc, trips[d]);
      map.map(oldIvs[d],
              indexOf(d, arith::RemUIOp::create(b, loc, rest, count)));
      rest = arith::DivUIOp::create(b, loc, rest, count);
    }
    map.map(oldIvs[0], indexOf(0, rest));
    Block *source = loop.getBody();
    Block *target;
    if (loop.getNumLoops() == dims) {
      target = outer.getBody();
    } else {
      auto mapAll = [&](ValueRange values) {
        SmallVector<Value> out;
        for (Value v : values.drop_front(dims))
          out.push_back(map.lookupOrDefault(v));
        return out;
      };
      auto inner = scf::ParallelOp::create(b, loc, mapAll(loop.getLowerBound()),
                                           mapAll(loop.getUpperBound()),
                                           mapAll(loop.getStep()));
      // getInductionVars() returns a SmallVector by value: keep both alive
      // (an ArrayRef of the temporary dangled once a loop nest had more
      // dimensions than the vector's inline storage).
      SmallVector<Value> newIvs = inner.getInductionVars();
      for (auto [oldIv, newIv] :
           llvm::zip(ArrayRef<Value>(oldIvs).drop_front(dims), newIvs))
        map.map(oldIv, newIv);
      target = inner.getBody();
    }
    b.setInsertionPoint(target->getTerminator());
    for (Operation &op : source->without_terminator())
      b.clone(op, map);

    // The call over the whole range.
    OpBuilder call(loop);
    Value lb = loop.getLowerBound()[0], ub = loop.getUpperBound()[0],
          step = loop.getStep()[0];
    // An empty range (ub <= lb) has no iterations.
    Value span = arith::MaxSIOp::create(
        call, loc, arith::SubIOp::create(call, loc, ub, lb),
        arith::ConstantIndexOp::create(call, loc, 0));
    Value range = arith::CeilDivUIOp::create(call, loc, span, step);
    int64_t collapsed = 1;
    for (unsigned d = 1; d < dims; ++d)
      collapsed *= trips[d];
    if (collapsed != 1)
      range = arith::MulIOp::create(
          call, loc, range,
          arith::ConstantIndexOp::create(call, loc, collapsed));
    SmallVector<Value> args(captured);
    args.push_back(arith::ConstantIndexOp::create(call, loc, 0));
    args.push_back(range);
    func::CallOp::create(call, loc, fn, args);
    loop.erase();
  }
};
} // namespace
