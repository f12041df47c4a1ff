//===- kiln-translate.cpp - ONNX to MLIR for lit tests --------------------===//
//
// `kiln-translate --import-onnx model.onnx` prints the kiln dialect module
// the ONNX importer builds; it reads binary models and the ONNX text format
// (which allows '#' comments, so lit RUN lines fit in it).
//
//===----------------------------------------------------------------------===//

#include "kiln/Frontends/ONNX/Importer.h"
#include "kiln/InitAllDialects.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/SourceMgr.h"

int main(int argc, char **argv) {
  mlir::TranslateToMLIRRegistration importOnnx(
      "import-onnx", "import an ONNX model (binary or text) as kiln ops",
      [](llvm::SourceMgr &sourceMgr,
         mlir::MLIRContext *context) -> mlir::OwningOpRef<mlir::Operation *> {
        const llvm::MemoryBuffer *buffer =
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
        return mlir::kiln::importOnnxBuffer(buffer->getBuffer(),
                                            buffer->getBufferIdentifier(),
                                            context);
      },
      [](mlir::DialectRegistry &registry) {
        mlir::kiln::registerAllDialects(registry);
      });
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "Kiln translation driver\n"));
}
