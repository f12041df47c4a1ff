//===- InitAll.cpp - Registration of Kiln's dialects and passes -----------===//
//
// The one place that knows every dialect, extension, translation and pass a
// Kiln tool may meet.
//
//===----------------------------------------------------------------------===//

#include "kiln/InitAllDialects.h"
#include "kiln/InitAllPasses.h"

#include "kiln/Codegen/Passes.h"
#include "kiln/Conversion/Passes.h"
#include "kiln/Dialect/Kiln/IR/KilnDialect.h"
#include "kiln/Dialect/Kiln/IR/KilnInterfaces.h"
#include "kiln/Dialect/Kiln/Transforms/Passes.h"
#include "kiln/Pipelines/Pipelines.h"
#include "kiln/Training/Passes.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

void mlir::kiln::registerAllDialects(DialectRegistry &registry) {
  registry.insert<KilnDialect>();
  registerDifferentiableOpInterfaces(registry);
  // Kiln lowers through most of upstream MLIR; registering it all costs
  // little (dialects load lazily) and lets lit tests mix in any upstream IR.
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
}

void mlir::kiln::registerAllPasses() {
  mlir::registerAllPasses();
  registerKilnPasses();
  registerKilnConversionPasses();
  registerKilnCodegenPasses();
  registerKilnTrainingPasses();
  registerPipelines();
  registerGPUPipelines();
}
