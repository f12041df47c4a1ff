# RUN: %python %s
# Conv: grouped and depthwise, strides, dilations, asymmetric pads, with and
# without bias, auto_pad, 1-D; against kiln_testing.conv2d (rtol 1e-4, atol
# 1e-5).

import numpy as np

import kiln_testing as kt

rng = kt.rng(8)


def same_pads(size, k, s, d, upper):
    out = -(-size // s)
    total = max(0, (out - 1) * s + (k - 1) * d + 1 - size)
    small, large = total // 2, total - total // 2
    return (small, large) if upper else (large, small)


def conv_case(x, w, b=None, declared=None, **attrs):
    rank = x.ndim - 2
    kernel = list(w.shape[2:])
    strides = attrs.get("strides", [1] * rank)
    dilations = attrs.get("dilations", [1] * rank)
    pads = attrs.get("pads", [0] * 2 * rank)
    auto_pad = attrs.get("auto_pad", "NOTSET")
    if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        pp = [same_pads(x.shape[2 + i], kernel[i], strides[i], dilations[i],
                        auto_pad == "SAME_UPPER") for i in range(rank)]
        pads = [p[0] for p in pp] + [p[1] for p in pp]
    group = attrs.get("group", 1)
    if rank == 1:
        want = kt.conv2d(x[:, :, None, :], w[:, :, None, :], b,
                         strides=(1, strides[0]),
                         pads=(0, pads[0], 0, pads[1]),
                         dilations=(1, dilations[0]), group=group)[:, :, 0, :]
    else:
        want = kt.conv2d(x, w, b, strides=strides, pads=pads,
                         dilations=dilations, group=group)
    inputs = ["x", "w"] + (["b"] if b is not None else [])
    inits = {"w": w}
    if b is not None:
        inits["b"] = b
    model = kt.make_model(
        [kt.node("Conv", inputs, ["y"], **attrs)],
        inputs=[kt.tensor_input("x", list(declared or x.shape))],
        outputs=[kt.tensor_output("y", [f"d{i}" for i in range(want.ndim)])],
        initializers=inits)
    kt.check(model, {"x": x}, {"y": want}, tag="conv")


def test_conv_strides_dilations_asymmetric_pads():
    x = kt.randn(rng, 2, 3, 9, 10)
    w = kt.glorot(rng, 27, 4, 3, 3, 3)
    b = kt.randn(rng, 4)
    conv_case(x, w, b, kernel_shape=[3, 3], strides=[2, 1],
              pads=[1, 0, 2, 1])
    conv_case(x, w, b, dilations=[2, 1], pads=[2, 1, 2, 1])
    conv_case(x, w, strides=[3, 2], dilations=[1, 2])


def test_conv_rectangular_kernel_no_bias():
    x = kt.randn(rng, 1, 2, 6, 7)
    w = kt.glorot(rng, 10, 5, 2, 1, 5)
    conv_case(x, w, pads=[0, 2, 0, 2])


def test_grouped_conv():
    x = kt.randn(rng, 2, 6, 7, 7)
    # 3 groups of 2 input channels; 6 filters, 2 per group.
    w = kt.glorot(rng, 18, 6, 2, 3, 3)
    b = kt.randn(rng, 6)
    conv_case(x, w, b, group=3, pads=[1, 1, 1, 1])
    conv_case(x, w, group=3, strides=[2, 2])


def test_depthwise_conv():
    x = kt.randn(rng, 2, 4, 8, 8)
    w = kt.glorot(rng, 9, 4, 1, 3, 3)
    b = kt.randn(rng, 4)
    conv_case(x, w, b, group=4, pads=[1, 1, 1, 1])
    # Channel multiplier 2: 8 filters over 4 groups of one channel.
    w2 = kt.glorot(rng, 9, 8, 1, 3, 3)
    conv_case(x, w2, group=4, strides=[2, 2], pads=[0, 0, 1, 1])


def test_conv_auto_pad():
    x = kt.randn(rng, 1, 3, 7, 8)
    w = kt.glorot(rng, 27, 2, 3, 3, 3)
    for auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        conv_case(x, w, auto_pad=auto_pad, strides=[2, 2])
        conv_case(x, w, auto_pad=auto_pad)
    conv_case(x, w, auto_pad="VALID", strides=[2, 1])


def test_conv_1d():
    x = kt.randn(rng, 2, 3, 12)
    w = kt.glorot(rng, 9, 4, 3, 3)
    b = kt.randn(rng, 4)
    conv_case(x, w, b, pads=[1, 2], strides=[2])
    conv_case(x, w, dilations=[2])
    conv_case(x, w, b, auto_pad="SAME_UPPER")


def test_conv_1d_grouped_dynamic_batch():
    x = kt.randn(rng, 5, 4, 10)
    w = kt.glorot(rng, 6, 4, 2, 3)
    conv_case(x, w, declared=["N", 4, 10], group=2, pads=[1, 1])


kt.main(test_conv_strides_dilations_asymmetric_pads,
        test_conv_rectangular_kernel_no_bias, test_grouped_conv,
        test_depthwise_conv, test_conv_auto_pad, test_conv_1d,
        test_conv_1d_grouped_dynamic_batch)
