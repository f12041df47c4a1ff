# RUN: %python %s
# MaxPool and AveragePool: explicit (asymmetric) padding, count_include_pad
# both ways, strides, ceil_mode, dilations (max), auto_pad, 1-D windows and a
# dynamic batch; against kiln_testing.pool2d (rtol 1e-4, atol 1e-5).

import numpy as np

import kiln_testing as kt

rng = kt.rng(7)


def same_pads(size, k, s, d, upper):
    """ONNX auto_pad SAME_UPPER / SAME_LOWER: output ceil(size / s)."""
    out = -(-size // s)
    total = max(0, (out - 1) * s + (k - 1) * d + 1 - size)
    small, large = total // 2, total - total // 2
    return (small, large) if upper else (large, small)


def pool_case(op, x, kernel, declared=None, **attrs):
    """Runs `op` on NCHW `x` (or NCL) and compares with the reference."""
    one_d = x.ndim == 3
    strides = attrs.get("strides", [1] * len(kernel))
    dilations = attrs.get("dilations", [1] * len(kernel))
    pads = attrs.get("pads", [0] * 2 * len(kernel))
    auto_pad = attrs.get("auto_pad", "NOTSET")
    spatial = x.shape[2:]
    if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        pp = [same_pads(spatial[i], kernel[i], strides[i], dilations[i],
                        auto_pad == "SAME_UPPER") for i in range(len(kernel))]
        pads = [p[0] for p in pp] + [p[1] for p in pp]
    elif auto_pad == "VALID":
        pads = [0] * 2 * len(kernel)
    x4 = x[:, :, None, :] if one_d else x
    if one_d:
        k2, s2, d2 = (1, kernel[0]), (1, strides[0]), (1, dilations[0])
        p2 = (0, pads[0], 0, pads[1])
    else:
        k2, s2, d2, p2 = kernel, strides, dilations, pads
    want = kt.pool2d(
        x4, k2, strides=s2, pads=p2, dilations=d2,
        mode="max" if op == "MaxPool" else "avg",
        count_include_pad=bool(attrs.get("count_include_pad", 0)),
        ceil_mode=bool(attrs.get("ceil_mode", 0)))
    if one_d:
        want = want[:, :, 0, :]
    model = kt.make_model(
        [kt.node(op, ["x"], ["y"], kernel_shape=list(kernel), **attrs)],
        inputs=[kt.tensor_input("x", list(declared or x.shape))],
        outputs=[kt.tensor_output("y", [f"d{i}" for i in range(want.ndim)])])
    kt.check(model, {"x": x}, {"y": want}, tag=op)


def test_avg_pool_padding_count_include_pad():
    x = kt.randn(rng, 2, 3, 7, 6)
    for include in (0, 1):
        pool_case("AveragePool", x, [3, 3], pads=[1, 1, 1, 1],
                  count_include_pad=include)
        pool_case("AveragePool", x, [3, 2], pads=[2, 0, 1, 1],
                  strides=[2, 2], count_include_pad=include)


def test_avg_pool_ceil_mode():
    x = kt.randn(rng, 1, 2, 7, 7)
    for include in (0, 1):
        pool_case("AveragePool", x, [3, 3], strides=[2, 2], pads=[1, 1, 0, 0],
                  ceil_mode=1, count_include_pad=include)


def test_avg_pool_auto_pad():
    x = kt.randn(rng, 1, 2, 7, 8)
    for auto_pad in ("SAME_UPPER", "SAME_LOWER", "VALID"):
        pool_case("AveragePool", x, [2, 3], strides=[2, 2], auto_pad=auto_pad)


def test_max_pool_pads_strides_dilations():
    x = kt.randn(rng, 2, 3, 9, 8)
    pool_case("MaxPool", x, [3, 3], pads=[1, 1, 1, 1], strides=[2, 2])
    pool_case("MaxPool", x, [2, 2], dilations=[2, 2])
    pool_case("MaxPool", x, [3, 2], strides=[2, 3], ceil_mode=1)


def test_max_pool_all_negative_with_padding():
    # Padding must never win the maximum.
    x = -np.abs(kt.randn(rng, 1, 2, 4, 4)) - 1.0
    pool_case("MaxPool", x, [3, 3], pads=[1, 1, 1, 1])


def test_max_pool_auto_pad():
    x = kt.randn(rng, 1, 2, 7, 8)
    for auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        pool_case("MaxPool", x, [3, 2], strides=[2, 2], auto_pad=auto_pad)


def test_pool_1d():
    x = kt.randn(rng, 2, 3, 11)
    pool_case("MaxPool", x, [3], strides=[2], pads=[1, 1])
    pool_case("AveragePool", x, [4], strides=[3], pads=[1, 2],
              count_include_pad=1)
    pool_case("AveragePool", x, [4], strides=[3], pads=[1, 2])


def test_pool_dynamic_batch():
    x = kt.randn(rng, 5, 2, 6, 6)
    pool_case("MaxPool", x, [2, 2], declared=["N", 2, 6, 6], strides=[2, 2])
    pool_case("AveragePool", x, [3, 3], declared=["N", 2, 6, 6],
              pads=[1, 1, 1, 1])


kt.main(test_avg_pool_padding_count_include_pad, test_avg_pool_ceil_mode,
        test_avg_pool_auto_pad, test_max_pool_pads_strides_dilations,
        test_max_pool_all_negative_with_padding, test_max_pool_auto_pad,
        test_pool_1d, test_pool_dynamic_batch)
