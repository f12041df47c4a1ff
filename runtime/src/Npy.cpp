//===- Npy.cpp - NumPy .npy files -----------------------------------------===//
//
// Reads and writes the .npy format (versions 1.0 to 3.0) for little-endian,
// C-ordered arrays of the dtypes the runtime knows. A read checks the header
// and the data size; a write goes to a temporary file first.
//
//===----------------------------------------------------------------------===//

#include "Error.h"
#include "Tensor.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <unistd.h>

using namespace kiln::rt;

namespace {

struct FileCloser {
  void operator()(FILE *f) const {
    if (f)
      std::fclose(f);
  }
};
using File = std::unique_ptr<FILE, FileCloser>;

/// numpy's descr string for a dtype, or null.
const char *descrOf(kiln_dtype dtype) {
  switch (dtype) {
  case KILN_DTYPE_F32: return "<f4";
  case KILN_DTYPE_F64: return "<f8";
  case KILN_DTYPE_F16: return "<f2";
  case KILN_DTYPE_I8: return "|i1";
  case KILN_DTYPE_I16: return "<i2";
  case KILN_DTYPE_I32: return "<i4";
  case KILN_DTYPE_I64: return "<i8";
  case KILN_DTYPE_U8: return "|u1";
  case KILN_DTYPE_U16: return "<u2";
  case KILN_DTYPE_U32: return "<u4";
  case KILN_DTYPE_U64: return "<u8";
  case KILN_DTYPE_BOOL: return "|b1";
  default: return nullptr;
  }
}

kiln_dtype dtypeOf(const std::string &descr) {
  // Byte order '=' is native, which is little-endian on every supported host;
  // one-byte types may say '|' or '<'.
  if (descr.size() < 3 || (descr[0] != '<' && descr[0] != '|' && descr[0] != '='))
    return KILN_DTYPE_INVALID;
  std::string kind = descr.substr(1);
  if (kind == "f4") return KILN_DTYPE_F32;
  if (kind == "f8") return KILN_DTYPE_F64;
  if (kind == "f2") return KILN_DTYPE_F16;
  if (kind == "i1") return KILN_DTYPE_I8;
  if (kind == "i2") return KILN_DTYPE_I16;
  if (kind == "i4") return KILN_DTYPE_I32;
  if (kind == "i8") return KILN_DTYPE_I64;
  if (kind == "u1") return KILN_DTYPE_U8;
  if (kind == "u2") return KILN_DTYPE_U16;
  if (kind == "u4") return KILN_DTYPE_U32;
  if (kind == "u8") return KILN_DTYPE_U64;
  if (kind == "b1") return KILN_DTYPE_BOOL;
  return KILN_DTYPE_INVALID;
}

/// The value text of `'key': value` in a numpy header dict.
bool findValue(const std::string &header, const std::string &key,
               std::string &value) {
  size_t at = header.find("'" + key + "'");
  if (at == std::string::npos)
    return false;
  at = header.find(':', at);
  if (at == std::string::npos)
    return false;
  ++at;
  while (at < header.size() && header[at] == ' ')
    ++at;
  if (at >= header.size())
    return false;
  size_t end;
  if (header[at] == '\'') {
    end = header.find('\'', at + 1);
    if (end == std::string::npos)
      return false;
    value = header.substr(at + 1, end - at - 1);
  } else if (header[at] == '(') {
    end = header.find(')', at);
    if (end == std::string::npos)
      return false;
    value = header.substr(at + 1, end - at - 1);
  } else {
    end = header.find_first_of(",}", at);
    if (end == std::string::npos)
      return false;
    value = header.substr(at, end - at);
  }
  return true;
}

} // namespace

namespace {
/// Where a .npy's bytes come from: a file, or memory (a member of an .npz).
struct Source {
  std::FILE *file = nullptr;
  const unsigned char *data = nullptr;
  size_t size = 0, at = 0;

  bool read(void *to, size_t n) {
    if (file)
      return std::fread(to, 1, n, file) == n;
    if (size - at < n)
      return false;
    std::memcpy(to, data + at, n);
    at += n;
    return true;
  }
};

/// Parses a .npy from `in`; `path` names it in messages.
kiln_status loadNpy(Source &in, const char *path, kiln_tensor **out) {
  *out = nullptr;
  auto bad = [&](const std::string &why) {
    return fail(KILN_ERROR_IO, format("'%s' is not a valid .npy file: %s",
                                      path, why.c_str()));
  };
  unsigned char magic[8];
  if (!in.read(magic, 8) ||
      std::memcmp(magic, "\x93NUMPY", 6) != 0)
    return bad("it does not start with the .npy magic bytes");
  unsigned major = magic[6];
  size_t headerLength;
  if (major == 1) {
    unsigned char len[2];
    if (!in.read(len, 2))
      return bad("truncated header");
    headerLength = len[0] | (len[1] << 8);
  } else if (major == 2 || major == 3) {
    unsigned char len[4];
    if (!in.read(len, 4))
      return bad("truncated header");
    headerLength = len[0] | (len[1] << 8) | (len[2] << 16) |
                   ((size_t)len[3] << 24);
    if (headerLength > (1u << 24))
      return bad("header is implausibly long");
  } else {
    return bad("unknown format version " + std::to_string(major));
  }
  std::string header(headerLength, '\0');
  if (!in.read(header.data(), headerLength))
    return bad("truncated header");

  std::string descr, fortran, shapeText;
  if (!findValue(header, "descr", descr) ||
      !findValue(header, "fortran_order", fortran) ||
      !findValue(header, "shape", shapeText))
    return bad("header lacks descr, fortran_order or shape");
  kiln_dtype dtype = dtypeOf(descr);
  if (dtype == KILN_DTYPE_INVALID)
    return fail(KILN_ERROR_UNSUPPORTED,
                format("'%s' holds dtype '%s', which Kiln does not read "
                       "(supported: little-endian float, int, uint and bool)",
                       path, descr.c_str()));
  if (fortran.find("True") != std::string::npos)
    return fail(KILN_ERROR_UNSUPPORTED,
                format("'%s' is in Fortran order; save it C-ordered "
                       "(numpy.ascontiguousarray)",
                       path));
  std::vector<int64_t> shape;
  size_t pos = 0;
  while (pos < shapeText.size()) {
    while (pos < shapeText.size() &&
           (shapeText[pos] == ' ' || shapeText[pos] == ','))
      ++pos;
    if (pos >= shapeText.size())
      break;
    char *end;
    long long d = std::strtoll(shapeText.c_str() + pos, &end, 10);
    if (end == shapeText.c_str() + pos || d < 0)
      return bad("malformed shape (" + shapeText + ")");
    shape.push_back(d);
    pos = end - shapeText.c_str();
    // numpy writes `(3L,)` on Python 2.
    if (pos < shapeText.size() && shapeText[pos] == 'L')
      ++pos;
  }
  size_t sizeBytes;
  if (kiln_status status =
          checkedSize(dtype, shape.data(), shape.size(), sizeBytes))
    return status;
  void *memory = allocateZeroed(sizeBytes);
  if (!memory)
    return fail(KILN_ERROR_OUT_OF_MEMORY,
                format("cannot allocate %zu bytes for '%s'", sizeBytes, path));
  if (!in.read(memory, sizeBytes)) {
    std::free(memory);
    return bad(format("it should hold %zu bytes of data for shape %s but is "
                      "shorter",
                      sizeBytes, formatShape(shape.data(), shape.size()).c_str()));
  }
  *out = adoptBuffer(dtype, std::move(shape), memory, sizeBytes, memory);
  if (!*out) {
    std::free(memory);
    return fail(KILN_ERROR_OUT_OF_MEMORY, "cannot allocate a tensor");
  }
  return KILN_OK;
}
} // namespace

extern "C" kiln_status kiln_tensor_load_npy(const char *path,
                                            kiln_tensor **out) {
  if (!out || !path)
    return fail(KILN_ERROR_INVALID_ARGUMENT,
                "kiln_tensor_load_npy: path or out is null");
  *out = nullptr;
  File file(std::fopen(path, "rb"));
  if (!file)
    return fail(KILN_ERROR_IO, format("cannot open '%s': %s", path,
                                      std::strerror(errno)));
  Source in;
  in.file = file.get();
  return loadNpy(in, path, out);
}

extern "C" kiln_status kiln_tensor_load_npy_memory(const void *data,
                                                   size_t size,
                                                   const char *name,
                                                   kiln_tensor **out) {
  if (!out || !name || (!data && size))
    return fail(KILN_ERROR_INVALID_ARGUMENT,
                "kiln_tensor_load_npy_memory: data, name or out is null");
  Source in;
  in.data = static_cast<const unsigned char *>(data);
  in.size = size;
  return loadNpy(in, name, out);
}

extern "C" kiln_status kiln_tensor_save_npy(const kiln_tensor *tensor,
                                            const char *path) {
  if (!tensor || !path)
    return fail(KILN_ERROR_INVALID_ARGUMENT,
                "kiln_tensor_save_npy: tensor or path is null");
  const char *descr = descrOf(tensor->dtype);
  if (!descr)
    return fail(KILN_ERROR_UNSUPPORTED,
                format("dtype %s has no .npy equivalent",
                       kiln_dtype_name(tensor->dtype)));
  std::string shape;
  for (int64_t d : tensor->shape)
    shape += std::to_string(d) + ", ";
  if (tensor->shape.size() > 1)
    shape.resize(shape.size() - 2);
  else if (tensor->shape.size() == 1)
    shape.resize(shape.size() - 1);
  std::string header = format("{'descr': '%s', 'fortran_order': False, "
                              "'shape': (%s), }",
                              descr, shape.c_str());
  // Pad with spaces so that the data starts 64-byte aligned; end with '\n'.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  if (header.size() > 65535)
    return fail(KILN_ERROR_UNSUPPORTED, "tensor rank too large for .npy 1.0");

  std::string temporary = std::string(path) + ".tmp" + std::to_string(getpid());
  File file(std::fopen(temporary.c_str(), "wb"));
  if (!file)
    return fail(KILN_ERROR_IO, format("cannot write '%s': %s", path,
                                      std::strerror(errno)));
  unsigned char prefix[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                              (unsigned char)(header.size() & 0xff),
                              (unsigned char)(header.size() >> 8)};
  bool ok = std::fwrite(prefix, 1, 10, file.get()) == 10 &&
            std::fwrite(header.data(), 1, header.size(), file.get()) ==
                header.size() &&
            std::fwrite(tensor->data, 1, tensor->sizeBytes, file.get()) ==
                tensor->sizeBytes;
  ok = std::fclose(file.release()) == 0 && ok;
  if (!ok || std::rename(temporary.c_str(), path) != 0) {
    int saved = errno;
    std::remove(temporary.c_str());
    return fail(KILN_ERROR_IO,
                format("cannot write '%s': %s", path, std::strerror(saved)));
  }
  return KILN_OK;
}
