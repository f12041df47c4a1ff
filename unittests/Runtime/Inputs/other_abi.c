/* A library that claims to be a Kiln model compiled for a future ABI: the
 * runtime must refuse it with KILN_ERROR_ABI_MISMATCH. */
#include "kiln/abi.h"

static void entry(void **args) { (void)args; }
static const kiln_abi_model model = {999u, 0, 0, 0, 0, 0, entry, "future", 0};

__attribute__((visibility("default"))) const kiln_abi_model *
kiln_model_descriptor(void) {
  return &model;
}
