#!/usr/bin/python3
"""Writes the small model the README's first command runs.

    examples/models/make_mlp.py [OUT_DIR]

mlp.onnx: a 16-32-32-4 MLP (Gemm, Relu, Gemm, Relu, Gemm, Softmax) with
seeded random weights, input "x" of shape [batch, 16] (batch is symbolic) and
output "probs" of shape [batch, 4]. mlp_input.npy: a batch of 3 inputs.
OUT_DIR defaults to this script's folder; the files there are committed, and
test/E2E/example_mlp.py checks that this script still writes exactly them.
Run it with Debian's python3 (it has python3-onnx and python3-numpy).
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SIZES = [16, 32, 32, 4]
SEED = 2024
BATCH = 3


def build_model(rng):
    nodes, inits = [], []
    x = "x"
    for i, (fan_in, fan_out) in enumerate(zip(SIZES, SIZES[1:])):
        w = (rng.standard_normal((fan_in, fan_out)) /
             np.sqrt(fan_in)).astype(np.float32)
        b = (0.1 * rng.standard_normal(fan_out)).astype(np.float32)
        inits += [numpy_helper.from_array(w, f"fc{i}.weight"),
                  numpy_helper.from_array(b, f"fc{i}.bias")]
        h = f"fc{i}"
        nodes.append(helper.make_node(
            "Gemm", [x, f"fc{i}.weight", f"fc{i}.bias"], [h], name=h))
        x = h
        if i < len(SIZES) - 2:
            nodes.append(helper.make_node("Relu", [h], [f"relu{i}"],
                                          name=f"relu{i}"))
            x = f"relu{i}"
    nodes.append(helper.make_node("Softmax", [x], ["probs"], name="softmax",
                                  axis=-1))
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                       ["batch", SIZES[0]])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT,
                                       ["batch", SIZES[-1]])],
        inits)
    model = helper.make_model(
        graph, producer_name="kiln examples/models/make_mlp.py",
        opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    model.doc_string = ("A 16-32-32-4 MLP with random weights, for trying "
                        "Kiln: kiln run mlp.onnx --input x=mlp_input.npy")
    onnx.checker.check_model(model)
    return model


def main():
    out_dir = (sys.argv[1] if len(sys.argv) > 1
               else os.path.dirname(os.path.abspath(__file__)))
    rng = np.random.default_rng(SEED)
    model = build_model(rng)
    x = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    onnx.save(model, os.path.join(out_dir, "mlp.onnx"))
    np.save(os.path.join(out_dir, "mlp_input.npy"), x)


if __name__ == "__main__":
    main()
