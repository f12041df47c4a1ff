/* Times kiln_model_run on one model: ROUNDS rounds of CALLS calls after a
 * warm-up; prints the median microseconds per call. Outputs are allocated by
 * the caller once, as a latency-minded program would. */
#include <kiln/runtime.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s MODEL.so INPUT.npy CALLS [ROUNDS]\n", argv[0]);
    return 2;
  }
  int calls = atoi(argv[3]), rounds = argc > 4 ? atoi(argv[4]) : 7;
  kiln_model *model;
  kiln_tensor *input, *output;
  kiln_tensor_info info;
  if (kiln_model_open(argv[1], &model) || kiln_tensor_load_npy(argv[2], &input) ||
      kiln_model_output_info(model, 0, &info) ||
      kiln_tensor_create(info.dtype, info.shape, info.rank, &output)) {
    fprintf(stderr, "%s\n", kiln_last_error());
    return 1;
  }
  kiln_set_num_threads(1);
  const kiln_tensor *inputs[1] = {input};
  kiln_tensor *outputs[1] = {output};
  for (int i = 0; i < calls / 10 + 1; ++i)
    kiln_model_run(model, inputs, 1, outputs, 1);
  double *perCall = malloc(sizeof(double) * rounds);
  for (int r = 0; r < rounds; ++r) {
    double start = now();
    for (int i = 0; i < calls; ++i)
      if (kiln_model_run(model, inputs, 1, outputs, 1) != KILN_OK) {
        fprintf(stderr, "%s\n", kiln_last_error());
        return 1;
      }
    perCall[r] = (now() - start) / calls * 1e6;
  }
  qsort(perCall, rounds, sizeof(double), compare);
  printf("%.3f\n", perCall[rounds / 2]);
  return 0;
}
