# RUN: %python %s %kiln_src
# The model the README's first command runs (examples/models/mlp.onnx on
# mlp_input.npy) runs and matches a numpy reference computed from its own
# weights (rtol 1e-4, atol 1e-5), at the bundled batch and at another; and
# examples/models/make_mlp.py still writes exactly the committed files.

import filecmp
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper

import kiln_testing as kt

MODELS = os.path.join(sys.argv[1], "examples", "models")
MODEL = os.path.join(MODELS, "mlp.onnx")
INPUT = os.path.join(MODELS, "mlp_input.npy")


def reference(x):
    """Gemm/Relu/Softmax from the model's own initializers, in float64."""
    model = onnx.load(MODEL)
    w = {i.name: numpy_helper.to_array(i).astype(np.float64)
         for i in model.graph.initializer}
    h = np.asarray(x, dtype=np.float64)
    for i in range(3):
        h = h @ w[f"fc{i}.weight"] + w[f"fc{i}.bias"]
        if i < 2:
            h = kt.relu(h)
    return kt.softmax(h, axis=-1)


def test_bundled_input():
    x = np.load(INPUT)
    got = kt.run_kiln(MODEL, {"x": x})
    kt.assert_close("probs", got["probs"], reference(x))
    if not np.allclose(got["probs"].sum(axis=-1), 1.0, atol=1e-5):
        kt.fail("probabilities do not sum to 1")


def test_other_batch():
    x = kt.randn(kt.rng(12), 7, 16)
    got = kt.run_kiln(MODEL, {"x": x})
    kt.assert_close("probs", got["probs"], reference(x))


def test_generator_reproduces_files():
    out = kt.scratch_dir("regen")
    subprocess.run([sys.executable, os.path.join(MODELS, "make_mlp.py"), out],
                   check=True)
    for name in ("mlp.onnx", "mlp_input.npy"):
        if not filecmp.cmp(os.path.join(out, name),
                           os.path.join(MODELS, name), shallow=False):
            kt.fail(f"examples/models/make_mlp.py no longer writes the "
                    f"committed {name}: rerun it and commit the result")


kt.main(test_bundled_input, test_other_batch, test_generator_reproduces_files)
