# RUN: %python %s
# One model with a symbolic batch dimension ("N"), compiled once per run and
# run at batch 1 and batch 5: the MLP and the CNN must match numpy (rtol
# 1e-4, atol 1e-5) at both sizes and return outputs of the batch given.

import numpy as np

import kiln_testing as kt

rng = kt.rng(3)


def f64(a):
    return np.asarray(a, dtype=np.float64)


def test_mlp_dynamic_batch():
    w1 = kt.glorot(rng, 16, 16, 32)
    b1 = kt.randn(rng, 32, scale=0.1)
    w2 = kt.glorot(rng, 32, 32, 4)
    b2 = kt.randn(rng, 4, scale=0.1)
    model = kt.make_model(
        [
            kt.node("Gemm", ["x", "w1", "b1"], ["h"]),
            kt.node("Relu", ["h"], ["r"]),
            kt.node("Gemm", ["r", "w2", "b2"], ["logits"]),
            kt.node("Softmax", ["logits"], ["y"], axis=1),
        ],
        inputs=[kt.tensor_input("x", ["N", 16])],
        outputs=[kt.tensor_output("y", ["N", 4])],
        initializers={"w1": w1, "b1": b1, "w2": w2, "b2": b2})
    for batch in (1, 5):
        x = kt.randn(rng, batch, 16)
        logits = kt.relu(f64(x) @ w1 + b1) @ w2 + b2
        kt.check(model, {"x": x}, {"y": kt.softmax(logits, axis=1)},
                 tag=f"mlp{batch}")


def test_cnn_dynamic_batch():
    k = kt.glorot(rng, 2 * 9, 4, 2, 3, 3)
    kb = kt.randn(rng, 4, scale=0.1)
    fc = kt.glorot(rng, 36, 36, 3)
    model = kt.make_model(
        [
            kt.node("Conv", ["x", "k", "kb"], ["c"], pads=[1, 1, 1, 1]),
            kt.node("Relu", ["c"], ["r"]),
            kt.node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2],
                    strides=[2, 2]),
            kt.node("Flatten", ["p"], ["f"]),
            kt.node("MatMul", ["f", "fc"], ["y"]),
        ],
        inputs=[kt.tensor_input("x", ["batch", 2, 6, 6])],
        outputs=[kt.tensor_output("y", ["batch", 3])],
        initializers={"k": k, "kb": kb, "fc": fc})
    for batch in (1, 5):
        x = kt.randn(rng, batch, 2, 6, 6)
        p = kt.pool2d(kt.relu(kt.conv2d(x, k, kb, pads=(1, 1, 1, 1))), (2, 2),
                      strides=(2, 2))
        kt.check(model, {"x": x}, {"y": p.reshape(batch, -1) @ fc},
                 tag=f"cnn{batch}")


kt.main(test_mlp_dynamic_batch, test_cnn_dynamic_batch)
