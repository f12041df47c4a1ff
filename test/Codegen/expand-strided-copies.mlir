// RUN: kiln-opt %s --kiln-expand-strided-copies -split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-expand-strided-copies --finalize-memref-to-llvm -split-input-file | FileCheck %s --check-prefix=LLVM
// Copies that the LLVM lowering cannot turn into a memcpy become linalg
// copies (loops later) instead of calls of memrefCopy from MLIR's runner
// utilities; contiguous copies stay.

// An unranked copy has no loop nest to become: it stays.
// CHECK-LABEL: func @unranked
// CHECK: memref.copy %{{.*}}, %{{.*}} : memref<*xf32> to memref<*xf32>
// CHECK-NOT: linalg.generic
// LLVM-LABEL: func.func @unranked
// LLVM: llvm.call @memrefCopy
func.func @unranked(%a: memref<*xf32>, %b: memref<*xf32>) {
  memref.copy %a, %b : memref<*xf32> to memref<*xf32>
  return
}

// -----

// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @strided_source
// CHECK: %[[S:.*]] = memref.subview
// CHECK-NOT: memref.copy
// CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[S]] : memref<4x4xf32, strided<[8, 1], offset: 2>>) outs(%{{.*}} : memref<4x4xf32>)
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK: linalg.yield %[[IN]] : f32
// LLVM-LABEL: func.func @strided_source
// LLVM-NOT: llvm.call @memrefCopy
// LLVM-NOT: llvm.intr.memcpy
func.func @strided_source(%a: memref<4x8xf32>, %b: memref<4x4xf32>) {
  %s = memref.subview %a[0, 2] [4, 4] [1, 1] : memref<4x8xf32> to memref<4x4xf32, strided<[8, 1], offset: 2>>
  memref.copy %s, %b : memref<4x4xf32, strided<[8, 1], offset: 2>> to memref<4x4xf32>
  return
}

// -----

// CHECK-LABEL: func @strided_target
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : memref<2x3xi8, strided<[1, 2]>>)
func.func @strided_target(%a: memref<2x3xi8>, %b: memref<2x3xi8, strided<[1, 2]>>) {
  memref.copy %a, %b : memref<2x3xi8> to memref<2x3xi8, strided<[1, 2]>>
  return
}

// -----

// A dynamic strided layout might not be contiguous.
// CHECK-LABEL: func @dynamic_strides
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}} : memref<?x?xf32, strided<[?, 1], offset: ?>>) outs(%{{.*}} : memref<?x?xf32>)
// LLVM-LABEL: func.func @dynamic_strides
// LLVM-NOT: llvm.call @memrefCopy
func.func @dynamic_strides(%a: memref<?x?xf32, strided<[?, 1], offset: ?>>, %b: memref<?x?xf32>) {
  memref.copy %a, %b : memref<?x?xf32, strided<[?, 1], offset: ?>> to memref<?x?xf32>
  return
}

// -----

// Identity layouts and static contiguous rows (with an offset) are memcpys.
// CHECK-LABEL: func @contiguous
// CHECK: memref.copy %{{.*}}, %{{.*}} : memref<2x8xf32, strided<[8, 1], offset: 8>> to memref<2x8xf32>
// CHECK: memref.copy %{{.*}}, %{{.*}} : memref<?x8xf32> to memref<?x8xf32>
// CHECK-NOT: linalg.generic
// LLVM-LABEL: func.func @contiguous
// LLVM-NOT: llvm.call @memrefCopy
// LLVM: llvm.intr.memcpy
// LLVM-NOT: llvm.call @memrefCopy
// LLVM: llvm.intr.memcpy
func.func @contiguous(%a: memref<4x8xf32>, %b: memref<2x8xf32>, %c: memref<?x8xf32>, %d: memref<?x8xf32>) {
  %s = memref.subview %a[1, 0] [2, 8] [1, 1] : memref<4x8xf32> to memref<2x8xf32, strided<[8, 1], offset: 8>>
  memref.copy %s, %b : memref<2x8xf32, strided<[8, 1], offset: 8>> to memref<2x8xf32>
  memref.copy %c, %d : memref<?x8xf32> to memref<?x8xf32>
  return
}

// -----

// An empty memref with a non-identity layout is not a memcpy for the LLVM
// lowering (it would call memrefCopy): it becomes a (zero-trip) loop too.
// CHECK-LABEL: func @empty_strided
// CHECK-NOT: memref.copy
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}} : memref<0x8xf32, strided<[8, 1], offset: 8>>)
// LLVM-LABEL: func.func @empty_strided
// LLVM-NOT: llvm.call @memrefCopy
func.func @empty_strided(%a: memref<4x8xf32>, %b: memref<0x8xf32>) {
  %s = memref.subview %a[1, 0] [0, 8] [1, 1] : memref<4x8xf32> to memref<0x8xf32, strided<[8, 1], offset: 8>>
  memref.copy %s, %b : memref<0x8xf32, strided<[8, 1], offset: 8>> to memref<0x8xf32>
  return
}
