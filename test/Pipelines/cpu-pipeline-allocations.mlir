// RUN: kiln-opt %s --kiln-cpu-pipeline | FileCheck %s
// Compiled code allocates every buffer through the runtime's allocate and
// deallocate services (kiln/abi.h), never malloc or free directly: the
// runtime keeps freed blocks for the next run. libc is only the fallback
// when no runtime filled the slot.

// CHECK: llvm.func internal @_mlir_memref_to_llvm_free(
// CHECK: llvm.getelementptr %{{.*}}[0, 5]
// CHECK: llvm.call @free(
// CHECK: llvm.func internal @_mlir_memref_to_llvm_aligned_alloc(
// CHECK: llvm.getelementptr %{{.*}}[0, 4]
// CHECK: llvm.call @aligned_alloc(

// CHECK-LABEL: llvm.func @two_matmuls(
// CHECK-NOT: llvm.call @malloc
// CHECK-NOT: llvm.call @aligned_alloc
// CHECK-NOT: llvm.call @free
// CHECK: llvm.call @_mlir_memref_to_llvm_aligned_alloc(
// CHECK-NOT: llvm.call @malloc
// CHECK-NOT: llvm.call @aligned_alloc
// CHECK: llvm.call @_mlir_memref_to_llvm_free(
// CHECK-NOT: llvm.call @malloc
// CHECK-NOT: llvm.call @aligned_alloc
// CHECK-NOT: llvm.call @free
// CHECK: llvm.return
func.func @two_matmuls(%a: tensor<?x64xf32>, %b: tensor<64x64xf32>) -> tensor<?x64xf32> {
  %0 = kiln.matmul %a, %b : (tensor<?x64xf32>, tensor<64x64xf32>) -> tensor<?x64xf32>
  %1 = kiln.matmul %0, %b : (tensor<?x64xf32>, tensor<64x64xf32>) -> tensor<?x64xf32>
  return %1 : tensor<?x64xf32>
}
