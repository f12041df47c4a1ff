# RUN: %python %s
# A model whose weights live in an external data file next to it, run from
# another working directory: the checker and the importer must both look
# for the data beside the model (rtol 1e-4, atol 1e-5).

import os

import numpy as np
import onnx

import kiln_testing as kt


def test_external_weights_other_cwd():
    rng = kt.rng(14)
    x = kt.randn(rng, 3, 40)
    w = kt.glorot(rng, 40, 40, 30)
    b = kt.randn(rng, 30)
    model = kt.make_model(
        [kt.node("Gemm", ["x", "w", "b"], ["y"])],
        inputs=[kt.tensor_input("x", [3, 40])],
        outputs=[kt.tensor_output("y", [3, 30])],
        initializers={"w": w, "b": b})
    model_dir = kt.scratch_dir("model")
    path = os.path.join(model_dir, "model.onnx")
    onnx.save(model, path, save_as_external_data=True,
              all_tensors_to_one_file=True, location="weights.bin",
              size_threshold=0)
    if not os.path.exists(os.path.join(model_dir, "weights.bin")):
        kt.fail("onnx.save wrote no external data file")
    cwd = os.getcwd()
    os.chdir(kt.scratch_dir("elsewhere"))
    try:
        got = kt.run_kiln(path, {"x": x})
    finally:
        os.chdir(cwd)
    kt.assert_close("y", got["y"], x.astype(np.float64) @ w + b)


kt.main(test_external_weights_other_cwd)
