// RUN: kiln-opt %s --kiln-pack-matmul-weights="panel-cols=-1" -verify-diagnostics
// A negative panel width is refused with a clear error.

// expected-error @+1 {{kiln-pack-matmul-weights: panel-cols must not be negative}}
func.func @f() {
  return
}
