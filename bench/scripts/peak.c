/* Measures this core's clock and fp32 FMA throughput, for bench/run.sh's
 * peak figure. The clock comes from a chain of dependent integer adds (one
 * cycle each on every x86-64 core); the FMA rate from 12 independent
 * accumulator chains of the widest vectors the compiler was told to use
 * (-mavx512f or -mavx2 -mfma). Prints `ghz=X fma_gflops=X lanes=N`. */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double clockGHz(void) {
  const long iters = 4000000;
  unsigned long x = 0;
  double start = now();
  for (long i = 0; i < iters; ++i)
    __asm__ volatile(".rept 50\n\tadd $1, %0\n\t.endr" : "+r"(x));
  double seconds = now() - start;
  return iters * 50.0 / seconds / 1e9;
}

#if defined(__AVX512F__)
typedef __m512 vec;
#define LANES 16
#define SET1 _mm512_set1_ps
#define FMA _mm512_fmadd_ps
#define ADD _mm512_add_ps
#define REDUCE(v) _mm512_reduce_add_ps(v)
#else
typedef __m256 vec;
#define LANES 8
#define SET1 _mm256_set1_ps
#define FMA _mm256_fmadd_ps
#define ADD _mm256_add_ps
static float REDUCE(__m256 v) {
  float f[8];
  _mm256_storeu_ps(f, v);
  return f[0] + f[1] + f[2] + f[3] + f[4] + f[5] + f[6] + f[7];
}
#endif

static double fmaGFlops(float *sink) {
  const long iters = 4000000;
  vec a = SET1(0.999999f), b = SET1(1e-7f);
  vec acc[12];
  for (int i = 0; i < 12; ++i)
    acc[i] = SET1((float)i);
  double start = now();
  for (long i = 0; i < iters; ++i) {
    for (int j = 0; j < 12; ++j)
      acc[j] = FMA(acc[j], a, b);
    __asm__ volatile("" ::: "memory");
  }
  double seconds = now() - start;
  vec total = acc[0];
  for (int i = 1; i < 12; ++i)
    total = ADD(total, acc[i]);
  *sink = REDUCE(total);
  return iters * 12.0 * LANES * 2 / seconds / 1e9;
}

int main(void) {
  float sink;
  /* The best of several short runs: other processes on the machine only
   * ever make a run slower. */
  double ghz = 0, gflops = 0;
  for (int i = 0; i < 7; ++i) {
    double g = clockGHz(), f = fmaGFlops(&sink);
    ghz = g > ghz ? g : ghz;
    gflops = f > gflops ? f : gflops;
  }
  printf("ghz=%.2f fma_gflops=%.1f lanes=%d (%g)\n", ghz, gflops, LANES,
         sink > 0 ? 0.0 : 1.0);
  return 0;
}
