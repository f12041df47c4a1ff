//===- LinalgVJP.cpp - Gradient rules of matmul and einsum ----------------===//
//
// For C = A B (numpy matmul): dA = dC B^T and dB = A^T dC, on the last two
// dimensions, summed over the batch dimensions an operand was broadcast
// along. Vector operands are promoted to matrices first, as numpy does, and
// their gradients reshaped back.
//
// An einsum is linear in each operand: the cotangent of operand k is the
// einsum of the result's cotangent with the other operands, written to
// operand k's letters ("ij,jk->ik" gives "ik,jk->ij" for the first). Letters
// only operand k has (summed over it alone) are broadcast back afterwards;
// a letter twice in one term (a diagonal) has no rule.
//
//===----------------------------------------------------------------------===//

#include "VJP.h"

#include "kiln/Dialect/Kiln/IR/EinsumEquation.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// Swaps the last two dimensions.
Value transposeLast2(OpBuilder &b, Location loc, Value v) {
  int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
  SmallVector<int64_t> perm;
  for (int64_t i = 0; i < rank - 2; ++i)
    perm.push_back(i);
  perm.push_back(rank - 1);
  perm.push_back(rank - 2);
  return make<TransposeOp>(b, loc, v, perm);
}

/// Inserts a unit dimension before the last one (`front`) or after it.
Value insertUnit(OpBuilder &b, Location loc, Value v, bool front) {
  int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
  SmallVector<int64_t> spec;
  if (front) {
    // [..., N] -> [..., 1, N]: copy the leading dims, infer N.
    for (int64_t i = 0; i < rank - 1; ++i)
      spec.push_back(0);
    spec.push_back(1);
    spec.push_back(-1);
  } else {
    for (int64_t i = 0; i < rank; ++i)
      spec.push_back(0);
    spec.push_back(1);
  }
  return make<ReshapeOp>(b, loc, v, spec);
}

LogicalResult matmulVJP(MatmulOp op, OpBuilder &b, ValueRange grads,
                        SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  Value a = op.getLhs(), bm = op.getRhs(), g = grads[0];
  bool aVector = cast<RankedTensorType>(a.getType()).getRank() == 1;
  bool bVector = cast<RankedTensorType>(bm.getType()).getRank() == 1;
  // Work on matrices: [K] -> [1, K] on the left, [K] -> [K, 1] on the right,
  // and the unit dimensions they imply put back into the cotangent.
  Value a2 = aVector ? make<ReshapeOp>(b, loc, a, ArrayRef<int64_t>{1, -1}) : a;
  Value b2 =
      bVector ? make<ReshapeOp>(b, loc, bm, ArrayRef<int64_t>{-1, 1}) : bm;
  Value g2 = g;
  if (aVector && bVector) {
    g2 = make<ReshapeOp>(b, loc, g, ArrayRef<int64_t>{1, 1});
  } else if (aVector) {
    g2 = insertUnit(b, loc, g, /*front=*/true);
  } else if (bVector) {
    g2 = insertUnit(b, loc, g, /*front=*/false);
  }
  Value da = make<MatmulOp>(b, loc, g2, transposeLast2(b, loc, b2));
  Value db = make<MatmulOp>(b, loc, transposeLast2(b, loc, a2), g2);
  da = unbroadcastTo(b, loc, da, a2);
  db = unbroadcastTo(b, loc, db, b2);
  auto back = [&](Value grad, Value like) -> FailureOr<Value> {
    return reshapeLike(b, loc, grad, like);
  };
  auto daFinal = aVector ? back(da, a) : FailureOr<Value>(da);
  auto dbFinal = bVector ? back(db, bm) : FailureOr<Value>(db);
  if (failed(daFinal) || failed(dbFinal))
    return op.emitOpError("cannot differentiate a vector operand with "
                          "several dynamic dimensions");
  out.push_back(*daFinal);
  out.push_back(*dbFinal);
  return success();
}

LogicalResult einsumVJP(EinsumOp op, OpBuilder &b, ValueRange grads,
                        SmallVectorImpl<Value> &out) {
  Location loc = op.getLoc();
  std::string why;
  auto eq = parseEinsumEquation(op.getEquation(), why);
  if (!eq)
    return op.emitOpError() << "equation " << why;
  for (auto [k, operand] : llvm::enumerate(op.getInputs())) {
    if (!isDifferentiable(operand.getType())) {
      out.push_back(Value());
      continue;
    }
    const std::string &term = eq->inputs[k];
    // The letters operand k shares with the result or another operand, in
    // its order; the others are summed over it alone.
    std::string elsewhere = eq->output;
    for (auto [j, other] : llvm::enumerate(eq->inputs))
      if (j != k)
        elsewhere += other;
    std::string kept;
    for (char c : term) {
      if (llvm::count(term, c) > 1)
        return op.emitOpError()
               << "cannot differentiate an einsum that takes a diagonal ('"
               << term << "')";
      if (elsewhere.find(c) != std::string::npos)
        kept.push_back(c);
    }
    std::string equation = eq->output;
    SmallVector<Value> operands{grads[0]};
    for (auto [j, other] : llvm::enumerate(op.getInputs())) {
      if (j == k)
        continue;
      equation += "," + eq->inputs[j];
      operands.push_back(other);
    }
    equation += "->" + kept;
    Value grad = make<EinsumOp>(b, loc, operands, equation);
    if (kept.size() != term.size()) {
      // Unit dims where the letters were dropped, then broadcast.
      auto gradType = cast<RankedTensorType>(grad.getType());
      SmallVector<int64_t> spec;
      int dynamic = 0;
      for (char c : term) {
        size_t at = kept.find(c);
        if (at == std::string::npos) {
          spec.push_back(1);
          continue;
        }
        int64_t d = gradType.getDimSize(at);
        dynamic += ShapedType::isDynamic(d);
        spec.push_back(ShapedType::isDynamic(d) ? -1 : d);
      }
      if (dynamic > 1)
        return op.emitOpError("cannot differentiate an einsum that sums an "
                              "operand alone over letters, with several "
                              "dynamic dimensions");
      grad = make<MulOp>(b, loc, make<ReshapeOp>(b, loc, grad, spec),
                         fullLike(b, loc, operand, 1.0));
    }
    out.push_back(unbroadcastTo(b, loc, grad, operand));
  }
  return success();
}

} // namespace

void mlir::kiln::registerLinalgVJPs(MLIRContext *ctx) {
  attachRule<MatmulOp, matmulVJP>(ctx);
  attachRule<EinsumOp, einsumVJP>(ctx);
}
