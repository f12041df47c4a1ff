//===- LinalgOps.cpp - kiln linear algebra ops ----------------------------===//
//
// Type inference and verification of matmul, einsum and det.
//
//===----------------------------------------------------------------------===//

#include "OpUtils.h"

#include "kiln/Dialect/Kiln/IR/EinsumEquation.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location>,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto lhs = rankedType(adaptor.getLhs());
  auto rhs = rankedType(adaptor.getRhs());
  if (!lhs || !rhs)
    return failure();
  auto shape = matmulShape(lhs.getShape(), rhs.getShape());
  if (succeeded(shape)) {
    types.push_back(RankedTensorType::get(*shape, lhs.getElementType()));
    return success();
  }
  // Invalid operands: the verifier explains; any rank will do meanwhile.
  int64_t rank = std::max<int64_t>(1, std::max(lhs.getRank(), rhs.getRank()));
  types.push_back(RankedTensorType::get(
      SmallVector<int64_t>(rank, ShapedType::kDynamic), lhs.getElementType()));
  return success();
}

LogicalResult MatmulOp::verify() {
  auto lhs = getLhs().getType(), rhs = getRhs().getType();
  if (lhs.getElementType() != rhs.getElementType())
    return emitOpError() << "expects operands of one element type, got "
                         << lhs.getElementType() << " and "
                         << rhs.getElementType();
  std::string why;
  if (failed(matmulShape(lhs.getShape(), rhs.getShape(), &why)))
    return emitOpError() << why;
  return success();
}

//===----------------------------------------------------------------------===//
// EinsumOp
//===----------------------------------------------------------------------===//

/// The extent of `letter` across the operands: a static extent other than 1
/// wins (1 broadcasts), then a dynamic one, else 1.
static int64_t letterExtent(const EinsumEquation &eq, ValueRange inputs,
                            char letter) {
  int64_t extent = 1;
  for (auto [term, input] : llvm::zip(eq.inputs, inputs)) {
    auto type = rankedType(input);
    if (!type || type.getRank() != (int64_t)term.size())
      continue;
    for (auto [i, c] : llvm::enumerate(term)) {
      if (c != letter)
        continue;
      int64_t d = type.getDimSize(i);
      if (ShapedType::isDynamic(d) && extent == 1)
        extent = d;
      else if (!ShapedType::isDynamic(d) && d != 1)
        return d;
    }
  }
  return extent;
}

LogicalResult EinsumOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location>,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  ValueRange inputs = adaptor.getInputs();
  Type elementType = inputs.empty() ? Float32Type::get(context)
                                    : getElementTypeOrSelf(inputs[0]);
  std::string why;
  auto eq = parseEinsumEquation(adaptor.getEquation(), why);
  if (!eq) {
    types.push_back(RankedTensorType::get({}, elementType));
    return success();
  }
  SmallVector<int64_t> shape;
  for (char c : eq->output)
    shape.push_back(letterExtent(*eq, inputs, c));
  types.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

LogicalResult EinsumOp::verify() {
  std::string why;
  auto eq = parseEinsumEquation(getEquation(), why);
  if (!eq)
    return emitOpError() << "equation '" << getEquation() << "' " << why;
  if (eq->inputs.size() != getInputs().size())
    return emitOpError() << "equation '" << getEquation() << "' has "
                         << eq->inputs.size() << " terms for "
                         << getInputs().size() << " operands";
  Type elementType = getElementTypeOrSelf(getInputs()[0]);
  llvm::DenseMap<char, int64_t> extents;
  for (auto [n, term, input] : llvm::enumerate(eq->inputs, getInputs())) {
    auto type = cast<RankedTensorType>(input.getType());
    if (type.getElementType() != elementType)
      return emitOpError() << "expects operands of one element type, got "
                           << elementType << " and " << type.getElementType();
    if (type.getRank() != (int64_t)term.size())
      return emitOpError() << "term '" << term << "' names "
                           << term.size() << " dimensions of operand " << n
                           << ", which has rank " << type.getRank();
    for (auto [i, c] : llvm::enumerate(term)) {
      int64_t d = type.getDimSize(i);
      if (ShapedType::isDynamic(d) || d == 1)
        continue;
      auto [it, inserted] = extents.try_emplace(c, d);
      if (!inserted && it->second != d)
        return emitOpError() << "letter '" << c << "' stands for extents "
                             << it->second << " and " << d;
    }
  }
  return success();
}

//===----------------------------------------------------------------------===//
// DetOp
//===----------------------------------------------------------------------===//

LogicalResult DetOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  auto input = rankedType(adaptor.getInput());
  if (!input)
    return failure();
  ArrayRef<int64_t> shape = input.getShape();
  types.push_back(RankedTensorType::get(
      input.getRank() >= 2 ? shape.drop_back(2) : ArrayRef<int64_t>{},
      input.getElementType()));
  return success();
}

LogicalResult DetOp::verify() {
  auto type = getInput().getType();
  int64_t rank = type.getRank();
  if (rank < 2)
    return emitOpError() << "expects matrices ([..., M, M]), got " << type;
  int64_t m = type.getDimSize(rank - 2), n = type.getDimSize(rank - 1);
  if (!ShapedType::isDynamic(m) && !ShapedType::isDynamic(n) && m != n)
    return emitOpError() << "expects square matrices, got " << m << "x" << n;
  return success();
}
