// RUN: kiln-opt %s --split-input-file --kiln-merge-gpu-modules | FileCheck %s

// Kernels of several modules move into one, renamed after the module they
// came from, and the launches follow them.
// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK:       gpu.launch_func @kiln_kernels::@f_kernel blocks
// CHECK:       gpu.launch_func @kiln_kernels::@f_kernel_0 blocks
// CHECK:       gpu.launch_func @kiln_kernels::@f_kernel_0 blocks
// CHECK:       gpu.module @kiln_kernels {
// CHECK-DAG:     gpu.func @f_kernel(%{{.*}}: memref<4xf32>) kernel
// CHECK-DAG:     gpu.func @f_kernel_0(%{{.*}}: memref<4xf32>) kernel
// CHECK:       }
// CHECK-NOT:   gpu.module
module attributes {gpu.container_module} {
  func.func @f(%m: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @f_kernel::@f_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>)
    gpu.launch_func @f_kernel_0::@f_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>)
    gpu.launch_func @f_kernel_0::@f_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>)
    return
  }
  gpu.module @f_kernel {
    gpu.func @f_kernel(%m: memref<4xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @f_kernel_0 {
    gpu.func @f_kernel(%m: memref<4xf32>) kernel {
      gpu.return
    }
  }
}

// -----

// A module with a helper function stays apart; one module alone is left
// as it is.
// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK:       gpu.launch_func @k1::@k
// CHECK:       gpu.launch_func @k2::@k
// CHECK:       gpu.module @k1
// CHECK:       gpu.module @k2
// CHECK:         func.func @helper
module attributes {gpu.container_module} {
  func.func @f(%m: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @k1::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>)
    gpu.launch_func @k2::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>)
    return
  }
  gpu.module @k1 {
    gpu.func @k(%m: memref<4xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @k2 {
    func.func @helper() {
      return
    }
    gpu.func @k(%m: memref<4xf32>) kernel {
      func.call @helper() : () -> ()
      gpu.return
    }
  }
}
