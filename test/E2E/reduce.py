# RUN: %python %s
# ReduceSum/Mean/Max with keepdims 0 and 1, negative and multiple axes, no
# axes (all), ReduceSum's axes as an attribute (opset 11) and as an input
# (opset 13, noop_with_empty_axes), the global pools, and Softmax in its
# opset-11 (flatten at axis) and opset-13 (one axis) meanings; against numpy
# (rtol 1e-4, atol 1e-5).

import numpy as np

import kiln_testing as kt

rng = kt.rng(6)


def f64(a):
    return np.asarray(a, dtype=np.float64)


REFS = {"ReduceSum": np.sum, "ReduceMean": np.mean, "ReduceMax": np.max}


def reduce_case(op, x, axes, keepdims, opset=11, declared=None):
    attrs = {"keepdims": keepdims}
    inits = {}
    inputs = ["x"]
    if axes is not None:
        if op == "ReduceSum" and opset >= 13:
            inits["axes"] = np.array(axes, np.int64)
            inputs.append("axes")
        else:
            attrs["axes"] = axes
    want = REFS[op](f64(x), axis=None if axes is None else tuple(axes),
                    keepdims=bool(keepdims))
    want = np.asarray(want)
    model = kt.make_model(
        [kt.node(op, inputs, ["y"], **attrs)],
        inputs=[kt.tensor_input("x", list(declared or x.shape))],
        outputs=[kt.tensor_output("y", [f"d{i}" for i in range(want.ndim)])],
        initializers=inits, opset=opset)
    kt.check(model, {"x": x}, {"y": want},
             tag=f"{op}-{opset}-k{keepdims}")


def test_reductions_keepdims():
    x = kt.randn(rng, 2, 3, 4, 5)
    for op in REFS:
        for keepdims in (0, 1):
            reduce_case(op, x, [1], keepdims)
            reduce_case(op, x, [-1, 0], keepdims)
            reduce_case(op, x, None, keepdims)


def test_reduce_sum_axes_input():
    x = kt.randn(rng, 3, 4, 5)
    for keepdims in (0, 1):
        reduce_case("ReduceSum", x, [0, 2], keepdims, opset=13)
        reduce_case("ReduceSum", x, [-2], keepdims, opset=13)
        reduce_case("ReduceSum", x, None, keepdims, opset=13)


def test_reduce_sum_noop_with_empty_axes():
    x = kt.randn(rng, 3, 4)
    model = kt.make_model(
        [kt.node("ReduceSum", ["x"], ["y"], noop_with_empty_axes=1)],
        inputs=[kt.tensor_input("x", [3, 4])],
        outputs=[kt.tensor_output("y", [3, 4])], opset=13)
    kt.check(model, {"x": x}, {"y": f64(x)})


def test_reduce_dynamic_batch():
    x = kt.randn(rng, 5, 3, 4)
    for keepdims in (0, 1):
        reduce_case("ReduceMean", x, [2], keepdims, declared=["N", 3, 4])
        reduce_case("ReduceMax", x, [0], keepdims, declared=["N", 3, 4])


def test_global_pools():
    x = kt.randn(rng, 2, 3, 5, 6)
    model = kt.make_model(
        [
            kt.node("GlobalAveragePool", ["x"], ["avg"]),
            kt.node("GlobalMaxPool", ["x"], ["max"]),
        ],
        inputs=[kt.tensor_input("x", [2, 3, 5, 6])],
        outputs=[kt.tensor_output("avg", [2, 3, 1, 1]),
                 kt.tensor_output("max", [2, 3, 1, 1])])
    kt.check(model, {"x": x}, {
        "avg": f64(x).mean(axis=(2, 3), keepdims=True),
        "max": f64(x).max(axis=(2, 3), keepdims=True)})


def test_global_pool_1d():
    x = kt.randn(rng, 2, 3, 7)
    model = kt.make_model(
        [kt.node("GlobalAveragePool", ["x"], ["y"])],
        inputs=[kt.tensor_input("x", [2, 3, 7])],
        outputs=[kt.tensor_output("y", [2, 3, 1])])
    kt.check(model, {"x": x}, {"y": f64(x).mean(axis=2, keepdims=True)})


def softmax_case(x, axis, opset, declared=None):
    model = kt.make_model(
        [kt.node("Softmax", ["x"], ["y"], axis=axis)],
        inputs=[kt.tensor_input("x", list(declared or x.shape))],
        outputs=[kt.tensor_output("y", list(declared or x.shape))],
        opset=opset)
    if opset >= 13:
        want = kt.softmax(x, axis=axis)
    else:
        # Before 13: coerce to 2-D at `axis`, softmax the rows, reshape back.
        rows = int(np.prod(x.shape[:axis]))
        want = kt.softmax(x.reshape(rows, -1), axis=1).reshape(x.shape)
    kt.check(model, {"x": x}, {"y": want}, tag=f"softmax{opset}-{axis}")


def test_softmax_versions():
    x = kt.randn(rng, 2, 3, 4, scale=2.0)
    softmax_case(x, 1, 11)
    softmax_case(x, 1, 13)
    softmax_case(x, 2, 11)
    softmax_case(x, -1, 13)
    softmax_case(x, 0, 13)
    softmax_case(x, 0, 11)


def test_softmax_legacy_dynamic_batch():
    x = kt.randn(rng, 5, 3, 4)
    softmax_case(x, 1, 11, declared=["N", 3, 4])


kt.main(test_reductions_keepdims, test_reduce_sum_axes_input,
        test_reduce_sum_noop_with_empty_axes, test_reduce_dynamic_batch,
        test_global_pools, test_global_pool_1d, test_softmax_versions,
        test_softmax_legacy_dynamic_batch)
