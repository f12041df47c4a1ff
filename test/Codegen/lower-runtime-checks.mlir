// RUN: kiln-opt %s --kiln-lower-runtime-checks | FileCheck %s

// Each cf.assert becomes a call of kiln.check with its message, which calls
// the runtime's fail service (field 3 of the table in the model's slot), or
// traps when no runtime filled the slot.
// CHECK-DAG: llvm.mlir.global internal constant @[[MSG:kiln.check_message.[0-9]+]]("sizes differ\00")
// CHECK-DAG: llvm.mlir.global internal @kiln_runtime_slot()
// CHECK-LABEL: llvm.func @f
// CHECK: %[[TEXT:.*]] = llvm.mlir.addressof @[[MSG]] : !llvm.ptr
// CHECK: llvm.call @kiln.check(%arg0, %[[TEXT]]) : (i1, !llvm.ptr) -> ()
// CHECK-NOT: cf.assert
// CHECK-LABEL: llvm.func internal @kiln.check(
// CHECK: llvm.cond_br %arg0
// CHECK: llvm.mlir.addressof @kiln_runtime_slot
// CHECK: llvm.getelementptr %{{.*}}[0, 3]
// CHECK: llvm.call %{{.*}}(%arg1)
// CHECK: llvm.unreachable
// CHECK: llvm.intr.trap
llvm.func @f(%ok: i1) {
  cf.assert %ok, "sizes differ"
  llvm.return
}
