"""Checks an output the examples wrote for examples/models/mlp.onnx against a
numpy reference from the model's own weights (rtol 1e-4, atol 1e-5).

    check_mlp_output.py MODEL.onnx INPUT.npy OUTPUT.npy
"""
import sys

import numpy as np
import onnx
from onnx import numpy_helper

model_path, input_path, output_path = sys.argv[1:4]
weights = {i.name: numpy_helper.to_array(i).astype(np.float64)
           for i in onnx.load(model_path).graph.initializer}
h = np.load(input_path).astype(np.float64)
for i in range(3):
    h = h @ weights[f"fc{i}.weight"] + weights[f"fc{i}.bias"]
    if i < 2:
        h = np.maximum(h, 0)
h = np.exp(h - h.max(axis=-1, keepdims=True))
want = h / h.sum(axis=-1, keepdims=True)
got = np.load(output_path)
if got.shape != want.shape or not np.allclose(got, want, rtol=1e-4, atol=1e-5):
    sys.exit(f"{output_path}: got {got}, expected {want}")
print(f"{output_path}: matches numpy")
