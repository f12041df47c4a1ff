//===- kiln/runtime.hpp - C++ wrapper of Kiln's runtime C API ---*- C++ -*-===//
//
// RAII owners for models and tensors over the C API in kiln/runtime.h. A
// failing call throws kiln::Error, which carries the status code and the
// runtime's message. Header-only: link libkiln_runtime as for C.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_HPP
#define KILN_RUNTIME_HPP

#include "kiln/runtime.h"

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace kiln {

/// A failed runtime call.
class Error : public std::runtime_error {
public:
  Error(kiln_status status, const std::string &message)
      : std::runtime_error(message), status_(status) {}
  kiln_status status() const { return status_; }

private:
  kiln_status status_;
};

namespace detail {
inline void check(kiln_status status) {
  if (status != KILN_OK)
    throw Error(status, kiln_last_error());
}
} // namespace detail

/// A tensor: owns its memory (Tensor::zeros, results of Model::run) or
/// borrows the caller's (Tensor::wrap).
class Tensor {
public:
  Tensor() = default;
  /// Takes ownership of a C tensor.
  explicit Tensor(kiln_tensor *handle) : handle_(handle) {}
  Tensor(Tensor &&other) noexcept : handle_(other.release()) {}
  Tensor &operator=(Tensor &&other) noexcept {
    if (this != &other) {
      kiln_tensor_destroy(handle_);
      handle_ = other.release();
    }
    return *this;
  }
  Tensor(const Tensor &) = delete;
  Tensor &operator=(const Tensor &) = delete;
  ~Tensor() { kiln_tensor_destroy(handle_); }

  /// A zero-filled tensor that owns its memory.
  static Tensor zeros(kiln_dtype dtype, const std::vector<int64_t> &shape) {
    kiln_tensor *t = nullptr;
    detail::check(kiln_tensor_create(dtype, shape.data(), shape.size(), &t));
    return Tensor(t);
  }

  /// A tensor over `data`, which must outlive it.
  template <typename T>
  static Tensor wrap(kiln_dtype dtype, const std::vector<int64_t> &shape,
                     T *data, size_t count) {
    kiln_tensor *t = nullptr;
    detail::check(kiln_tensor_wrap(dtype, shape.data(), shape.size(),
                                   const_cast<void *>(
                                       static_cast<const void *>(data)),
                                   count * sizeof(T), &t));
    return Tensor(t);
  }

  static Tensor loadNpy(const std::string &path) {
    kiln_tensor *t = nullptr;
    detail::check(kiln_tensor_load_npy(path.c_str(), &t));
    return Tensor(t);
  }
  void saveNpy(const std::string &path) const {
    detail::check(kiln_tensor_save_npy(handle_, path.c_str()));
  }

  kiln_dtype dtype() const { return kiln_tensor_dtype(handle_); }
  std::vector<int64_t> shape() const {
    const int64_t *s = kiln_tensor_shape(handle_);
    return std::vector<int64_t>(s, s + kiln_tensor_rank(handle_));
  }
  size_t size() const { return kiln_tensor_num_elements(handle_); }
  template <typename T> T *data() const {
    return static_cast<T *>(kiln_tensor_data(handle_));
  }

  kiln_tensor *get() const { return handle_; }
  kiln_tensor *release() {
    kiln_tensor *h = handle_;
    handle_ = nullptr;
    return h;
  }
  explicit operator bool() const { return handle_ != nullptr; }

private:
  kiln_tensor *handle_ = nullptr;
};

/// A compiled model loaded from a shared library.
class Model {
public:
  explicit Model(const std::string &path) {
    detail::check(kiln_model_open(path.c_str(), &handle_));
  }
  /// Takes ownership of a C model.
  explicit Model(kiln_model *handle) : handle_(handle) {}
  Model(Model &&other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  Model &operator=(Model &&other) noexcept {
    if (this != &other) {
      kiln_model_close(handle_);
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  Model(const Model &) = delete;
  Model &operator=(const Model &) = delete;
  ~Model() { kiln_model_close(handle_); }

  size_t numInputs() const { return kiln_model_num_inputs(handle_); }
  size_t numOutputs() const { return kiln_model_num_outputs(handle_); }
  kiln_tensor_info input(size_t i) const {
    kiln_tensor_info info;
    detail::check(kiln_model_input_info(handle_, i, &info));
    return info;
  }
  kiln_tensor_info output(size_t i) const {
    kiln_tensor_info info;
    detail::check(kiln_model_output_info(handle_, i, &info));
    return info;
  }

  /// Runs the model; the runtime allocates the outputs.
  std::vector<Tensor> run(const std::vector<const Tensor *> &inputs) {
    std::vector<const kiln_tensor *> in;
    for (const Tensor *t : inputs)
      in.push_back(t ? t->get() : nullptr);
    std::vector<kiln_tensor *> out(numOutputs(), nullptr);
    detail::check(
        kiln_model_run(handle_, in.data(), in.size(), out.data(), out.size()));
    std::vector<Tensor> results;
    for (kiln_tensor *t : out)
      results.emplace_back(t);
    return results;
  }

  /// Runs the model into outputs the caller allocated.
  void runInto(const std::vector<const Tensor *> &inputs,
               const std::vector<Tensor *> &outputs) {
    std::vector<const kiln_tensor *> in;
    for (const Tensor *t : inputs)
      in.push_back(t ? t->get() : nullptr);
    std::vector<kiln_tensor *> out;
    for (Tensor *t : outputs)
      out.push_back(t ? t->get() : nullptr);
    for (kiln_tensor *t : out)
      if (!t)
        throw Error(KILN_ERROR_INVALID_ARGUMENT,
                    "runInto needs a tensor for every output");
    detail::check(
        kiln_model_run(handle_, in.data(), in.size(), out.data(), out.size()));
  }

  kiln_model *get() const { return handle_; }

private:
  kiln_model *handle_ = nullptr;
};

/// Threads used by compiled models (0: KILN_NUM_THREADS or all cores).
inline void setNumThreads(int threads) {
  detail::check(kiln_set_num_threads(threads));
}

} // namespace kiln

#endif // KILN_RUNTIME_HPP
