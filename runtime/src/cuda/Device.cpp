//===- Device.cpp - Kiln's CUDA C API over the loaded driver --------------===//
//
// Devices with their primary context and one stream, PTX modules, memory,
// copies and launches (kiln/cuda.h). Each call makes the device's context
// current on the calling thread for its duration, so any thread may use a
// device.
//
//===----------------------------------------------------------------------===//

#include "kiln/cuda.h"

#include "Driver.h"

#include "../Error.h"

#include <cstring>
#include <new>
#include <string>

using namespace kiln::rt;
using namespace kiln::rt::cuda;

struct kiln_cuda_device {
  const Driver *driver;
  CUdevice device;
  CUcontext context;
  CUstream stream;
  std::string name;
};

struct kiln_cuda_module {
  kiln_cuda_device *device;
  CUmodule module;
};

namespace {
/// Makes a device's context current for a scope.
class ContextScope {
public:
  explicit ContextScope(const kiln_cuda_device *device)
      : driver(device->driver) {
    result = driver->ctxPushCurrent(device->context);
  }
  ~ContextScope() {
    if (result == CUDA_SUCCESS) {
      CUcontext popped;
      driver->ctxPopCurrent(&popped);
    }
  }
  /// The status of making the context current.
  kiln_status status() const {
    return result == CUDA_SUCCESS
               ? KILN_OK
               : failCall(*driver, "cuCtxPushCurrent", result);
  }

private:
  const Driver *driver;
  CUresult result;
};

kiln_status nullArgument(const char *what) {
  return fail(KILN_ERROR_INVALID_ARGUMENT, format("%s is null", what));
}

/// The ".version X.Y" a PTX text declares, for messages.
std::string ptxVersion(const char *ptx) {
  const char *at = std::strstr(ptx, ".version");
  if (!at)
    return "unknown";
  at += std::strlen(".version");
  while (*at == ' ' || *at == '\t')
    ++at;
  size_t n = std::strspn(at, "0123456789.");
  return n ? std::string(at, n) : "unknown";
}
} // namespace

extern "C" kiln_status kiln_cuda_driver_version(int *version) {
  if (!version)
    return nullArgument("version");
  const Driver *d;
  if (kiln_status status = driver(&d))
    return status;
  *version = d->version;
  return KILN_OK;
}

extern "C" kiln_status kiln_cuda_device_count(int *count) {
  if (!count)
    return nullArgument("count");
  const Driver *d;
  if (kiln_status status = driver(&d))
    return status;
  CUresult result = d->deviceGetCount(count);
  if (result == CUDA_ERROR_NO_DEVICE) {
    *count = 0;
    return KILN_OK;
  }
  return result == CUDA_SUCCESS ? KILN_OK
                                : failCall(*d, "cuDeviceGetCount", result);
}

extern "C" kiln_status kiln_cuda_device_open(int ordinal,
                                             kiln_cuda_device **out) {
  if (!out)
    return nullArgument("out");
  *out = nullptr;
  int count;
  if (kiln_status status = kiln_cuda_device_count(&count))
    return status;
  if (count == 0)
    return fail(KILN_ERROR_UNSUPPORTED,
                "no GPU: the CUDA driver found no device");
  if (ordinal < 0 || ordinal >= count)
    return fail(KILN_ERROR_INVALID_ARGUMENT,
                format("no CUDA device %d: there %s %d (0 to %d)", ordinal,
                       count == 1 ? "is" : "are", count, count - 1));
  const Driver *d;
  (void)driver(&d);
  auto *device = new (std::nothrow) kiln_cuda_device();
  if (!device)
    return fail(KILN_ERROR_OUT_OF_MEMORY, "out of memory");
  device->driver = d;
  CUresult result = d->deviceGet(&device->device, ordinal);
  if (result != CUDA_SUCCESS) {
    delete device;
    return failCall(*d, "cuDeviceGet", result);
  }
  char name[256] = {0};
  if (d->deviceGetName(name, sizeof(name) - 1, device->device) == CUDA_SUCCESS)
    device->name = name;
  result = d->primaryCtxRetain(&device->context, device->device);
  if (result != CUDA_SUCCESS) {
    delete device;
    return failCall(*d, "cuDevicePrimaryCtxRetain", result);
  }
  {
    ContextScope scope(device);
    kiln_status status = scope.status();
    if (status == KILN_OK) {
      result = d->streamCreate(&device->stream, CU_STREAM_NON_BLOCKING);
      if (result != CUDA_SUCCESS)
        status = failCall(*d, "cuStreamCreate", result);
    }
    if (status != KILN_OK) {
      d->primaryCtxRelease(device->device);
      delete device;
      return status;
    }
  }
  *out = device;
  return KILN_OK;
}

extern "C" void kiln_cuda_device_close(kiln_cuda_device *device) {
  if (!device)
    return;
  {
    ContextScope scope(device);
    if (scope.status() == KILN_OK) {
      device->driver->streamSynchronize(device->stream);
      device->driver->streamDestroy(device->stream);
    }
  }
  device->driver->primaryCtxRelease(device->device);
  delete device;
}

extern "C" const char *kiln_cuda_device_name(const kiln_cuda_device *device) {
  return device ? device->name.c_str() : "";
}

extern "C" kiln_status
kiln_cuda_device_capability(const kiln_cuda_device *device, int *major,
                            int *minor) {
  if (!device || !major || !minor)
    return nullArgument(!device ? "device" : "major or minor");
  const Driver &d = *device->driver;
  CUresult result = d.deviceGetAttribute(
      major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device->device);
  if (result == CUDA_SUCCESS)
    result = d.deviceGetAttribute(
        minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device->device);
  return result == CUDA_SUCCESS ? KILN_OK
                                : failCall(d, "cuDeviceGetAttribute", result);
}

extern "C" kiln_status kiln_cuda_module_load_ptx(kiln_cuda_device *device,
                                                 const char *ptx,
                                                 kiln_cuda_module **out) {
  if (!device || !ptx || !out)
    return nullArgument(!device ? "device" : !ptx ? "ptx" : "out");
  *out = nullptr;
  const Driver &d = *device->driver;
  ContextScope scope(device);
  if (kiln_status status = scope.status())
    return status;
  // The driver's JIT explains a rejected PTX in its error log.
  char log[4096] = {0};
  int options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void *values[] = {log, reinterpret_cast<void *>(sizeof(log) - 1)};
  CUmodule module;
  CUresult result = d.moduleLoadDataEx(&module, ptx, 2, options, values);
  if (result == CUDA_ERROR_UNSUPPORTED_PTX_VERSION)
    return fail(KILN_ERROR_UNSUPPORTED,
                format("PTX needs a newer driver: the kernels are PTX ISA %s, "
                       "which CUDA driver %d.%d does not support; update the "
                       "NVIDIA driver, or compile for an older PTX version "
                       "(--target cuda with features such as +ptx70)",
                       ptxVersion(ptx).c_str(), d.version / 1000,
                       d.version % 1000 / 10));
  if (result == CUDA_ERROR_NO_BINARY_FOR_GPU)
    return fail(KILN_ERROR_UNSUPPORTED,
                format("the PTX targets a newer GPU than device '%s': %s",
                       device->name.c_str(), log));
  if (result != CUDA_SUCCESS)
    return fail(result == CUDA_ERROR_OUT_OF_MEMORY ? KILN_ERROR_OUT_OF_MEMORY
                                                   : KILN_ERROR_INVALID_MODEL,
                format("the CUDA driver cannot load the PTX: %s%s%s",
                       describe(d, result).c_str(), *log ? ": " : "", log));
  auto *wrapper = new (std::nothrow) kiln_cuda_module{device, module};
  if (!wrapper) {
    d.moduleUnload(module);
    return fail(KILN_ERROR_OUT_OF_MEMORY, "out of memory");
  }
  *out = wrapper;
  return KILN_OK;
}

extern "C" void kiln_cuda_module_unload(kiln_cuda_module *module) {
  if (!module)
    return;
  ContextScope scope(module->device);
  module->device->driver->moduleUnload(module->module);
  delete module;
}

extern "C" kiln_status kiln_cuda_module_kernel(kiln_cuda_module *module,
                                               const char *name,
                                               kiln_cuda_kernel **out) {
  if (!module || !name || !out)
    return nullArgument(!module ? "module" : !name ? "name" : "out");
  CUfunction function;
  CUresult result = module->device->driver->moduleGetFunction(
      &function, module->module, name);
  if (result != CUDA_SUCCESS)
    return fail(KILN_ERROR_INVALID_ARGUMENT,
                format("the module has no kernel '%s' (%s)", name,
                       describe(*module->device->driver, result).c_str()));
  *out = reinterpret_cast<kiln_cuda_kernel *>(function);
  return KILN_OK;
}

extern "C" kiln_status kiln_cuda_alloc(kiln_cuda_device *device, size_t bytes,
                                       kiln_cuda_ptr *out) {
  if (!device || !out)
    return nullArgument(!device ? "device" : "out");
  *out = 0;
  ContextScope scope(device);
  if (kiln_status status = scope.status())
    return status;
  // cuMemAlloc refuses 0 bytes; a 1-byte allocation keeps pointers unique.
  CUdeviceptr ptr;
  CUresult result = device->driver->memAlloc(&ptr, bytes ? bytes : 1);
  if (result != CUDA_SUCCESS)
    return failCall(*device->driver,
                    format("cuMemAlloc of %zu bytes", bytes).c_str(), result);
  *out = ptr;
  return KILN_OK;
}

extern "C" kiln_status kiln_cuda_free(kiln_cuda_device *device,
                                      kiln_cuda_ptr ptr) {
  if (!device)
    return nullArgument("device");
  if (!ptr)
    return KILN_OK;
  ContextScope scope(device);
  if (kiln_status status = scope.status())
    return status;
  CUresult result = device->driver->memFree(ptr);
  return result == CUDA_SUCCESS
             ? KILN_OK
             : failCall(*device->driver, "cuMemFree", result);
}

extern "C" kiln_status kiln_cuda_copy_to_device(kiln_cuda_device *device,
                                                kiln_cuda_ptr dst,
                                                const void *src, size_t bytes) {
  if (!device || (!src && bytes))
    return nullArgument(!device ? "device" : "src");
  if (!bytes)
    return KILN_OK;
  ContextScope scope(device);
  if (kiln_status status = scope.status())
    return status;
  CUresult result =
      device->driver->memcpyHtoDAsync(dst, src, bytes, device->stream);
  return result == CUDA_SUCCESS
             ? KILN_OK
             : failCall(*device->driver, "cuMemcpyHtoDAsync", result);
}

extern "C" kiln_status kiln_cuda_copy_to_host(kiln_cuda_device *device,
                                              void *dst, kiln_cuda_ptr src,
                                              size_t bytes) {
  if (!device || (!dst && bytes))
    return nullArgument(!device ? "device" : "dst");
  if (!bytes)
    return KILN_OK;
  ContextScope scope(device);
  if (kiln_status status = scope.status())
    return status;
  const Driver &d = *device->driver;
  CUresult result = d.memcpyDtoHAsync(dst, src, bytes, device->stream);
  if (result != CUDA_SUCCESS)
    return failCall(d, "cuMemcpyDtoHAsync", result);
  result = d.streamSynchronize(device->stream);
  return result == CUDA_SUCCESS ? KILN_OK
                                : failCall(d, "cuStreamSynchronize", result);
}

extern "C" kiln_status kiln_cuda_memset(kiln_cuda_device *device,
                                        kiln_cuda_ptr dst, uint8_t value,
                                        size_t bytes) {
  if (!device)
    return nullArgument("device");
  if (!bytes)
    return KILN_OK;
  ContextScope scope(device);
  if (kiln_status status = scope.status())
    return status;
  CUresult result =
      device->driver->memsetD8Async(dst, value, bytes, device->stream);
  return result == CUDA_SUCCESS
             ? KILN_OK
             : failCall(*device->driver, "cuMemsetD8Async", result);
}

extern "C" kiln_status kiln_cuda_launch(kiln_cuda_device *device,
                                        kiln_cuda_kernel *kernel,
                                        const uint32_t grid[3],
                                        const uint32_t block[3],
                                        uint32_t shared_bytes, void **args) {
  if (!device || !kernel || !grid || !block)
    return nullArgument(!device   ? "device"
                        : !kernel ? "kernel"
                                  : "grid or block");
  for (int i = 0; i < 3; ++i)
    if (grid[i] == 0 || block[i] == 0)
      return fail(KILN_ERROR_INVALID_ARGUMENT,
                  format("a launch of %ux%ux%u blocks of %ux%ux%u threads: "
                         "every extent must be at least 1",
                         grid[0], grid[1], grid[2], block[0], block[1],
                         block[2]));
  ContextScope scope(device);
  if (kiln_status status = scope.status())
    return status;
  CUresult result = device->driver->launchKernel(
      reinterpret_cast<CUfunction>(kernel), grid[0], grid[1], grid[2], block[0],
      block[1], block[2], shared_bytes, device->stream, args, nullptr);
  return result == CUDA_SUCCESS
             ? KILN_OK
             : failCall(*device->driver, "cuLaunchKernel", result);
}

extern "C" kiln_status kiln_cuda_synchronize(kiln_cuda_device *device) {
  if (!device)
    return nullArgument("device");
  ContextScope scope(device);
  if (kiln_status status = scope.status())
    return status;
  CUresult result = device->driver->streamSynchronize(device->stream);
  return result == CUDA_SUCCESS
             ? KILN_OK
             : failCall(*device->driver, "cuStreamSynchronize", result);
}
