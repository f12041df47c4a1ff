# RUN: %python %s
# The register-tiled kernels of kiln-vectorize-contractions on shapes that
# exercise every tail: rows not a multiple of the kernel's 6 (or 8 for
# convolutions), columns not a multiple of the vector width (masked loads and
# stores), tiles not a multiple of the parallel tile, K of 1; batched and
# broadcast matmuls; fused bias + activation + residual consumers; stride-2
# and dilated convolutions (gathers); depthwise convolutions. Against numpy (rtol 1e-4, atol 1e-5).

import numpy as np

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


if __name__ == "__main__":
    kt.main(test_matmul_tails, test_batched_broadcast_matmul,
            test_gemm_bias_relu_residual, test_conv_tails_strides_dilations,
            test_depthwise_conv)
