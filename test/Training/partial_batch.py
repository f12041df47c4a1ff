# RUN: %python %s
# `kiln train` trains on every sample each epoch: with 6 samples and
# --batch-size 4 an epoch is a step on 4 samples and a step on the last 2
# (a step compiled for that size), when the model's batch dimension is
# dynamic. A model with a fixed batch of 4 takes only the full batch.
#
# The samples are all the same, so every batch's mean gradient is that one
# sample's gradient whatever the shuffle: an epoch is exactly `steps` SGD
# steps of a linear model under MSE, which numpy replays in float64
# (rtol 1e-5). The reported epoch loss is the size-weighted mean of the
# steps' losses, also replayed here.

import re

import numpy as np

import kiln_testing as kt

rng = kt.rng(11)
LR = 0.05
X = kt.randn(rng, 1, 3)
Y = kt.randn(rng, 1, 2)
W0 = kt.randn(rng, 3, 2)
B0 = np.zeros(2, np.float32)


def model(batch):
    return kt.make_model(
        [kt.node("Gemm", ["x", "w", "b"], ["y"])],
        inputs=[kt.tensor_input("x", [batch, 3])],
        outputs=[kt.tensor_output("y", [batch, 2])],
        initializers={"w": W0, "b": B0})


def replay(sizes):
    """SGD on MSE over batches of identical samples; returns the weights
    and the epoch loss weighted by batch size."""
    w, b = W0.astype(np.float64), B0.astype(np.float64)
    x, y = X.astype(np.float64), Y.astype(np.float64)
    loss = 0.0
    for size in sizes:
        err = x @ w + b - y                 # every row of the batch alike
        loss += np.mean(err ** 2) * size / sum(sizes)
        grad = 2 * err / err.size           # d mean(err^2) / d prediction
        w, b = w - LR * x.T @ grad, b - LR * grad.sum(axis=0)
    return w, b, loss


def check(batch, sizes):
    data = {"x": np.repeat(X, 6, axis=0), "y": np.repeat(Y, 6, axis=0)}
    out, trained = kt.train_kiln(
        model(batch), data,
        ["--loss", "mse", "--optimizer", "sgd", "--lr", str(LR), "--epochs",
         "1", "--batch-size", "4"], tag=f"partial-{batch}")
    w, b, loss = replay(sizes)
    got = kt.initializers(trained)
    kt.assert_close(f"w ({batch})", got["w"], w, rtol=1e-5, atol=1e-6)
    kt.assert_close(f"b ({batch})", got["b"], b, rtol=1e-5, atol=1e-6)
    reported = float(re.search(r"loss ([0-9.e+-]+)", out).group(1))
    kt.assert_close(f"epoch loss ({batch})", np.array(reported),
                    np.array(loss), rtol=1e-5, atol=1e-7, dtype=np.float64)


if __name__ == "__main__":
    check("N", [4, 2])   # dynamic batch: both steps
    check(4, [4])        # fixed batch of 4: the partial batch is dropped
    print("partial batches: ok")
