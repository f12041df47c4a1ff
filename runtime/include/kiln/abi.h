/*===- kiln/abi.h - What a compiled Kiln model exports ----------*- C -*-===*\
|*                                                                            *|
|* The contract between code Kiln generates and the runtime that runs it.    *|
|* Both the compiler (lib/Target) and the runtime include this header; users *|
|* of the runtime never need it.                                              *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef KILN_ABI_H
#define KILN_ABI_H

#include "kiln/runtime.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever anything below changes. A runtime refuses a model whose
 * descriptor carries another number. */
#define KILN_ABI_VERSION 3u

/* Every compiled model exports this function (C linkage):
 *   const kiln_abi_model *kiln_model_descriptor(void);                     */
#define KILN_ABI_DESCRIPTOR_SYMBOL "kiln_model_descriptor"

typedef struct kiln_abi_tensor {
  const char *name;
  int32_t dtype;        /* a kiln_dtype */
  int32_t rank;
  const int64_t *shape; /* rank extents, -1 where dynamic */
  uint32_t flags;       /* KILN_TENSOR_* bits (kiln/runtime.h) */
  uint32_t reserved;    /* 0 */
} kiln_abi_tensor;

/* The entry point: args[0] points at the results, args[1 + i] at input i.
 *
 * Each tensor crosses as an MLIR memref descriptor of 64-bit words:
 *   { void *allocated; void *aligned; int64_t offset;
 *     int64_t sizes[rank]; int64_t strides[rank]; }
 * Inputs are row-major with allocated == aligned and offset 0; the compiled
 * code never frees them, and writes only those flagged KILN_TENSOR_MUTABLE
 * (a training step's parameters and optimizer state, updated in place). The
 * results are one descriptor per output, packed in order; each `allocated`
 * pointer comes from the runtime's `allocate` service (malloc without a
 * runtime) and belongs to the caller (two outputs may share one allocation).
 */
typedef void (*kiln_abi_entry_fn)(void **args);

/* A chunk of a parallel loop: iterations [begin, end) with the loop's
 * captured values at `context`. */
typedef void (*kiln_abi_loop_body)(void *context, int64_t begin, int64_t end);

/* What the runtime offers compiled code.
 *
 * `parallel_for` calls `body` on disjoint chunks that cover [begin, end)
 * exactly once, possibly on several threads, and returns when all are done.
 * Without a runtime (slot still null) loops run sequentially.
 *
 * `fail` ends the current run on the calling thread: compiled code calls it
 * when its inputs break a condition the compiler could not check statically
 * (two dynamic dimensions that must agree, a reshape that does not divide).
 * It does not return: kiln_model_run reports the message as an error.
 * Compiled code checks before it allocates, so nothing leaks.
 *
 * `allocate` returns `size` bytes aligned to `alignment` (a power of two; 0
 * means 64), or null when out of memory; `deallocate` takes back a block
 * from `allocate` (or from malloc). Compiled code gets every buffer it
 * allocates from these, so that the runtime can keep freed blocks for the
 * next run; without a runtime it calls aligned_alloc/malloc and free. Blocks
 * are malloc'd memory: a result's block is the caller's, freed with free().
 * Both are thread-safe. */
typedef struct kiln_abi_runtime {
  uint32_t version; /* KILN_ABI_VERSION */
  uint32_t reserved;
  void (*parallel_for)(kiln_abi_loop_body body, void *context, int64_t begin,
                       int64_t end);
  void (*fail)(const char *message);
  void *(*allocate)(uint64_t size, uint64_t alignment);
  void (*deallocate)(void *block);
} kiln_abi_runtime;

typedef struct kiln_abi_model {
  uint32_t abi_version; /* KILN_ABI_VERSION the model was compiled for */
  uint32_t num_inputs;
  uint32_t num_outputs;
  uint32_t flags;       /* reserved, 0 */
  const kiln_abi_tensor *inputs;
  const kiln_abi_tensor *outputs;
  kiln_abi_entry_fn entry;
  const char *producer; /* e.g. "kiln 0.1.0" */
  /* The model's slot for the runtime's services: the runtime stores its
   * table here when it opens the model. */
  const kiln_abi_runtime **runtime;
} kiln_abi_model;

typedef const kiln_abi_model *(*kiln_abi_descriptor_fn)(void);

/* For hosts that compile in process (Kiln's JIT): wraps a descriptor whose
 * code is already loaded. `release(release_context)` runs when the model is
 * closed, to free that code. */
KILN_API kiln_status kiln_model_open_descriptor(
    const kiln_abi_model *descriptor, void (*release)(void *),
    void *release_context, kiln_model **out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_ABI_H */
