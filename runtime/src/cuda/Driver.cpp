//===- Driver.cpp - Loading the CUDA driver with dlopen -------------------===//
//
// Opens libcuda.so.1, resolves each entry point by its exact versioned name
// and initializes the driver, turning every way this can fail (no library,
// the CUDA toolkit's stub, an old driver, no device) into a status and a
// message instead of a crash.
//
//===----------------------------------------------------------------------===//

#include "Driver.h"

#include "../Error.h"

#include <cstdlib>
#include <dlfcn.h>
#include <mutex>

using namespace kiln::rt;
using namespace kiln::rt::cuda;

const char *kiln::rt::cuda::driverPath() {
  const char *path = std::getenv("KILN_CUDA_DRIVER");
  return path && *path ? path : "libcuda.so.1";
}

namespace {
/// Resolves `name` into `fn`; false when the library lacks it.
template <typename Fn> bool resolve(void *handle, const char *name, Fn &fn) {
  fn = reinterpret_cast<Fn>(dlsym(handle, name));
  return fn != nullptr;
}
} // namespace

std::string kiln::rt::cuda::describe(const Driver &driver, CUresult result) {
  const char *name = nullptr, *text = nullptr;
  if (driver.getErrorName && driver.getErrorName(result, &name) != CUDA_SUCCESS)
    name = nullptr;
  if (driver.getErrorString &&
      driver.getErrorString(result, &text) != CUDA_SUCCESS)
    text = nullptr;
  // The toolkit's stub answers nothing: name the codes Kiln tells apart.
  if (!name) {
    switch (result) {
    case CUDA_ERROR_OUT_OF_MEMORY:
      name = "CUDA_ERROR_OUT_OF_MEMORY";
      break;
    case CUDA_ERROR_STUB_LIBRARY:
      name = "CUDA_ERROR_STUB_LIBRARY";
      break;
    case CUDA_ERROR_INSUFFICIENT_DRIVER:
      name = "CUDA_ERROR_INSUFFICIENT_DRIVER";
      break;
    case CUDA_ERROR_NO_DEVICE:
      name = "CUDA_ERROR_NO_DEVICE";
      break;
    case CUDA_ERROR_NO_BINARY_FOR_GPU:
      name = "CUDA_ERROR_NO_BINARY_FOR_GPU";
      break;
    case CUDA_ERROR_INVALID_PTX:
      name = "CUDA_ERROR_INVALID_PTX";
      break;
    case CUDA_ERROR_UNSUPPORTED_PTX_VERSION:
      name = "CUDA_ERROR_UNSUPPORTED_PTX_VERSION";
      break;
    }
  }
  std::string out = name ? name : format("CUDA error %d", result);
  if (text)
    out += std::string(": ") + text;
  return out;
}

kiln_status kiln::rt::cuda::failCall(const Driver &driver, const char *what,
                                     CUresult result) {
  return fail(result == CUDA_ERROR_OUT_OF_MEMORY ? KILN_ERROR_OUT_OF_MEMORY
                                                 : KILN_ERROR_INTERNAL,
              format("%s failed: %s", what, describe(driver, result).c_str()));
}

kiln_status kiln::rt::cuda::loadDriver(const char *path, Driver &out) {
  out = Driver();
  // RTLD_LOCAL: the driver's symbols stay out of the global namespace.
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *why = dlerror();
    return fail(KILN_ERROR_UNSUPPORTED,
                format("no CUDA driver found: cannot load '%s' (%s); the "
                       "NVIDIA driver is not installed, or not on the loader's "
                       "path",
                       path, why ? why : "unknown reason"));
  }
  Driver d;
  d.handle = handle;
  d.path = path;
  const char *missing = nullptr;
#define KILN_RESOLVE(field, name)                                              \
  if (!missing && !resolve(handle, name, d.field))                             \
  missing = name
  KILN_RESOLVE(init, "cuInit");
  KILN_RESOLVE(driverGetVersion, "cuDriverGetVersion");
  KILN_RESOLVE(getErrorName, "cuGetErrorName");
  KILN_RESOLVE(getErrorString, "cuGetErrorString");
  KILN_RESOLVE(deviceGetCount, "cuDeviceGetCount");
  KILN_RESOLVE(deviceGet, "cuDeviceGet");
  KILN_RESOLVE(deviceGetName, "cuDeviceGetName");
  KILN_RESOLVE(deviceGetAttribute, "cuDeviceGetAttribute");
  KILN_RESOLVE(primaryCtxRetain, "cuDevicePrimaryCtxRetain");
  KILN_RESOLVE(primaryCtxRelease, "cuDevicePrimaryCtxRelease_v2");
  KILN_RESOLVE(ctxPushCurrent, "cuCtxPushCurrent_v2");
  KILN_RESOLVE(ctxPopCurrent, "cuCtxPopCurrent_v2");
  KILN_RESOLVE(streamCreate, "cuStreamCreate");
  KILN_RESOLVE(streamDestroy, "cuStreamDestroy_v2");
  KILN_RESOLVE(streamSynchronize, "cuStreamSynchronize");
  KILN_RESOLVE(moduleLoadDataEx, "cuModuleLoadDataEx");
  KILN_RESOLVE(moduleUnload, "cuModuleUnload");
  KILN_RESOLVE(moduleGetFunction, "cuModuleGetFunction");
  KILN_RESOLVE(memAlloc, "cuMemAlloc_v2");
  KILN_RESOLVE(memFree, "cuMemFree_v2");
  KILN_RESOLVE(memcpyHtoDAsync, "cuMemcpyHtoDAsync_v2");
  KILN_RESOLVE(memcpyDtoHAsync, "cuMemcpyDtoHAsync_v2");
  KILN_RESOLVE(memsetD8Async, "cuMemsetD8Async");
  KILN_RESOLVE(launchKernel, "cuLaunchKernel");
#undef KILN_RESOLVE
  if (missing) {
    dlclose(handle);
    return fail(KILN_ERROR_UNSUPPORTED,
                format("no CUDA driver found: '%s' has no entry point '%s' "
                       "(a CUDA driver older than 11.0, or not a CUDA driver)",
                       path, missing));
  }
  CUresult result = d.init(0);
  if (result != CUDA_SUCCESS) {
    std::string why = describe(d, result);
    dlclose(handle);
    if (result == CUDA_ERROR_STUB_LIBRARY)
      return fail(KILN_ERROR_UNSUPPORTED,
                  format("no CUDA driver found: '%s' is the CUDA toolkit's "
                         "stub library, not a driver (%s)",
                         path, why.c_str()));
    if (result == CUDA_ERROR_NO_DEVICE)
      return fail(
          KILN_ERROR_UNSUPPORTED,
          format("no GPU: the CUDA driver found no device (%s)", why.c_str()));
    return fail(KILN_ERROR_UNSUPPORTED,
                format("no GPU: the CUDA driver did not start (cuInit: %s)",
                       why.c_str()));
  }
  if ((result = d.driverGetVersion(&d.version)) != CUDA_SUCCESS) {
    kiln_status status = failCall(d, "cuDriverGetVersion", result);
    dlclose(handle);
    return status;
  }
  out = d;
  return KILN_OK;
}

kiln_status kiln::rt::cuda::driver(const Driver **out) {
  // Loaded once; a failure is kept too (retrying dlopen would not help), and
  // its message recorded for every caller, on whichever thread.
  static Driver loaded;
  static kiln_status status = KILN_OK;
  static std::string message;
  static std::once_flag once;
  std::call_once(once, [] {
    status = loadDriver(driverPath(), loaded);
    if (status != KILN_OK)
      message = kiln_last_error();
  });
  if (status != KILN_OK)
    return fail(status, message);
  *out = &loaded;
  return KILN_OK;
}
