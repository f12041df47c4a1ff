/*===- kiln/cuda.h - Kiln's CUDA driver layer -------------------*- C -*-===*\
|*                                                                            *|
|* A small C API over the CUDA driver, which the runtime loads with dlopen   *|
|* ("libcuda.so.1", or $KILN_CUDA_DRIVER) the first time it is needed:       *|
|* nothing links against CUDA, and a program that never asks for a GPU never *|
|* touches the driver. Devices (each with its primary context and a          *|
|* stream), modules loaded from PTX text, device memory, copies, kernel      *|
|* launches.                                                                 *|
|*                                                                            *|
|* Every function returns a kiln_status and records a message for            *|
|* kiln_last_error(). Without a usable driver every call returns             *|
|* KILN_ERROR_UNSUPPORTED with a message starting "no CUDA driver found"     *|
|* (no libcuda.so.1, or the CUDA toolkit's stub) or "no GPU" (a driver, but  *|
|* no device); PTX newer than the driver understands gives                   *|
|* KILN_ERROR_UNSUPPORTED, "PTX needs a newer driver". Nothing aborts.       *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef KILN_CUDA_H
#define KILN_CUDA_H

#include "kiln/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kiln_cuda_device kiln_cuda_device;
typedef struct kiln_cuda_module kiln_cuda_module;
/* A kernel of a loaded module; valid as long as the module. */
typedef struct kiln_cuda_kernel kiln_cuda_kernel;
/* An address in device memory. */
typedef uint64_t kiln_cuda_ptr;

/* Loads the driver if needed and stores its version (e.g. 12040 for CUDA
 * 12.4). The cheapest way to ask "can this process use a GPU?". */
KILN_API kiln_status kiln_cuda_driver_version(int *version);

/* The number of CUDA devices. */
KILN_API kiln_status kiln_cuda_device_count(int *count);

/* Opens device `ordinal`: retains its primary context and creates a stream
 * on which everything below runs in order. */
KILN_API kiln_status kiln_cuda_device_open(int ordinal, kiln_cuda_device **out);
/* Waits for the device's work, then releases it. Null is ignored. */
KILN_API void kiln_cuda_device_close(kiln_cuda_device *device);

/* The device's name ("NVIDIA H100 80GB HBM3") and compute capability
 * (major 9, minor 0 for sm_90). */
KILN_API const char *kiln_cuda_device_name(const kiln_cuda_device *device);
KILN_API kiln_status kiln_cuda_device_capability(const kiln_cuda_device *device,
                                                 int *major, int *minor);

/* Loads a module from null-terminated PTX text (what `kiln compile --target
 * cuda --emit ptx` writes): the driver compiles it for the device. */
KILN_API kiln_status kiln_cuda_module_load_ptx(kiln_cuda_device *device,
                                               const char *ptx,
                                               kiln_cuda_module **out);
/* Null is ignored. */
KILN_API void kiln_cuda_module_unload(kiln_cuda_module *module);
KILN_API kiln_status kiln_cuda_module_kernel(kiln_cuda_module *module,
                                             const char *name,
                                             kiln_cuda_kernel **out);

/* Device memory. kiln_cuda_free of 0 does nothing. */
KILN_API kiln_status kiln_cuda_alloc(kiln_cuda_device *device, size_t bytes,
                                     kiln_cuda_ptr *out);
KILN_API kiln_status kiln_cuda_free(kiln_cuda_device *device,
                                    kiln_cuda_ptr ptr);

/* Copies, ordered on the device's stream; the copy to the host returns when
 * the data is there. */
KILN_API kiln_status kiln_cuda_copy_to_device(kiln_cuda_device *device,
                                              kiln_cuda_ptr dst,
                                              const void *src, size_t bytes);
KILN_API kiln_status kiln_cuda_copy_to_host(kiln_cuda_device *device, void *dst,
                                            kiln_cuda_ptr src, size_t bytes);
KILN_API kiln_status kiln_cuda_memset(kiln_cuda_device *device,
                                      kiln_cuda_ptr dst, uint8_t value,
                                      size_t bytes);

/* Launches `kernel` on the device's stream with grid[3] blocks of block[3]
 * threads; args[i] points at the value of parameter i. Returns once queued. */
KILN_API kiln_status kiln_cuda_launch(kiln_cuda_device *device,
                                      kiln_cuda_kernel *kernel,
                                      const uint32_t grid[3],
                                      const uint32_t block[3],
                                      uint32_t shared_bytes, void **args);

/* Waits for everything queued on the device's stream; an error a kernel hit
 * (e.g. an illegal address) is reported here. */
KILN_API kiln_status kiln_cuda_synchronize(kiln_cuda_device *device);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_CUDA_H */
