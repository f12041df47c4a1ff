//===- IndexingVJP.cpp - Gradient rules of indexing ops -------------------===//
//
// A gather's cotangent is scattered back, with additions where an element
// was gathered several times.
//
//===----------------------------------------------------------------------===//

#include "VJP.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

LogicalResult gatherElementsVJP(GatherElementsOp op, OpBuilder &b,
                                ValueRange grads, SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value input = op.getInput();
  if (!isDifferentiable(input.getType())) {
    out.append({Value(), Value()});
    return success();
  }
  Value zeros = fullLike(b, loc, input, 0.0);
  out.push_back(make<ScatterElementsOp>(b, loc, zeros, op.getIndices(),
                                        grads[0], op.getAxis(),
                                        b.getStringAttr("add")));
  out.push_back(Value());
  return success();
}

} // namespace

void mlir::kiln::registerIndexingVJPs(MLIRContext *ctx) {
  attachRule<GatherElementsOp, gatherElementsVJP>(ctx);
}
