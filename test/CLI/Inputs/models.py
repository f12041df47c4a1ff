"""Writes the small files the CLI tests need (lit runs this from RUN lines).

    models.py mlp OUT.onnx            x[N,4] -> Gemm -> Relu -> y[N,3]
    models.py two-inputs OUT.onnx     a[2,3] + b[2,3] -> s[2,3]
    models.py unsupported OUT.onnx    named nodes of ops Kiln lacks
    models.py collide OUT.onnx        outputs 'y/0' and 'y_0' (one file name)
    models.py truncated OUT.onnx      the mlp model cut in half
    models.py npy OUT.npy SHAPE DTYPE seeded values, e.g. 2x4 float32
"""

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def save(model, path):
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def mlp():
    rng = np.random.default_rng(0)
    w = rng.standard_normal((4, 3)).astype(np.float32)
    b = rng.standard_normal(3).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["x", "w", "b"], ["h"], name="fc"),
         helper.make_node("Relu", ["h"], ["y"], name="act")],
        "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
    return helper.make_model(graph, producer_name="kiln-tests",
                             opset_imports=[helper.make_opsetid("", 13)])


def two_inputs():
    graph = helper.make_graph(
        [helper.make_node("Add", ["a", "b"], ["s"], name="add")],
        "two_inputs",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [2, 3]),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info("s", TensorProto.FLOAT, [2, 3])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def unsupported():
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["r"], name="relu"),
         helper.make_node("RandomUniformLike", ["r"], ["c"], name="noise"),
         helper.make_node("Bernoulli", ["c"], ["y"], name="coin")],
        "unsupported",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)])


def collide():
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y/0"], name="relu"),
         helper.make_node("Neg", ["x"], ["y_0"], name="neg")],
        "collide",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info("y/0", TensorProto.FLOAT, [2, 3]),
         helper.make_tensor_value_info("y_0", TensorProto.FLOAT, [2, 3])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def main(argv):
    kind, out = argv[1], argv[2]
    if kind == "mlp":
        save(mlp(), out)
    elif kind == "two-inputs":
        save(two_inputs(), out)
    elif kind == "unsupported":
        save(unsupported(), out)
    elif kind == "collide":
        save(collide(), out)
    elif kind == "truncated":
        model = mlp()
        model.ir_version = 8
        data = model.SerializeToString()
        with open(out, "wb") as f:
            f.write(data[:len(data) // 2])
    elif kind == "npy":
        shape = [int(d) for d in argv[3].split("x")] if argv[3] else []
        values = np.random.default_rng(1).uniform(-1, 1, shape)
        np.save(out, values.astype(argv[4]))
    else:
        sys.exit(f"models.py: unknown kind '{kind}'")


main(sys.argv)
