#!/usr/bin/python3
"""One training step (forward, cross-entropy loss, backward, SGD update) of
an MLP 784-512-512-10 and of a small CNN, batch 64, float32: Kiln's compiled
step (`kiln train`) against PyTorch eager, at 1 and 2 threads, in the same
run. Both start from the same weights. Kiln's time per step comes from the
samples/s of its per-epoch progress lines (the median over epochs after the
first); PyTorch's from the median of timed steps after warm-up.

usage: bench/training/bench.py [--kiln build/bin/kiln] [--steps 50]
Writes a markdown table to stdout (bench/training/results.md keeps one).
"""

import argparse
import os
import platform
import re
import statistics
import subprocess
import tempfile
import time

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

BATCH = 64


def mlp(rng):
    w = {"w1": rng.standard_normal((784, 512)) / 28,
         "b1": np.zeros(512), "w2": rng.standard_normal((512, 512)) / 22.6,
         "b2": np.zeros(512), "w3": rng.standard_normal((512, 10)) / 22.6,
         "b3": np.zeros(10)}
    w = {k: v.astype(np.float32) for k, v in w.items()}
    nodes = [helper.make_node("Gemm", ["x", "w1", "b1"], ["h1"]),
             helper.make_node("Relu", ["h1"], ["a1"]),
             helper.make_node("Gemm", ["a1", "w2", "b2"], ["h2"]),
             helper.make_node("Relu", ["h2"], ["a2"]),
             helper.make_node("Gemm", ["a2", "w3", "b3"], ["y"])]

    class Torch(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.p = torch.nn.ParameterDict(
                {k: torch.nn.Parameter(torch.tensor(v)) for k, v in w.items()})

        def forward(self, x):
            p = self.p
            a1 = torch.relu(x @ p["w1"] + p["b1"])
            a2 = torch.relu(a1 @ p["w2"] + p["b2"])
            return a2 @ p["w3"] + p["b3"]

    return "MLP 784-512-512-10", nodes, w, ["N", 784], (784,), Torch()


def cnn(rng):
    w = {"k1": rng.standard_normal((16, 1, 3, 3)) / 3,
         "c1": np.zeros(16), "k2": rng.standard_normal((32, 16, 3, 3)) / 12,
         "c2": np.zeros(32), "w": rng.standard_normal((32 * 7 * 7, 10)) / 40,
         "b": np.zeros(10)}
    w = {k: v.astype(np.float32) for k, v in w.items()}
    nodes = [helper.make_node("Conv", ["x", "k1", "c1"], ["h1"], pads=[1] * 4),
             helper.make_node("Relu", ["h1"], ["a1"]),
             helper.make_node("MaxPool", ["a1"], ["p1"], kernel_shape=[2, 2],
                              strides=[2, 2]),
             helper.make_node("Conv", ["p1", "k2", "c2"], ["h2"], pads=[1] * 4),
             helper.make_node("Relu", ["h2"], ["a2"]),
             helper.make_node("MaxPool", ["a2"], ["p2"], kernel_shape=[2, 2],
                              strides=[2, 2]),
             helper.make_node("Flatten", ["p2"], ["f"]),
             helper.make_node("Gemm", ["f", "w", "b"], ["y"])]
    F = torch.nn.functional

    class Torch(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.p = torch.nn.ParameterDict(
                {k: torch.nn.Parameter(torch.tensor(v)) for k, v in w.items()})

        def forward(self, x):
            p = self.p
            a = F.max_pool2d(torch.relu(F.conv2d(x, p["k1"], p["c1"], padding=1)), 2)
            a = F.max_pool2d(torch.relu(F.conv2d(a, p["k2"], p["c2"], padding=1)), 2)
            return a.flatten(1) @ p["w"] + p["b"]

    return ("CNN conv16-pool-conv32-pool-dense (28x28)", nodes, w,
            ["N", 1, 28, 28], (1, 28, 28), Torch())


def kiln_step_ms(kiln, work, nodes, w, in_shape, sample_shape, threads, steps,
                 rng):
    graph = helper.make_graph(
        nodes, "bench",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, in_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 10])],
        [numpy_helper.from_array(v, k) for k, v in w.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    path = os.path.join(work, "model.onnx")
    onnx.save(model, path)
    x = rng.standard_normal((BATCH * steps,) + sample_shape).astype(np.float32)
    y = rng.integers(0, 10, BATCH * steps).astype(np.int64)
    data = os.path.join(work, "data.npz")
    np.savez(data, x=x, y=y)
    env = dict(os.environ, KILN_NUM_THREADS=str(threads))
    out = subprocess.run(
        [kiln, "train", path, "--data", data, "--loss", "cross-entropy",
         "--optimizer", "sgd", "--lr", "0.01", "--batch-size", str(BATCH),
         "--epochs", "6"], env=env, check=True, capture_output=True,
        text=True).stdout
    rates = [float(r) for r in re.findall(r"([0-9.]+) samples/s", out)]
    return 1000 * BATCH / statistics.median(rates[1:])


def torch_step_ms(module, sample_shape, threads, steps, rng):
    torch.set_num_threads(threads)
    opt = torch.optim.SGD(module.parameters(), lr=0.01)
    x = torch.tensor(rng.standard_normal((BATCH,) + sample_shape)
                     .astype(np.float32))
    y = torch.tensor(rng.integers(0, 10, BATCH))
    times = []
    for i in range(steps + 10):
        start = time.perf_counter()
        opt.zero_grad()
        torch.nn.functional.cross_entropy(module(x), y).backward()
        opt.step()
        if i >= 10:
            times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    root = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    parser.add_argument("--kiln", default=os.path.join(root, "build", "bin",
                                                       "kiln"))
    parser.add_argument("--steps", type=int, default=50)
    args = parser.parse_args()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                if l.startswith("model name")), platform.processor())
    print(f"Training step, batch {BATCH}, float32, SGD, cross-entropy. "
          f"{time.strftime('%Y-%m-%d')}, {cpu}, torch {torch.__version__}.\n")
    print("| model | threads | Kiln ms/step | PyTorch ms/step | PyTorch / Kiln |")
    print("| --- | --- | --- | --- | --- |")
    for make in (mlp, cnn):
        for threads in (1, 2):
            rng = np.random.default_rng(0)
            name, nodes, w, in_shape, sample_shape, module = make(rng)
            with tempfile.TemporaryDirectory() as work:
                k = kiln_step_ms(args.kiln, work, nodes, w, in_shape,
                                 sample_shape, threads, args.steps, rng)
            t = torch_step_ms(module, sample_shape, threads, args.steps, rng)
            print(f"| {name} | {threads} | {k:.3f} | {t:.3f} | {t / k:.2f}x |",
                  flush=True)


if __name__ == "__main__":
    main()
