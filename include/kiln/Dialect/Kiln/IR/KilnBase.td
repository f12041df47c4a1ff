//===- KilnBase.td - Types and base classes of kiln ops ----*- tablegen -*-===//
//
// Every op infers its result type (InferTypeOpInterface) as a total function:
// inference never fails, it falls back to dynamic dimensions, and the op's
// verifier reports what is wrong. That lets frontends build an op first and
// verify it with the node's location second, without fatal builder errors.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_KILNBASE_TD
#define KILN_DIALECT_KILN_IR_KILNBASE_TD

include "kiln/Dialect/Kiln/IR/KilnDialect.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Types and base classes
//===----------------------------------------------------------------------===//

def Kiln_ElementType : AnyTypeOf<[AnyFloat, AnyInteger]>;
def Kiln_Tensor : RankedTensorOf<[Kiln_ElementType]>;
def Kiln_FloatTensor : RankedTensorOf<[AnyFloat]>;
def Kiln_NumericTensor : RankedTensorOf<[AnyFloat, AnyInteger]>;
// Parameters that ONNX passes as tensors and a model may compute at run time:
// a 1-D integer tensor of static length (a shape, axes, pads), and rank-0
// tensors (one number).
def Kiln_IndexVector : ConfinedType<TensorOf<[AnyInteger]>,
    [HasStaticShapePred, HasAnyRankOfPred<[1]>],
    "1-D integer tensor of static length">;
def Kiln_ScalarTensor : 0DTensorOf<[AnyFloat, AnyInteger]>;
def Kiln_IntScalarTensor : 0DTensorOf<[AnyInteger]>;

class Kiln_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kiln_Dialect, mnemonic, traits>;

// An op whose result type is inferred from operands and attributes. A result
// type that is a refinement of the inferred one (dynamic dims made static) is
// accepted.
class Kiln_InferredOp<string mnemonic, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat(traits, [Pure,
        InferTypeOpAdaptorWithIsCompatible])> {
  let extraClassDefinition = [{
    bool $cppClass::isCompatibleReturnTypes(::mlir::TypeRange inferred,
                                            ::mlir::TypeRange actual) {
      return ::mlir::kiln::areRefinementsOf(inferred, actual);
    }
  }];
}

// An op whose inferred result type depends on the values of constant operands
// (a shape, axes, pads): folding can turn an operand into a constant after
// the op was built, which makes the inferred type more static than the
// declared one. The declared type need only be compatible with the inferred
// one (no static extents that differ); kiln-shape-propagation refines it.
class Kiln_ValueInferredOp<string mnemonic, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat(traits, [Pure,
        InferTypeOpAdaptorWithIsCompatible])> {
  let extraClassDefinition = [{
    bool $cppClass::isCompatibleReturnTypes(::mlir::TypeRange inferred,
                                            ::mlir::TypeRange actual) {
      if (inferred.size() != actual.size())
        return false;
      for (auto [i, a] : ::llvm::zip(inferred, actual)) {
        auto it = ::llvm::dyn_cast<::mlir::RankedTensorType>(i);
        auto at = ::llvm::dyn_cast<::mlir::RankedTensorType>(a);
        if (!it || !at) {
          if (i != a)
            return false;
          continue;
        }
        if (it.getElementType() != at.getElementType() ||
            it.getRank() != at.getRank())
          return false;
        for (auto [x, y] : ::llvm::zip(it.getShape(), at.getShape()))
          if (!::mlir::ShapedType::isDynamic(x) &&
              !::mlir::ShapedType::isDynamic(y) && x != y)
            return false;
      }
      return true;
    }
  }];
}

#endif // KILN_DIALECT_KILN_IR_KILNBASE_TD
