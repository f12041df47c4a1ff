# RUN: %python %s
# Element types other than float32 in and out of compiled models: float16
# and float64 arithmetic, signed and unsigned 8-bit integers (unsigned
# division and maximum must not see them as negative), int64 reductions and
# bool pass-through. Integers compare exactly; floats to the stated
# tolerances.

import numpy as np

import kiln_testing as kt

rng = kt.rng(13)


def test_float16_add():
    a = kt.randn(rng, 3, 4).astype(np.float16)
    b = kt.randn(rng, 4).astype(np.float16)
    model = kt.make_model(
        [kt.node("Add", ["a", "b"], ["y"])],
        inputs=[kt.tensor_input("a", [3, 4], np.float16),
                kt.tensor_input("b", [4], np.float16)],
        outputs=[kt.tensor_output("y", [3, 4], np.float16)])
    # One float16 rounding of an exact sum: within half an ulp (2^-11).
    kt.check(model, {"a": a, "b": b}, {"y": a.astype(np.float64) + b},
             rtol=2.0 ** -11, atol=1e-4, dtype=np.float16)


def test_float64_softmax_matmul():
    x = rng.standard_normal((3, 5))
    w = rng.standard_normal((5, 4))
    model = kt.make_model(
        [kt.node("MatMul", ["x", "w"], ["h"]),
         kt.node("Softmax", ["h"], ["y"])],
        inputs=[kt.tensor_input("x", [3, 5], np.float64)],
        outputs=[kt.tensor_output("y", [3, 4], np.float64)],
        initializers={"w": w})
    kt.check(model, {"x": x}, {"y": kt.softmax(x @ w)}, rtol=1e-10,
             atol=1e-12, dtype=np.float64)


def test_uint8_above_127():
    a = rng.integers(100, 250, (3, 4)).astype(np.uint8)
    b = rng.integers(1, 9, (3, 4)).astype(np.uint8)
    c = rng.integers(0, 250, (3, 4)).astype(np.uint8)
    model = kt.make_model(
        [kt.node("Div", ["a", "b"], ["div"]),
         kt.node("Max", ["a", "c"], ["max"]),
         kt.node("Min", ["a", "c"], ["min"])],
        inputs=[kt.tensor_input(n, [3, 4], np.uint8) for n in "abc"],
        outputs=[kt.tensor_output(n, [3, 4], np.uint8)
                 for n in ("div", "max", "min")],
        opset=14)
    kt.check(model, {"a": a, "b": b, "c": c},
             {"div": a // b, "max": np.maximum(a, c), "min": np.minimum(a, c)},
             rtol=0, atol=0, dtype=np.uint8)


def test_int8_relu_neg():
    a = rng.integers(-100, 100, (3, 4)).astype(np.int8)
    model = kt.make_model(
        [kt.node("Relu", ["a"], ["r"]), kt.node("Neg", ["a"], ["n"])],
        inputs=[kt.tensor_input("a", [3, 4], np.int8)],
        outputs=[kt.tensor_output("r", [3, 4], np.int8),
                 kt.tensor_output("n", [3, 4], np.int8)],
        opset=14)
    kt.check(model, {"a": a}, {"r": np.maximum(a, 0), "n": -a}, rtol=0,
             atol=0, dtype=np.int8)


def test_int64_reductions():
    a = rng.integers(-1000, 1000, (3, 4, 5)).astype(np.int64)
    model = kt.make_model(
        [kt.node("ReduceSum", ["a"], ["sum"], axes=[1], keepdims=0),
         kt.node("ReduceMax", ["a"], ["max"], axes=[0, 2], keepdims=1)],
        inputs=[kt.tensor_input("a", [3, 4, 5], np.int64)],
        outputs=[kt.tensor_output("sum", [3, 5], np.int64),
                 kt.tensor_output("max", [1, 4, 1], np.int64)],
        opset=11)
    kt.check(model, {"a": a},
             {"sum": a.sum(axis=1), "max": a.max(axis=(0, 2), keepdims=True)},
             rtol=0, atol=0, dtype=np.int64)


def test_bool_identity():
    a = rng.integers(0, 2, (3, 4)).astype(np.bool_)
    model = kt.make_model(
        [kt.node("Identity", ["a"], ["y"])],
        inputs=[kt.tensor_input("a", [3, 4], np.bool_)],
        outputs=[kt.tensor_output("y", [3, 4], np.bool_)])
    kt.check(model, {"a": a}, {"y": a}, rtol=0, atol=0, dtype=np.bool_)


kt.main(test_float16_add, test_float64_softmax_matmul, test_uint8_above_127,
        test_int8_relu_neg, test_int64_reductions, test_bool_identity)
