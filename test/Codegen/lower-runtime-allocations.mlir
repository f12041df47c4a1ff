// RUN: kiln-opt %s --split-input-file --kiln-lower-runtime-allocations --verify-diagnostics | FileCheck %s

// The generic allocation functions finalize-memref-to-llvm declares get
// bodies: the runtime's allocate (field 4 of the table in the model's slot,
// as allocate(size, alignment)) or deallocate (field 5), or libc when no
// runtime filled the slot. Allocations keep malloc's noalias result.
// CHECK-DAG: llvm.mlir.global internal @kiln_runtime_slot()
// CHECK-DAG: llvm.func @aligned_alloc(i64, i64) -> !llvm.ptr
// CHECK-DAG: llvm.func @malloc(i64) -> !llvm.ptr
// CHECK-DAG: llvm.func @free(!llvm.ptr)

// CHECK-LABEL: llvm.func internal @_mlir_memref_to_llvm_free(%arg0: !llvm.ptr)
// CHECK: %[[SLOT:.*]] = llvm.mlir.addressof @kiln_runtime_slot
// CHECK: %[[TABLE:.*]] = llvm.load %[[SLOT]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK: %[[MISSING:.*]] = llvm.icmp "eq" %[[TABLE]], %[[NULL]]
// CHECK: llvm.cond_br %[[MISSING]], ^[[LIBC:.*]], ^[[RT:bb[0-9]+]]
// CHECK: ^[[RT]]:
// CHECK: %[[FIELD:.*]] = llvm.getelementptr %[[TABLE]][0, 5]
// CHECK: %[[FN:.*]] = llvm.load %[[FIELD]] : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.call %[[FN]](%arg0) : !llvm.ptr, (!llvm.ptr) -> ()
// CHECK: ^[[LIBC]]:
// CHECK: llvm.call @free(%arg0)

// CHECK-LABEL: llvm.func internal @_mlir_memref_to_llvm_aligned_alloc(%arg0: i64, %arg1: i64) -> (!llvm.ptr {llvm.noalias})
// CHECK-SAME: no_inline
// CHECK: llvm.getelementptr %{{.*}}[0, 4]
// CHECK: %[[R:.*]] = llvm.call %{{.*}}(%arg1, %arg0) : !llvm.ptr, (i64, i64) -> !llvm.ptr
// CHECK: llvm.return %[[R]]
// CHECK: %[[L:.*]] = llvm.call @aligned_alloc(%arg0, %arg1)
// CHECK: llvm.return %[[L]]

// CHECK-LABEL: llvm.func internal @_mlir_memref_to_llvm_alloc(%arg0: i64) -> (!llvm.ptr {llvm.noalias})
// CHECK: %[[ZERO:.*]] = llvm.mlir.constant(0 : i64) : i64
// CHECK: llvm.call %{{.*}}(%arg0, %[[ZERO]]) : !llvm.ptr, (i64, i64) -> !llvm.ptr
// CHECK: llvm.call @malloc(%arg0)

// CHECK-LABEL: llvm.func @f(
// CHECK: llvm.call @_mlir_memref_to_llvm_aligned_alloc
// CHECK: llvm.call @_mlir_memref_to_llvm_free
llvm.func @_mlir_memref_to_llvm_free(!llvm.ptr)
llvm.func @_mlir_memref_to_llvm_aligned_alloc(i64, i64) -> !llvm.ptr
llvm.func @_mlir_memref_to_llvm_alloc(i64) -> !llvm.ptr
llvm.func @f(%n: i64) {
  %align = llvm.mlir.constant(64 : i64) : i64
  %p = llvm.call @_mlir_memref_to_llvm_aligned_alloc(%align, %n) : (i64, i64) -> !llvm.ptr
  llvm.call @_mlir_memref_to_llvm_free(%p) : (!llvm.ptr) -> ()
  llvm.return
}

// -----

// A module that allocates nothing gets no slot and no functions.
// CHECK-LABEL: llvm.func @no_buffers
// CHECK-NOT: kiln_runtime_slot
// CHECK-NOT: _mlir_memref_to_llvm
llvm.func @no_buffers() {
  llvm.return
}

// -----

// A definition that is already there is left alone.
// CHECK-LABEL: llvm.func @_mlir_memref_to_llvm_alloc(%arg0: i64) -> !llvm.ptr
// CHECK-NEXT: llvm.mlir.zero
// CHECK-NEXT: llvm.return
// CHECK-NOT: kiln_runtime_slot
llvm.func @_mlir_memref_to_llvm_alloc(%size: i64) -> !llvm.ptr {
  %0 = llvm.mlir.zero : !llvm.ptr
  llvm.return %0 : !llvm.ptr
}

// -----

// expected-error @+1 {{'llvm.func' op has type '!llvm.func<ptr (i32)>' where the runtime's allocator needs '!llvm.func<ptr (i64)>'}}
llvm.func @_mlir_memref_to_llvm_alloc(i32) -> !llvm.ptr
