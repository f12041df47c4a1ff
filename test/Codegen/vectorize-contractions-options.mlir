// RUN: kiln-opt %s --kiln-vectorize-contractions="vector-bits=100" -verify-diagnostics
// Options that cannot describe a kernel are an error, not a crash.

// expected-error @+1 {{kiln-vectorize-contractions: bad options}}
func.func @f() {
  return
}
