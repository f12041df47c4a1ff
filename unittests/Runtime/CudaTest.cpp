//===- CudaTest.cpp - The runtime's CUDA driver layer ---------------------===//
//
// Without a GPU (the usual case where Kiln is built): a missing driver, the
// CUDA toolkit's stub library and a library that is not a driver are each a
// clear error, and every call of the C API fails cleanly instead of
// crashing. With a GPU: a PTX kernel is loaded, launched and checked against
// the same arithmetic on the host, and PTX too new for the driver is
// reported as such.
//
//===----------------------------------------------------------------------===//

#include "kiln/cuda.h"

#include "../../runtime/src/cuda/Driver.h"

#include <gtest/gtest.h>

#include <string>
#include <sys/stat.h>
#include <vector>

namespace {

using kiln::rt::cuda::Driver;
using kiln::rt::cuda::loadDriver;

bool startsWith(const std::string &text, const std::string &prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

bool exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

TEST(CudaDriver, MissingLibraryIsNoDriverFound) {
  Driver driver;
  const char *path = "/nonexistent/libcuda.so.1";
  EXPECT_EQ(loadDriver(path, driver), KILN_ERROR_UNSUPPORTED);
  std::string message = kiln_last_error();
  EXPECT_TRUE(startsWith(message, "no CUDA driver found: cannot load"))
      << message;
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_EQ(driver.handle, nullptr);
}

TEST(CudaDriver, LibraryWithoutEntryPointsIsRefused) {
  // libm is on every Linux machine and has no CUDA entry point.
  Driver driver;
  EXPECT_EQ(loadDriver("libm.so.6", driver), KILN_ERROR_UNSUPPORTED);
  std::string message = kiln_last_error();
  EXPECT_TRUE(startsWith(message, "no CUDA driver found:")) << message;
  EXPECT_NE(message.find("no entry point 'cuInit'"), std::string::npos)
      << message;
}

TEST(CudaDriver, ToolkitStubIsNotADriver) {
  // The CUDA toolkit ships a libcuda.so with every entry point, for linking;
  // its cuInit fails with CUDA_ERROR_STUB_LIBRARY.
  const char *stub = nullptr;
  for (const char *candidate : {"/usr/local/cuda/lib64/stubs/libcuda.so",
                                "/usr/local/cuda/lib/stubs/libcuda.so"})
    if (exists(candidate)) {
      stub = candidate;
      break;
    }
  if (!stub)
    GTEST_SKIP() << "no CUDA toolkit stub library on this machine";
  Driver driver;
  EXPECT_EQ(loadDriver(stub, driver), KILN_ERROR_UNSUPPORTED);
  std::string message = kiln_last_error();
  EXPECT_TRUE(startsWith(message, "no CUDA driver found:")) << message;
  EXPECT_NE(message.find("stub library"), std::string::npos) << message;
  EXPECT_NE(message.find("CUDA_ERROR_STUB_LIBRARY"), std::string::npos)
      << message;
}

/// The process's driver: OK on a GPU machine; otherwise every call must
/// fail with the same clear message.
TEST(CudaApi, WithoutAGpuEveryCallFailsCleanly) {
  int version = 0;
  kiln_status status = kiln_cuda_driver_version(&version);
  int count = 0;
  if (status == KILN_OK && kiln_cuda_device_count(&count) == KILN_OK &&
      count > 0)
    GTEST_SKIP() << "a GPU is present (driver " << version
                 << "); see CudaDevice tests";
  std::string message = kiln_last_error();
  ASSERT_EQ(status == KILN_OK ? KILN_ERROR_UNSUPPORTED : status,
            KILN_ERROR_UNSUPPORTED)
      << message;
  if (status != KILN_OK)
    EXPECT_TRUE(startsWith(message, "no CUDA driver found") ||
                startsWith(message, "no GPU"))
        << message;

  kiln_cuda_device *device = reinterpret_cast<kiln_cuda_device *>(0x1);
  EXPECT_EQ(kiln_cuda_device_open(0, &device), KILN_ERROR_UNSUPPORTED);
  EXPECT_EQ(device, nullptr);
  std::string openMessage = kiln_last_error();
  EXPECT_TRUE(startsWith(openMessage, "no CUDA driver found") ||
              startsWith(openMessage, "no GPU"))
      << openMessage;
  if (status != KILN_OK) {
    // The outcome is kept: asking again gives the same answer.
    EXPECT_EQ(kiln_cuda_device_count(&count), status);
    EXPECT_EQ(std::string(kiln_last_error()), message);
  }
}

TEST(CudaApi, NullArgumentsAreErrors) {
  EXPECT_EQ(kiln_cuda_driver_version(nullptr), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_cuda_device_count(nullptr), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_cuda_device_open(0, nullptr), KILN_ERROR_INVALID_ARGUMENT);
  kiln_cuda_module *module = nullptr;
  EXPECT_EQ(kiln_cuda_module_load_ptx(nullptr, "", &module),
            KILN_ERROR_INVALID_ARGUMENT);
  kiln_cuda_ptr ptr;
  EXPECT_EQ(kiln_cuda_alloc(nullptr, 16, &ptr), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_cuda_free(nullptr, 0), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_cuda_synchronize(nullptr), KILN_ERROR_INVALID_ARGUMENT);
  uint32_t dims[3] = {1, 1, 1};
  EXPECT_EQ(kiln_cuda_launch(nullptr, nullptr, dims, dims, 0, nullptr),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(kiln_cuda_device_name(nullptr), "");
  // Null is ignored by the release functions.
  kiln_cuda_device_close(nullptr);
  kiln_cuda_module_unload(nullptr);
}

// A kernel written by hand, so that this test does not depend on the
// compiler: data[i] += 1 for i < n.
const char *kAddOnePtx = R"(.version 7.0
.target sm_52
.address_size 64
.visible .entry add_one(.param .u64 data, .param .u32 n)
{
  .reg .pred %p<2>;
  .reg .b32 %r<6>;
  .reg .f32 %f<3>;
  .reg .b64 %rd<5>;
  ld.param.u64 %rd1, [data];
  ld.param.u32 %r1, [n];
  mov.u32 %r2, %ctaid.x;
  mov.u32 %r3, %ntid.x;
  mov.u32 %r4, %tid.x;
  mad.lo.s32 %r5, %r2, %r3, %r4;
  setp.ge.s32 %p1, %r5, %r1;
  @%p1 bra DONE;
  cvta.to.global.u64 %rd2, %rd1;
  mul.wide.s32 %rd3, %r5, 4;
  add.s64 %rd4, %rd2, %rd3;
  ld.global.f32 %f1, [%rd4];
  add.f32 %f2, %f1, 0f3F800000;
  st.global.f32 [%rd4], %f2;
DONE:
  ret;
}
)";

/// Opens device 0, or skips the test when there is none.
kiln_cuda_device *openDeviceOrSkip() {
  kiln_cuda_device *device = nullptr;
  if (kiln_cuda_device_open(0, &device) != KILN_OK)
    return nullptr;
  return device;
}

TEST(CudaDevice, RunsAKernel) {
  kiln_cuda_device *device = openDeviceOrSkip();
  if (!device)
    GTEST_SKIP() << "no GPU: " << kiln_last_error();
  int major = 0, minor = 0;
  ASSERT_EQ(kiln_cuda_device_capability(device, &major, &minor), KILN_OK);
  EXPECT_GE(major, 5);
  kiln_cuda_module *module = nullptr;
  ASSERT_EQ(kiln_cuda_module_load_ptx(device, kAddOnePtx, &module), KILN_OK)
      << kiln_last_error();
  kiln_cuda_kernel *kernel = nullptr;
  ASSERT_EQ(kiln_cuda_module_kernel(module, "add_one", &kernel), KILN_OK);
  EXPECT_EQ(kiln_cuda_module_kernel(module, "missing", &kernel),
            KILN_ERROR_INVALID_ARGUMENT);

  const uint32_t n = 1000; // not a multiple of the block size
  std::vector<float> host(n), result(n, -1.0f);
  for (uint32_t i = 0; i < n; ++i)
    host[i] = 0.5f * i - 7.0f;
  kiln_cuda_ptr data = 0;
  ASSERT_EQ(kiln_cuda_alloc(device, n * sizeof(float), &data), KILN_OK);
  ASSERT_EQ(
      kiln_cuda_copy_to_device(device, data, host.data(), n * sizeof(float)),
      KILN_OK);
  void *args[] = {&data, const_cast<uint32_t *>(&n)};
  uint32_t grid[3] = {(n + 255) / 256, 1, 1}, block[3] = {256, 1, 1};
  ASSERT_EQ(kiln_cuda_launch(device, kernel, grid, block, 0, args), KILN_OK)
      << kiln_last_error();
  ASSERT_EQ(kiln_cuda_synchronize(device), KILN_OK) << kiln_last_error();
  ASSERT_EQ(
      kiln_cuda_copy_to_host(device, result.data(), data, n * sizeof(float)),
      KILN_OK);
  for (uint32_t i = 0; i < n; ++i)
    ASSERT_EQ(result[i], host[i] + 1.0f) << "at " << i;

  uint32_t empty[3] = {0, 1, 1};
  EXPECT_EQ(kiln_cuda_launch(device, kernel, empty, block, 0, args),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_cuda_free(device, data), KILN_OK);
  kiln_cuda_module_unload(module);
  kiln_cuda_device_close(device);
}

TEST(CudaDevice, PtxTooNewNeedsANewerDriver) {
  kiln_cuda_device *device = openDeviceOrSkip();
  if (!device)
    GTEST_SKIP() << "no GPU: " << kiln_last_error();
  std::string ptx = kAddOnePtx;
  ptx.replace(ptx.find("7.0"), 3, "99.9");
  kiln_cuda_module *module = nullptr;
  EXPECT_EQ(kiln_cuda_module_load_ptx(device, ptx.c_str(), &module),
            KILN_ERROR_UNSUPPORTED);
  std::string message = kiln_last_error();
  EXPECT_TRUE(startsWith(message, "PTX needs a newer driver")) << message;
  EXPECT_NE(message.find("99.9"), std::string::npos) << message;
  EXPECT_EQ(module, nullptr);
  kiln_cuda_device_close(device);
}

TEST(CudaDevice, BadPtxIsAnError) {
  kiln_cuda_device *device = openDeviceOrSkip();
  if (!device)
    GTEST_SKIP() << "no GPU: " << kiln_last_error();
  kiln_cuda_module *module = nullptr;
  EXPECT_EQ(kiln_cuda_module_load_ptx(device, "not ptx", &module),
            KILN_ERROR_INVALID_MODEL);
  EXPECT_TRUE(startsWith(kiln_last_error(), "the CUDA driver cannot load"))
      << kiln_last_error();
  kiln_cuda_device_close(device);
}

} // namespace
