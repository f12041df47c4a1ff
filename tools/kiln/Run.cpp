//===- Run.cpp - kiln run -------------------------------------------------===//
//
// Compiles a model through the JIT and runs it once on inputs from .npy or
// TensorProto (.pb) files, or on seeded random data when asked. Prints each
// output and writes it as .npy when given a directory.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "kiln/Frontends/ONNX/TensorIO.h"
#include "kiln/runtime.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <set>

using namespace mlir;
using namespace mlir::kiln::cli;

namespace {

using Clock = std::chrono::steady_clock;

double millisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

/// Owns the tensors of one run.
struct Tensors {
  std::vector<kiln_tensor *> items;
  ~Tensors() {
    for (kiln_tensor *t : items)
      kiln_tensor_destroy(t);
  }
};

std::string typeText(kiln_dtype dtype, const int64_t *shape, size_t rank) {
  std::string text = std::string(kiln_dtype_name(dtype)) + "[";
  for (size_t i = 0; i < rank; ++i) {
    if (i)
      text += "x";
    text += shape[i] < 0 ? std::string("?") : std::to_string(shape[i]);
  }
  return text + "]";
}

/// Reads a tensor from .npy or a serialized TensorProto (.pb).
llvm::Expected<kiln_tensor *> readTensor(const std::string &path) {
  if (StringRef(path).ends_with(".pb"))
    return mlir::kiln::readTensorProtoFile(path);
  kiln_tensor *tensor = nullptr;
  if (kiln_tensor_load_npy(path.c_str(), &tensor) != KILN_OK)
    return llvm::createStringError(std::errc::invalid_argument, "%s",
                                   kiln_last_error());
  return tensor;
}

/// Seeded random data: floats in [-1, 1), integers in [0, 10), bools.
void fillRandom(kiln_tensor *tensor, std::mt19937_64 &rng) {
  size_t n = kiln_tensor_num_elements(tensor);
  void *data = kiln_tensor_data(tensor);
  std::uniform_real_distribution<double> real(-1.0, 1.0);
  std::uniform_int_distribution<int> small(0, 9);
  for (size_t i = 0; i < n; ++i) {
    switch (kiln_tensor_dtype(tensor)) {
    case KILN_DTYPE_F32:
      static_cast<float *>(data)[i] = (float)real(rng);
      break;
    case KILN_DTYPE_F64:
      static_cast<double *>(data)[i] = real(rng);
      break;
    case KILN_DTYPE_I32:
      static_cast<int32_t *>(data)[i] = small(rng);
      break;
    case KILN_DTYPE_I64:
      static_cast<int64_t *>(data)[i] = small(rng);
      break;
    case KILN_DTYPE_I8:
    case KILN_DTYPE_U8:
      static_cast<uint8_t *>(data)[i] = (uint8_t)small(rng);
      break;
    case KILN_DTYPE_BOOL:
      static_cast<uint8_t *>(data)[i] = small(rng) & 1;
      break;
    default: // other widths: leave zeros
      return;
    }
  }
}

/// Up to `limit` values of a tensor, numpy-style.
std::string preview(const kiln_tensor *tensor, size_t limit) {
  size_t n = kiln_tensor_num_elements(tensor);
  const void *data = kiln_tensor_data(tensor);
  std::string text = "[";
  for (size_t i = 0; i < n && i < limit; ++i) {
    if (i)
      text += ", ";
    char buf[32];
    switch (kiln_tensor_dtype(tensor)) {
    case KILN_DTYPE_F32:
      std::snprintf(buf, sizeof buf, "%.6g", static_cast<const float *>(data)[i]);
      break;
    case KILN_DTYPE_F64:
      std::snprintf(buf, sizeof buf, "%.6g", static_cast<const double *>(data)[i]);
      break;
    case KILN_DTYPE_I32:
      std::snprintf(buf, sizeof buf, "%d", static_cast<const int32_t *>(data)[i]);
      break;
    case KILN_DTYPE_I64:
      std::snprintf(buf, sizeof buf, "%lld",
                    (long long)static_cast<const int64_t *>(data)[i]);
      break;
    case KILN_DTYPE_I8:
      std::snprintf(buf, sizeof buf, "%d", static_cast<const int8_t *>(data)[i]);
      break;
    case KILN_DTYPE_U8:
    case KILN_DTYPE_BOOL:
      std::snprintf(buf, sizeof buf, "%u", static_cast<const uint8_t *>(data)[i]);
      break;
    default:
      std::snprintf(buf, sizeof buf, "?");
    }
    text += buf;
  }
  if (n > limit)
    text += ", ... (" + std::to_string(n) + " values)";
  return text + "]";
}

/// A file name for an output: its name with path separators replaced.
std::string fileNameFor(const std::string &name) {
  std::string file;
  for (char c : name)
    file += (std::isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.')
                ? c
                : '_';
  if (file.empty() || file[0] == '.')
    file = "output" + file;
  return file + ".npy";
}

/// Whether `tensor` has the dtype and shape `info` declares (dynamic
/// dimensions match any size).
bool matches(const kiln_tensor *tensor, const kiln_tensor_info &info) {
  if (kiln_tensor_dtype(tensor) != info.dtype ||
      kiln_tensor_rank(tensor) != info.rank)
    return false;
  const int64_t *shape = kiln_tensor_shape(tensor);
  for (size_t d = 0; d < info.rank; ++d)
    if (info.shape[d] >= 0 && info.shape[d] != shape[d])
      return false;
  return true;
}

/// Writes output `i` as `dir/fileNameFor(names[i])` (two outputs whose names
/// map to one file get `_2`, `_3`... suffixes) and returns the paths. Every
/// file is written under a temporary name first and renamed only once all
/// were written, so a failure leaves no new file in `dir`.
llvm::Expected<std::vector<std::string>>
writeOutputs(const Tensors &outputs, const std::vector<std::string> &names,
             const std::string &dir) {
  std::vector<std::string> paths, temporaries;
  std::set<std::string> used;
  for (const std::string &name : names) {
    std::string file = fileNameFor(name);
    std::string stem = file.substr(0, file.size() - 4);
    for (int n = 2; !used.insert(file).second; ++n)
      file = stem + "_" + std::to_string(n) + ".npy";
    SmallString<256> path(dir);
    llvm::sys::path::append(path, file);
    paths.push_back(path.str().str());
  }
  auto removeTemporaries = [&] {
    for (const std::string &t : temporaries)
      llvm::sys::fs::remove(t);
  };
  std::string suffix =
      ".partial" + std::to_string(llvm::sys::Process::getProcessId());
  for (size_t i = 0; i < paths.size(); ++i) {
    temporaries.push_back(paths[i] + suffix);
    if (kiln_tensor_save_npy(outputs.items[i], temporaries.back().c_str()) !=
        KILN_OK) {
      std::string message = std::string(kiln_last_error());
      removeTemporaries();
      return llvm::createStringError(
          std::errc::io_error, "cannot write output '%s' to '%s': %s",
          names[i].c_str(), paths[i].c_str(), message.c_str());
    }
  }
  for (size_t i = 0; i < paths.size(); ++i)
    if (auto ec = llvm::sys::fs::rename(temporaries[i], paths[i])) {
      removeTemporaries();
      return llvm::createStringError(ec, "cannot write '%s': %s",
                                     paths[i].c_str(), ec.message().c_str());
    }
  return paths;
}

} // namespace

int mlir::kiln::cli::runRun(const std::vector<std::string> &args) {
  std::string modelPath, outputDir, seedText = "0";
  std::vector<std::string> inputSpecs;
  bool randomInputs = false, quiet = false;
  CompilerFlags flags;
  ArgParser parser(
      "run",
      "kiln run MODEL [--input NAME=FILE]... [--output-dir DIR] [options]",
      "Compiles MODEL (.onnx, ONNX text or .mlir) in process, runs it once and\n"
      "prints every output. Inputs come from .npy files or ONNX TensorProto\n"
      "files (.pb); with --random-inputs, inputs not given are filled with\n"
      "seeded random data (dynamic dimensions become 1 unless --input-shape\n"
      "fixes them).");
  parser.positional("MODEL", &modelPath, "the model to run");
  parser.list("--input", &inputSpecs, "NAME=FILE",
              "an input tensor (.npy or .pb); repeat for each input");
  parser.option("--output-dir", &outputDir, "DIR",
                "write each output as DIR/NAME.npy");
  parser.flag("--random-inputs", &randomInputs,
              "fill inputs not given with seeded random data");
  parser.option("--seed", &seedText, "N", "seed for --random-inputs (0)");
  parser.flag("--quiet", &quiet, "do not print output values");
  flags.addTo(parser);
  if (auto code = parser.parse(args))
    return *code;
  uint64_t seed;
  if (StringRef(seedText).getAsInteger(10, seed))
    return fail("--seed must be a non-negative integer, got '" + seedText + "'");

  // Inputs named on the command line, checked before compiling.
  std::map<std::string, std::string> given;
  for (const std::string &spec : inputSpecs) {
    auto [name, path] = StringRef(spec).split('=');
    if (name.empty() || path.empty())
      return fail("--input wants NAME=FILE, got '" + spec + "'");
    if (!given.emplace(name.str(), path.str()).second)
      return fail("input '" + name.str() + "' is given twice");
  }
  if (!outputDir.empty() && !llvm::sys::fs::is_directory(outputDir))
    return fail("--output-dir '" + outputDir + "' is not a directory");

  // A shared library from `kiln compile` runs through the runtime exactly as
  // a user's program would; anything else is compiled here, through the JIT.
  auto compileStart = Clock::now();
  bool precompiled = StringRef(modelPath).ends_with(".so");
  FailureOr<kiln_model *> opened = openOrCompileModel(modelPath, flags);
  if (failed(opened))
    return 1;
  std::unique_ptr<kiln_model, void (*)(kiln_model *)> model(*opened,
                                                            kiln_model_close);
  double compileMs = millisSince(compileStart);

  size_t numInputs = kiln_model_num_inputs(model.get());
  size_t numOutputs = kiln_model_num_outputs(model.get());
  std::vector<std::string> names;
  for (size_t i = 0; i < numInputs; ++i) {
    kiln_tensor_info info;
    kiln_model_input_info(model.get(), i, &info);
    names.push_back(info.name);
  }
  for (const auto &[name, path] : given)
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      std::string known;
      for (const std::string &n : names)
        known += (known.empty() ? "" : ", ") + n;
      return fail("the model has no input '" + name + "' (its inputs: " +
                  (known.empty() ? "none" : known) + ")");
    }

  Tensors inputs;
  std::mt19937_64 rng(seed);
  for (size_t i = 0; i < numInputs; ++i) {
    kiln_tensor_info info;
    kiln_model_input_info(model.get(), i, &info);
    std::string wanted = typeText(info.dtype, info.shape, info.rank);
    auto it = given.find(info.name);
    if (it != given.end()) {
      auto tensor = readTensor(it->second);
      if (!tensor)
        return fail(tensor.takeError());
      inputs.items.push_back(*tensor);
      // Checked here too (the runtime checks again) to name the file.
      if (!matches(*tensor, info))
        return fail("input '" + std::string(info.name) + "' must be " + wanted +
                    ", but '" + it->second + "' holds " +
                    typeText(kiln_tensor_dtype(*tensor),
                             kiln_tensor_shape(*tensor),
                             kiln_tensor_rank(*tensor)));
      continue;
    }
    if (!randomInputs)
      return fail("missing input '" + std::string(info.name) + "' (" + wanted +
                  "): pass --input " + info.name +
                  "=FILE.npy, or --random-inputs for random data");
    std::vector<int64_t> shape(info.shape, info.shape + info.rank);
    for (int64_t &d : shape)
      if (d < 0)
        d = 1;
    kiln_tensor *tensor = nullptr;
    if (kiln_tensor_create(info.dtype, shape.data(), shape.size(), &tensor) !=
        KILN_OK)
      return fail(kiln_last_error());
    fillRandom(tensor, rng);
    inputs.items.push_back(tensor);
  }

  Tensors outputs;
  outputs.items.assign(numOutputs, nullptr);
  auto runStart = Clock::now();
  if (kiln_model_run(model.get(), inputs.items.data(), numInputs,
                     outputs.items.data(), numOutputs) != KILN_OK)
    return fail(kiln_last_error());
  double runMs = millisSince(runStart);

  std::vector<std::string> paths;
  if (!outputDir.empty()) {
    std::vector<std::string> outputNames;
    for (size_t i = 0; i < numOutputs; ++i) {
      kiln_tensor_info info;
      kiln_model_output_info(model.get(), i, &info);
      outputNames.push_back(info.name);
    }
    auto written = writeOutputs(outputs, outputNames, outputDir);
    if (!written)
      return fail(written.takeError());
    paths = std::move(*written);
  }
  for (size_t i = 0; i < numOutputs; ++i) {
    kiln_tensor_info info;
    kiln_model_output_info(model.get(), i, &info);
    kiln_tensor *t = outputs.items[i];
    std::printf("%s: %s", info.name,
                typeText(kiln_tensor_dtype(t), kiln_tensor_shape(t),
                         kiln_tensor_rank(t))
                    .c_str());
    if (!paths.empty())
      std::printf(" -> %s", paths[i].c_str());
    std::printf("\n");
    if (!quiet)
      std::printf("  %s\n", preview(t, 16).c_str());
  }
  std::fflush(stdout);
  std::fprintf(stderr, "kiln: %s in %.1f ms, ran in %.3f ms\n",
               precompiled ? "loaded" : "compiled", compileMs, runMs);
  return 0;
}
