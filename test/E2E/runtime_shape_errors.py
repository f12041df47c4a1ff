# RUN: %python %s
# Inputs whose dynamic dimensions fit each one's declared shape but not each
# other, or a dynamic reshape whose element count does not divide: `kiln run`
# must fail with one clear error naming the node (and no output file), as for
# any other bad input. The compiled code checks these sizes before it
# allocates anything (kiln-hoist-runtime-checks) and reports through the
# runtime.

import numpy as np

import kiln_testing as kt

rng = kt.rng(11)


def test_elementwise_dims_differ():
    model = kt.make_model(
        [kt.node("Sub", ["a", "b"], ["y"])],
        inputs=[kt.tensor_input("a", ["N", 4]), kt.tensor_input("b", ["M", 4])],
        outputs=[kt.tensor_output("y", ["K", 4])])
    kt.expect_kiln_error(model, {"a": kt.randn(rng, 3, 4),
                                 "b": kt.randn(rng, 2, 4)},
                         "the model cannot run on these inputs: node "
                         "'y' (kiln.sub): dimension 0 of operand 1 does "
                         "not match the other operands")


def test_matmul_contraction_differs():
    model = kt.make_model(
        [kt.node("MatMul", ["a", "b"], ["y"])],
        inputs=[kt.tensor_input("a", [3, "K"]), kt.tensor_input("b", ["L", 2])],
        outputs=[kt.tensor_output("y", [3, 2])])
    kt.expect_kiln_error(model, {"a": kt.randn(rng, 3, 4),
                                 "b": kt.randn(rng, 5, 2)},
                         "node 'y' (kiln.matmul): the operands' "
                         "contraction dimensions differ")


def test_reshape_does_not_divide():
    model = kt.make_model(
        [kt.node("Reshape", ["x", "shape"], ["y"])],
        inputs=[kt.tensor_input("x", ["N", 3])],
        outputs=[kt.tensor_output("y", ["M", 2])],
        initializers={"shape": np.array([-1, 2], np.int64)})
    kt.expect_kiln_error(model, {"x": kt.randn(rng, 3, 3)},
                         "node 'y' (kiln.reshape): the input's element "
                         "count does not fit the new shape")


kt.main(test_elementwise_dims_differ, test_matmul_contraction_differs,
        test_reshape_does_not_divide)
