//===- OutlineParallelLoops.cpp - Parallel loop bodies as functions -------===//
//
// The first half of multithreading: an outermost scf.parallel becomes a call
// of a function that runs a sub-range of its first dimension. Semantics do
// not change here; kiln-dispatch-parallel-loops spreads the calls over
// threads once everything is in the LLVM dialect.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
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
static std::optional<SmallVector<int64_t>> tripCounts(LoopLikeOpInterface loop) {
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

  bool worthThreads(scf::ParallelOp loop) {
    auto trips = tripCounts(loop);
    auto body = staticWork(loop);
    if (!trips || !body)
      return true;
    if ((*trips)[0] < 2)
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
    auto fn = func::FuncOp::create(
        moduleBuilder, loc, (parent.getSymName() + "_par").str(),
        FunctionType::get(ctx, argTypes, {}));
    fn.setPrivate();
    fn->setAttr(kiln::kParallelBodyAttr, UnitAttr::get(ctx));
    symbols.insert(fn);

    // The body: for k in [begin, end): i = lb0 + k * step0, then the other
    // dimensions as a nested parallel loop.
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
    Value lb0 = map.lookupOrDefault(loop.getLowerBound()[0]);
    Value step0 = map.lookupOrDefault(loop.getStep()[0]);
    Value i0 = arith::AddIOp::create(
        b, loc, lb0,
        arith::MulIOp::create(b, loc, outer.getInductionVar(), step0));
    map.map(loop.getInductionVars()[0], i0);
    Block *source = loop.getBody();
    Block *target;
    if (loop.getNumLoops() == 1) {
      target = outer.getBody();
    } else {
      auto mapAll = [&](ValueRange values) {
        SmallVector<Value> out;
        for (Value v : values.drop_front())
          out.push_back(map.lookupOrDefault(v));
        return out;
      };
      auto rest = scf::ParallelOp::create(b, loc, mapAll(loop.getLowerBound()),
                                          mapAll(loop.getUpperBound()),
                                          mapAll(loop.getStep()));
      // getInductionVars() returns a SmallVector by value: keep both alive
      // (an ArrayRef of the temporary dangled once a loop nest had more
      // dimensions than the vector's inline storage).
      SmallVector<Value> oldIvs = loop.getInductionVars(),
                         newIvs = rest.getInductionVars();
      for (auto [oldIv, newIv] :
           llvm::zip(ArrayRef<Value>(oldIvs).drop_front(), newIvs))
        map.map(oldIv, newIv);
      target = rest.getBody();
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
    Value trips = arith::CeilDivUIOp::create(call, loc, span, step);
    SmallVector<Value> args(captured);
    args.push_back(arith::ConstantIndexOp::create(call, loc, 0));
    args.push_back(trips);
    func::CallOp::create(call, loc, fn, args);
    loop.erase();
  }
};
} // namespace
