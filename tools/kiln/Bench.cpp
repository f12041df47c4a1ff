//===- Bench.cpp - kiln bench ---------------------------------------------===//
//
// Times a model: compiles it once (through the JIT, or opens an AOT .so),
// runs it a few times to warm up, then times N runs and prints the median.
// Output tensors are allocated once and reused, as a serving program would,
// so the figure is the model's own time plus the runtime's call overhead.
// bench/run.sh drives this verb; its last line is meant for scripts.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "kiln/runtime.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>

using namespace mlir;
using namespace mlir::kiln::cli;

namespace {
using Clock = std::chrono::steady_clock;

double millisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

struct Tensors {
  std::vector<kiln_tensor *> items;
  ~Tensors() {
    for (kiln_tensor *t : items)
      if (t)
        kiln_tensor_destroy(t);
  }
};

/// Parses a non-negative integer option; prints an error when bad.
std::optional<int64_t> parseCount(const std::string &name,
                                  const std::string &text, int64_t min) {
  int64_t value;
  if (StringRef(text).getAsInteger(10, value) || value < min) {
    fail(name + " must be an integer >= " + std::to_string(min) + ", got '" +
         text + "'");
    return std::nullopt;
  }
  return value;
}
} // namespace

int mlir::kiln::cli::runBench(const std::vector<std::string> &args) {
  std::string modelPath, outputDir, runsText = "20", warmupText = "3",
                                    threadsText = "0";
  std::vector<std::string> inputSpecs;
  bool randomInputs = false;
  CompilerFlags flags;
  ArgParser parser(
      "bench", "kiln bench MODEL [--input NAME=FILE]... [options]",
      "Compiles MODEL once (.onnx, ONNX text or .mlir, through the JIT; or a\n"
      "shared library from kiln compile), runs it --warmup times, then times\n"
      "--runs runs and prints the median, minimum and mean in milliseconds.\n"
      "Inputs come from .npy files; with --random-inputs, inputs not given "
      "are\n"
      "seeded random data (dynamic dimensions 1). The last line of output is\n"
      "'median_ms=X min_ms=X mean_ms=X compile_ms=X' for scripts.");
  parser.positional("MODEL", &modelPath, "the model to time");
  parser.list("--input", &inputSpecs, "NAME=FILE",
              "an input tensor (.npy); repeat for each input");
  parser.flag("--random-inputs", &randomInputs,
              "fill inputs not given with seeded random data");
  parser.option("--runs", &runsText, "N", "timed runs (default 20)");
  parser.option("--warmup", &warmupText, "N",
                "untimed runs before timing (default 3)");
  parser.option("--threads", &threadsText, "N",
                "threads for compiled code (default 0: KILN_NUM_THREADS, "
                "else all cores)");
  parser.option("--output-dir", &outputDir, "DIR",
                "after timing, write each output as DIR/NAME.npy");
  flags.addTo(parser);
  if (auto code = parser.parse(args))
    return *code;
  auto runs = parseCount("--runs", runsText, 1);
  auto warmup = parseCount("--warmup", warmupText, 0);
  auto threads = parseCount("--threads", threadsText, 0);
  if (!runs || !warmup || !threads)
    return 2;
  if (kiln_set_num_threads((int)*threads) != KILN_OK)
    return fail(kiln_last_error());

  std::map<std::string, std::string> given;
  for (const std::string &spec : inputSpecs) {
    auto [name, path] = StringRef(spec).split('=');
    if (name.empty() || path.empty())
      return fail("--input wants NAME=FILE, got '" + spec + "'");
    if (!given.emplace(name.str(), path.str()).second)
      return fail("input '" + name.str() + "' is given twice");
  }

  auto compileStart = Clock::now();
  FailureOr<kiln_model *> opened = openOrCompileModel(modelPath, flags);
  if (failed(opened))
    return 1;
  std::unique_ptr<kiln_model, void (*)(kiln_model *)> model(*opened,
                                                            kiln_model_close);
  double compileMs = millisSince(compileStart);

  size_t numInputs = kiln_model_num_inputs(model.get());
  size_t numOutputs = kiln_model_num_outputs(model.get());
  Tensors inputs;
  std::mt19937_64 rng(0);
  std::uniform_real_distribution<float> real(-1.0f, 1.0f);
  size_t used = 0;
  for (size_t i = 0; i < numInputs; ++i) {
    kiln_tensor_info info;
    kiln_model_input_info(model.get(), i, &info);
    auto it = given.find(info.name);
    if (it != given.end()) {
      ++used;
      kiln_tensor *tensor = nullptr;
      if (kiln_tensor_load_npy(it->second.c_str(), &tensor) != KILN_OK)
        return fail(kiln_last_error());
      inputs.items.push_back(tensor);
      continue;
    }
    if (!randomInputs)
      return fail("missing input '" + std::string(info.name) +
                  "': pass --input " + info.name +
                  "=FILE.npy, or --random-inputs for random data");
    std::vector<int64_t> shape(info.shape, info.shape + info.rank);
    for (int64_t &d : shape)
      d = d < 0 ? 1 : d;
    kiln_tensor *tensor = nullptr;
    if (kiln_tensor_create(info.dtype, shape.data(), shape.size(), &tensor) !=
        KILN_OK)
      return fail(kiln_last_error());
    inputs.items.push_back(tensor);
    // Floats get random values; other dtypes stay zero (valid indices).
    if (info.dtype == KILN_DTYPE_F32) {
      auto *data = static_cast<float *>(kiln_tensor_data(tensor));
      for (size_t e = 0, n = kiln_tensor_num_elements(tensor); e < n; ++e)
        data[e] = real(rng);
    }
  }
  if (used != given.size())
    return fail("an --input names no input of the model");

  // The first run allocates the outputs; later runs write into them.
  Tensors outputs;
  outputs.items.assign(numOutputs, nullptr);
  auto runOnce = [&]() -> bool {
    return kiln_model_run(model.get(), inputs.items.data(), numInputs,
                          outputs.items.data(), numOutputs) == KILN_OK;
  };
  for (int64_t i = 0; i < std::max<int64_t>(1, *warmup); ++i)
    if (!runOnce())
      return fail(kiln_last_error());
  std::vector<double> times;
  for (int64_t i = 0; i < *runs; ++i) {
    auto start = Clock::now();
    if (!runOnce())
      return fail(kiln_last_error());
    times.push_back(millisSince(start));
  }
  std::vector<double> sorted = times;
  std::sort(sorted.begin(), sorted.end());
  double median =
      sorted.size() % 2
          ? sorted[sorted.size() / 2]
          : (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]) / 2;
  double mean = 0;
  for (double t : times)
    mean += t / times.size();

  if (!outputDir.empty())
    for (size_t i = 0; i < numOutputs; ++i) {
      kiln_tensor_info info;
      kiln_model_output_info(model.get(), i, &info);
      std::string file = info.name;
      for (char &c : file)
        if (!std::isalnum((unsigned char)c) && c != '_' && c != '-')
          c = '_';
      std::string path = outputDir + "/" + file + ".npy";
      if (kiln_tensor_save_npy(outputs.items[i], path.c_str()) != KILN_OK)
        return fail(kiln_last_error());
    }

  std::printf("%s: %lld runs on %d thread(s) after %lld warm-up: median "
              "%.3f ms, min %.3f ms, mean %.3f ms (compile %.1f ms)\n",
              modelPath.c_str(), (long long)*runs, kiln_get_num_threads(),
              (long long)std::max<int64_t>(1, *warmup), median, sorted.front(),
              mean, compileMs);
  std::printf("median_ms=%.4f min_ms=%.4f mean_ms=%.4f compile_ms=%.1f\n",
              median, sorted.front(), mean, compileMs);
  return 0;
}
