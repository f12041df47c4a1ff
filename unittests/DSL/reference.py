#!/usr/bin/env python3
"""numpy references for the DSL's layers (unittests/DSL/LayersTest.cpp).

    reference.py DIR

DIR holds what a test wrote: spec.txt (the layer kind on the first line,
then key=value lines), in0.npy (the input), out0.npy (Kiln's output) and one
<layer>.<parameter>.npy per parameter. The reference is computed here from
the layer's formula, independently of Kiln, and compared with
|kiln - ref| <= atol + rtol |ref| (rtol 1e-4, atol 1e-5). Exit status 0 when
they agree; otherwise the worst element is printed.
"""

import glob
import math
import os
import sys

import numpy as np


def load_spec(d):
    with open(os.path.join(d, "spec.txt")) as f:
        lines = [l.strip() for l in f if l.strip()]
    spec = {"kind": lines[0]}
    for l in lines[1:]:
        k, v = l.split("=", 1)
        spec[k] = v
    return spec


def params(d):
    out = {}
    for p in glob.glob(os.path.join(d, "*.npy")):
        name = os.path.basename(p)[:-4]
        if name.startswith("in") or name.startswith("out"):
            continue
        out[name] = np.load(p).astype(np.float64)
    return out


def ints(text):
    return [int(x) for x in text.split(",")] if text else []


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def erf(x):
    return np.vectorize(math.erf)(x)


ACTIVATIONS = {
    "none": lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "softmax": softmax,
    "gelu": lambda x: 0.5 * x * (1 + erf(x / math.sqrt(2))),
    "silu": lambda x: x * sigmoid(x),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.01 * x),
    "elu": lambda x: np.where(x > 0, x, np.exp(x) - 1),
    "softplus": lambda x: np.log1p(np.exp(x)),
}


def pad_nchw(x, pads, value):
    t, l, b, r = pads
    return np.pad(x, ((0, 0), (0, 0), (t, b), (l, r)), constant_values=value)


def conv2d(x, w, bias, strides, pads):
    x = pad_nchw(x, pads, 0.0)
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    sh, sw = strides
    oh, ow = (h - kh) // sh + 1, (wd - kw) // sw + 1
    y = np.zeros((n, f, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            y[:, :, i, j] = np.einsum("nchw,fchw->nf", patch, w)
    if bias is not None:
        y += bias[None, :, None, None]
    return y


def pool(x, kernel, strides, pads, kind):
    # Padding never wins a maximum and never counts in an average.
    mask = pad_nchw(np.ones_like(x), pads, 0.0)
    x = pad_nchw(x, pads, -np.inf if kind == "max" else 0.0)
    n, c, h, w = x.shape
    kh, kw = kernel
    sh, sw = strides
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    y = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            win = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            if kind == "max":
                y[:, :, i, j] = win.max(axis=(2, 3))
            else:
                m = mask[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
                y[:, :, i, j] = win.sum(axis=(2, 3)) / m.sum(axis=(2, 3))
    return y


def lstm(x, p, name, sequences):
    W, R, b = p[name + ".kernel"], p[name + ".recurrent_kernel"], p[name + ".bias"]
    u = R.shape[0]
    n, steps, _ = x.shape
    h, c = np.zeros((n, u)), np.zeros((n, u))
    hs = []
    for t in range(steps):
        z = x[:, t] @ W + h @ R + b
        i, f, g, o = (z[:, k * u:(k + 1) * u] for k in range(4))
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        hs.append(h)
    return np.stack(hs, 1) if sequences else h


def gru(x, p, name, sequences):
    W, R = p[name + ".kernel"], p[name + ".recurrent_kernel"]
    b, rb = p[name + ".bias"], p[name + ".recurrent_bias"]
    u = R.shape[0]
    n, steps, _ = x.shape
    h = np.zeros((n, u))
    hs = []
    for t in range(steps):
        xz = x[:, t] @ W + b
        hz = h @ R + rb
        z = sigmoid(xz[:, :u] + hz[:, :u])
        r = sigmoid(xz[:, u:2 * u] + hz[:, u:2 * u])
        cand = np.tanh(xz[:, 2 * u:] + r * hz[:, 2 * u:])
        h = z * h + (1 - z) * cand
        hs.append(h)
    return np.stack(hs, 1) if sequences else h


def mha(x, p, name, heads, key_dim, causal):
    def proj(t, which):
        return t @ p[f"{name}.{which}.kernel"] + p[f"{name}.{which}.bias"]
    n, steps, _ = x.shape

    def split(t):
        return t.reshape(n, steps, heads, key_dim).transpose(0, 2, 1, 3)
    q, k, v = split(proj(x, "query")), split(proj(x, "key")), split(proj(x, "value"))
    s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(key_dim)
    if causal:
        s = s + np.triu(np.full((steps, steps), -1e9), 1)
    a = softmax(s) @ v
    merged = a.transpose(0, 2, 1, 3).reshape(n, steps, heads * key_dim)
    return proj(merged, "output")


def reference(spec, x, p):
    kind = spec["kind"]
    name = spec.get("name", "")
    act = ACTIVATIONS[spec.get("activation", "none")]
    if kind == "Dense":
        y = x @ p[name + ".kernel"]
        if name + ".bias" in p:
            y = y + p[name + ".bias"]
        return act(y)
    if kind == "Conv2D":
        return act(conv2d(x, p[name + ".kernel"], p.get(name + ".bias"),
                          ints(spec["strides"]), ints(spec["pads"])))
    if kind in ("MaxPool2D", "AvgPool2D"):
        return pool(x, ints(spec["pool"]), ints(spec["strides"]),
                    ints(spec["pads"]), "max" if kind == "MaxPool2D" else "avg")
    if kind == "GlobalAvgPool":
        return x.mean(axis=(2, 3))
    if kind == "Flatten":
        return x.reshape(x.shape[0], -1)
    if kind == "Dropout":
        return x
    if kind == "BatchNorm":
        eps = float(spec["epsilon"])
        shape = (1, -1) + (1,) * (x.ndim - 2)
        g, b = p[name + ".gamma"].reshape(shape), p[name + ".beta"].reshape(shape)
        return x / np.sqrt(1.0 + eps) * g + b
    if kind == "LayerNorm":
        eps = float(spec["epsilon"])
        m = x.mean(-1, keepdims=True)
        var = ((x - m) ** 2).mean(-1, keepdims=True)
        return (x - m) / np.sqrt(var + eps) * p[name + ".gamma"] + p[name + ".beta"]
    if kind == "Embedding":
        return p[name + ".embeddings"][x.astype(np.int64)]
    if kind == "LSTM":
        return lstm(x, p, name, spec.get("sequences") == "1")
    if kind == "GRU":
        return gru(x, p, name, spec.get("sequences") == "1")
    if kind == "MultiHeadAttention":
        return mha(x, p, name, int(spec["heads"]), int(spec["key_dim"]),
                   spec.get("causal") == "1")
    if kind == "Activation":
        return act(x)
    raise SystemExit(f"reference.py: unknown layer kind {kind}")


def main():
    d = sys.argv[1]
    spec = load_spec(d)
    x = np.load(os.path.join(d, "in0.npy"))
    if x.dtype.kind == "f":
        x = x.astype(np.float64)
    got = np.load(os.path.join(d, "out0.npy")).astype(np.float64)
    ref = reference(spec, x, params(d))
    if got.shape != ref.shape:
        print(f"{spec['kind']}: shape {got.shape}, reference {ref.shape}")
        return 1
    rtol, atol = 1e-4, 1e-5
    err = np.abs(got - ref) - (atol + rtol * np.abs(ref))
    if (err > 0).any() or not np.isfinite(got).all():
        i = np.unravel_index(np.argmax(err), err.shape)
        print(f"{spec['kind']}: at {i} kiln {got[i]!r}, numpy {ref[i]!r}")
        return 1
    print(f"{spec['kind']}: {got.size} values agree with numpy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
