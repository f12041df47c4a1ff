//===- Driver.h - The CUDA driver API, loaded at run time -------*- C++ -*-===//
//
// Kiln never links against CUDA: the runtime opens libcuda.so.1 with dlopen
// when a program first asks for a GPU and resolves each entry point it uses
// by its exact, versioned name (cuMemAlloc_v2, not cuMemAlloc, whose meaning
// the header's macros choose at compile time). The few CUDA types needed are
// declared here with their ABI, so that no CUDA header is needed either.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_CUDA_DRIVER_H
#define KILN_RUNTIME_CUDA_DRIVER_H

#include "kiln/runtime.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace kiln::rt::cuda {

// The driver API's types, as cuda.h declares them.
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;

// The values Kiln tells apart (cuda.h's CUresult and enums).
enum : CUresult {
  CUDA_SUCCESS = 0,
  CUDA_ERROR_OUT_OF_MEMORY = 2,
  CUDA_ERROR_STUB_LIBRARY = 34,
  CUDA_ERROR_INSUFFICIENT_DRIVER = 35,
  CUDA_ERROR_NO_DEVICE = 100,
  CUDA_ERROR_NO_BINARY_FOR_GPU = 209,
  CUDA_ERROR_INVALID_PTX = 218,
  CUDA_ERROR_UNSUPPORTED_PTX_VERSION = 222,
};
enum : int {
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
  CU_JIT_ERROR_LOG_BUFFER = 5,
  CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6,
  CU_STREAM_NON_BLOCKING = 1,
};

/// The entry points Kiln uses, resolved by exact name (the name each field's
/// comment gives) and each checked: a driver lacking one is refused.
struct Driver {
  CUresult (*init)(unsigned flags);                             // cuInit
  CUresult (*driverGetVersion)(int *version);                   // cuDriverGetVersion
  CUresult (*getErrorName)(CUresult, const char **);            // cuGetErrorName
  CUresult (*getErrorString)(CUresult, const char **);          // cuGetErrorString
  CUresult (*deviceGetCount)(int *count);                       // cuDeviceGetCount
  CUresult (*deviceGet)(CUdevice *, int ordinal);               // cuDeviceGet
  CUresult (*deviceGetName)(char *, int, CUdevice);             // cuDeviceGetName
  CUresult (*deviceGetAttribute)(int *, int, CUdevice);         // cuDeviceGetAttribute
  CUresult (*primaryCtxRetain)(CUcontext *, CUdevice);          // cuDevicePrimaryCtxRetain
  CUresult (*primaryCtxRelease)(CUdevice);                      // cuDevicePrimaryCtxRelease_v2
  CUresult (*ctxPushCurrent)(CUcontext);                        // cuCtxPushCurrent_v2
  CUresult (*ctxPopCurrent)(CUcontext *);                       // cuCtxPopCurrent_v2
  CUresult (*streamCreate)(CUstream *, unsigned flags);         // cuStreamCreate
  CUresult (*streamDestroy)(CUstream);                          // cuStreamDestroy_v2
  CUresult (*streamSynchronize)(CUstream);                      // cuStreamSynchronize
  CUresult (*moduleLoadDataEx)(CUmodule *, const void *, unsigned, int *,
                               void **);                        // cuModuleLoadDataEx
  CUresult (*moduleUnload)(CUmodule);                           // cuModuleUnload
  CUresult (*moduleGetFunction)(CUfunction *, CUmodule,
                                const char *);                  // cuModuleGetFunction
  CUresult (*memAlloc)(CUdeviceptr *, size_t);                  // cuMemAlloc_v2
  CUresult (*memFree)(CUdeviceptr);                             // cuMemFree_v2
  CUresult (*memcpyHtoDAsync)(CUdeviceptr, const void *, size_t,
                              CUstream);                        // cuMemcpyHtoDAsync_v2
  CUresult (*memcpyDtoHAsync)(void *, CUdeviceptr, size_t,
                              CUstream);                        // cuMemcpyDtoHAsync_v2
  CUresult (*memsetD8Async)(CUdeviceptr, unsigned char, size_t,
                            CUstream);                          // cuMemsetD8Async
  CUresult (*launchKernel)(CUfunction, unsigned, unsigned, unsigned,
                           unsigned, unsigned, unsigned, unsigned, CUstream,
                           void **, void **);                   // cuLaunchKernel

  /// Where the library came from, and cuDriverGetVersion's answer (e.g.
  /// 12040 for CUDA 12.4).
  std::string path;
  int version = 0;
  void *handle = nullptr;
};

/// The library the runtime loads: $KILN_CUDA_DRIVER if set, else
/// "libcuda.so.1" (found through the dynamic loader's search path).
const char *driverPath();

/// Loads the driver at `path`, resolves every entry point and calls cuInit.
/// Failures: KILN_ERROR_UNSUPPORTED with "no CUDA driver found: ..." (no
/// library, a CUDA toolkit stub, a missing entry point) or "no GPU: ...".
/// For tests; programs use driver(). The library stays loaded on success.
kiln_status loadDriver(const char *path, Driver &out);

/// The process's driver, loaded once (the outcome, failure included, is
/// kept: the message is recorded again for each caller).
kiln_status driver(const Driver **out);

/// "CUDA_ERROR_NAME: description" for a result, through the driver when it
/// can say, else the number.
std::string describe(const Driver &driver, CUresult result);

/// Records a failed driver call ("`what`: CUDA_ERROR_...: ...") and returns
/// its status: out of memory, or internal.
kiln_status failCall(const Driver &driver, const char *what, CUresult result);

} // namespace kiln::rt::cuda

#endif // KILN_RUNTIME_CUDA_DRIVER_H
