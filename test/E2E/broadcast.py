# RUN: %python %s
# Elementwise ops with numpy broadcasting (static, rank-0 and dynamic
# shapes), the variadic ones (Max, Min, Sum, Mean), the unary ones, and the
# inference-time identities, against numpy (rtol 1e-4, atol 1e-5).

import numpy as np

import kiln_testing as kt

rng = kt.rng(4)


def f64(a):
    return np.asarray(a, dtype=np.float64)


def binary(op, a_shape, b_shape, ref, a=None, b=None, declared=None):
    """`op` on inputs of `a_shape` and `b_shape`, compared with `ref(a, b)`.
    `declared` gives the inputs' shapes as the model states them (strings
    are symbolic dims); the output's shape is then left symbolic too."""
    a = kt.uniform(rng, *a_shape) if a is None else a
    b = kt.uniform(rng, *b_shape) if b is None else b
    want = ref(f64(a), f64(b))
    decl_a, decl_b = declared or (a_shape, b_shape)
    out_shape = (list(want.shape) if declared is None
                 else [f"d{i}" for i in range(want.ndim)])
    model = kt.make_model(
        [kt.node(op, ["a", "b"], ["y"])],
        inputs=[kt.tensor_input("a", list(decl_a)),
                kt.tensor_input("b", list(decl_b))],
        outputs=[kt.tensor_output("y", out_shape)])
    kt.check(model, {"a": a, "b": b}, {"y": want}, tag=op)


def test_add_trailing_vector():
    binary("Add", (2, 3, 4), (4,), np.add)


def test_sub_both_sides_broadcast():
    binary("Sub", (3, 1), (1, 4), np.subtract)


def test_mul_rank0():
    binary("Mul", (2, 3, 4), (), np.multiply)


def test_div_middle_broadcast():
    b = kt.uniform(rng, 3, 1, low=0.5, high=2.0)
    binary("Div", (2, 1, 4), (3, 1), np.divide, b=b)


def test_pow_positive_base():
    a = kt.uniform(rng, 2, 3, low=0.1, high=2.0)
    binary("Pow", (2, 3), (3,), np.power, a=a)


def test_add_dynamic_batch():
    binary("Add", (5, 4), (4,), np.add, declared=(["N", 4], [4]))


def test_mul_dynamic_both():
    binary("Mul", (3, 4), (3, 1), np.multiply,
           declared=(["N", 4], ["N", 1]))


def test_variadic():
    a = kt.uniform(rng, 2, 3)
    b = kt.uniform(rng, 3)
    c = kt.uniform(rng, 1, 1)
    model = kt.make_model(
        [
            kt.node("Max", ["a", "b", "c"], ["max"]),
            kt.node("Min", ["a", "b", "c"], ["min"]),
            kt.node("Sum", ["a", "b", "c"], ["sum"]),
            kt.node("Mean", ["a", "b", "c"], ["mean"]),
            kt.node("Max", ["a"], ["max1"], name="max_single"),
        ],
        inputs=[kt.tensor_input("a", [2, 3]), kt.tensor_input("b", [3]),
                kt.tensor_input("c", [1, 1])],
        outputs=[kt.tensor_output(n, [2, 3])
                 for n in ("max", "min", "sum", "mean", "max1")])
    A, B, C = f64(a), f64(b), f64(c)
    kt.check(model, {"a": a, "b": b, "c": c}, {
        "max": np.maximum(np.maximum(A, B), C),
        "min": np.minimum(np.minimum(A, B), C),
        "sum": A + B + C,
        "mean": (A + B + C) / 3,
        "max1": A,
    })


def test_unary():
    x = kt.uniform(rng, 2, 3, 4, low=-3, high=3)
    pos = kt.uniform(rng, 2, 3, 4, low=0.1, high=4)
    ops = {
        "Neg": (x, np.negative), "Abs": (x, np.abs), "Exp": (x, np.exp),
        "Tanh": (x, np.tanh), "Sigmoid": (x, lambda v: 1 / (1 + np.exp(-v))),
        "Relu": (x, kt.relu), "Log": (pos, np.log), "Sqrt": (pos, np.sqrt),
    }
    nodes = [kt.node(op, ["pos" if arg is pos else "x"], [op.lower()])
             for op, (arg, _) in ops.items()]
    model = kt.make_model(
        nodes,
        inputs=[kt.tensor_input("x", [2, 3, 4]),
                kt.tensor_input("pos", [2, 3, 4])],
        outputs=[kt.tensor_output(op.lower(), [2, 3, 4]) for op in ops])
    kt.check(model, {"x": x, "pos": pos},
             {op.lower(): fn(f64(arg)) for op, (arg, fn) in ops.items()})


def test_identity_and_dropout():
    x = kt.uniform(rng, 4, 5)
    model = kt.make_model(
        [
            kt.node("Identity", ["x"], ["i"]),
            kt.node("Dropout", ["i"], ["d"], ratio=0.5),
            kt.node("Add", ["d", "x"], ["y"]),
        ],
        inputs=[kt.tensor_input("x", [4, 5])],
        outputs=[kt.tensor_output("y", [4, 5])],
        opset=10)
    kt.check(model, {"x": x}, {"y": 2 * f64(x)})


def test_int32_arithmetic():
    a = rng.integers(-50, 50, (3, 4)).astype(np.int32)
    b = rng.integers(1, 9, (4,)).astype(np.int32)
    model = kt.make_model(
        [
            kt.node("Add", ["a", "b"], ["add"]),
            kt.node("Mul", ["a", "b"], ["mul"]),
            kt.node("Div", ["a", "b"], ["div"]),
            kt.node("Abs", ["a"], ["abs"]),
        ],
        inputs=[kt.tensor_input("a", [3, 4], np.int32),
                kt.tensor_input("b", [4], np.int32)],
        outputs=[kt.tensor_output(n, [3, 4], np.int32)
                 for n in ("add", "mul", "div", "abs")])
    # ONNX integer Div truncates toward zero (C semantics), not numpy's floor.
    want = {"add": a + b, "mul": a * b,
            "div": np.trunc(a / b).astype(np.int32), "abs": np.abs(a)}
    kt.check(model, {"a": a, "b": b}, want, rtol=0, atol=0, dtype=np.int32)


kt.main(test_add_trailing_vector, test_sub_both_sides_broadcast,
        test_mul_rank0, test_div_middle_broadcast, test_pow_positive_base,
        test_add_dynamic_batch, test_mul_dynamic_both, test_variadic,
        test_unary, test_identity_and_dropout, test_int32_arithmetic)
