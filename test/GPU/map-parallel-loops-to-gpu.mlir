// RUN: kiln-opt %s --split-input-file --kiln-map-parallel-loops-to-gpu | FileCheck %s
// RUN: kiln-opt %s --split-input-file --kiln-map-parallel-loops-to-gpu="block-size=128" | FileCheck %s --check-prefix=B128

// A 2-D parallel loop with a dynamic bound becomes one launch over the
// linearized space: blocks = ceil(total / 256), a guard for the threads past
// the end, the last dimension from the fastest bits of the thread id.

// CHECK-LABEL: func.func @elementwise
// CHECK-SAME:    (%[[A:.*]]: memref<?x33xf32>, %[[B:.*]]: memref<?x33xf32>)
// CHECK:         %[[N:.*]] = memref.dim %[[A]]
// CHECK:         %[[SPAN:.*]] = arith.subi %[[N]],
// CHECK:         %[[ROWS0:.*]] = arith.ceildivsi %[[SPAN]],
// CHECK:         %[[ROWS:.*]] = arith.maxsi %[[ROWS0]],
// CHECK:         %[[C33:.*]] = arith.constant 33 : index
// CHECK:         %[[TOTAL:.*]] = arith.muli %[[ROWS]], %[[C33]]
// CHECK:         %[[C256:.*]] = arith.constant 256 : index
// CHECK:         %[[BLOCKS:.*]] = arith.ceildivsi %[[TOTAL]], %[[C256]]
// CHECK:         %[[NONEMPTY:.*]] = arith.cmpi sgt, %[[TOTAL]]
// CHECK:         scf.if %[[NONEMPTY]] {
// CHECK:           gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[BLOCKS]], %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%[[BDIM:.*]] = %[[C256]],
// CHECK:             %[[BASE:.*]] = arith.muli %[[BX]], %[[BDIM]]
// CHECK:             %[[ID:.*]] = arith.addi %[[BASE]], %[[TX]]
// CHECK:             %[[IN:.*]] = arith.cmpi slt, %[[ID]], %[[TOTAL]]
// CHECK:             scf.if %[[IN]] {
// The column count is a constant in the kernel, not a kernel argument.
// CHECK:               %[[K33:.*]] = arith.constant 33 : index
// CHECK:               %[[COL:.*]] = arith.remui %[[ID]], %[[K33]]
// CHECK:               %[[ROW:.*]] = arith.divui %[[ID]], %[[K33]]
// CHECK:               %[[J0:.*]] = arith.muli %[[COL]],
// CHECK:               %[[J:.*]] = arith.addi %[[J0]],
// CHECK:               %[[I0:.*]] = arith.muli %[[ROW]],
// CHECK:               %[[I:.*]] = arith.addi %[[I0]],
// CHECK:               %[[V:.*]] = memref.load %[[A]][%[[I]], %[[J]]]
// CHECK:               %[[E:.*]] = math.exp %[[V]]
// CHECK:               memref.store %[[E]], %[[B]][%[[I]], %[[J]]]
// CHECK:             }
// CHECK:             gpu.terminator
// CHECK-NOT:     scf.parallel
// B128-LABEL: func.func @elementwise
// B128:         arith.constant 128 : index
// B128:         gpu.launch
func.func @elementwise(%a: memref<?x33xf32>, %b: memref<?x33xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c33 = arith.constant 33 : index
  %n = memref.dim %a, %c0 : memref<?x33xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %c33) step (%c1, %c1) {
    %v = memref.load %a[%i, %j] : memref<?x33xf32>
    %e = math.exp %v : f32
    memref.store %e, %b[%i, %j] : memref<?x33xf32>
    scf.reduce
  }
  return
}

// -----

// Lower bounds and steps other than 0 and 1 are kept: iv = lb + index * step.
// CHECK-LABEL: func.func @strided
// 33 iterations: 2, 5, ..., 98.
// CHECK:         %[[TOTAL:.*]] = arith.constant 33 : index
// CHECK:         gpu.launch
// CHECK:           arith.cmpi slt, %{{.*}}, %[[TOTAL]]
// CHECK:           %[[C3:.*]] = arith.constant 3 : index
// CHECK:           %[[C2:.*]] = arith.constant 2 : index
// CHECK:           %[[S:.*]] = arith.muli %{{.*}}, %[[C3]]
// CHECK:           %[[IV:.*]] = arith.addi %[[S]], %[[C2]]
// CHECK:           memref.store %{{.*}}, %{{.*}}[%[[IV]]]
func.func @strided(%b: memref<100xf32>) {
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c100 = arith.constant 100 : index
  %f = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c2) to (%c100) step (%c3) {
    memref.store %f, %b[%i] : memref<100xf32>
    scf.reduce
  }
  return
}

// -----

// A loop nest with no parallel dimension runs on one thread; a copy between
// buffers becomes gpu.memcpy; inner loops stay loops inside the kernel.
// CHECK-LABEL: func.func @serial
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}} = %[[ONE:c1[_0-9]*]], {{.*}} = %[[ONE2:c1[_0-9]*]], {{.*}} = %[[ONE2]]) threads({{.*}}) in ({{.*}} = %[[ONE]], {{.*}} = %[[ONE2]], {{.*}} = %[[ONE2]])
// CHECK:           scf.for
// CHECK:             scf.for
// CHECK:           gpu.terminator
// CHECK:         gpu.memcpy %{{.*}}, %{{.*}} : memref<f32>, memref<f32>
// CHECK-NOT:     memref.copy
func.func @serial(%a: memref<4x8xf32>, %s: memref<f32>, %t: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c8 step %c1 {
      %v = memref.load %a[%i, %j] : memref<4x8xf32>
      %acc = memref.load %s[] : memref<f32>
      %sum = arith.addf %acc, %v : f32
      memref.store %sum, %s[] : memref<f32>
    }
  }
  memref.copy %s, %t : memref<f32> to memref<f32>
  return
}

// -----

// Loops already in a kernel are left alone.
// CHECK-LABEL: func.func @already_mapped
// CHECK-COUNT-1: gpu.launch
// CHECK:         scf.parallel
func.func @already_mapped(%b: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %f = arith.constant 1.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
      memref.store %f, %b[%i] : memref<8xf32>
      scf.reduce
    }
    gpu.terminator
  }
  return
}

// -----

// A copy from a view with an offset (contiguous, but not a plain buffer)
// becomes a kernel of one thread per element.
// CHECK-LABEL: func.func @offset_copy
// CHECK-NOT:     memref.copy
// CHECK:         gpu.launch
// CHECK:           %[[V:.*]] = memref.load %{{.*}}[%{{.*}}, %{{.*}}] : memref<2x4xf32, strided<[4, 1], offset: 8>>
// CHECK:           memref.store %[[V]], %{{.*}}[%{{.*}}, %{{.*}}] : memref<2x4xf32>
func.func @offset_copy(%a: memref<2x4xf32, strided<[4, 1], offset: 8>>, %b: memref<2x4xf32>) {
  memref.copy %a, %b : memref<2x4xf32, strided<[4, 1], offset: 8>> to memref<2x4xf32>
  return
}
