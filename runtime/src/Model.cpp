//===- Model.cpp - Loading and running compiled models --------------------===//
//
// A kiln_model wraps a compiled model's descriptor (kiln/abi.h): from a
// shared library opened with dlopen, or handed over by an in-process JIT.
// Running a model checks the inputs against the descriptor, packs memref
// descriptors, calls the entry point and adopts the buffers it returns.
// Compiled code allocates through the runtime's caching allocator
// (Allocator.h); result buffers leave it for their tensors, and the cache is
// emptied when the last open model closes.
//
//===----------------------------------------------------------------------===//

#include "Allocator.h"
#include "Checks.h"
#include "Error.h"
#include "Tensor.h"
#include "ThreadPool.h"
#include "kiln/abi.h"

#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <new>
#include <string>
#include <sys/stat.h>
#include <unordered_set>
#include <vector>

using namespace kiln::rt;

struct kiln_model {
  const kiln_abi_model *descriptor = nullptr;
  void *library = nullptr;
  void (*release)(void *) = nullptr;
  void *releaseContext = nullptr;
  std::vector<kiln_tensor_info> inputs, outputs;
};

namespace {

constexpr uint32_t kMaxTensors = 1u << 16;
constexpr int32_t kMaxRank = 64;

bool validDtype(int32_t dtype) {
  return kiln_dtype_size((kiln_dtype)dtype) != 0;
}

/// Checks what the runtime relies on in a descriptor; fills `infos`.
kiln_status checkTensors(const kiln_abi_tensor *tensors, uint32_t count,
                         const char *what, std::vector<kiln_tensor_info> &infos) {
  if (count > 0 && !tensors)
    return fail(KILN_ERROR_INVALID_MODEL,
                format("model descriptor has %u %s but no table", count, what));
  for (uint32_t i = 0; i < count; ++i) {
    const kiln_abi_tensor &t = tensors[i];
    if (!t.name || !validDtype(t.dtype) || t.rank < 0 || t.rank > kMaxRank ||
        (t.rank > 0 && !t.shape) || (t.flags & ~KILN_TENSOR_MUTABLE))
      return fail(KILN_ERROR_INVALID_MODEL,
                  format("model descriptor has a malformed entry for %s %u",
                         what, i));
    infos.push_back(
        {t.name, (kiln_dtype)t.dtype, (size_t)t.rank, t.shape, t.flags});
  }
  return KILN_OK;
}

kiln_status wrapDescriptor(const kiln_abi_model *descriptor, kiln_model **out) {
  if (descriptor->abi_version != KILN_ABI_VERSION)
    return fail(KILN_ERROR_ABI_MISMATCH,
                format("model was compiled for Kiln ABI version %u; this "
                       "runtime (%s) loads version %u: recompile the model",
                       descriptor->abi_version, KILN_RUNTIME_VERSION,
                       KILN_ABI_VERSION));
  if (!descriptor->entry || descriptor->num_inputs > kMaxTensors ||
      descriptor->num_outputs > kMaxTensors || descriptor->num_outputs == 0)
    return fail(KILN_ERROR_INVALID_MODEL, "model descriptor is malformed");
  auto *model = new (std::nothrow) kiln_model;
  if (!model)
    return fail(KILN_ERROR_OUT_OF_MEMORY, "cannot allocate a model");
  model->descriptor = descriptor;
  if (kiln_status status = checkTensors(descriptor->inputs,
                                        descriptor->num_inputs, "inputs",
                                        model->inputs)) {
    delete model;
    return status;
  }
  if (kiln_status status = checkTensors(descriptor->outputs,
                                        descriptor->num_outputs, "outputs",
                                        model->outputs)) {
    delete model;
    return status;
  }
  // Hand the model the runtime's services (its parallel loops and buffers
  // use them).
  if (descriptor->runtime)
    *descriptor->runtime = runtimeServices();
  modelOpened();
  *out = model;
  return KILN_OK;
}

/// A memref descriptor as 64-bit words: allocated, aligned, offset, sizes,
/// strides.
size_t descriptorWords(size_t rank) { return 3 + 2 * rank; }

} // namespace

extern "C" kiln_status kiln_model_open_descriptor(
    const kiln_abi_model *descriptor, void (*release)(void *),
    void *releaseContext, kiln_model **out) {
  if (!out || !descriptor)
    return fail(KILN_ERROR_INVALID_ARGUMENT,
                "kiln_model_open_descriptor: descriptor or out is null");
  *out = nullptr;
  if (kiln_status status = wrapDescriptor(descriptor, out))
    return status;
  (*out)->release = release;
  (*out)->releaseContext = releaseContext;
  return KILN_OK;
}

extern "C" kiln_status kiln_model_open(const char *path, kiln_model **out) {
  if (!out || !path)
    return fail(KILN_ERROR_INVALID_ARGUMENT,
                "kiln_model_open: path or out is null");
  *out = nullptr;
  struct stat info;
  if (stat(path, &info) != 0)
    return fail(KILN_ERROR_IO,
                format("cannot open '%s': %s", path, std::strerror(errno)));
  if (!S_ISREG(info.st_mode))
    return fail(KILN_ERROR_IO, format("'%s' is not a regular file", path));
  // dlopen searches the library path for names without a slash.
  std::string name = std::strchr(path, '/') ? path : std::string("./") + path;
  void *library = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *why = dlerror();
    return fail(KILN_ERROR_INVALID_MODEL,
                format("'%s' is not a loadable Kiln model: %s", path,
                       why ? why : "dlopen failed"));
  }
  auto getDescriptor = reinterpret_cast<kiln_abi_descriptor_fn>(
      dlsym(library, KILN_ABI_DESCRIPTOR_SYMBOL));
  if (!getDescriptor) {
    dlclose(library);
    return fail(KILN_ERROR_INVALID_MODEL,
                format("'%s' is not a Kiln model: it exports no %s", path,
                       KILN_ABI_DESCRIPTOR_SYMBOL));
  }
  const kiln_abi_model *descriptor = getDescriptor();
  if (!descriptor) {
    dlclose(library);
    return fail(KILN_ERROR_INVALID_MODEL,
                format("'%s' returned no model descriptor", path));
  }
  if (kiln_status status = wrapDescriptor(descriptor, out)) {
    std::string message = std::string("'") + path + "': " + kiln_last_error();
    dlclose(library);
    return fail(status, message);
  }
  (*out)->library = library;
  return KILN_OK;
}

extern "C" void kiln_model_close(kiln_model *model) {
  if (!model)
    return;
  if (model->release)
    model->release(model->releaseContext);
  if (model->library)
    dlclose(model->library);
  delete model;
  modelClosed();
}

extern "C" size_t kiln_model_num_inputs(const kiln_model *model) {
  return model ? model->inputs.size() : 0;
}

extern "C" size_t kiln_model_num_outputs(const kiln_model *model) {
  return model ? model->outputs.size() : 0;
}

static kiln_status tensorInfo(const kiln_model *model, size_t index,
                              kiln_tensor_info *out, bool input) {
  if (!model || !out)
    return fail(KILN_ERROR_INVALID_ARGUMENT,
                "kiln_model_info: model or out is null");
  const auto &infos = input ? model->inputs : model->outputs;
  if (index >= infos.size())
    return fail(KILN_ERROR_INVALID_ARGUMENT,
                format("%s index %zu is out of range: the model has %zu",
                       input ? "input" : "output", index, infos.size()));
  *out = infos[index];
  return KILN_OK;
}

extern "C" kiln_status kiln_model_input_info(const kiln_model *model,
                                             size_t index,
                                             kiln_tensor_info *out) {
  return tensorInfo(model, index, out, /*input=*/true);
}

extern "C" kiln_status kiln_model_output_info(const kiln_model *model,
                                              size_t index,
                                              kiln_tensor_info *out) {
  return tensorInfo(model, index, out, /*input=*/false);
}

static int64_t findByName(const std::vector<kiln_tensor_info> &infos,
                          const char *name) {
  if (!name)
    return -1;
  for (size_t i = 0; i < infos.size(); ++i)
    if (std::strcmp(infos[i].name, name) == 0)
      return (int64_t)i;
  return -1;
}

extern "C" int64_t kiln_model_find_input(const kiln_model *model,
                                         const char *name) {
  return model ? findByName(model->inputs, name) : -1;
}

extern "C" int64_t kiln_model_find_output(const kiln_model *model,
                                          const char *name) {
  return model ? findByName(model->outputs, name) : -1;
}

/// Checks a tensor against what the model declares for it.
static kiln_status checkAgainst(const kiln_tensor *tensor,
                                const kiln_tensor_info &info,
                                const char *what, size_t index) {
  if (!tensor)
    return fail(KILN_ERROR_INVALID_ARGUMENT,
                format("%s %zu ('%s') is null", what, index, info.name));
  if (tensor->dtype != info.dtype)
    return fail(KILN_ERROR_DTYPE_MISMATCH,
                format("%s '%s' must be %s, got %s", what, info.name,
                       kiln_dtype_name(info.dtype),
                       kiln_dtype_name(tensor->dtype)));
  bool shapeOk = tensor->shape.size() == info.rank;
  for (size_t d = 0; shapeOk && d < info.rank; ++d)
    shapeOk = info.shape[d] < 0 || info.shape[d] == tensor->shape[d];
  if (!shapeOk)
    return fail(KILN_ERROR_SHAPE_MISMATCH,
                format("%s '%s' must have shape %s, got %s", what, info.name,
                       formatShape(info.shape, info.rank).c_str(),
                       formatShape(tensor->shape.data(), tensor->shape.size())
                           .c_str()));
  return KILN_OK;
}

extern "C" kiln_status kiln_model_run(kiln_model *model,
                                      const kiln_tensor *const *inputs,
                                      size_t numInputs, kiln_tensor **outputs,
                                      size_t numOutputs) {
  if (!model)
    return fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_model_run: model is null");
  if (numInputs != model->inputs.size())
    return fail(KILN_ERROR_INPUT_COUNT,
                format("model takes %zu inputs, got %zu",
                       model->inputs.size(), numInputs));
  if (numOutputs != model->outputs.size())
    return fail(KILN_ERROR_INPUT_COUNT,
                format("model produces %zu outputs, got %zu slots",
                       model->outputs.size(), numOutputs));
  if ((numInputs && !inputs) || !outputs)
    return fail(KILN_ERROR_INVALID_ARGUMENT,
                "kiln_model_run: inputs or outputs array is null");
  for (size_t i = 0; i < numInputs; ++i)
    if (kiln_status status =
            checkAgainst(inputs[i], model->inputs[i], "input", i))
      return status;
  for (size_t i = 0; i < numOutputs; ++i)
    if (outputs[i])
      if (kiln_status status =
              checkAgainst(outputs[i], model->outputs[i], "output", i))
        return status;

  // Pack the input descriptors (row-major, never written by the callee).
  std::vector<std::vector<int64_t>> inputWords(numInputs);
  std::vector<void *> args(1 + numInputs);
  for (size_t i = 0; i < numInputs; ++i) {
    const kiln_tensor *t = inputs[i];
    size_t rank = t->shape.size();
    std::vector<int64_t> &w = inputWords[i];
    w.resize(descriptorWords(rank));
    w[0] = w[1] = (int64_t)(intptr_t)t->data;
    w[2] = 0;
    int64_t stride = 1;
    for (size_t d = rank; d-- > 0;) {
      w[3 + d] = t->shape[d];
      w[3 + rank + d] = stride;
      stride *= t->shape[d];
    }
    args[1 + i] = w.data();
  }
  size_t resultWords = 0;
  for (const kiln_tensor_info &info : model->outputs)
    resultWords += descriptorWords(info.rank);
  std::vector<int64_t> results(resultWords, 0);
  args[0] = results.data();

  if (const char *failed = callEntry(model->descriptor->entry, args.data()))
    return fail(KILN_ERROR_SHAPE_MISMATCH,
                std::string("the model cannot run on these inputs: ") + failed);

  // Read the result descriptors back.
  struct Result {
    void *allocated;
    char *data;
    std::vector<int64_t> shape;
    size_t sizeBytes;
    bool dense;
  };
  std::vector<Result> got(numOutputs);
  std::unordered_set<void *> unclaimed;
  for (size_t i = 0, at = 0; i < numOutputs; ++i) {
    const kiln_tensor_info &info = model->outputs[i];
    size_t rank = info.rank;
    const int64_t *w = results.data() + at;
    at += descriptorWords(rank);
    size_t elementSize = kiln_dtype_size(info.dtype);
    Result &r = got[i];
    r.allocated = (void *)(intptr_t)w[0];
    r.data = (char *)(intptr_t)w[1] + w[2] * (int64_t)elementSize;
    r.shape.assign(w + 3, w + 3 + rank);
    r.dense = true;
    int64_t stride = 1;
    for (size_t d = rank; d-- > 0;) {
      if (r.shape[d] != 1 && w[3 + rank + d] != stride)
        r.dense = false;
      stride *= r.shape[d];
    }
    r.sizeBytes = (size_t)stride * elementSize;
    if (r.allocated)
      unclaimed.insert(r.allocated);
  }
  auto freeUnclaimed = [&] {
    for (void *p : unclaimed)
      cachedDeallocate(p);
  };

  // Check everything before writing any slot.
  for (size_t i = 0; i < numOutputs; ++i) {
    const char *name = model->outputs[i].name;
    if (!got[i].dense) {
      freeUnclaimed();
      return fail(KILN_ERROR_INTERNAL,
                  format("output '%s' came back in a non-row-major layout",
                         name));
    }
    if (outputs[i] && outputs[i]->shape != got[i].shape) {
      freeUnclaimed();
      return fail(KILN_ERROR_SHAPE_MISMATCH,
                  format("output '%s' has shape %s but the tensor given for "
                         "it has %s",
                         name,
                         formatShape(got[i].shape.data(), got[i].shape.size())
                             .c_str(),
                         formatShape(outputs[i]->shape.data(),
                                     outputs[i]->shape.size())
                             .c_str()));
    }
  }

  // Each allocation is adopted by at most one output; an output sharing an
  // allocation with an earlier one gets a copy. Caller-provided slots get the
  // data copied in.
  std::vector<kiln_tensor *> produced(numOutputs, nullptr);
  for (size_t i = 0; i < numOutputs; ++i) {
    Result &r = got[i];
    const kiln_tensor_info &info = model->outputs[i];
    if (outputs[i]) {
      if (r.sizeBytes)
        std::memcpy(outputs[i]->data, r.data, r.sizeBytes);
      continue;
    }
    if (r.allocated && unclaimed.erase(r.allocated)) {
      produced[i] =
          adoptBuffer(info.dtype, r.shape, r.data, r.sizeBytes, r.allocated);
      if (produced[i])
        // The tensor frees it with free(), as it does its other buffers.
        releaseToCaller(r.allocated);
      else
        unclaimed.insert(r.allocated);
    } else if (void *copy = allocateZeroed(r.sizeBytes)) {
      if (r.sizeBytes)
        std::memcpy(copy, r.data, r.sizeBytes);
      produced[i] = adoptBuffer(info.dtype, r.shape, copy, r.sizeBytes, copy);
      if (!produced[i])
        std::free(copy);
    }
    if (!produced[i]) {
      // Out of memory: undo, leaving the caller's null slots null.
      for (kiln_tensor *t : produced)
        kiln_tensor_destroy(t);
      freeUnclaimed();
      return fail(KILN_ERROR_OUT_OF_MEMORY, "cannot allocate an output");
    }
  }
  freeUnclaimed();
  for (size_t i = 0; i < numOutputs; ++i)
    if (produced[i])
      outputs[i] = produced[i];
  return KILN_OK;
}
