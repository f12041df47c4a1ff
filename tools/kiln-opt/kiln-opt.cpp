//===- kiln-opt.cpp - mlir-opt with Kiln's dialect and passes -------------===//
//
// The driver lit tests run passes with: every upstream dialect and pass plus
// Kiln's own.
//
//===----------------------------------------------------------------------===//

#include "kiln/InitAllDialects.h"
#include "kiln/InitAllPasses.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::kiln::registerAllPasses();
  mlir::DialectRegistry registry;
  mlir::kiln::registerAllDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Kiln optimizer driver\n", registry));
}
