/* Runs a model compiled by Kiln from a C program.
 *
 *   kiln compile model.onnx -o model.so
 *   kiln_example_c model.so input.npy [output.npy]
 *
 * Prints the model's signature, runs it on the .npy input (for a model with
 * one input) and prints the first values of each output; the first output is
 * also written to output.npy if given. Every failure prints the runtime's
 * message and exits with status 1. */
#include <kiln/runtime.h>

#include <stdio.h>

static int fail(const char *what) {
  fprintf(stderr, "kiln_example_c: %s: %s\n", what, kiln_last_error());
  return 1;
}

static void printInfo(const char *kind, const kiln_tensor_info *info) {
  printf("%s %s: %s[", kind, info->name, kiln_dtype_name(info->dtype));
  for (size_t d = 0; d < info->rank; ++d) {
    if (info->shape[d] < 0)
      printf("%s?", d ? "x" : "");
    else
      printf("%s%lld", d ? "x" : "", (long long)info->shape[d]);
  }
  printf("]\n");
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s MODEL.so INPUT.npy [OUTPUT.npy]\n", argv[0]);
    return 2;
  }
  kiln_model *model = NULL;
  if (kiln_model_open(argv[1], &model) != KILN_OK)
    return fail("cannot open the model");

  size_t numInputs = kiln_model_num_inputs(model);
  size_t numOutputs = kiln_model_num_outputs(model);
  for (size_t i = 0; i < numInputs; ++i) {
    kiln_tensor_info info;
    kiln_model_input_info(model, i, &info);
    printInfo("input", &info);
  }
  for (size_t i = 0; i < numOutputs; ++i) {
    kiln_tensor_info info;
    kiln_model_output_info(model, i, &info);
    printInfo("output", &info);
  }
  if (numInputs != 1 || numOutputs > 16) {
    fprintf(stderr, "kiln_example_c: this example runs models with one "
                    "input and at most 16 outputs\n");
    kiln_model_close(model);
    return 1;
  }

  kiln_tensor *input = NULL;
  if (kiln_tensor_load_npy(argv[2], &input) != KILN_OK) {
    kiln_model_close(model);
    return fail("cannot read the input");
  }
  /* Null slots: the runtime allocates the outputs, we destroy them. */
  kiln_tensor *outputs[16] = {NULL};
  const kiln_tensor *inputs[1] = {input};
  int status = 0;
  if (kiln_model_run(model, inputs, 1, outputs, numOutputs) != KILN_OK) {
    status = fail("the run failed");
  } else {
    for (size_t i = 0; i < numOutputs; ++i) {
      kiln_tensor_info info;
      kiln_model_output_info(model, i, &info);
      size_t n = kiln_tensor_num_elements(outputs[i]);
      printf("%s =", info.name);
      if (kiln_tensor_dtype(outputs[i]) == KILN_DTYPE_F32) {
        const float *values = (const float *)kiln_tensor_data(outputs[i]);
        for (size_t k = 0; k < n && k < 8; ++k)
          printf(" %.5f", values[k]);
      }
      printf("%s\n", n > 8 ? " ..." : "");
    }
    if (argc > 3 && kiln_tensor_save_npy(outputs[0], argv[3]) != KILN_OK)
      status = fail("cannot write the output");
  }
  for (size_t i = 0; i < numOutputs; ++i)
    kiln_tensor_destroy(outputs[i]);
  kiln_tensor_destroy(input);
  kiln_model_close(model);
  return status;
}
