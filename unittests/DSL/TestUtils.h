//===- TestUtils.h - Shared helpers of the DSL unit tests -------*- C++ -*-===//
//
// Seeded test data, scratch folders, and running the numpy reference script
// (reference.py) on what a test wrote.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_UNITTESTS_DSL_TESTUTILS_H
#define KILN_UNITTESTS_DSL_TESTUTILS_H

#include "kiln/Frontends/DSL/Layers.h"
#include "kiln/Frontends/DSL/Model.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

namespace kiln::dsl::testing {

/// A fresh scratch folder for `name` under $KILN_TEST_TMP (lit sets it).
inline std::string scratchDir(const std::string &name) {
  const char *root = std::getenv("KILN_TEST_TMP");
  std::filesystem::path dir =
      std::filesystem::path(root ? root : "/tmp/kiln-dsl-tests") / "dsl" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

/// Values in [low, high) from a small LCG: the same data on every run.
inline kiln::Tensor randomTensor(const std::vector<int64_t> &shape,
                                 uint64_t seed, double low = -1.0,
                                 double high = 1.0) {
  kiln::Tensor t = kiln::Tensor::zeros(KILN_DTYPE_F32, shape);
  uint64_t s = seed * 2654435761u + 12345;
  for (size_t i = 0; i < t.size(); ++i) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    double u = (double)(s >> 11) * 0x1.0p-53;
    t.data<float>()[i] = (float)(low + (high - low) * u);
  }
  return t;
}

/// Integer indices in [0, bound).
inline kiln::Tensor randomIndices(const std::vector<int64_t> &shape,
                                  int64_t bound, uint64_t seed) {
  kiln::Tensor t = kiln::Tensor::zeros(KILN_DTYPE_I64, shape);
  uint64_t s = seed + 99;
  for (size_t i = 0; i < t.size(); ++i) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    t.data<int64_t>()[i] = (int64_t)((s >> 33) % (uint64_t)bound);
  }
  return t;
}

/// Gives every parameter seeded random values, so that a test exercises
/// biases and scales that start as zeros and ones.
inline void randomizeParameters(Model &model, uint64_t seed) {
  for (const std::string &name : model.parameterNames()) {
    kiln::Tensor current = model.parameter(name);
    model.setParameter(name, randomTensor(current.shape(), seed++, -0.5, 0.5));
  }
}

/// Runs reference.py over `dir`; returns its exit status and output.
inline int runReference(const std::string &dir, std::string &output) {
  std::string command = std::string(KILN_PYTHON) + " " + KILN_DSL_TEST_DIR +
                        "/reference.py " + dir + " 2>&1";
  output.clear();
  FILE *pipe = popen(command.c_str(), "r");
  if (!pipe)
    return -1;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe))
    output += buffer;
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

} // namespace kiln::dsl::testing

#endif // KILN_UNITTESTS_DSL_TESTUTILS_H
