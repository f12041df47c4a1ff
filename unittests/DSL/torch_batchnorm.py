#!/usr/bin/env python3
"""PyTorch reference for TrainModeTest's BatchNorm checks.

Reads what the C++ test wrote into DIR (inputs, labels, the initial weights,
Kiln's results), trains the same model with torch (BatchNorm1d/2d in train
mode, SGD, MSE, the same batches in the same order) and compares Kiln's
trained weights, running statistics, per-epoch losses and inference outputs
with torch's. Exits 1 naming every mismatch. Tolerance: rtol 1e-4, atol
1e-5 (float32 against float64 references).

usage: torch_batchnorm.py DIR KIND   (KIND: conv2d or dense)
"""
import sys

import numpy as np
import torch

RTOL, ATOL = 1e-4, 1e-5


def main(d, kind):
    load = lambda n: np.load(f"{d}/{n}.npy").astype(np.float64)
    x, t = load("x"), load("labels")
    lr, momentum, eps = 0.1, float(load("momentum")), 1e-5
    batch, epochs = int(load("batch")), int(load("epochs"))
    w = torch.tensor(load("kernel"), requires_grad=True)
    b = torch.tensor(load("bias"), requires_grad=True)
    gamma = torch.tensor(load("gamma"), requires_grad=True)
    beta = torch.tensor(load("beta"), requires_grad=True)
    channels = gamma.shape[0]
    Norm = torch.nn.BatchNorm2d if kind == "conv2d" else torch.nn.BatchNorm1d
    bn = Norm(channels, eps=eps, momentum=momentum).double()

    def forward(xs, training):
        xs = torch.tensor(xs)
        if kind == "conv2d":
            # Kiln's kernel is [F, C, kh, kw] like torch's; 'same' padding.
            h = torch.nn.functional.conv2d(xs, w, b, padding=1)
        else:
            # Kiln's Dense kernel is [in, units].
            h = xs @ w + b
        bn.train(training)
        return torch.nn.functional.batch_norm(
            h, bn.running_mean, bn.running_var, gamma, beta, training,
            momentum, eps)

    losses = []
    n = x.shape[0]
    for _ in range(epochs):
        total = 0.0
        # fit() without shuffling: batches in order, the last one partial.
        for start in range(0, n, batch):
            xs, ts = x[start:start + batch], t[start:start + batch]
            y = forward(xs, True)
            loss = ((y - torch.tensor(ts)) ** 2).mean()
            for p in (w, b, gamma, beta):
                p.grad = None
            loss.backward()
            with torch.no_grad():
                for p in (w, b, gamma, beta):
                    p -= lr * p.grad
            # fit()'s epoch loss: batch losses weighted by batch sizes.
            total += loss.item() * len(xs) / n
        losses.append(total)
    with torch.no_grad():
        inference = forward(x, False).numpy()

    expected = {
        "kernel_out": w.detach().numpy(), "bias_out": b.detach().numpy(),
        "gamma_out": gamma.detach().numpy(), "beta_out": beta.detach().numpy(),
        "running_mean": bn.running_mean.numpy(),
        "running_var": bn.running_var.numpy(),
        "losses": np.array(losses), "predict": inference,
    }
    bad = []
    for name, want in expected.items():
        got = load(name)
        if got.shape != want.shape:
            bad.append(f"{name}: shape {got.shape}, torch {want.shape}")
        elif not np.allclose(got, want, rtol=RTOL, atol=ATOL):
            i = np.unravel_index(np.argmax(np.abs(got - want)), got.shape)
            bad.append(f"{name}: kiln {got[i]} vs torch {want[i]} at {i} "
                       f"(max abs diff {np.max(np.abs(got - want)):.3g})")
    for line in bad:
        print(line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
