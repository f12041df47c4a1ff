# RUN: %python %s
# An MLP (MatMul + Add + Relu, Gemm, Softmax) with seeded random weights,
# run through `kiln run` and checked against numpy to rtol 1e-4, atol 1e-5.

import numpy as np

import kiln_testing as kt


def test():
    rng = kt.rng(1)
    sizes = [16, 32, 32, 10]
    w1 = kt.glorot(rng, 16, 16, 32)
    b1 = kt.randn(rng, 32, scale=0.1)
    w2 = kt.glorot(rng, 32, 32, 32)
    b2 = kt.randn(rng, 32, scale=0.1)
    # The last layer is a Gemm with its weight stored [out, in] (transB), as
    # PyTorch exports nn.Linear.
    w3 = kt.glorot(rng, 32, 10, 32)
    b3 = kt.randn(rng, 10, scale=0.1)
    model = kt.make_model(
        [
            kt.node("MatMul", ["x", "w1"], ["h1"]),
            kt.node("Add", ["h1", "b1"], ["a1"]),
            kt.node("Relu", ["a1"], ["r1"]),
            kt.node("MatMul", ["r1", "w2"], ["h2"]),
            kt.node("Add", ["h2", "b2"], ["a2"]),
            kt.node("Relu", ["a2"], ["r2"]),
            kt.node("Gemm", ["r2", "w3", "b3"], ["logits"], transB=1),
            kt.node("Softmax", ["logits"], ["probs"], axis=-1),
        ],
        inputs=[kt.tensor_input("x", [8, sizes[0]])],
        outputs=[kt.tensor_output("logits", [8, 10]),
                 kt.tensor_output("probs", [8, 10])],
        initializers={"w1": w1, "b1": b1, "w2": w2, "b2": b2, "w3": w3,
                      "b3": b3})

    x = kt.randn(rng, 8, 16)
    f64 = lambda a: a.astype(np.float64)
    r1 = kt.relu(f64(x) @ f64(w1) + f64(b1))
    r2 = kt.relu(r1 @ f64(w2) + f64(b2))
    logits = r2 @ f64(w3).T + f64(b3)
    kt.check(model, {"x": x}, {"logits": logits, "probs": kt.softmax(logits)})


kt.main(test)
