//===- LinalgOps.cpp - kiln linear algebra ops ----------------------------===//
//
// Type inference and verification of matmul.
//
//===----------------------------------------------------------------------===//

#include "OpUtils.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
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
