# RUN: %python %s
# The register-tiled kernels of kiln-vectorize-contractions on shapes that
# exercise every tail: rows not a multiple of the kernel's 6 (or 8 for
# convolutions), columns not a multiple of the vector width (masked loads and
# stores), tiles not a multiple of the parallel tile, K of 1; batched and
# broadcast matmuls; fused bias + activation + residual consumers; stride-2
# and dilated convolutions (gathers); depthwise convolutions; convolutions
# vectorized along output channels (packed filters, scattered outputs);
# constant matmul weights packed into column panels (AVX-512 and AVX2);
# standalone elementwise ops as vector loops (activation chains, broadcasts,
# odd innermost sizes, integers and casts, dynamic batches).
# Against numpy (rtol 1e-4, atol 1e-5).

import math

import numpy as np
import onnx

import kiln_testing as kt

rng = kt.rng(71)


def f64(a):
    return np.asarray(a, dtype=np.float64)


def matmul_case(m, k, n, tag):
    a = kt.randn(rng, m, k)
    b = kt.randn(rng, k, n)
    model = kt.make_model(
        [kt.node("MatMul", ["a", "b"], ["y"])],
        inputs=[kt.tensor_input("a", [m, k]), kt.tensor_input("b", [k, n])],
        outputs=[kt.tensor_output("y", [m, n])])
    kt.check(model, {"a": a, "b": b}, {"y": f64(a) @ f64(b)}, tag=tag)


def test_matmul_tails():
    for m, k, n in [(1, 1, 1), (7, 5, 37), (13, 3, 16), (97, 17, 300),
                    (6, 64, 64), (100, 9, 257)]:
        matmul_case(m, k, n, f"mm{m}x{k}x{n}")


def test_batched_broadcast_matmul():
    a = kt.randn(rng, 3, 7, 11)
    b = kt.randn(rng, 11, 19)
    model = kt.make_model(
        [kt.node("MatMul", ["a", "b"], ["y"])],
        inputs=[kt.tensor_input("a", ["batch", 7, 11])],
        outputs=[kt.tensor_output("y", ["batch", 7, 19])],
        initializers={"b": b})
    kt.check(model, {"a": a}, {"y": f64(a) @ f64(b)}, tag="bmm")


def test_gemm_bias_relu_residual():
    # y = relu(x W^T + b) + r: the transposed weight is folded at compile
    # time, the bias, relu and residual add run in the kernel's epilogue.
    x = kt.randn(rng, 23, 40)
    w = kt.randn(rng, 33, 40)
    bias = kt.randn(rng, 33)
    r = kt.randn(rng, 23, 33)
    model = kt.make_model(
        [kt.node("Gemm", ["x", "w", "bias"], ["g"], transB=1),
         kt.node("Relu", ["g"], ["h"]),
         kt.node("Add", ["h", "r"], ["y"])],
        inputs=[kt.tensor_input("x", [23, 40]), kt.tensor_input("r", [23, 33])],
        outputs=[kt.tensor_output("y", [23, 33])],
        initializers={"w": w, "bias": bias})
    want = np.maximum(f64(x) @ f64(w).T + f64(bias), 0) + f64(r)
    kt.check(model, {"x": x, "r": r}, {"y": want}, tag="gemm_epilogue")


def gelu(x):
    x = f64(x)
    return 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


def test_dense_rank3_gelu():
    # x[b, s, k] @ W[k, n] + bias, then GELU: the extra m dimension is
    # looped over like a batch, and erf runs on the kernel's vectors (a
    # polynomial, not a libm call per lane).
    x = kt.randn(rng, 2, 13, 24)
    w = kt.randn(rng, 24, 37, scale=0.3)
    bias = kt.randn(rng, 37)
    model = kt.make_model(
        [kt.node("MatMul", ["x", "w"], ["m"]),
         kt.node("Add", ["m", "bias"], ["h"]),
         kt.node("Div", ["h", "sqrt2"], ["s"]),
         kt.node("Erf", ["s"], ["e"]),
         kt.node("Add", ["e", "one"], ["e1"]),
         kt.node("Mul", ["h", "e1"], ["p"]),
         kt.node("Mul", ["p", "half"], ["y"])],
        inputs=[kt.tensor_input("x", ["batch", 13, 24])],
        outputs=[kt.tensor_output("y", ["batch", 13, 37])],
        initializers={"w": w, "bias": bias,
                      "sqrt2": np.array(math.sqrt(2), np.float32),
                      "one": np.array(1, np.float32),
                      "half": np.array(0.5, np.float32)})
    kt.check(model, {"x": x}, {"y": gelu(f64(x) @ f64(w) + f64(bias))},
             tag="dense3_gelu")


def test_two_reduction_dims():
    # Attention's output projection: heads [b, h, s, d] moved to [b, s, h, d]
    # and flattened into the matmul's k (two reduction dimensions).
    a = kt.randn(rng, 2, 3, 5, 4)
    w = kt.randn(rng, 12, 19)
    model = kt.make_model(
        [kt.node("Transpose", ["a"], ["t"], perm=[0, 2, 1, 3]),
         kt.node("Reshape", ["t", "shape"], ["r"]),
         kt.node("MatMul", ["r", "w"], ["y"])],
        inputs=[kt.tensor_input("a", ["batch", 3, 5, 4])],
        outputs=[kt.tensor_output("y", ["batch", 5, 19])],
        initializers={"w": w, "shape": np.array([0, 5, 12], np.int64)})
    want = f64(a).transpose(0, 2, 1, 3).reshape(2, 5, 12) @ f64(w)
    kt.check(model, {"a": a}, {"y": want}, tag="two_k")


def test_attention_scores():
    # [b, h, s, d] x [b, h, d, s]: two batch dimensions.
    q = kt.randn(rng, 2, 3, 17, 8)
    k = kt.randn(rng, 2, 3, 8, 21)
    model = kt.make_model(
        [kt.node("MatMul", ["q", "k"], ["y"])],
        inputs=[kt.tensor_input("q", [2, 3, 17, 8]),
                kt.tensor_input("k", [2, 3, 8, 21])],
        outputs=[kt.tensor_output("y", [2, 3, 17, 21])])
    kt.check(model, {"q": q, "k": k}, {"y": f64(q) @ f64(k)}, tag="scores")


def test_vector_math_accuracy():
    # exp, tanh, erf and log fused into a matmul's epilogue run as
    # polynomials on vectors. x @ I is exact, so the epilogue sees x itself:
    # a wide range of inputs, with exp's overflow to inf and underflow to 0,
    # against numpy in float64 rounded to float32 (rtol 2e-6, about 16 ulp;
    # atol 1e-30 for exp's results below float32's normal range). log's
    # input is |x| + 1e-30.
    n = 48
    x = np.concatenate([
        np.linspace(-100, 100, 8 * n), np.linspace(-10, 10, 8 * n),
        np.linspace(-1e-3, 1e-3, 2 * n),
        [-88.7, 88.7, 89.0, -104.0, -87.0, 0.0, 1e-30, 3e-39, -3e-39],
    ]).astype(np.float32)
    rows = -(-x.size // n)
    x = np.resize(x, rows * n).reshape(rows, n)
    eye = np.eye(n, dtype=np.float32)
    tiny = np.float32(1e-30)
    cases = [
        ("Exp", [kt.node("Exp", ["m"], ["y"])], np.exp),
        ("Tanh", [kt.node("Tanh", ["m"], ["y"])], np.tanh),
        ("Erf", [kt.node("Erf", ["m"], ["y"])], np.vectorize(math.erf)),
        ("Log", [kt.node("Abs", ["m"], ["a"]),
                 kt.node("Add", ["a", "tiny"], ["p"]),
                 kt.node("Log", ["p"], ["y"])],
         lambda v: np.log(np.abs(v) + np.float64(tiny))),
    ]
    for op, nodes, ref in cases:
        model = kt.make_model(
            [kt.node("MatMul", ["x", "eye"], ["m"])] + nodes,
            inputs=[kt.tensor_input("x", [rows, n])],
            outputs=[kt.tensor_output("y", [rows, n])],
            initializers={"eye": eye, "tiny": np.array(tiny)})
        with np.errstate(over="ignore"):
            want = ref(f64(x)).astype(np.float32)
        kt.check(model, {"x": x}, {"y": want}, rtol=2e-6, atol=1e-30,
                 tag=f"vector_{op.lower()}")


def conv_case(x, w, b, tag, **attrs):
    want = kt.relu(kt.conv2d(x, w, b, strides=attrs.get("strides", (1, 1)),
                             pads=attrs.get("pads", (0, 0, 0, 0)),
                             dilations=attrs.get("dilations", (1, 1)),
                             group=attrs.get("group", 1)))
    model = kt.make_model(
        [kt.node("Conv", ["x", "w", "b"], ["c"], **attrs),
         kt.node("Relu", ["c"], ["y"])],
        inputs=[kt.tensor_input("x", list(x.shape))],
        outputs=[kt.tensor_output("y", list(want.shape))],
        initializers={"w": w, "b": b})
    kt.check(model, {"x": x}, {"y": want}, tag=tag)


def test_conv_tails_strides_dilations():
    x = kt.randn(rng, 2, 5, 13, 41)
    w = kt.glorot(rng, 45, 11, 5, 3, 3)
    b = kt.randn(rng, 11)
    conv_case(x, w, b, "conv_s1", pads=[1, 1, 1, 1])
    conv_case(x, w, b, "conv_s2", strides=[2, 2], pads=[1, 0, 1, 2])
    conv_case(x, w, b, "conv_d2", dilations=[2, 2])
    x = kt.randn(rng, 1, 3, 9, 70)
    w = kt.glorot(rng, 3, 20, 3, 1, 1)
    conv_case(x, w, kt.randn(rng, 20), "conv_1x1")


def test_depthwise_conv():
    x = kt.randn(rng, 2, 12, 11, 37)
    w = kt.glorot(rng, 9, 12, 1, 3, 3)
    b = kt.randn(rng, 12)
    conv_case(x, w, b, "dw_s1", group=12, pads=[1, 1, 1, 1])
    conv_case(x, w, b, "dw_s2", group=12, strides=[2, 2], pads=[1, 1, 1, 1])


def test_conv_channel_vectors():
    # Convolutions with a constant filter and a whole number of vectors of
    # output channels run with the channels as the vector dimension (the
    # filter packed channels last at compile time): a 7x7 image (49 pixels:
    # kernels of 6 pixels spanning two rows, and a single-pixel tail), 48
    # channels (strips of fewer vectors than the kernel's), a bias read as
    # a vector, a residual gathered and the result scattered into NCHW.
    for f in (64, 48):
        x = kt.randn(rng, 2, 32, 7, 7)
        w = kt.glorot(rng, 32 * 9, f, 32, 3, 3)
        b = kt.randn(rng, f)
        r = kt.randn(rng, 2, f, 7, 7)
        want = kt.relu(kt.conv2d(x, w, b, pads=(1, 1, 1, 1)) + f64(r))
        model = kt.make_model(
            [kt.node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
             kt.node("Add", ["c", "r"], ["s"]),
             kt.node("Relu", ["s"], ["y"])],
            inputs=[kt.tensor_input("x", ["batch", 32, 7, 7]),
                    kt.tensor_input("r", ["batch", f, 7, 7])],
            outputs=[kt.tensor_output("y", ["batch", f, 7, 7])],
            initializers={"w": w, "b": b})
        kt.check(model, {"x": x, "r": r}, {"y": want}, tag=f"chan7x7_{f}")
    # Strided and dilated, no bias (the accumulators start at zero), a
    # reduction long enough (16 x 3 x 3) for channel vectors on a wide image.
    x = kt.randn(rng, 1, 16, 23, 75)
    w = kt.glorot(rng, 16 * 9, 32, 16, 3, 3)
    for attrs, tag in (({"strides": [2, 2], "pads": [1, 0, 1, 2]}, "s2"),
                       ({"dilations": [2, 3]}, "d23"), ({}, "wide")):
        want = kt.conv2d(x, w, None, strides=attrs.get("strides", (1, 1)),
                         pads=attrs.get("pads", (0, 0, 0, 0)),
                         dilations=attrs.get("dilations", (1, 1)))
        model = kt.make_model(
            [kt.node("Conv", ["x", "w"], ["y"], **attrs)],
            inputs=[kt.tensor_input("x", list(x.shape))],
            outputs=[kt.tensor_output("y", list(want.shape))],
            initializers={"w": w})
        kt.check(model, {"x": x}, {"y": want}, tag=f"chan_{tag}")


def test_packed_weights():
    # Constant weights are packed at compile time into panels of 64 columns
    # (32 with AVX2), the last one zero-padded: N not a multiple of the
    # panel, K tails, a single row, few rows (the tiles split along N), and
    # a K long enough to be blocked; Gemm (transposed weight, bias, relu)
    # and MatMul (weight read as is).
    for m, k, n in [(1, 7, 64), (1, 33, 70), (5, 1, 129), (32, 1100, 128),
                    (13, 17, 1000)]:
        x = kt.randn(rng, m, k)
        w = kt.randn(rng, n, k, scale=0.3)
        bias = kt.randn(rng, n)
        gemm = kt.make_model(
            [kt.node("Gemm", ["x", "w", "bias"], ["g"], transB=1),
             kt.node("Relu", ["g"], ["y"])],
            inputs=[kt.tensor_input("x", [m, k])],
            outputs=[kt.tensor_output("y", [m, n])],
            initializers={"w": w, "bias": bias})
        want = np.maximum(f64(x) @ f64(w).T + f64(bias), 0)
        for args, isa in [((), "host"), (("--mattr=-avx512f",), "avx2")]:
            kt.check(gemm, {"x": x}, {"y": want}, extra_args=args,
                     tag=f"packed_gemm{m}x{k}x{n}_{isa}")
        matmul = kt.make_model(
            [kt.node("MatMul", ["x", "wt"], ["y"])],
            inputs=[kt.tensor_input("x", [m, k])],
            outputs=[kt.tensor_output("y", [m, n])],
            initializers={"wt": np.ascontiguousarray(w.T)})
        kt.check(matmul, {"x": x}, {"y": f64(x) @ f64(w).T},
                 tag=f"packed_mm{m}x{k}x{n}")


def test_packed_rank3_dynamic_batch():
    # x[s, b, k] @ W[k, n] (the LSTM's input projection) with a dynamic
    # batch: the kernel's rows run over s and b flattened, at batch 1 and 3.
    w = kt.randn(rng, 24, 100, scale=0.3)
    bias = kt.randn(rng, 100)
    model = kt.make_model(
        [kt.node("MatMul", ["x", "w"], ["p"]),
         kt.node("Add", ["p", "bias"], ["y"])],
        inputs=[kt.tensor_input("x", [7, "batch", 24])],
        outputs=[kt.tensor_output("y", [7, "batch", 100])],
        initializers={"w": w, "bias": bias})
    for batch in (1, 3):
        x = kt.randn(rng, 7, batch, 24)
        kt.check(model, {"x": x}, {"y": f64(x) @ f64(w) + f64(bias)},
                 tag=f"packed_rank3_b{batch}")


def test_packed_two_reduction_dims():
    # [b, s, h, d] against a constant [h * d, n] reshaped to [h, d, n]: two
    # k dimensions read from the panels.
    a = kt.randn(rng, 2, 5, 3, 4)
    w = kt.randn(rng, 12, 70)
    model = kt.make_model(
        [kt.node("Reshape", ["a", "shape"], ["r"]),
         kt.node("MatMul", ["r", "w"], ["y"])],
        inputs=[kt.tensor_input("a", ["batch", 5, 3, 4])],
        outputs=[kt.tensor_output("y", ["batch", 5, 70])],
        initializers={"w": w, "shape": np.array([0, 5, 12], np.int64)})
    kt.check(model, {"a": a}, {"y": f64(a).reshape(2, 5, 12) @ f64(w)},
             tag="packed_two_k")


def sigmoid(x):
    return 1 / (1 + np.exp(-f64(x)))


def test_elementwise_activation_chains():
    # Standalone elementwise ops (no kernel takes them) run as vector loops
    # along the innermost dimension with a masked tail: LSTM-like gates
    # sigmoid(a) * tanh(b) + log(exp(c) + 1) on innermost sizes 1, 7, 17, 33
    # and 256, a dynamic batch, and a 3 x 5000 buffer (one column of 15000
    # elements cut into several parallel chunks). exp, tanh and log are
    # polynomials (rtol 1e-5).
    for shape in ([4, 1], [3, 7], [2, 5, 17], [5, 33], [2, 256], [3, 5000]):
        dims = ["batch"] + shape[1:]
        a, b, c = (kt.randn(rng, *shape, scale=3) for _ in range(3))
        model = kt.make_model(
            [kt.node("Sigmoid", ["a"], ["s"]), kt.node("Tanh", ["b"], ["t"]),
             kt.node("Mul", ["s", "t"], ["g"]), kt.node("Exp", ["c"], ["e"]),
             kt.node("Add", ["e", "one"], ["e1"]),
             kt.node("Log", ["e1"], ["l"]), kt.node("Add", ["g", "l"], ["y"])],
            inputs=[kt.tensor_input(n, dims) for n in "abc"],
            outputs=[kt.tensor_output("y", dims)],
            initializers={"one": np.array(1, np.float32)})
        want = sigmoid(a) * np.tanh(f64(b)) + np.log(np.exp(f64(c)) + 1)
        kt.check(model, {"a": a, "b": b, "c": c}, {"y": want}, rtol=1e-5,
                 atol=1e-6, tag="ew_chain_" + "x".join(map(str, shape)))


def test_elementwise_broadcasts():
    # A per-channel bias on NCHW (broadcast along the collapsed H x W
    # column, loaded once per channel), a vector along the innermost
    # dimension, a per-row value (keepdims shape [N, 1]) and a 0-d scalar.
    x = kt.randn(rng, 2, 5, 7, 9)
    bias = kt.randn(rng, 5, 1, 1)
    model = kt.make_model(
        [kt.node("Add", ["x", "bias"], ["h"]),
         kt.node("Sigmoid", ["h"], ["y"])],
        inputs=[kt.tensor_input("x", ["batch", 5, 7, 9])],
        outputs=[kt.tensor_output("y", ["batch", 5, 7, 9])],
        initializers={"bias": bias})
    kt.check(model, {"x": x}, {"y": sigmoid(f64(x) + f64(bias))}, rtol=1e-5,
             atol=1e-6, tag="ew_bias_nchw")
    for n, k in ((6, 33), (3, 17), (4, 1)):
        x = kt.randn(rng, n, k)
        col = kt.randn(rng, k)
        row = kt.randn(rng, n, 1)
        s = np.array(0.75, np.float32)
        model = kt.make_model(
            [kt.node("Mul", ["x", "col"], ["m"]),
             kt.node("Sub", ["m", "row"], ["d"]),
             kt.node("Mul", ["d", "s"], ["p"]),
             kt.node("Tanh", ["p"], ["y"])],
            inputs=[kt.tensor_input("x", ["batch", k]),
                    kt.tensor_input("col", [k]),
                    kt.tensor_input("row", ["batch", 1]),
                    kt.tensor_input("s", [])],
            outputs=[kt.tensor_output("y", ["batch", k])])
        want = np.tanh((f64(x) * f64(col) - f64(row)) * f64(s))
        kt.check(model, {"x": x, "col": col, "row": row, "s": s}, {"y": want},
                 rtol=1e-5, atol=1e-6, tag=f"ew_bcast_{n}x{k}")


def test_elementwise_integers_and_casts():
    # Integer arithmetic, compares and selects on vectors (int32 and int64),
    # casts both ways; an integer division (left a scalar loop: a masked
    # tail lane would divide by zero) in the same model. Exact.
    for dtype in (np.int32, np.int64):
        a = rng.integers(-1000, 1000, size=(3, 37)).astype(dtype)
        b = rng.integers(1, 50, size=(37,)).astype(dtype)
        f = kt.randn(rng, 3, 37, scale=100)
        model = kt.make_model(
            [kt.node("Mul", ["a", "b"], ["m"]),
             kt.node("Max", ["m", "a"], ["mx"]),
             kt.node("Cast", ["f"], ["fi"], to=onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[np.dtype(dtype)]),
             kt.node("Add", ["mx", "fi"], ["s"]),
             kt.node("Div", ["s", "b"], ["y"]),
             kt.node("Greater", ["s", "a"], ["gt"]),
             kt.node("Where", ["gt", "s", "a"], ["w"]),
             kt.node("Cast", ["w"], ["z"], to=1)],
            inputs=[kt.tensor_input("a", ["batch", 37], dtype),
                    kt.tensor_input("b", [37], dtype),
                    kt.tensor_input("f", ["batch", 37])],
            outputs=[kt.tensor_output("y", ["batch", 37], dtype),
                     kt.tensor_output("w", ["batch", 37], dtype),
                     kt.tensor_output("z", ["batch", 37])])
        m = np.maximum(a * b, a)
        s = m + np.trunc(f).astype(dtype)
        q = np.abs(s) // b * np.sign(s)  # ONNX integer Div truncates
        w = np.where(s > a, s, a)
        got = kt.run_kiln(model, {"a": a, "b": b, "f": f},
                          tag=f"ew_int_{np.dtype(dtype).name}")
        kt.assert_close("y", got["y"], q, rtol=0, atol=0, dtype=dtype)
        kt.assert_close("w", got["w"], w, rtol=0, atol=0, dtype=dtype)
        kt.assert_close("z", got["z"], w.astype(np.float32), rtol=0, atol=0)


def test_elementwise_transposed_input():
    # exp of a transposed input: the fused op reads across rows, stays a
    # scalar loop nest, and must still be right.
    x = kt.randn(rng, 2, 17, 9)
    model = kt.make_model(
        [kt.node("Transpose", ["x"], ["t"], perm=[0, 2, 1]),
         kt.node("Exp", ["t"], ["y"])],
        inputs=[kt.tensor_input("x", ["batch", 17, 9])],
        outputs=[kt.tensor_output("y", ["batch", 9, 17])])
    kt.check(model, {"x": x}, {"y": np.exp(f64(x).transpose(0, 2, 1))},
             rtol=1e-5, atol=1e-6, tag="ew_transposed")


if __name__ == "__main__":
    kt.main(test_matmul_tails, test_batched_broadcast_matmul,
            test_gemm_bias_relu_residual, test_dense_rank3_gelu,
            test_two_reduction_dims, test_attention_scores,
            test_vector_math_accuracy, test_conv_tails_strides_dilations,
            test_depthwise_conv, test_conv_channel_vectors,
            test_packed_weights, test_packed_rank3_dynamic_batch,
            test_packed_two_reduction_dims)
