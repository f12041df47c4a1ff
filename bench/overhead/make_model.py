"""Writes the tiny model of the call-overhead benchmark: a 16-16-4 MLP at
batch 1 (a few hundred flops), so a run is almost all overhead."""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(0)
w1 = rng.standard_normal((16, 16)).astype(np.float32)
w2 = rng.standard_normal((16, 4)).astype(np.float32)
nodes = [
    helper.make_node("MatMul", ["x", "w1"], ["h"]),
    helper.make_node("Relu", ["h"], ["r"]),
    helper.make_node("MatMul", ["r", "w2"], ["y"]),
]
graph = helper.make_graph(
    nodes, "tiny",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 16])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
    [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(w2, "w2")])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
onnx.checker.check_model(model)
onnx.save(model, out + "/tiny.onnx")
np.save(out + "/x.npy", rng.standard_normal((1, 16)).astype(np.float32))
