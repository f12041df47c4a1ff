/*===- kiln/runtime.h - Kiln's runtime C API --------------------*- C -*-===*\
|*                                                                            *|
|* Load a model compiled by Kiln, describe its inputs and outputs, make      *|
|* tensors and run it. Every function that can fail returns a kiln_status;   *|
|* kiln_last_error() then holds a message naming the problem. Nothing here   *|
|* aborts the process on bad input.                                          *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef KILN_RUNTIME_H
#define KILN_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define KILN_API __attribute__((visibility("default")))
#else
#define KILN_API
#endif

/* The version of this API and of the compiled-model ABI it loads. */
#define KILN_RUNTIME_VERSION "0.1.0"

/*===------------------------------------------------------------------===*/
/* Status and errors                                                      */
/*===------------------------------------------------------------------===*/

typedef enum kiln_status {
  KILN_OK = 0,
  KILN_ERROR_INVALID_ARGUMENT = 1, /* null pointer, bad index or value */
  KILN_ERROR_IO = 2,               /* a file could not be read or written */
  KILN_ERROR_INVALID_MODEL = 3,    /* the file is not a Kiln model */
  KILN_ERROR_ABI_MISMATCH = 4,     /* compiled for another ABI version */
  KILN_ERROR_INPUT_COUNT = 5,      /* wrong number of inputs or outputs */
  KILN_ERROR_DTYPE_MISMATCH = 6,   /* a tensor has the wrong element type */
  KILN_ERROR_SHAPE_MISMATCH = 7,   /* a tensor has the wrong rank or shape */
  KILN_ERROR_OUT_OF_MEMORY = 8,
  KILN_ERROR_UNSUPPORTED = 9,      /* valid, but not supported here */
  KILN_ERROR_INTERNAL = 10,
  /* Makes the type 32 bits wide, so any int a C caller passes is a value. */
  KILN_STATUS_MAX_ENUM = 0x7fffffff
} kiln_status;

/* A short constant name of a status, e.g. "shape mismatch". */
KILN_API const char *kiln_status_string(kiln_status status);

/* The message of the last failure on the calling thread ("" if none). The
 * text stays valid until the thread's next failing call. */
KILN_API const char *kiln_last_error(void);

/*===------------------------------------------------------------------===*/
/* Element types                                                          */
/*===------------------------------------------------------------------===*/

typedef enum kiln_dtype {
  KILN_DTYPE_INVALID = 0,
  KILN_DTYPE_F32 = 1,
  KILN_DTYPE_F64 = 2,
  KILN_DTYPE_F16 = 3,
  KILN_DTYPE_BF16 = 4,
  KILN_DTYPE_I8 = 5,
  KILN_DTYPE_I16 = 6,
  KILN_DTYPE_I32 = 7,
  KILN_DTYPE_I64 = 8,
  KILN_DTYPE_U8 = 9,
  KILN_DTYPE_U16 = 10,
  KILN_DTYPE_U32 = 11,
  KILN_DTYPE_U64 = 12,
  KILN_DTYPE_BOOL = 13, /* one byte per element, 0 or 1 */
  /* Makes the type 32 bits wide, so any int a C caller passes is a value. */
  KILN_DTYPE_MAX_ENUM = 0x7fffffff
} kiln_dtype;

/* "f32", "i64", "bool", ...; "invalid" for unknown values. */
KILN_API const char *kiln_dtype_name(kiln_dtype dtype);
/* Bytes per element; 0 for unknown values. */
KILN_API size_t kiln_dtype_size(kiln_dtype dtype);

/*===------------------------------------------------------------------===*/
/* Tensors: dense, row-major                                              */
/*===------------------------------------------------------------------===*/

typedef struct kiln_tensor kiln_tensor;

/* A tensor that owns zero-filled memory (64-byte aligned). */
KILN_API kiln_status kiln_tensor_create(kiln_dtype dtype, const int64_t *shape,
                                        size_t rank, kiln_tensor **out);

/* A tensor over the caller's memory, which must hold `size_bytes` bytes
 * (exactly the element count times the dtype size) and outlive the tensor. */
KILN_API kiln_status kiln_tensor_wrap(kiln_dtype dtype, const int64_t *shape,
                                      size_t rank, void *data,
                                      size_t size_bytes, kiln_tensor **out);

/* Frees an owning tensor's memory; a borrowed buffer is left alone. Null is
 * ignored. */
KILN_API void kiln_tensor_destroy(kiln_tensor *tensor);

KILN_API kiln_dtype kiln_tensor_dtype(const kiln_tensor *tensor);
KILN_API size_t kiln_tensor_rank(const kiln_tensor *tensor);
/* `rank` extents; null for a null tensor. */
KILN_API const int64_t *kiln_tensor_shape(const kiln_tensor *tensor);
KILN_API void *kiln_tensor_data(const kiln_tensor *tensor);
KILN_API size_t kiln_tensor_num_elements(const kiln_tensor *tensor);
KILN_API size_t kiln_tensor_size_bytes(const kiln_tensor *tensor);

/* NumPy .npy files (format 1.0-3.0, little-endian, C order). */
KILN_API kiln_status kiln_tensor_load_npy(const char *path, kiln_tensor **out);
/* The same from `size` bytes at `data` (say, a member of an .npz archive);
 * `name` names it in error messages. The tensor owns a copy. */
KILN_API kiln_status kiln_tensor_load_npy_memory(const void *data, size_t size,
                                                 const char *name,
                                                 kiln_tensor **out);
/* Writes to a temporary file beside `path` and renames it, so a failure
 * never leaves a partial file. */
KILN_API kiln_status kiln_tensor_save_npy(const kiln_tensor *tensor,
                                          const char *path);

/*===------------------------------------------------------------------===*/
/* Models                                                                 */
/*===------------------------------------------------------------------===*/

typedef struct kiln_model kiln_model;

/* An input the model updates in place when it runs (a training step's
 * parameters and optimizer state). */
#define KILN_TENSOR_MUTABLE 1u

/* Describes one input or output. `shape` has `rank` entries; -1 marks a
 * dynamic dimension. `flags` holds KILN_TENSOR_* bits. The strings and
 * arrays live as long as the model. */
typedef struct kiln_tensor_info {
  const char *name;
  kiln_dtype dtype;
  size_t rank;
  const int64_t *shape;
  uint32_t flags;
} kiln_tensor_info;

/* Opens a shared library written by `kiln compile -o model.so`. */
KILN_API kiln_status kiln_model_open(const char *path, kiln_model **out);

/* Null is ignored. */
KILN_API void kiln_model_close(kiln_model *model);

KILN_API size_t kiln_model_num_inputs(const kiln_model *model);
KILN_API size_t kiln_model_num_outputs(const kiln_model *model);
KILN_API kiln_status kiln_model_input_info(const kiln_model *model,
                                           size_t index,
                                           kiln_tensor_info *out);
KILN_API kiln_status kiln_model_output_info(const kiln_model *model,
                                            size_t index,
                                            kiln_tensor_info *out);
/* The index of the input or output called `name`, or -1. */
KILN_API int64_t kiln_model_find_input(const kiln_model *model,
                                       const char *name);
KILN_API int64_t kiln_model_find_output(const kiln_model *model,
                                        const char *name);

/* Runs the model. `inputs` holds one tensor per model input, in order.
 * `outputs` holds one slot per model output: a null slot receives a new
 * tensor that the caller destroys; a non-null slot is a tensor of the right
 * dtype and shape that receives the result. Inputs are never modified,
 * except those flagged KILN_TENSOR_MUTABLE, which receive their new values
 * in place (pass distinct tensors for them). On failure no slot the caller
 * left null is written. */
KILN_API kiln_status kiln_model_run(kiln_model *model,
                                    const kiln_tensor *const *inputs,
                                    size_t num_inputs, kiln_tensor **outputs,
                                    size_t num_outputs);

/* Threads used by compiled models (all models in the process). 0 restores
 * the default: KILN_NUM_THREADS if set, else the number of CPUs the
 * process may run on (its affinity). */
KILN_API kiln_status kiln_set_num_threads(int num_threads);
KILN_API int kiln_get_num_threads(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_RUNTIME_H */
