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

#endif // KILN_DIALECT_KILN_IR_KILNBASE_TD
