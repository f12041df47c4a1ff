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


# --- Op functions (OpsTest.cpp): one numpy formula per output name. -------
# An "Ops" spec lists outputs=a,b,...; in0.npy, in1.npy, ... are the
# graph's inputs and out_<name>.npy what Kiln computed for output <name>.


def log_softmax(x, axis=-1):
    s = x - x.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def wrap_i64(v):
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >= 1 << 63 else v


def shift(a, s, left):
    out = []
    for x, n in zip(a.tolist(), s.tolist()):
        if left:
            out.append(0 if n >= 64 else wrap_i64(x << n))
        else:
            out.append((-1 if x < 0 else 0) if n >= 64 else x >> n)
    return np.array(out, dtype=np.int64)


def scatter_elements(x, idx, upd, reduce):
    out = x.copy()
    for i in range(idx.shape[0]):
        for j in range(idx.shape[1]):
            if reduce == "add":
                out[i, idx[i, j]] += upd[i, j]
            else:
                out[i, idx[i, j]] = upd[i, j]
    return out


def scatter_nd(x, idx, upd, reduce):
    out = x.copy()
    for r in range(idx.shape[0]):
        at = tuple(idx[r])
        out[at] = out[at] + upd[r] if reduce == "add" else out[at] * upd[r]
    return out


def one_hot(ind, depth, axis, off, on, dtype):
    ind = np.where(ind < 0, ind + depth, ind)
    out = np.where(np.arange(depth)[None, :] == ind[:, None], on, off)
    return (out.T if axis == 0 else out).astype(dtype)


def reverse_sequence(x, lengths, batch_axis):
    out = x.copy()
    for b, n in enumerate(lengths):
        if batch_axis == 1:
            out[:n, b] = x[:n, b][::-1]
        else:
            out[b, :n] = x[b, :n][::-1]
    return out


def max_pool_with_indices(x, kernel, strides, pads):
    t, l, b, r = pads
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (t, b), (l, r)), constant_values=-np.inf)
    kh, kw = kernel
    sh, sw = strides
    oh, ow = (h + t + b - kh) // sh + 1, (w + l + r - kw) // sw + 1
    values = np.zeros((n, c, oh, ow))
    indices = np.zeros((n, c, oh, ow), dtype=np.int64)
    for a in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    best, where = -np.inf, None
                    for p in range(kh):
                        for q in range(kw):
                            v = xp[a, ch, i * sh + p, j * sw + q]
                            if v > best:  # the first maximum wins
                                best = v
                                where = (i * sh + p - t, j * sw + q - l)
                    values[a, ch, i, j] = best
                    indices[a, ch, i, j] = ((a * c + ch) * h + where[0]) * w + where[1]
    return values, indices


def conv_transpose(x, w, bias, strides, pads, output_padding):
    n, c, h, wd = x.shape
    _, f, kh, kw = w.shape
    sh, sw = strides
    bh, bw, eh, ew = pads
    fh, fw = (h - 1) * sh + kh, (wd - 1) * sw + kw
    full = np.zeros((n, f, fh + output_padding[0], fw + output_padding[1]))
    for i in range(h):
        for j in range(wd):
            full[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += np.einsum(
                "nc,cfhw->nfhw", x[:, :, i, j], w)
    oh = fh - bh - eh + output_padding[0]
    ow = fw - bw - ew + output_padding[1]
    y = full[:, :, bh:bh + oh, bw:bw + ow]
    if bias is not None:
        y = y + bias[None, :, None, None]
    return y


def resize_coordinate(i, scale, n_in, n_out, mode):
    if mode == "half_pixel":
        return (i + 0.5) / scale - 0.5
    if mode == "asymmetric":
        return i / scale
    if mode == "align_corners":
        return 0.0 if n_out == 1 else i * (n_in - 1) / (n_out - 1)
    raise SystemExit(f"reference.py: no coordinate mode {mode}")


def cubic_weights(t, a):
    """Keys' cubic kernel at the taps -1, 0, 1, 2 around a point t past tap 0."""
    def near(d):  # |d| <= 1
        return ((a + 2) * d - (a + 3)) * d * d + 1

    def far(d):  # 1 < |d| < 2
        return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
    return (far(t + 1), near(t), near(1 - t), far(2 - t))


def resize(x, out_shape, scales, mode, coordinates, nearest="round_prefer_floor",
           cubic_a=-0.75):
    """One dimension at a time; taps outside the input repeat its edge."""
    for d in range(x.ndim):
        n_in, n_out = x.shape[d], out_shape[d]
        scale = scales[d] if scales is not None else n_out / n_in
        moved = np.moveaxis(x, d, 0)
        rows = []
        for i in range(n_out):
            c = resize_coordinate(i, scale, n_in, n_out, coordinates)
            if mode == "cubic":
                k = math.floor(c)
                weights = cubic_weights(c - k, cubic_a)
                rows.append(sum(moved[min(max(k + o, 0), n_in - 1)] * wt
                                for o, wt in zip((-1, 0, 1, 2), weights)))
            elif mode == "nearest":
                k = {"round_prefer_floor": math.ceil(c - 0.5),
                     "round_prefer_ceil": math.floor(c + 0.5),
                     "floor": math.floor(c), "ceil": math.ceil(c)}[nearest]
                rows.append(moved[min(max(k, 0), n_in - 1)])
            else:
                k = math.floor(c)
                frac = c - k
                lo, hi = min(max(k, 0), n_in - 1), min(max(k + 1, 0), n_in - 1)
                rows.append(moved[lo] * (1 - frac) + moved[hi] * frac)
        x = np.moveaxis(np.stack(rows), 0, d)
    return x


def grid_sample(x, grid, mode, padding, align):
    n, c, h, w = x.shape
    _, oh, ow, _ = grid.shape
    y = np.zeros((n, c, oh, ow))

    def unnormalize(v, size):
        return (v + 1) / 2 * (size - 1) if align else ((v + 1) * size - 1) / 2

    def tap(a, i, j):
        if 0 <= i < h and 0 <= j < w:
            return x[a, :, i, j]
        return np.zeros(c)

    for a in range(n):
        for p in range(oh):
            for q in range(ow):
                ix = unnormalize(grid[a, p, q, 0], w)
                iy = unnormalize(grid[a, p, q, 1], h)
                if padding == "border":
                    ix, iy = min(max(ix, 0), w - 1), min(max(iy, 0), h - 1)
                if mode == "nearest":
                    y[a, :, p, q] = tap(a, int(np.rint(iy)), int(np.rint(ix)))
                else:
                    x0, y0 = math.floor(ix), math.floor(iy)
                    fx, fy = ix - x0, iy - y0
                    y[a, :, p, q] = (tap(a, y0, x0) * (1 - fx) * (1 - fy) +
                                     tap(a, y0, x0 + 1) * fx * (1 - fy) +
                                     tap(a, y0 + 1, x0) * (1 - fx) * fy +
                                     tap(a, y0 + 1, x0 + 1) * fx * fy)
    return y


def lrn(x, size, alpha, beta, bias):
    c = x.shape[1]
    sq = x * x
    s = np.zeros_like(x)
    for ch in range(c):
        lo, hi = max(0, ch - (size - 1) // 2), min(c - 1, ch + math.ceil((size - 1) / 2))
        s[:, ch] = sq[:, lo:hi + 1].sum(axis=1)
    return x / (bias + alpha / size * s) ** beta


def nll(lp, labels, weight=None, reduction="mean", ignore=None):
    rows = np.arange(len(labels))
    w = np.ones(len(labels)) if weight is None else weight[labels]
    if ignore is not None:
        w = np.where(labels == ignore, 0.0, w)
    losses = -lp[rows, labels] * w
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    return losses.sum() / w.sum()


def f32(v):
    """A constant as Kiln holds it (the DSL rounds these to float)."""
    return float(np.float32(v))


def topk(x, k, axis, largest):
    order = np.argsort(-x if largest else x, axis=axis, kind="stable")
    order = np.take(order, range(k), axis=axis)
    return np.take_along_axis(x, order, axis), order


OPS = {
    # ops_float_math: x, y (non-zero divisors), r (rounding cases)
    "tan": lambda i: np.tan(i[0]),
    "asin": lambda i: np.arcsin(i[0]),
    "acos": lambda i: np.arccos(i[0]),
    "atan": lambda i: np.arctan(i[0]),
    "sinh": lambda i: np.sinh(i[0]),
    "cosh": lambda i: np.cosh(i[0]),
    "asinh": lambda i: np.arcsinh(i[0]),
    "acosh": lambda i: np.arccosh(np.abs(i[0]) + 1),
    "atanh": lambda i: np.arctanh(i[0]),
    "round": lambda i: np.round(i[2]),
    "rem_f": lambda i: np.fmod(i[0] * 4, i[1]),
    "reduce_prod": lambda i: np.prod(i[1], axis=1),
    "reduce_prod_all_keep": lambda i: np.prod(i[0] + 1, keepdims=True),
    "argmin": lambda i: np.argmin(i[0], axis=1),
    "argmin_keep": lambda i: np.argmin(i[0], axis=0)[None, :],
    "cumsum": lambda i: np.cumsum(i[0], axis=1),
    "cumsum_excl_rev": lambda i: np.flip(np.cumsum(np.flip(i[0], 1), 1), 1) - i[0],
    "topk_values": lambda i: topk(i[0], 2, 1, True)[0],
    "topk_indices": lambda i: topk(i[0], 2, 1, True)[1],
    "topk_small_values": lambda i: topk(i[0], 3, 0, False)[0],
    "topk_small_indices": lambda i: topk(i[0], 3, 0, False)[1],
    # ops_integer: a, b, s (shift amounts)
    "rem_i": lambda i: np.fmod(i[0], i[1]),
    "mod_i": lambda i: np.mod(i[0], i[1]),
    "and_i": lambda i: i[0] & i[1],
    "or_i": lambda i: i[0] | i[1],
    "xor_i": lambda i: i[0] ^ i[1],
    "not_i": lambda i: ~i[0],
    "shl": lambda i: shift(i[0], i[2], True),
    "shr": lambda i: shift(i[0], i[2], False),
    "and_b": lambda i: (i[0] > i[1]) & (i[1] < i[2]),
    "or_b": lambda i: (i[0] > i[1]) | (i[1] < i[2]),
    "xor_b": lambda i: (i[0] > i[1]) ^ (i[1] < i[2]),
    "not_b": lambda i: ~(i[0] > i[1]),
    # ops_indexing: x [4, 5], idx [4, 3], nd [3, 2], cls [4], len [5]
    "gather_elements": lambda i: np.take_along_axis(i[0], i[1], 1),
    "gather_nd": lambda i: i[0][i[2][:, 0], i[2][:, 1]],
    "gather_nd_batch": lambda i: i[0][np.arange(4), i[1][:, 0]],
    "scatter_elements": lambda i: scatter_elements(i[0], i[1], i[0][:, :3] * 10, "none"),
    "scatter_elements_add": lambda i: scatter_elements(i[0], i[1], i[0][:, :3] * 10, "add"),
    "scatter_nd_add": lambda i: scatter_nd(i[0], i[2][:, :1], i[0][:3] + 100, "add"),
    "scatter_nd_mul": lambda i: scatter_nd(i[0], i[2], (i[0][:3] + 100).sum(1), "mul"),
    "nonzero": lambda i: np.stack(np.nonzero(i[0] > 0)).astype(np.int64),
    "triu": lambda i: np.triu(i[0], 1),
    "tril": lambda i: np.tril(i[0], -1),
    "one_hot": lambda i: one_hot(i[3], 5, -1, 0, 1, np.float32),
    "one_hot_axis0": lambda i: one_hot(i[3] - 2, 5, 0, -1, 7, np.int64),
    "reverse_sequence": lambda i: reverse_sequence(i[0], i[4], 1),
    "reverse_sequence_b0": lambda i: reverse_sequence(i[0], i[4][:4], 0),
    # ops_shapes: x [2, 3], col [3, 1], 0.5, 4.0, -3, axes [-1]
    "shape_of": lambda i: np.array(i[0].shape, dtype=np.int64),
    "shape_of_tail": lambda i: np.array(i[0].shape[1:], dtype=np.int64),
    "dynamic_reshape": lambda i: i[0],
    "expand": lambda i: np.broadcast_to(i[1], (2, 3, 4)),
    "expand_dynamic": lambda i: np.broadcast_to(i[0].sum(0, keepdims=True), i[0].shape),
    "tile": lambda i: np.tile(i[0], (2, 3)),
    "pad_constant": lambda i: np.pad(i[0], ((1, 0), (0, 2)), constant_values=7),
    "pad_reflect": lambda i: np.pad(i[0], ((0, 0), (2, 1)), mode="reflect"),
    "pad_edge": lambda i: np.pad(i[0], ((1, 2), (1, 0)), mode="edge"),
    "pad_crop": lambda i: i[0][:, 1:],
    "constant_of_shape": lambda i: np.full(i[0].shape, 2.5),
    "constant_of_shape_i64": lambda i: np.full(i[0].shape[1:], 9, dtype=np.int64),
    "full_like": lambda i: np.full(i[0].shape, -1.0),
    "range": lambda i: np.arange(i[2], i[3], i[2] + 0.25),
    "range_i64": lambda i: np.arange(i[4], i[4] + 10, i[4] * i[4] - 6, dtype=np.int64),
    "dynamic_reduce_sum": lambda i: i[0].sum(axis=-1),
    "dynamic_reduce_sum_keep": lambda i: i[0].sum(axis=0, keepdims=True),
    # ops_nn: x [2, 3, 5, 5], w [3, 2, 3, 3], b [2], grid [2, 4, 3, 2]
    "max_pool_values": lambda i: max_pool_with_indices(i[0], (2, 2), (1, 2), (0, 0, 1, 0))[0],
    "max_pool_indices": lambda i: max_pool_with_indices(i[0], (2, 2), (1, 2), (0, 0, 1, 0))[1],
    "conv_transpose": lambda i: conv_transpose(i[0], i[1], i[2], (2, 2), (1, 0, 1, 1), (1, 0)),
    "conv_transpose_plain": lambda i: conv_transpose(i[0], i[1], None, (1, 1), (0, 0, 0, 0), (0, 0)),
    "resize_nearest": lambda i: resize(i[0], (2, 3, 8, 3), None, "nearest", "half_pixel"),
    "resize_nearest_floor": lambda i: resize(i[0], (2, 3, 10, 3), (1, 1, 2, f32(0.6)),
                                             "nearest", "asymmetric", "floor"),
    "resize_linear": lambda i: resize(i[0], (2, 3, 8, 10), (1, 1, f32(1.6), 2),
                                      "linear", "half_pixel"),
    "resize_linear_corners": lambda i: resize(i[0], (2, 3, 7, 4), None, "linear",
                                              "align_corners"),
    "resize_cubic": lambda i: resize(i[0], (2, 3, 8, 10), (1, 1, f32(1.6), 2),
                                     "cubic", "half_pixel", cubic_a=-0.5),
    "grid_sample": lambda i: grid_sample(i[0], i[3], "bilinear", "zeros", False),
    "grid_sample_nearest_border": lambda i: grid_sample(i[0], i[3], "nearest", "border", True),
    "lrn": lambda i: lrn(i[0], 3, f32(0.1), 0.75, 2.0),
    # ops_linalg: a [2, 3, 4], b [2, 4, 5], m [2, 3, 3]
    "einsum_bmm": lambda i: np.einsum("bij,bjk->bik", i[0], i[1]),
    "einsum_trace": lambda i: np.einsum("bii->b", i[2]),
    "einsum_outer": lambda i: np.einsum("bij,bkl->bjl", i[0], i[1]),
    "det": lambda i: np.linalg.det(i[2]),
    # ops_losses: p [4, 3], t [4, 3], labels [4], class weights [3]
    "mse": lambda i: np.mean((i[0] - i[1]) ** 2),
    "mae": lambda i: np.mean(np.abs(i[0] - i[1])),
    "huber": lambda i: np.mean(np.where(np.abs(i[0] - i[1]) <= 0.5,
                                        0.5 * (i[0] - i[1]) ** 2,
                                        0.5 * (np.abs(i[0] - i[1]) - 0.25))),
    "bce": lambda i: np.mean(np.maximum(i[0], 0) - i[0] * sigmoid(i[1]) +
                             np.log1p(np.exp(-np.abs(i[0])))),
    "ce_int": lambda i: nll(log_softmax(i[0]), i[2]),
    "ce_soft": lambda i: -np.mean((softmax(i[1]) * log_softmax(i[0])).sum(1)),
    "nll_mean": lambda i: nll(log_softmax(i[0]), i[2]),
    "nll_weighted_ignore": lambda i: nll(log_softmax(i[0]), i[2], i[3], "mean", 0),
    "nll_none": lambda i: nll(log_softmax(i[0]), i[2], i[3], "none"),
    "nll_sum": lambda i: nll(log_softmax(i[0]), i[2], None, "sum"),
}


def compare(what, got, ref):
    """0 when Kiln's `got` matches `ref`: exactly for integers and booleans,
    within rtol 1e-4, atol 1e-5 for floats."""
    if got.shape != ref.shape:
        print(f"{what}: shape {got.shape}, reference {ref.shape}")
        return 1
    if got.dtype.kind in "iub":
        bad = got != ref.astype(got.dtype)
        if bad.any():
            i = np.unravel_index(np.argmax(bad), bad.shape)
            print(f"{what}: at {i} kiln {got[i]!r}, numpy {ref[i]!r}")
            return 1
        return 0
    got = got.astype(np.float64)
    rtol, atol = 1e-4, 1e-5
    err = np.abs(got - ref) - (atol + rtol * np.abs(ref))
    if (err > 0).any() or not np.isfinite(got).all():
        i = np.unravel_index(np.argmax(err), err.shape)
        print(f"{what}: at {i} kiln {got[i]!r}, numpy {ref[i]!r}")
        return 1
    return 0


def check_ops(d, spec):
    ins = []
    while os.path.exists(os.path.join(d, f"in{len(ins)}.npy")):
        x = np.load(os.path.join(d, f"in{len(ins)}.npy"))
        ins.append(x.astype(np.float64) if x.dtype.kind == "f" else x)
    failed = 0
    names = spec["outputs"].split(",")
    for name in names:
        got = np.load(os.path.join(d, f"out_{name}.npy"))
        ref = np.asarray(OPS[name](ins))
        failed += compare(name, got, ref)
    if not failed:
        print(f"{len(names)} op outputs agree with numpy")
    return 1 if failed else 0


def main():
    d = sys.argv[1]
    spec = load_spec(d)
    if spec["kind"] == "Ops":
        return check_ops(d, spec)
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
