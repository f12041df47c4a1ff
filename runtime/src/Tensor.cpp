//===- Tensor.cpp - The runtime's tensor ----------------------------------===//
//
// Creation, wrapping and accessors of kiln_tensor, and dtype facts.
//
//===----------------------------------------------------------------------===//

#include "Tensor.h"
#include "Error.h"

#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

using namespace kiln::rt;

extern "C" const char *kiln_dtype_name(kiln_dtype dtype) {
  switch (dtype) {
  case KILN_DTYPE_F32: return "f32";
  case KILN_DTYPE_F64: return "f64";
  case KILN_DTYPE_F16: return "f16";
  case KILN_DTYPE_BF16: return "bf16";
  case KILN_DTYPE_I8: return "i8";
  case KILN_DTYPE_I16: return "i16";
  case KILN_DTYPE_I32: return "i32";
  case KILN_DTYPE_I64: return "i64";
  case KILN_DTYPE_U8: return "u8";
  case KILN_DTYPE_U16: return "u16";
  case KILN_DTYPE_U32: return "u32";
  case KILN_DTYPE_U64: return "u64";
  case KILN_DTYPE_BOOL: return "bool";
  case KILN_DTYPE_INVALID:
  case KILN_DTYPE_MAX_ENUM:
    break;
  }
  return "invalid";
}

extern "C" size_t kiln_dtype_size(kiln_dtype dtype) {
  switch (dtype) {
  case KILN_DTYPE_F64:
  case KILN_DTYPE_I64:
  case KILN_DTYPE_U64:
    return 8;
  case KILN_DTYPE_F32:
  case KILN_DTYPE_I32:
  case KILN_DTYPE_U32:
    return 4;
  case KILN_DTYPE_F16:
  case KILN_DTYPE_BF16:
  case KILN_DTYPE_I16:
  case KILN_DTYPE_U16:
    return 2;
  case KILN_DTYPE_I8:
  case KILN_DTYPE_U8:
  case KILN_DTYPE_BOOL:
    return 1;
  case KILN_DTYPE_INVALID:
  case KILN_DTYPE_MAX_ENUM:
    break;
  }
  return 0;
}

kiln_status kiln::rt::checkedSize(kiln_dtype dtype, const int64_t *shape,
                                  size_t rank, size_t &sizeBytes) {
  size_t elementSize = kiln_dtype_size(dtype);
  if (elementSize == 0)
    return fail(KILN_ERROR_INVALID_ARGUMENT,
                format("unknown dtype %d", (int)dtype));
  if (rank > 0 && !shape)
    return fail(KILN_ERROR_INVALID_ARGUMENT,
                "shape is null but rank is " + std::to_string(rank));
  if (rank > 64)
    return fail(KILN_ERROR_INVALID_ARGUMENT,
                "rank " + std::to_string(rank) + " is above the limit of 64");
  size_t count = 1;
  for (size_t i = 0; i < rank; ++i) {
    if (shape[i] < 0)
      return fail(KILN_ERROR_INVALID_ARGUMENT,
                  format("dimension %zu is negative (%lld)", i,
                         (long long)shape[i]));
    if (shape[i] != 0 && count > std::numeric_limits<size_t>::max() /
                                     (size_t)shape[i] / elementSize)
      return fail(KILN_ERROR_INVALID_ARGUMENT,
                  "shape " + formatShape(shape, rank) + " is too large");
    count *= (size_t)shape[i];
  }
  sizeBytes = count * elementSize;
  return KILN_OK;
}

void *kiln::rt::allocateZeroed(size_t sizeBytes) {
  size_t rounded = (sizeBytes + 63) / 64 * 64;
  if (rounded == 0)
    rounded = 64;
  void *memory = std::aligned_alloc(64, rounded);
  if (memory)
    std::memset(memory, 0, rounded);
  return memory;
}

kiln_tensor *kiln::rt::adoptBuffer(kiln_dtype dtype, std::vector<int64_t> shape,
                                   void *data, size_t sizeBytes,
                                   void *allocation) {
  auto *tensor = new (std::nothrow) kiln_tensor;
  if (!tensor)
    return nullptr;
  tensor->dtype = dtype;
  tensor->shape = std::move(shape);
  tensor->data = data;
  tensor->sizeBytes = sizeBytes;
  tensor->owned = allocation;
  return tensor;
}

extern "C" kiln_status kiln_tensor_create(kiln_dtype dtype,
                                          const int64_t *shape, size_t rank,
                                          kiln_tensor **out) {
  if (!out)
    return fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_tensor_create: out is null");
  *out = nullptr;
  size_t sizeBytes;
  if (kiln_status status = checkedSize(dtype, shape, rank, sizeBytes))
    return status;
  void *memory = allocateZeroed(sizeBytes);
  if (!memory)
    return fail(KILN_ERROR_OUT_OF_MEMORY,
                format("cannot allocate %zu bytes for a tensor", sizeBytes));
  *out = adoptBuffer(dtype, std::vector<int64_t>(shape, shape + rank), memory,
                     sizeBytes, memory);
  if (!*out) {
    std::free(memory);
    return fail(KILN_ERROR_OUT_OF_MEMORY, "cannot allocate a tensor");
  }
  return KILN_OK;
}

extern "C" kiln_status kiln_tensor_wrap(kiln_dtype dtype, const int64_t *shape,
                                        size_t rank, void *data,
                                        size_t sizeBytes, kiln_tensor **out) {
  if (!out)
    return fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_tensor_wrap: out is null");
  *out = nullptr;
  size_t expected;
  if (kiln_status status = checkedSize(dtype, shape, rank, expected))
    return status;
  if (!data && expected != 0)
    return fail(KILN_ERROR_INVALID_ARGUMENT, "kiln_tensor_wrap: data is null");
  if (sizeBytes != expected)
    return fail(KILN_ERROR_INVALID_ARGUMENT,
                format("kiln_tensor_wrap: a %s tensor of shape %s needs %zu "
                       "bytes, the buffer has %zu",
                       kiln_dtype_name(dtype), formatShape(shape, rank).c_str(),
                       expected, sizeBytes));
  *out = adoptBuffer(dtype, std::vector<int64_t>(shape, shape + rank), data,
                     sizeBytes, nullptr);
  if (!*out)
    return fail(KILN_ERROR_OUT_OF_MEMORY, "cannot allocate a tensor");
  return KILN_OK;
}

extern "C" void kiln_tensor_destroy(kiln_tensor *tensor) {
  if (!tensor)
    return;
  std::free(tensor->owned);
  delete tensor;
}

extern "C" kiln_dtype kiln_tensor_dtype(const kiln_tensor *tensor) {
  return tensor ? tensor->dtype : KILN_DTYPE_INVALID;
}

extern "C" size_t kiln_tensor_rank(const kiln_tensor *tensor) {
  return tensor ? tensor->shape.size() : 0;
}

extern "C" const int64_t *kiln_tensor_shape(const kiln_tensor *tensor) {
  return tensor ? tensor->shape.data() : nullptr;
}

extern "C" void *kiln_tensor_data(const kiln_tensor *tensor) {
  return tensor ? tensor->data : nullptr;
}

extern "C" size_t kiln_tensor_num_elements(const kiln_tensor *tensor) {
  if (!tensor || kiln_dtype_size(tensor->dtype) == 0)
    return 0;
  return tensor->sizeBytes / kiln_dtype_size(tensor->dtype);
}

extern "C" size_t kiln_tensor_size_bytes(const kiln_tensor *tensor) {
  return tensor ? tensor->sizeBytes : 0;
}
