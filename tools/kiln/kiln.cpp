//===- kiln.cpp - The kiln command-line tool ------------------------------===//
//
// `kiln VERB ...`: compile, run, bench, train and info; each verb lives in its own file.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "kiln/runtime.h"

#include "llvm/Support/InitLLVM.h"

#include <cstdio>
#include <cstring>

using namespace mlir::kiln::cli;

namespace {
struct Verb {
  const char *name;
  int (*run)(const std::vector<std::string> &);
  const char *summary;
};

const Verb verbs[] = {
    {"compile", runCompile, "compile a model and write a stage of it"},
    {"run", runRun, "compile and run a model on inputs from files"},
    {"bench", runBench, "time a model: median of repeated runs"},
    {"train", runTrain, "train a model's parameters on data (.npz)"},
    {"info", runInfo, "describe a model: inputs, outputs, ops, parameters"},
};

void printUsage(FILE *out) {
  std::fprintf(out, "usage: kiln VERB [options]\n\n"
                    "Kiln compiles deep-learning models (ONNX) to native code.\n\n"
                    "verbs:\n");
  for (const Verb &v : verbs)
    std::fprintf(out, "  %-10s %s\n", v.name, v.summary);
  std::fprintf(out, "\n'kiln VERB --help' describes a verb; 'kiln --version' "
                    "prints the version.\n");
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  if (argc < 2) {
    printUsage(stderr);
    return 2;
  }
  std::string verb = argv[1];
  if (verb == "--help" || verb == "-h" || verb == "help") {
    if (argc > 2 && verb == "help")
      for (const Verb &v : verbs)
        if (std::strcmp(v.name, argv[2]) == 0)
          return v.run({"--help"});
    printUsage(stdout);
    return 0;
  }
  if (verb == "--version") {
    std::printf("kiln %s\n", KILN_RUNTIME_VERSION);
    return 0;
  }
  for (const Verb &v : verbs)
    if (verb == v.name)
      return v.run(std::vector<std::string>(argv + 2, argv + argc));
  std::fprintf(stderr, "kiln: error: unknown verb '%s'\n\n", verb.c_str());
  printUsage(stderr);
  return 2;
}
