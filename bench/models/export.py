#!/usr/bin/python3
"""Exports the real models Kiln is checked and benchmarked on.

    bench/models/export.py OUT_DIR [NAME...]

Each model gets OUT_DIR/NAME/ with model.onnx (seeded random weights, a
symbolic batch dimension), one .npy per input (seeded) and expected_*.npy:
PyTorch's outputs on those inputs, the reference Kiln must match. Models:

    resnet18, mobilenet_v2, squeezenet1_1   torchvision, 3x224x224 images
    transformer_block   GPT-style block: d_model 512, 8 heads, sequence 128,
                        pre-LayerNorm, causal attention, GELU MLP
    lstm_lm             2-layer LSTM language model (vocabulary 1000,
                        embedding and hidden 256, sequence 35)
    sgemm               C = A @ B, both 1024x1024 inputs
    mlp                 784-512-512-10 with ReLU, batch 64
    cnn                 conv3x3(3->32)+ReLU+maxpool2+fc128+ReLU+fc10 on
                        32x32 images, batch 32
    resnet18_b8         resnet18 at batch 8

Needs Debian's python3-torch and python3-torchvision; run it with
/usr/bin/python3. A model whose folder already holds every file is skipped
(pass --force to re-export).
"""

import argparse
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torchvision

OPSET = 17
SEED = 0


class TransformerBlock(nn.Module):
    """x + attention(ln1(x)); x + mlp(ln2(x)), attention causal."""

    def __init__(self, d_model=512, heads=8, seq=128):
        super().__init__()
        self.heads, self.d_head = heads, d_model // heads
        self.ln1 = nn.LayerNorm(d_model)
        self.ln2 = nn.LayerNorm(d_model)
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, 4 * d_model), nn.GELU(),
                                 nn.Linear(4 * d_model, d_model))
        mask = torch.full((seq, seq), float("-inf")).triu(1)
        self.register_buffer("mask", mask)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=-1)
        split = lambda y: y.reshape(b, t, self.heads, self.d_head).transpose(1, 2)
        q, k, v = split(q), split(k), split(v)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_head) + self.mask
        attended = torch.softmax(scores, dim=-1) @ v
        x = x + self.proj(attended.transpose(1, 2).reshape(b, t, d))
        return x + self.mlp(self.ln2(x))


class LstmLanguageModel(nn.Module):
    def __init__(self, vocab=1000, width=256):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.lstm = nn.LSTM(width, width, num_layers=2)
        self.out = nn.Linear(width, vocab)

    def forward(self, tokens):
        hidden, _ = self.lstm(self.embed(tokens))
        return self.out(hidden)


def image_model(build):
    def make(gen):
        model = build()
        x = torch.randn(1, 3, 224, 224, generator=gen)
        return model, {"input": x}, {"input": {0: "batch"}}, ["logits"]
    return make


def transformer(gen):
    x = torch.randn(1, 128, 512, generator=gen)
    return TransformerBlock(), {"x": x}, {"x": {0: "batch"}}, ["y"]


def lstm_lm(gen):
    tokens = torch.randint(0, 1000, (35, 1), generator=gen)
    return (LstmLanguageModel(), {"tokens": tokens}, {"tokens": {1: "batch"}},
            ["logits"])


class Sgemm(nn.Module):
    def forward(self, a, b):
        return a @ b


def sgemm(gen):
    a = torch.randn(1024, 1024, generator=gen)
    b = torch.randn(1024, 1024, generator=gen)
    return Sgemm(), {"a": a, "b": b}, {}, ["c"]


def mlp(gen):
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512),
                          nn.ReLU(), nn.Linear(512, 10))
    x = torch.randn(64, 784, generator=gen)
    return model, {"x": x}, {"x": {0: "batch"}}, ["y"]


def cnn(gen):
    model = nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(32 * 16 * 16, 128), nn.ReLU(),
                          nn.Linear(128, 10))
    x = torch.randn(32, 3, 32, 32, generator=gen)
    return model, {"x": x}, {"x": {0: "batch"}}, ["y"]


def resnet18_batch8(gen):
    model = torchvision.models.resnet18(weights=None)
    x = torch.randn(8, 3, 224, 224, generator=gen)
    return model, {"input": x}, {"input": {0: "batch"}}, ["logits"]


MODELS = {
    "resnet18": image_model(lambda: torchvision.models.resnet18(weights=None)),
    "mobilenet_v2":
        image_model(lambda: torchvision.models.mobilenet_v2(weights=None)),
    "squeezenet1_1":
        image_model(lambda: torchvision.models.squeezenet1_1(weights=None)),
    "transformer_block": transformer,
    "lstm_lm": lstm_lm,
    # Benchmark workloads (bench/run.sh): a plain matmul of two inputs, the
    # MLP and small CNN of the training examples, resnet18 at batch 8.
    "sgemm": sgemm,
    "mlp": mlp,
    "cnn": cnn,
    "resnet18_b8": resnet18_batch8,
}


def export(name, out_dir, force):
    folder = os.path.join(out_dir, name)
    done = os.path.join(folder, "expected_0.npy")
    if os.path.exists(done) and not force:
        print(f"{name}: already exported")
        return
    os.makedirs(folder, exist_ok=True)
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED + 1)
    model, inputs, dynamic, outputs = MODELS[name](gen)
    model.eval()
    with torch.no_grad():
        expected = model(*inputs.values())
    if not isinstance(expected, (tuple, list)):
        expected = [expected]
    path = os.path.join(folder, "model.onnx")
    torch.onnx.export(model, tuple(inputs.values()), path,
                      input_names=list(inputs), output_names=outputs,
                      dynamic_axes={**dynamic,
                                    **{o: {0: "batch"} for o in outputs}},
                      opset_version=OPSET, do_constant_folding=True)
    for key, value in inputs.items():
        np.save(os.path.join(folder, f"{key}.npy"), value.numpy())
    # The expected files go last: their presence marks a complete export.
    for i, value in enumerate(expected):
        np.save(os.path.join(folder, f"expected_{i}.npy"), value.numpy())
    size = os.path.getsize(path) / 1e6
    print(f"{name}: exported ({size:.1f} MB)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("names", nargs="*", default=list(MODELS))
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    for name in args.names:
        if name not in MODELS:
            sys.exit(f"unknown model '{name}' (known: {', '.join(MODELS)})")
        export(name, args.out_dir, args.force)


if __name__ == "__main__":
    main()
