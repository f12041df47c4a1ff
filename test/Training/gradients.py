# RUN: %python %s
# The gradients Kiln's compiled training step computes for whole models match
# PyTorch's autograd (Debian's python3-torch) on the same float64 weights and
# data: rtol 1e-4, atol 1e-10. One SGD step with learning rate 1 over the
# whole data set updates each parameter p to p - dL/dp, so p - p' is Kiln's
# gradient (exact to float64 rounding).

import numpy as np
import torch
import torch.nn.functional as F

import kiln_testing as kt

RTOL, ATOL = 1e-4, 1e-10
rng = kt.rng(11)
f64 = np.float64


def kiln_gradients(model, data, loss, batch):
    args = ["--loss", loss, "--optimizer", "sgd", "--lr", "1",
            "--batch-size", str(batch), "--epochs", "1", "--quiet"]
    _, trained = kt.train_kiln(model, data, args)
    before = kt.initializers(model)
    after = kt.initializers(trained)
    return {k: before[k] - after[k] for k in before}


def compare(kiln, torch_params):
    for name, param in torch_params.items():
        kt.assert_close(f"dL/d{name}", kiln[name], param.grad.numpy(),
                        rtol=RTOL, atol=ATOL, dtype=np.float64)


def test_mlp_cross_entropy():
    n, d, h, c = 16, 6, 5, 3
    w = {"w1": kt.randn(rng, d, h, dtype=f64), "b1": kt.randn(rng, h, dtype=f64),
         "w2": kt.randn(rng, h, h, dtype=f64), "b2": kt.randn(rng, h, dtype=f64),
         "w3": kt.randn(rng, h, c, dtype=f64), "b3": kt.randn(rng, c, dtype=f64)}
    model = kt.make_model(
        [kt.node("Gemm", ["x", "w1", "b1"], ["h1"]),
         kt.node("Relu", ["h1"], ["a1"]),
         kt.node("Gemm", ["a1", "w2", "b2"], ["h2"]),
         kt.node("Tanh", ["h2"], ["a2"]),
         kt.node("Gemm", ["a2", "w3", "b3"], ["logits"])],
        inputs=[kt.tensor_input("x", ["N", d], f64)],
        outputs=[kt.tensor_output("logits", ["N", c], f64)],
        initializers=w)
    x = kt.randn(rng, n, d, dtype=f64)
    y = rng.integers(0, c, n).astype(np.int64)
    kiln = kiln_gradients(model, {"x": x, "y": y}, "cross-entropy", n)

    t = {k: torch.tensor(v, requires_grad=True) for k, v in w.items()}
    a1 = torch.relu(torch.tensor(x) @ t["w1"] + t["b1"])
    a2 = torch.tanh(a1 @ t["w2"] + t["b2"])
    F.cross_entropy(a2 @ t["w3"] + t["b3"], torch.tensor(y)).backward()
    compare(kiln, t)


def test_mlp_mse_sigmoid():
    n, d, h = 12, 4, 7
    w = {"w1": kt.randn(rng, d, h, dtype=f64), "b1": kt.randn(rng, h, dtype=f64),
         "w2": kt.randn(rng, h, 2, dtype=f64), "b2": kt.randn(rng, 2, dtype=f64)}
    model = kt.make_model(
        [kt.node("MatMul", ["x", "w1"], ["m1"]),
         kt.node("Add", ["m1", "b1"], ["h1"]),
         kt.node("Sigmoid", ["h1"], ["a1"]),
         kt.node("Gemm", ["a1", "w2", "b2"], ["y"])],
        inputs=[kt.tensor_input("x", ["N", d], f64)],
        outputs=[kt.tensor_output("y", ["N", 2], f64)],
        initializers=w)
    x = kt.randn(rng, n, d, dtype=f64)
    y = kt.randn(rng, n, 2, dtype=f64)
    kiln = kiln_gradients(model, {"x": x, "y": y}, "mse", n)

    t = {k: torch.tensor(v, requires_grad=True) for k, v in w.items()}
    a1 = torch.sigmoid(torch.tensor(x) @ t["w1"] + t["b1"])
    F.mse_loss(a1 @ t["w2"] + t["b2"], torch.tensor(y)).backward()
    compare(kiln, t)


def test_cnn_cross_entropy():
    n, c, s, k, classes = 4, 2, 8, 4, 3
    w = {"k1": kt.randn(rng, k, c, 3, 3, dtype=f64) * 0.5,
         "c1": kt.randn(rng, k, dtype=f64),
         "k2": kt.randn(rng, k, k, 3, 3, dtype=f64) * 0.3,
         "c2": kt.randn(rng, k, dtype=f64),
         "w": kt.randn(rng, k * 2 * 2, classes, dtype=f64) * 0.3,
         "b": kt.randn(rng, classes, dtype=f64)}
    model = kt.make_model(
        [kt.node("Conv", ["x", "k1", "c1"], ["h1"], pads=[1, 1, 1, 1]),
         kt.node("Relu", ["h1"], ["a1"]),
         kt.node("MaxPool", ["a1"], ["p1"], kernel_shape=[2, 2],
                 strides=[2, 2]),
         kt.node("Conv", ["p1", "k2", "c2"], ["h2"], pads=[1, 1, 1, 1],
                 strides=[2, 2]),
         kt.node("Relu", ["h2"], ["a2"]),
         kt.node("Flatten", ["a2"], ["f"]),
         kt.node("Gemm", ["f", "w", "b"], ["logits"])],
        inputs=[kt.tensor_input("x", ["N", c, s, s], f64)],
        outputs=[kt.tensor_output("logits", ["N", classes], f64)],
        initializers=w)
    x = kt.randn(rng, n, c, s, s, dtype=f64)
    y = rng.integers(0, classes, n).astype(np.int64)
    kiln = kiln_gradients(model, {"x": x, "y": y}, "cross-entropy", n)

    t = {k: torch.tensor(v, requires_grad=True) for k, v in w.items()}
    a1 = torch.relu(F.conv2d(torch.tensor(x), t["k1"], t["c1"], padding=1))
    p1 = F.max_pool2d(a1, 2, 2)
    a2 = torch.relu(F.conv2d(p1, t["k2"], t["c2"], padding=1, stride=2))
    logits = a2.flatten(1) @ t["w"] + t["b"]
    F.cross_entropy(logits, torch.tensor(y)).backward()
    compare(kiln, t)


if __name__ == "__main__":
    kt.main(test_mlp_cross_entropy, test_mlp_mse_sigmoid,
            test_cnn_cross_entropy)
