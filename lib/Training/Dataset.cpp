//===- Dataset.cpp - Training data from NumPy archives --------------------===//
//
// An .npz is a zip archive of .npy members, stored or deflated (numpy writes
// zip64 extra fields even for small members, so those are understood).
// Members are parsed by the runtime's .npy reader.
//
//===----------------------------------------------------------------------===//

#include "kiln/Training/Dataset.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cmath>
#include <cstring>
#include <zlib.h>

using namespace mlir;
using namespace mlir::kiln;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::make_error<llvm::StringError>(message,
                                             llvm::inconvertibleErrorCode());
}

namespace {
uint32_t read16(const unsigned char *p) { return p[0] | (p[1] << 8); }
uint32_t read32(const unsigned char *p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}
uint64_t read64(const unsigned char *p) {
  return read32(p) | ((uint64_t)read32(p + 4) << 32);
}

/// Inflates raw deflate data (a zip member) of known size.
bool inflateRaw(const unsigned char *in, size_t inSize, std::vector<char> &out) {
  z_stream stream{};
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK)
    return false;
  stream.next_in = const_cast<unsigned char *>(in);
  stream.avail_in = (uInt)inSize;
  stream.next_out = reinterpret_cast<unsigned char *>(out.data());
  stream.avail_out = (uInt)out.size();
  int status = inflate(&stream, Z_FINISH);
  bool ok = status == Z_STREAM_END && stream.total_out == out.size();
  inflateEnd(&stream);
  return ok;
}

std::string shapeText(const kiln_tensor *t) {
  std::string text;
  for (size_t i = 0; i < kiln_tensor_rank(t); ++i)
    text += (i ? "x" : "") + std::to_string(kiln_tensor_shape(t)[i]);
  return text.empty() ? "scalar" : text;
}

std::string shapeText(ArrayRef<int64_t> shape) {
  std::string text;
  for (auto [i, d] : llvm::enumerate(shape))
    text += (i ? "x" : "") + (d < 0 ? std::string("N") : std::to_string(d));
  return text.empty() ? "scalar" : text;
}

bool isInteger(kiln_dtype dtype) {
  switch (dtype) {
  case KILN_DTYPE_I8:
  case KILN_DTYPE_I16:
  case KILN_DTYPE_I32:
  case KILN_DTYPE_I64:
  case KILN_DTYPE_U8:
  case KILN_DTYPE_U16:
  case KILN_DTYPE_U32:
  case KILN_DTYPE_U64:
    return true;
  default:
    return false;
  }
}

int64_t integerAt(const kiln_tensor *t, size_t i) {
  const void *d = kiln_tensor_data(t);
  switch (kiln_tensor_dtype(t)) {
  case KILN_DTYPE_I8:
    return static_cast<const int8_t *>(d)[i];
  case KILN_DTYPE_I16:
    return static_cast<const int16_t *>(d)[i];
  case KILN_DTYPE_I32:
    return static_cast<const int32_t *>(d)[i];
  case KILN_DTYPE_U8:
    return static_cast<const uint8_t *>(d)[i];
  case KILN_DTYPE_U16:
    return static_cast<const uint16_t *>(d)[i];
  case KILN_DTYPE_U32:
    return static_cast<const uint32_t *>(d)[i];
  case KILN_DTYPE_U64:
    return (int64_t) static_cast<const uint64_t *>(d)[i];
  default:
    return static_cast<const int64_t *>(d)[i];
  }
}
} // namespace

llvm::Expected<std::map<std::string, TensorPtr>>
mlir::kiln::readNpz(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError("cannot open '" + path +
                     "': " + buffer.getError().message());
  auto *data = reinterpret_cast<const unsigned char *>(
      (*buffer)->getBufferStart());
  size_t size = (*buffer)->getBufferSize();
  auto bad = [&](const llvm::Twine &why) {
    return makeError("'" + path + "' is not a valid .npz archive: " + why);
  };

  // The end-of-central-directory record: 22 bytes plus a comment.
  size_t eocd = size;
  for (size_t at = size >= 22 ? size - 22 : 0;
       size >= 22 && at + 65558 >= size; --at) {
    if (read32(data + at) == 0x06054b50) {
      eocd = at;
      break;
    }
    if (at == 0)
      break;
  }
  if (eocd == size)
    return bad("no zip directory (numpy.savez writes one)");
  uint64_t count = read16(data + eocd + 10);
  uint64_t dirOffset = read32(data + eocd + 16);
  // Zip64: the real values sit in the zip64 end record.
  if (dirOffset == 0xFFFFFFFF && eocd >= 20 &&
      read32(data + eocd - 20) == 0x07064b50) {
    uint64_t record = read64(data + eocd - 20 + 8);
    if (record + 56 > size || read32(data + record) != 0x06064b50)
      return bad("a broken zip64 directory record");
    count = read64(data + record + 32);
    dirOffset = read64(data + record + 48);
  }

  std::map<std::string, TensorPtr> arrays;
  size_t at = dirOffset;
  for (uint64_t i = 0; i < count; ++i) {
    if (at + 46 > size || read32(data + at) != 0x02014b50)
      return bad("a truncated zip directory");
    uint32_t method = read16(data + at + 10);
    uint64_t packed = read32(data + at + 20);
    uint64_t unpacked = read32(data + at + 24);
    uint32_t nameLength = read16(data + at + 28);
    uint32_t extraLength = read16(data + at + 30);
    uint32_t commentLength = read16(data + at + 32);
    uint64_t local = read32(data + at + 42);
    if (at + 46 + nameLength + extraLength > size)
      return bad("a truncated zip directory");
    std::string name(reinterpret_cast<const char *>(data + at + 46),
                     nameLength);
    // Zip64 extra field: the 0xFFFFFFFF fields, in this order.
    const unsigned char *extra = data + at + 46 + nameLength;
    for (size_t e = 0; e + 4 <= extraLength;) {
      uint32_t id = read16(extra + e), length = read16(extra + e + 2);
      if (id == 0x0001) {
        const unsigned char *field = extra + e + 4;
        if (unpacked == 0xFFFFFFFF)
          unpacked = read64(field), field += 8;
        if (packed == 0xFFFFFFFF)
          packed = read64(field), field += 8;
        if (local == 0xFFFFFFFF)
          local = read64(field);
      }
      e += 4 + length;
    }
    at += 46 + nameLength + extraLength + commentLength;

    if (local + 30 > size || read32(data + local) != 0x04034b50)
      return bad("member '" + name + "' has no local header");
    uint64_t start = local + 30 + read16(data + local + 26) +
                     read16(data + local + 28);
    if (start + packed > size)
      return bad("member '" + name + "' is truncated");
    std::vector<char> bytes;
    if (method == 0) {
      bytes.assign(data + start, data + start + packed);
    } else if (method == 8) {
      bytes.resize(unpacked);
      if (!inflateRaw(data + start, packed, bytes))
        return bad("member '" + name + "' does not inflate");
    } else {
      return bad("member '" + name + "' uses zip compression method " +
                 llvm::Twine(method) + " (numpy writes stored or deflated)");
    }
    StringRef key(name);
    key.consume_back(".npy");
    std::string label = (path + ":" + name).str();
    kiln_tensor *tensor = nullptr;
    if (kiln_tensor_load_npy_memory(bytes.data(), bytes.size(), label.c_str(),
                                    &tensor) != KILN_OK)
      return makeError(kiln_last_error());
    arrays[key.str()] = TensorPtr(tensor);
  }
  return arrays;
}

llvm::Expected<Dataset> Dataset::load(StringRef path, const Trainer &trainer,
                                      int64_t classes) {
  auto arrays = readNpz(path);
  if (!arrays)
    return arrays.takeError();
  std::string names;
  for (auto &entry : *arrays)
    names += (names.empty() ? "" : ", ") + entry.first;
  auto take = [&](ArrayRef<std::string> keys,
                  const std::string &what) -> llvm::Expected<TensorPtr> {
    for (const std::string &key : keys) {
      auto it = arrays->find(key);
      if (it != arrays->end())
        return std::move(it->second);
    }
    return makeError("'" + path + "' has no array '" + keys.front() +
                     "' for " + what + " (it has: " + names + ")");
  };

  Dataset dataset;
  auto check = [&](const TensorPtr &t, const TrainerInput &want,
                   const std::string &key) -> llvm::Error {
    size_t rank = kiln_tensor_rank(t.get());
    if (rank == 0)
      return makeError("'" + path + "': array '" + key +
                       "' is a scalar; it needs one row per sample");
    const int64_t *shape = kiln_tensor_shape(t.get());
    bool shapeOk = rank == want.shape.size();
    for (size_t d = 1; shapeOk && d < rank; ++d)
      shapeOk = want.shape[d] < 0 || want.shape[d] == shape[d];
    if (!shapeOk)
      return makeError("'" + path + "': array '" + key + "' has shape " +
                       shapeText(t.get()) + ", but '" + want.name +
                       "' takes " + shapeText(want.shape) +
                       " (N samples first)");
    if (dataset.rows == 0)
      dataset.rows = shape[0];
    else if (shape[0] != dataset.rows)
      return makeError("'" + path + "': array '" + key + "' has " +
                       llvm::Twine(shape[0]) + " samples, the others " +
                       llvm::Twine(dataset.rows));
    return llvm::Error::success();
  };

  for (const TrainerInput &input : trainer.inputs()) {
    SmallVector<std::string> keys{input.name};
    if (trainer.inputs().size() == 1)
      keys.push_back("x");
    auto tensor = take(keys, "the model input '" + input.name + "'");
    if (!tensor)
      return tensor.takeError();
    if (kiln_tensor_dtype(tensor->get()) != input.dtype)
      return makeError("'" + path + "': array '" + keys.back() + "' is " +
                       kiln_dtype_name(kiln_tensor_dtype(tensor->get())) +
                       ", but the model input '" + input.name + "' takes " +
                       kiln_dtype_name(input.dtype));
    if (auto err = check(*tensor, input, keys.back()))
      return std::move(err);
    dataset.inputs.push_back(std::move(*tensor));
  }

  const TrainerInput &want = trainer.labels();
  auto labels = take({"labels", "y"}, "the labels");
  if (!labels)
    return labels.takeError();
  kiln_dtype got = kiln_tensor_dtype(labels->get());
  if (want.dtype == KILN_DTYPE_I64 && isInteger(got) && got != want.dtype) {
    // Class indices of any integer type are widened.
    const kiln_tensor *from = labels->get();
    kiln_tensor *wide = nullptr;
    if (kiln_tensor_create(KILN_DTYPE_I64, kiln_tensor_shape(from),
                           kiln_tensor_rank(from), &wide) != KILN_OK)
      return makeError(kiln_last_error());
    auto *out = static_cast<int64_t *>(kiln_tensor_data(wide));
    for (size_t i = 0, n = kiln_tensor_num_elements(from); i < n; ++i)
      out[i] = integerAt(from, i);
    *labels = TensorPtr(wide);
  } else if (got != want.dtype) {
    return makeError("'" + path + "': the labels are " +
                     kiln_dtype_name(got) + ", but the loss takes " +
                     kiln_dtype_name(want.dtype) +
                     (want.dtype == KILN_DTYPE_I64
                          ? " class indices"
                          : " values shaped like the model's output"));
  }
  if (auto err = check(*labels, want, "labels"))
    return std::move(err);
  dataset.labels = std::move(*labels);

  // Values a step cannot learn from.
  auto finite = [&](const kiln_tensor *t, const std::string &key) -> llvm::Error {
    size_t n = kiln_tensor_num_elements(t);
    size_t perRow = dataset.rows ? n / dataset.rows : 1;
    for (size_t i = 0; i < n; ++i) {
      double v;
      if (kiln_tensor_dtype(t) == KILN_DTYPE_F32)
        v = static_cast<const float *>(kiln_tensor_data(t))[i];
      else if (kiln_tensor_dtype(t) == KILN_DTYPE_F64)
        v = static_cast<const double *>(kiln_tensor_data(t))[i];
      else
        return llvm::Error::success();
      if (!std::isfinite(v))
        return makeError("'" + path + "': array '" + key + "' has " +
                         (std::isnan(v) ? "a NaN" : "an infinity") +
                         " in sample " + llvm::Twine(i / perRow));
    }
    return llvm::Error::success();
  };
  for (auto [i, t] : llvm::enumerate(dataset.inputs))
    if (auto err = finite(t.get(), trainer.inputs()[i].name))
      return std::move(err);
  if (auto err = finite(dataset.labels.get(), "labels"))
    return std::move(err);
  if (classes > 0 && kiln_tensor_dtype(dataset.labels.get()) == KILN_DTYPE_I64) {
    const auto *l = static_cast<const int64_t *>(
        kiln_tensor_data(dataset.labels.get()));
    for (size_t i = 0, n = kiln_tensor_num_elements(dataset.labels.get());
         i < n; ++i)
      if (l[i] < 0 || l[i] >= classes)
        return makeError("'" + path + "': label " + llvm::Twine(l[i]) +
                         " of sample " + llvm::Twine(i) +
                         " is out of range: the model has " +
                         llvm::Twine(classes) + " classes (0 to " +
                         llvm::Twine(classes - 1) + ")");
  }
  if (dataset.rows == 0)
    return makeError("'" + path + "' holds no samples");
  return std::move(dataset);
}

llvm::Error Dataset::gather(ArrayRef<int64_t> indices,
                            std::vector<TensorPtr> &batchInputs,
                            TensorPtr &batchLabels) const {
  auto rowsOf = [&](const kiln_tensor *from) -> llvm::Expected<TensorPtr> {
    SmallVector<int64_t> shape(kiln_tensor_shape(from),
                               kiln_tensor_shape(from) + kiln_tensor_rank(from));
    shape[0] = indices.size();
    kiln_tensor *out = nullptr;
    if (kiln_tensor_create(kiln_tensor_dtype(from), shape.data(), shape.size(),
                           &out) != KILN_OK)
      return makeError(kiln_last_error());
    size_t rowBytes = kiln_tensor_size_bytes(from) / rows;
    const char *src = static_cast<const char *>(kiln_tensor_data(from));
    char *dst = static_cast<char *>(kiln_tensor_data(out));
    for (auto [i, row] : llvm::enumerate(indices))
      std::memcpy(dst + i * rowBytes, src + row * rowBytes, rowBytes);
    return TensorPtr(out);
  };
  batchInputs.clear();
  for (const TensorPtr &input : inputs) {
    auto rowsTaken = rowsOf(input.get());
    if (!rowsTaken)
      return rowsTaken.takeError();
    batchInputs.push_back(std::move(*rowsTaken));
  }
  auto labelRows = rowsOf(labels.get());
  if (!labelRows)
    return labelRows.takeError();
  batchLabels = std::move(*labelRows);
  return llvm::Error::success();
}
