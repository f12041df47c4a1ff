# RUN: %python %s
# A dimension that is dynamic in the model never broadcasts at run time (see
# docs/dialect.md): where numpy would stretch a dynamic extent that turns out
# to be 1, Kiln stops with a clear error naming the node instead of guessing.
# A static 1 still broadcasts, dynamic or not on the other side.

import numpy as np

import kiln_testing as kt

rng = kt.rng(10)


def model_of(op, a_decl, b_decl):
    return kt.make_model(
        [kt.node(op, ["a", "b"], ["y"])],
        inputs=[kt.tensor_input("a", a_decl), kt.tensor_input("b", b_decl)],
        outputs=[kt.tensor_output("y", ["N", 4])])


def test_dynamic_one_on_the_left():
    kt.expect_kiln_error(model_of("Add", ["A", 4], ["B", 4]),
                         {"a": kt.randn(rng, 1, 4), "b": kt.randn(rng, 3, 4)},
                         "node 'y' (kiln.add): dimension 0 of operand 1 "
                         "does not match the other operands")


def test_dynamic_one_on_the_right():
    kt.expect_kiln_error(model_of("Mul", ["A", 4], ["B", 4]),
                         {"a": kt.randn(rng, 3, 4), "b": kt.randn(rng, 1, 4)},
                         "node 'y' (kiln.mul): dimension 0 of operand 1 "
                         "does not match the other operands")


def test_dynamic_one_against_static():
    kt.expect_kiln_error(model_of("Sub", ["A", 4], [3, 4]),
                         {"a": kt.randn(rng, 1, 4), "b": kt.randn(rng, 3, 4)},
                         "node 'y' (kiln.sub): dimension 0 of operand 0 "
                         "does not match the other operands")


def test_static_one_still_broadcasts():
    a, b = kt.randn(rng, 1, 4), kt.randn(rng, 5, 4)
    model = model_of("Add", [1, 4], ["B", 4])
    kt.check(model, {"a": a, "b": b},
             {"y": np.add(a.astype(np.float64), b.astype(np.float64))},
             tag="static_one")


kt.main(test_dynamic_one_on_the_left, test_dynamic_one_on_the_right,
        test_dynamic_one_against_static, test_static_one_still_broadcasts)
