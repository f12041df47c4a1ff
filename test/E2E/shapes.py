# RUN: %python %s
# Transpose, Reshape (0 and -1 entries) and Flatten (every axis), alone and
# feeding computation so the data movement is really executed; exact
# comparison with numpy (rtol 1e-4, atol 1e-5 for the arithmetic).

import numpy as np
from onnx import numpy_helper

import kiln_testing as kt

rng = kt.rng(5)


def f64(a):
    return np.asarray(a, dtype=np.float64)


def single(op, x, want, declared=None, extra_inits=None, inputs=None,
           **attrs):
    names = ["x"] + list((extra_inits or {}).keys())
    model = kt.make_model(
        [kt.node(op, names, ["y"], **attrs)],
        inputs=[kt.tensor_input("x", list(declared or x.shape))],
        outputs=[kt.tensor_output("y", [f"d{i}" for i in range(want.ndim)])],
        initializers=extra_inits)
    kt.check(model, {"x": x}, {"y": want}, tag=op)


def test_transpose_default_reverses():
    x = kt.randn(rng, 2, 3, 4)
    single("Transpose", x, np.transpose(x))


def test_transpose_perm():
    x = kt.randn(rng, 2, 3, 4, 5)
    single("Transpose", x, np.transpose(x, (0, 2, 3, 1)), perm=[0, 2, 3, 1])


def test_transpose_dynamic():
    x = kt.randn(rng, 3, 4, 2)
    single("Transpose", x, np.transpose(x, (1, 0, 2)), declared=["N", 4, 2],
           perm=[1, 0, 2])


def test_reshape_minus_one():
    x = kt.randn(rng, 2, 3, 4)
    single("Reshape", x, x.reshape(4, 6),
           extra_inits={"shape": np.array([4, -1], np.int64)})


def test_reshape_zero_copies_dim():
    x = kt.randn(rng, 2, 3, 4)
    single("Reshape", x, x.reshape(2, 12),
           extra_inits={"shape": np.array([0, -1], np.int64)})


def test_reshape_dynamic_batch():
    x = kt.randn(rng, 5, 3, 4)
    single("Reshape", x, x.reshape(5, 2, 6), declared=["N", 3, 4],
           extra_inits={"shape": np.array([0, 2, 6], np.int64)})


def test_reshape_from_constant_node():
    x = kt.randn(rng, 6, 4)
    model = kt.make_model(
        [
            kt.node("Constant", [], ["shape"],
                    value=numpy_helper.from_array(
                        np.array([2, 3, 4], np.int64))),
            kt.node("Reshape", ["x", "shape"], ["y"]),
        ],
        inputs=[kt.tensor_input("x", [6, 4])],
        outputs=[kt.tensor_output("y", [2, 3, 4])])
    kt.check(model, {"x": x}, {"y": x.reshape(2, 3, 4)})


def test_flatten_every_axis():
    x = kt.randn(rng, 2, 3, 4)
    for axis in (0, 1, 2, 3, -1):
        rows = int(np.prod(x.shape[:axis]))
        single("Flatten", x, x.reshape(rows, -1), axis=axis)


def test_flatten_dynamic():
    x = kt.randn(rng, 5, 2, 3)
    single("Flatten", x, x.reshape(5, 6), declared=["N", 2, 3], axis=1)


def test_transpose_reshape_chain():
    # y = reshape(transpose(x)) @ w: the layout change must feed the matmul.
    x = kt.randn(rng, 2, 3, 4)
    w = kt.randn(rng, 6, 5)
    model = kt.make_model(
        [
            kt.node("Transpose", ["x"], ["t"], perm=[2, 0, 1]),
            kt.node("Reshape", ["t", "shape"], ["r"]),
            kt.node("MatMul", ["r", "w"], ["y"]),
        ],
        inputs=[kt.tensor_input("x", [2, 3, 4])],
        outputs=[kt.tensor_output("y", [4, 5])],
        initializers={"shape": np.array([4, 6], np.int64), "w": w})
    want = np.transpose(f64(x), (2, 0, 1)).reshape(4, 6) @ f64(w)
    kt.check(model, {"x": x}, {"y": want})


kt.main(test_transpose_default_reverses, test_transpose_perm,
        test_transpose_dynamic, test_reshape_minus_one,
        test_reshape_zero_copies_dim, test_reshape_dynamic_batch,
        test_reshape_from_constant_node, test_flatten_every_axis,
        test_flatten_dynamic, test_transpose_reshape_chain)
