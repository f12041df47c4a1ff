//===- TensorTest.cpp - Runtime tensors and .npy files --------------------===//
//
// Creation, wrapping, accessors and .npy round trips through the C API, and
// the errors it returns for bad arguments.
//
//===----------------------------------------------------------------------===//

#include "kiln/runtime.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace {

std::string scratch(const std::string &name) {
  const char *dir = std::getenv("KILN_TEST_TMP");
  std::string base = dir ? dir : "/tmp";
  mkdir(base.c_str(), 0755);
  return base + "/runtime_" + name;
}

TEST(Tensor, CreateIsZeroFilledAndDescribed) {
  int64_t shape[] = {2, 3};
  kiln_tensor *t = nullptr;
  ASSERT_EQ(kiln_tensor_create(KILN_DTYPE_F32, shape, 2, &t), KILN_OK);
  EXPECT_EQ(kiln_tensor_dtype(t), KILN_DTYPE_F32);
  EXPECT_EQ(kiln_tensor_rank(t), 2u);
  EXPECT_EQ(kiln_tensor_shape(t)[1], 3);
  EXPECT_EQ(kiln_tensor_num_elements(t), 6u);
  EXPECT_EQ(kiln_tensor_size_bytes(t), 24u);
  const float *data = static_cast<const float *>(kiln_tensor_data(t));
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(data[i], 0.0f);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(data) % 64, 0u);
  kiln_tensor_destroy(t);
}

TEST(Tensor, ScalarAndEmptyTensors) {
  kiln_tensor *scalar = nullptr;
  ASSERT_EQ(kiln_tensor_create(KILN_DTYPE_I64, nullptr, 0, &scalar), KILN_OK);
  EXPECT_EQ(kiln_tensor_num_elements(scalar), 1u);
  kiln_tensor_destroy(scalar);
  int64_t shape[] = {0, 5};
  kiln_tensor *empty = nullptr;
  ASSERT_EQ(kiln_tensor_create(KILN_DTYPE_F32, shape, 2, &empty), KILN_OK);
  EXPECT_EQ(kiln_tensor_num_elements(empty), 0u);
  kiln_tensor_destroy(empty);
}

TEST(Tensor, WrapBorrowsAndChecksSize) {
  float buffer[4] = {1, 2, 3, 4};
  int64_t shape[] = {4};
  kiln_tensor *t = nullptr;
  ASSERT_EQ(kiln_tensor_wrap(KILN_DTYPE_F32, shape, 1, buffer, sizeof buffer,
                             &t),
            KILN_OK);
  EXPECT_EQ(kiln_tensor_data(t), buffer);
  kiln_tensor_destroy(t); // must not free the borrowed buffer
  EXPECT_EQ(buffer[3], 4.0f);

  EXPECT_EQ(kiln_tensor_wrap(KILN_DTYPE_F32, shape, 1, buffer, 8, &t),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(t, nullptr);
  EXPECT_NE(std::string(kiln_last_error()).find("needs 16 bytes"),
            std::string::npos);
}

TEST(Tensor, RejectsBadArguments) {
  int64_t negative[] = {2, -1};
  kiln_tensor *t = nullptr;
  EXPECT_EQ(kiln_tensor_create(KILN_DTYPE_F32, negative, 2, &t),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(kiln_last_error()).find("negative"), std::string::npos);
  EXPECT_EQ(kiln_tensor_create((kiln_dtype)99, nullptr, 0, &t),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_tensor_create(KILN_DTYPE_F32, nullptr, 0, nullptr),
            KILN_ERROR_INVALID_ARGUMENT);
  int64_t huge[] = {INT64_MAX / 2, INT64_MAX / 2};
  EXPECT_EQ(kiln_tensor_create(KILN_DTYPE_F32, huge, 2, &t),
            KILN_ERROR_INVALID_ARGUMENT);
  // Accessors tolerate null.
  EXPECT_EQ(kiln_tensor_rank(nullptr), 0u);
  EXPECT_EQ(kiln_tensor_data(nullptr), nullptr);
  kiln_tensor_destroy(nullptr);
}

TEST(Npy, RoundTripsEveryDtype) {
  const kiln_dtype dtypes[] = {KILN_DTYPE_F32, KILN_DTYPE_F64, KILN_DTYPE_F16,
                               KILN_DTYPE_I8,  KILN_DTYPE_I16, KILN_DTYPE_I32,
                               KILN_DTYPE_I64, KILN_DTYPE_U8,  KILN_DTYPE_U16,
                               KILN_DTYPE_U32, KILN_DTYPE_U64, KILN_DTYPE_BOOL};
  for (kiln_dtype dtype : dtypes) {
    int64_t shape[] = {2, 3, 4};
    kiln_tensor *t = nullptr;
    ASSERT_EQ(kiln_tensor_create(dtype, shape, 3, &t), KILN_OK);
    unsigned char *bytes = static_cast<unsigned char *>(kiln_tensor_data(t));
    for (size_t i = 0; i < kiln_tensor_size_bytes(t); ++i)
      bytes[i] = dtype == KILN_DTYPE_BOOL ? (i % 2) : (unsigned char)(i * 7);
    std::string path = scratch(std::string("roundtrip_") +
                               kiln_dtype_name(dtype) + ".npy");
    ASSERT_EQ(kiln_tensor_save_npy(t, path.c_str()), KILN_OK)
        << kiln_last_error();
    kiln_tensor *back = nullptr;
    ASSERT_EQ(kiln_tensor_load_npy(path.c_str(), &back), KILN_OK)
        << kiln_last_error();
    EXPECT_EQ(kiln_tensor_dtype(back), dtype);
    ASSERT_EQ(kiln_tensor_rank(back), 3u);
    EXPECT_EQ(kiln_tensor_shape(back)[2], 4);
    ASSERT_EQ(kiln_tensor_size_bytes(back), kiln_tensor_size_bytes(t));
    EXPECT_EQ(std::memcmp(kiln_tensor_data(back), kiln_tensor_data(t),
                          kiln_tensor_size_bytes(t)),
              0);
    kiln_tensor_destroy(back);
    kiln_tensor_destroy(t);
    std::remove(path.c_str());
  }
}

TEST(Npy, ReportsBadFiles) {
  kiln_tensor *t = nullptr;
  EXPECT_EQ(kiln_tensor_load_npy("/nonexistent/x.npy", &t), KILN_ERROR_IO);
  EXPECT_NE(std::string(kiln_last_error()).find("cannot open"),
            std::string::npos);

  std::string garbage = scratch("garbage.npy");
  std::ofstream(garbage) << "this is not numpy";
  EXPECT_EQ(kiln_tensor_load_npy(garbage.c_str(), &t), KILN_ERROR_IO);
  EXPECT_NE(std::string(kiln_last_error()).find("magic"), std::string::npos);
  EXPECT_EQ(t, nullptr);

  // A valid header whose data is cut short.
  int64_t shape[] = {100};
  kiln_tensor *full = nullptr;
  ASSERT_EQ(kiln_tensor_create(KILN_DTYPE_F32, shape, 1, &full), KILN_OK);
  std::string truncated = scratch("truncated.npy");
  ASSERT_EQ(kiln_tensor_save_npy(full, truncated.c_str()), KILN_OK);
  kiln_tensor_destroy(full);
  ASSERT_EQ(truncate(truncated.c_str(), 200), 0);
  EXPECT_EQ(kiln_tensor_load_npy(truncated.c_str(), &t), KILN_ERROR_IO);
  EXPECT_NE(std::string(kiln_last_error()).find("shorter"), std::string::npos);
  std::remove(garbage.c_str());
  std::remove(truncated.c_str());
}

TEST(Npy, LoadsFromMemory) {
  int64_t shape[] = {3, 2};
  kiln_tensor *t = nullptr;
  ASSERT_EQ(kiln_tensor_create(KILN_DTYPE_I32, shape, 2, &t), KILN_OK);
  for (int i = 0; i < 6; ++i)
    static_cast<int32_t *>(kiln_tensor_data(t))[i] = 10 * i - 7;
  std::string path = scratch("memory.npy");
  ASSERT_EQ(kiln_tensor_save_npy(t, path.c_str()), KILN_OK);
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());

  kiln_tensor *back = nullptr;
  ASSERT_EQ(kiln_tensor_load_npy_memory(bytes.data(), bytes.size(), "member",
                                        &back),
            KILN_OK)
      << kiln_last_error();
  EXPECT_EQ(kiln_tensor_dtype(back), KILN_DTYPE_I32);
  ASSERT_EQ(kiln_tensor_num_elements(back), 6u);
  EXPECT_EQ(std::memcmp(kiln_tensor_data(back), kiln_tensor_data(t), 24), 0);
  kiln_tensor_destroy(back);

  // Cut short, the error names the member.
  back = nullptr;
  EXPECT_EQ(kiln_tensor_load_npy_memory(bytes.data(), bytes.size() - 4,
                                        "train.npz:x.npy", &back),
            KILN_ERROR_IO);
  EXPECT_EQ(back, nullptr);
  EXPECT_NE(std::string(kiln_last_error()).find("'train.npz:x.npy'"),
            std::string::npos);
  EXPECT_NE(std::string(kiln_last_error()).find("shorter"), std::string::npos);
  EXPECT_EQ(kiln_tensor_load_npy_memory(nullptr, 4, "x", &back),
            KILN_ERROR_INVALID_ARGUMENT);
  kiln_tensor_destroy(t);
  std::remove(path.c_str());
}

TEST(Npy, FailedSaveLeavesNoFile) {
  int64_t shape[] = {4};
  kiln_tensor *t = nullptr;
  ASSERT_EQ(kiln_tensor_create(KILN_DTYPE_F32, shape, 1, &t), KILN_OK);
  EXPECT_EQ(kiln_tensor_save_npy(t, "/nonexistent-dir/out.npy"), KILN_ERROR_IO);
  struct stat info;
  EXPECT_NE(stat("/nonexistent-dir/out.npy", &info), 0);
  kiln_tensor_destroy(t);
}

TEST(Status, EveryCodeHasAName) {
  for (int s = KILN_OK; s <= KILN_ERROR_INTERNAL; ++s)
    EXPECT_STRNE(kiln_status_string((kiln_status)s), "unknown status");
}

} // namespace
