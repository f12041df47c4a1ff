// RUN: kiln-opt %s --split-input-file --verify-diagnostics --kiln-map-parallel-loops-to-gpu
// RUN: not kiln-opt %s --split-input-file --kiln-map-parallel-loops-to-gpu="block-size=2048" 2>&1 | FileCheck %s --check-prefix=BLOCK

// BLOCK: block-size must be between 1 and 1024, got 2048

// A loop that hands a value back to the host cannot become a kernel.
func.func @parallel_reduction(%a: memref<8xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  // expected-error @+1 {{a parallel loop with reductions cannot run on the GPU yet}}
  %sum = scf.parallel (%i) = (%c0) to (%c8) step (%c1) init (%zero) -> f32 {
    %v = memref.load %a[%i] : memref<8xf32>
    scf.reduce(%v : f32) {
    ^bb0(%x: f32, %y: f32):
      %r = arith.addf %x, %y : f32
      scf.reduce.return %r : f32
    }
  }
  return %sum : f32
}

// -----

func.func @for_with_results(%a: memref<8xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  // expected-error @+1 {{a sequential loop that yields values to the host cannot run on the GPU yet}}
  %sum = scf.for %i = %c0 to %c8 step %c1 iter_args(%acc = %zero) -> f32 {
    %v = memref.load %a[%i] : memref<8xf32>
    %r = arith.addf %acc, %v : f32
    scf.yield %r : f32
  }
  return %sum : f32
}
