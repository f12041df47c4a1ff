//===- SharedLibrary.cpp - Compiled models as object files and .so --------===//
//
// Object emission through the TargetMachine, and linking through LLD's ELF
// driver called as a library.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/SharedLibrary.h"

#include "lld/Common/Driver.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

LLD_HAS_DRIVER(elf)

using namespace mlir;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::make_error<llvm::StringError>(message,
                                             llvm::inconvertibleErrorCode());
}

llvm::Error mlir::kiln::writeObjectFile(llvm::Module &module,
                                        llvm::TargetMachine &machine,
                                        llvm::StringRef path) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return makeError("cannot write '" + path + "': " + ec.message());
  llvm::legacy::PassManager passes;
  if (machine.addPassesToEmitFile(passes, os, nullptr,
                                  llvm::CodeGenFileType::ObjectFile))
    return makeError("the target cannot emit object files");
  passes.run(module);
  os.close();
  if (os.has_error()) {
    std::string why = os.error().message();
    os.clear_error();
    return makeError("cannot write '" + path + "': " + why);
  }
  return llvm::Error::success();
}

llvm::Error mlir::kiln::linkSharedLibrary(llvm::StringRef objectPath,
                                          llvm::StringRef outputPath) {
  std::string soname = llvm::sys::path::filename(outputPath).str();
  std::string output = outputPath.str(), object = objectPath.str();
  std::vector<const char *> args = {
      "ld.lld", "-shared", "--no-undefined", "--gc-sections", "-z",
      "noexecstack", "-z", "relro", "-z", "now", "--hash-style=gnu",
      "-soname", soname.c_str(), "-o", output.c_str(), object.c_str(),
      // Builtins the code may call (f16 conversions, 128-bit division).
      KILN_COMPILER_RT_BUILTINS,
      // libc and libm, as the dynamic loader will find them.
      "-L", KILN_LIBC_DIR, "--as-needed", "-lm", "-lc"};
  std::string out, err;
  llvm::raw_string_ostream outStream(out), errStream(err);
  lld::Result result = lld::lldMain(args, outStream, errStream,
                                    {{lld::Gnu, &lld::elf::link}});
  if (result.retCode != 0 || !result.canRunAgain) {
    std::string message = err.empty() ? out : err;
    while (!message.empty() && message.back() == '\n')
      message.pop_back();
    return makeError("linking '" + outputPath + "' failed: " + message);
  }
  return llvm::Error::success();
}
