//===- Matmul.cpp - ONNX MatMul, Gemm, Einsum and Det ---------------------===//
//
// MatMul is kiln.matmul; Gemm is transposes, a matmul and the alpha/beta
// scaled bias, which fusion folds back together. Einsum is kiln.einsum once
// its equation is made explicit (spaces dropped, `...` spelled out as
// letters of its own, the implicit output written); Det is kiln.det. DFT
// is two matmuls with constant cosine and sine matrices, in f64.
//
//===----------------------------------------------------------------------===//

#include "IndexHelpers.h"
#include "OpChain.h"

#include "llvm/Support/MathExtras.h"

#include <cctype>
#include <cmath>

using namespace mlir;
using namespace mlir::kiln;

namespace {

LogicalResult importMatMul(OnnxNode &node) {
  auto lhs = node.requiredInput(0);
  auto rhs = node.requiredInput(1);
  if (failed(lhs) || failed(rhs))
    return failure();
  auto result = node.create<MatmulOp>(*lhs, *rhs);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// Y = alpha * A' * B' + beta * C, A' = transA ? A^T : A (same for B).
LogicalResult importGemm(OnnxNode &node) {
  auto a = node.requiredInput(0);
  auto b = node.requiredInput(1);
  if (failed(a) || failed(b))
    return failure();
  for (Value v : {*a, *b})
    if (cast<RankedTensorType>(v.getType()).getRank() != 2)
      return node.emitError() << "Gemm operands must be matrices, got "
                              << v.getType();
  auto transpose = [&](Value v) -> FailureOr<Value> {
    return node.create<TransposeOp>(v, ArrayRef<int64_t>{1, 0});
  };
  Value lhs = *a, rhs = *b;
  if (node.intAttr("transA", 0)) {
    auto t = transpose(lhs);
    if (failed(t))
      return failure();
    lhs = *t;
  }
  if (node.intAttr("transB", 0)) {
    auto t = transpose(rhs);
    if (failed(t))
      return failure();
    rhs = *t;
  }
  auto product = node.create<MatmulOp>(lhs, rhs);
  if (failed(product))
    return failure();
  Value result = *product;
  Type elementType = getElementTypeOrSelf(result.getType());
  float alpha = node.floatAttr("alpha", 1.0f);
  if (alpha != 1.0f) {
    auto scaled = node.create<MulOp>(result, node.scalar(elementType, alpha));
    if (failed(scaled))
      return failure();
    result = *scaled;
  }
  if (Value c = node.input(2)) {
    float beta = node.floatAttr("beta", 1.0f);
    if (beta != 1.0f) {
      auto scaled = node.create<MulOp>(c, node.scalar(elementType, beta));
      if (failed(scaled))
        return failure();
      c = *scaled;
    }
    auto sum = node.create<AddOp>(result, c);
    if (failed(sum))
      return failure();
    result = *sum;
  }
  return node.setResult(0, result);
}

/// ONNX's einsum equation in kiln.einsum's explicit form, given the
/// operands' ranks; sets `why` when it cannot be read.
std::optional<std::string> explicitEinsum(StringRef text,
                                          ArrayRef<int64_t> ranks,
                                          std::string &why) {
  std::string eq;
  for (char c : text)
    if (!std::isspace((unsigned char)c))
      eq.push_back(c);
  StringRef equation(eq);
  size_t arrow = equation.find("->");
  StringRef lhs = equation.take_front(arrow);
  std::optional<StringRef> rhs;
  if (arrow != StringRef::npos)
    rhs = equation.drop_front(arrow + 2);
  SmallVector<StringRef> terms;
  lhs.split(terms, ',');
  if (terms.size() != ranks.size()) {
    why = "has " + std::to_string(terms.size()) + " terms for " +
          std::to_string(ranks.size()) + " inputs";
    return std::nullopt;
  }
  // Letters of the equation, and how many dimensions each `...` covers.
  std::string used;
  SmallVector<int64_t> ellipsisDims;
  int64_t maxEllipsis = 0;
  for (auto [term, rank] : llvm::zip(terms, ranks)) {
    size_t dots = term.find("...");
    StringRef letters = term;
    std::string joined;
    if (dots != StringRef::npos) {
      joined = (term.take_front(dots) + term.drop_front(dots + 3)).str();
      letters = joined;
    }
    for (char c : letters) {
      if (!std::isalpha((unsigned char)c)) {
        why = "term '" + term.str() + "' has a character other than a "
                                      "letter or '...'";
        return std::nullopt;
      }
      used.push_back(c);
    }
    int64_t extra = rank - (int64_t)letters.size();
    if (extra < 0 || (extra > 0 && dots == StringRef::npos)) {
      why = "term '" + term.str() + "' does not match an input of rank " +
            std::to_string(rank);
      return std::nullopt;
    }
    ellipsisDims.push_back(dots == StringRef::npos ? -1 : extra);
    maxEllipsis = std::max(maxEllipsis, extra);
  }
  // Letters the equation does not use stand for the `...` dimensions; the
  // last ones are shared by every operand (numpy aligns them on the right).
  std::string fresh;
  for (char c : StringRef("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
    if ((int64_t)fresh.size() < maxEllipsis &&
        used.find(c) == std::string::npos)
      fresh.push_back(c);
  if ((int64_t)fresh.size() < maxEllipsis) {
    why = "uses too many letters";
    return std::nullopt;
  }
  auto expand = [&](StringRef term, int64_t count) {
    size_t dots = term.find("...");
    if (dots == StringRef::npos)
      return term.str();
    return (term.take_front(dots) +
            StringRef(fresh).take_back(std::max<int64_t>(count, 0)) +
            term.drop_front(dots + 3))
        .str();
  };
  std::string result;
  for (auto [i, term] : llvm::enumerate(terms))
    result += (i ? "," : "") + expand(term, ellipsisDims[i]);
  result += "->";
  if (rhs) {
    if (maxEllipsis > 0 && !rhs->contains("...")) {
      why = "sums over '...' dimensions, which is not supported";
      return std::nullopt;
    }
    result += expand(*rhs, maxEllipsis);
  } else {
    // Implicit output: the `...` dimensions, then the letters that occur
    // once, in alphabetical order.
    result += fresh;
    std::string once;
    for (char c : used)
      if (llvm::count(used, c) == 1)
        once.push_back(c);
    llvm::sort(once);
    result += once;
  }
  return result;
}

LogicalResult importEinsum(OnnxNode &node) {
  SmallVector<Value> inputs;
  SmallVector<int64_t> ranks;
  for (unsigned i = 0; i < node.numInputs(); ++i) {
    auto input = node.requiredInput(i);
    if (failed(input))
      return failure();
    inputs.push_back(*input);
    ranks.push_back(cast<RankedTensorType>(input->getType()).getRank());
  }
  std::string text = node.stringAttr("equation", "");
  std::string why;
  auto equation = explicitEinsum(text, ranks, why);
  if (!equation)
    return node.emitError() << "equation '" << text << "' " << why;
  auto result = node.create<EinsumOp>(inputs, *equation);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

LogicalResult importDet(OnnxNode &node) {
  auto x = node.requiredInput(0);
  if (failed(x))
    return failure();
  auto result = node.create<DetOp>(*x);
  if (failed(result))
    return failure();
  return node.setResult(0, *result);
}

/// DFT 17: x is [..., N at axis, ..., 1 (real) or 2 (complex)]. With L the
/// dft_length (a constant; N by default) and K = L (or L / 2 + 1 when
/// onesided), y[..., k, ..., :] = sum over n < min(N, L) of
/// x[..., n, ...] * exp(-+2 pi i k n / L) (divided by L when inverse). The
/// sum is two matmuls along the (transposed-last) axis with the constant
/// matrices cos(2 pi k n / L) and sin(2 pi k n / L), whose rows n >= L are
/// zero: that truncates a longer signal and zero-pads a shorter one. It is
/// formed in f64 (float32 sums of this size would miss the exact zeros the
/// outputs have within atol) and cast back.
LogicalResult importDFT(OnnxNode &node) {
  auto x = node.requiredInput(0);
  if (failed(x))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  int64_t rank = type.getRank();
  if (!type.hasStaticShape())
    return node.emitError()
           << "DFT of a tensor with dynamic dimensions is not supported";
  if (rank < 2 || (type.getDimSize(rank - 1) != 1 &&
                   type.getDimSize(rank - 1) != 2))
    return node.emitError() << "expects a last dimension of 1 (real) or 2 "
                               "(complex) values";
  int64_t axis = node.intAttr("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank - 1)
    return node.emitError() << "axis " << node.intAttr("axis", 1)
                            << " is out of range for rank " << rank;
  int64_t n = type.getDimSize(axis), length = n;
  if (node.input(1)) {
    auto given = node.constantInts(1, "dft_length");
    if (failed(given))
      return failure();
    if (given->size() != 1 || (*given)[0] < 1)
      return node.emitError() << "dft_length must be one positive value";
    length = (*given)[0];
  }
  bool inverse = node.intAttr("inverse", 0) != 0;
  bool onesided = node.intAttr("onesided", 0) != 0;
  int64_t k = onesided ? length / 2 + 1 : length;
  bool complex = type.getDimSize(rank - 1) == 2;

  OpChain chain(node);
  MLIRContext *ctx = node.getContext();
  Type f64 = Float64Type::get(ctx);
  // The signal's parts with the trailing 1/2 dropped and the axis moved
  // last: [..., N].
  SmallVector<int64_t> perm, inversePerm(rank - 1);
  for (int64_t d = 0; d < rank - 1; ++d)
    if (d != axis)
      perm.push_back(d);
  perm.push_back(axis);
  for (int64_t d = 0; d < rank - 1; ++d)
    inversePerm[perm[d]] = d;
  SmallVector<int64_t> partShape(type.getShape().drop_back());
  auto part = [&](int64_t index) {
    Value slice = chain.create<SliceOp>(
        *x, indexConstant(node, {index}), indexConstant(node, {index + 1}),
        indexConstant(node, {rank - 1}), indexConstant(node, {1}));
    Value flat = chain.create<ReshapeOp>(slice, ArrayRef<int64_t>(partShape));
    return chain.cast(chain.create<TransposeOp>(flat, ArrayRef<int64_t>(perm)),
                      f64);
  };
  Value re = part(0), im = complex ? part(1) : Value();

  SmallVector<double> cosines(n * k), sines(n * k);
  for (int64_t row = 0; row < n; ++row)
    for (int64_t col = 0; col < k; ++col) {
      if (row >= length)
        continue;
      // (row * col) mod length keeps the angle small and exact.
      double angle = 2 * llvm::numbers::pi * double((row * col) % length) /
                     double(length);
      cosines[row * k + col] = std::cos(angle);
      sines[row * k + col] = std::sin(angle);
    }
  auto matrixType = RankedTensorType::get({n, k}, f64);
  Value cosMatrix = node.constant(matrixType, cosines);
  Value sinMatrix = node.constant(matrixType, sines);
  // Forward: (re + i im)(cos - i sin); inverse: (re + i im)(cos + i sin).
  Value reCos = chain.create<MatmulOp>(re, cosMatrix);
  Value reSin = chain.create<MatmulOp>(re, sinMatrix);
  Value outRe = reCos, outIm = inverse ? reSin : chain.create<NegOp>(reSin);
  if (complex) {
    Value imCos = chain.create<MatmulOp>(im, cosMatrix);
    Value imSin = chain.create<MatmulOp>(im, sinMatrix);
    outRe = inverse ? chain.create<SubOp>(outRe, imSin)
                    : chain.create<AddOp>(outRe, imSin);
    outIm = chain.create<AddOp>(outIm, imCos);
  }
  if (inverse) {
    Value scale = chain.scalar(f64, 1.0 / double(length));
    outRe = chain.create<MulOp>(outRe, scale);
    outIm = chain.create<MulOp>(outIm, scale);
  }
  SmallVector<int64_t> outShape(partShape);
  outShape[axis] = k;
  outShape.push_back(1);
  auto restore = [&](Value v) {
    Value back =
        chain.create<TransposeOp>(v, ArrayRef<int64_t>(inversePerm));
    return chain.create<ReshapeOp>(back, ArrayRef<int64_t>(outShape));
  };
  Value y = chain.create<ConcatOp>(ValueRange{restore(outRe), restore(outIm)},
                                   rank - 1);
  return chain.setResult(0, chain.cast(y, type.getElementType()));
}

} // namespace

void mlir::kiln::registerMatmulOps(OnnxOpRegistry &registry) {
  registry.add("MatMul", 1, kLatestOpset, importMatMul);
  // Before 7, Gemm broadcast C only with the legacy `broadcast` attribute.
  registry.add("Gemm", 7, kLatestOpset, importGemm);
  registry.add("Einsum", 12, kLatestOpset, importEinsum);
  registry.add("Det", 11, kLatestOpset, importDet);
  registry.add("DFT", 17, kLatestOpset, importDFT);
}
