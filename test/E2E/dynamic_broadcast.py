# RUN: %python %s
# XFAIL: *
# Broadcasting along a dimension that is dynamic in the model and 1 at run
# time: ONNX (numpy) semantics broadcast it. Kiln's elementwise lowering
# (lib/Conversion/KilnToLinalg) assumes two dynamic dimensions are equal and
# takes the result's size from the first operand, so `a[1x4] + b[3x4]`
# returns a 1x4 tensor (and reads past `a` the other way round). Remove the
# XFAIL line when the lowering handles (or rejects at run time) the case.

import numpy as np

import kiln_testing as kt

rng = kt.rng(10)


def f64(a):
    return np.asarray(a, dtype=np.float64)


def case(op, ref, a_shape, b_shape, a_decl, b_decl):
    a = kt.randn(rng, *a_shape)
    b = kt.randn(rng, *b_shape)
    want = ref(f64(a), f64(b))
    model = kt.make_model(
        [kt.node(op, ["a", "b"], ["y"])],
        inputs=[kt.tensor_input("a", a_decl), kt.tensor_input("b", b_decl)],
        outputs=[kt.tensor_output("y", [f"d{i}" for i in range(want.ndim)])])
    kt.check(model, {"a": a, "b": b}, {"y": want}, tag=op)


def test_dynamic_one_on_the_left():
    case("Add", np.add, (1, 4), (3, 4), ["A", 4], ["B", 4])


def test_dynamic_one_on_the_right():
    case("Mul", np.multiply, (3, 4), (1, 4), ["A", 4], ["B", 4])


def test_dynamic_one_against_static():
    case("Sub", np.subtract, (1, 4), (3, 4), ["A", 4], [3, 4])


kt.main(test_dynamic_one_on_the_left, test_dynamic_one_on_the_right,
        test_dynamic_one_against_static)
