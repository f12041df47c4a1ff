# RUN: %python %s
# Convolutions and pools whose padded inputs are written in place: the
# padding lowers to an insert into an empty tensor whose border alone is
# filled, and the producer of the input (a conv's ReLU, an add) writes
# straight into the interior. Covers pads 0/1/3 and asymmetric ones, a -inf
# border for max pooling, a tensor that is both padded and read elsewhere
# (residual), two convolutions CSE had made share one zero-filled
# accumulator (kiln-unshare-initializers), and 1x1 stride-1 convolutions run
# as matmuls over flattened pixels (24 and 40 output channels, odd sizes,
# fused residual, an input that is a padded buffer's interior), and stride-2
# rows read by two masked loads and a shuffle instead of a gather.
# Against numpy (kiln_testing's conv2d and pool2d; rtol 1e-4, atol 1e-5).

import numpy as np

import kiln_testing as kt

rng = kt.rng(97)


def f64(a):
    return np.asarray(a, dtype=np.float64)


def conv_ref(x, w, b=None, **attrs):
    return kt.conv2d(x, w, b, strides=attrs.get("strides", (1, 1)),
                     pads=attrs.get("pads", (0, 0, 0, 0)),
                     dilations=attrs.get("dilations", (1, 1)),
                     group=attrs.get("group", 1))


def test_padded_chain():
    # relu(conv_a(x)) is written into the interior of conv_b's padded
    # input; pads 1, 3 (a 7x7 filter) and asymmetric.
    for pads_b, k, tag in (([1, 1, 1, 1], 3, "p1"), ([3, 3, 3, 3], 7, "p3"),
                           ([0, 2, 1, 0], 3, "asym"), ([0, 0, 0, 0], 3, "p0")):
        x = kt.randn(rng, 2, 5, 12, 19)
        wa = kt.glorot(rng, 45, 16, 5, 3, 3)
        ba = kt.randn(rng, 16)
        wb = kt.glorot(rng, 16 * k * k, 11, 16, k, k)
        bb = kt.randn(rng, 11)
        h = kt.relu(conv_ref(x, wa, ba, pads=(1, 1, 1, 1)))
        want = conv_ref(h, wb, bb, pads=pads_b)
        model = kt.make_model(
            [kt.node("Conv", ["x", "wa", "ba"], ["a"], pads=[1, 1, 1, 1]),
             kt.node("Relu", ["a"], ["h"]),
             kt.node("Conv", ["h", "wb", "bb"], ["y"], pads=pads_b)],
            inputs=[kt.tensor_input("x", ["batch", 5, 12, 19])],
            outputs=[kt.tensor_output("y", ["batch", 11] +
                                      list(want.shape[2:]))],
            initializers={"wa": wa, "ba": ba, "wb": wb, "bb": bb})
        kt.check(model, {"x": x}, {"y": want}, tag=f"chain_{tag}")


def test_padded_and_read_elsewhere():
    # h feeds a padded depthwise conv, a padded max pool (-inf border) and
    # a residual add: every reader sees h, and the borders stay 0 / -inf
    # even where h is all negative before the ReLU-free path.
    x = kt.randn(rng, 1, 8, 9, 10)
    w = kt.glorot(rng, 72, 8, 8, 3, 3)
    b = kt.randn(rng, 8)
    wd = kt.glorot(rng, 9, 8, 1, 3, 3)
    h = conv_ref(x, w, b, pads=(1, 1, 1, 1)) - 3.0
    d = conv_ref(h, wd, None, pads=(1, 1, 1, 1), group=8)
    p = kt.pool2d(h, (3, 3), strides=(1, 1), pads=(1, 1, 1, 1))
    want = d + p + h
    model = kt.make_model(
        [kt.node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
         kt.node("Sub", ["c", "three"], ["h"]),
         kt.node("Conv", ["h", "wd"], ["d"], pads=[1, 1, 1, 1], group=8),
         kt.node("MaxPool", ["h"], ["p"], kernel_shape=[3, 3],
                 pads=[1, 1, 1, 1]),
         kt.node("Add", ["d", "p"], ["s"]),
         kt.node("Add", ["s", "h"], ["y"])],
        inputs=[kt.tensor_input("x", [1, 8, 9, 10])],
        outputs=[kt.tensor_output("y", [1, 8, 9, 10])],
        initializers={"w": w, "b": b, "wd": wd,
                      "three": np.array(3.0, np.float32)})
    kt.check(model, {"x": x}, {"y": want}, tag="padded_shared")


def test_shared_zero_accumulators():
    # Two bias-free convolutions of the same output shape (CSE merges their
    # zero fills) on different inputs, summed.
    x = kt.randn(rng, 1, 6, 11, 11)
    z = kt.randn(rng, 1, 6, 11, 11)
    w1 = kt.glorot(rng, 54, 20, 6, 3, 3)
    w2 = kt.glorot(rng, 54, 20, 6, 3, 3)
    want = (conv_ref(x, w1, pads=(1, 1, 1, 1)) +
            conv_ref(z, w2, pads=(1, 1, 1, 1)))
    model = kt.make_model(
        [kt.node("Conv", ["x", "w1"], ["a"], pads=[1, 1, 1, 1]),
         kt.node("Conv", ["z", "w2"], ["b"], pads=[1, 1, 1, 1]),
         kt.node("Add", ["a", "b"], ["y"])],
        inputs=[kt.tensor_input("x", [1, 6, 11, 11]),
                kt.tensor_input("z", [1, 6, 11, 11])],
        outputs=[kt.tensor_output("y", [1, 20, 11, 11])],
        initializers={"w1": w1, "w2": w2})
    kt.check(model, {"x": x, "z": z}, {"y": want}, tag="shared_zero")


def test_pointwise_flat():
    # 1x1 stride-1 convolutions over flattened pixels: 24 and 40 output
    # channels (not whole vectors), 13x11 = 143 pixels (a masked tail), a
    # short reduction, bias + residual + ReLU in the epilogue, dynamic batch.
    for c, f, hw in ((8, 24, (13, 11)), (40, 40, (7, 7)), (3, 5, (1, 1)),
                     (96, 24, (28, 28))):
        x = kt.randn(rng, 2, c, *hw)
        w = kt.glorot(rng, c, f, c, 1, 1)
        b = kt.randn(rng, f)
        r = kt.randn(rng, 2, f, *hw)
        want = kt.relu(conv_ref(x, w, b) + f64(r))
        model = kt.make_model(
            [kt.node("Conv", ["x", "w", "b"], ["c"]),
             kt.node("Add", ["c", "r"], ["s"]),
             kt.node("Relu", ["s"], ["y"])],
            inputs=[kt.tensor_input("x", ["batch", c] + list(hw)),
                    kt.tensor_input("r", ["batch", f] + list(hw))],
            outputs=[kt.tensor_output("y", ["batch", f] + list(hw))],
            initializers={"w": w, "b": b})
        kt.check(model, {"x": x, "r": r}, {"y": want},
                 tag=f"flat_{c}_{f}_{hw[0]}x{hw[1]}")


def test_pointwise_on_padded_interior():
    # h = relu(x) is written into the interior of the 3x3 conv's padded
    # input, so the 1x1 conv reads a strided view that cannot be flattened
    # (it keeps the per-row kernel); a 1x1 with stride 2 never flattens.
    x = kt.randn(rng, 1, 16, 10, 10)
    w3 = kt.glorot(rng, 144, 24, 16, 3, 3)
    w1 = kt.glorot(rng, 16, 24, 16, 1, 1)
    h = kt.relu(x)
    want = (conv_ref(h, w3, pads=(1, 1, 1, 1)) + conv_ref(h, w1))
    want2 = conv_ref(h, w1, strides=(2, 2))
    model = kt.make_model(
        [kt.node("Relu", ["x"], ["h"]),
         kt.node("Conv", ["h", "w3"], ["a"], pads=[1, 1, 1, 1]),
         kt.node("Conv", ["h", "w1"], ["b"]),
         kt.node("Conv", ["h", "w1"], ["y2"], strides=[2, 2]),
         kt.node("Add", ["a", "b"], ["y"])],
        inputs=[kt.tensor_input("x", [1, 16, 10, 10])],
        outputs=[kt.tensor_output("y", [1, 24, 10, 10]),
                 kt.tensor_output("y2", [1, 24, 5, 5])],
        initializers={"w3": w3, "w1": w1})
    kt.check(model, {"x": x}, {"y": want, "y2": want2}, tag="flat_padded")


def test_stride2_even_loads():
    # Stride-2 rows are two contiguous masked loads and a shuffle of the
    # even elements: depthwise and regular, no padding with the last needed
    # element the row's last (35 wide: 17 outputs, 16 + a 1-lane tail), a
    # 67-wide row (33 outputs: two full vectors + 1), and padded.
    for hw, pads in (((9, 35), (0, 0, 0, 0)), ((5, 67), (0, 0, 0, 0)),
                     ((12, 30), (1, 1, 1, 1))):
        x = kt.randn(rng, 2, 12, *hw)
        wd = kt.glorot(rng, 9, 12, 1, 3, 3)
        w = kt.glorot(rng, 108, 5, 12, 3, 3)
        for weights, group, tag in ((wd, 12, "dw"), (w, 1, "conv")):
            want = conv_ref(x, weights, strides=(2, 2), pads=pads,
                            group=group)
            model = kt.make_model(
                [kt.node("Conv", ["x", "w"], ["y"], strides=[2, 2],
                         pads=list(pads), group=group)],
                inputs=[kt.tensor_input("x", list(x.shape))],
                outputs=[kt.tensor_output("y", list(want.shape))],
                initializers={"w": weights})
            kt.check(model, {"x": x}, {"y": want},
                     tag=f"s2_{tag}_{hw[1]}_{pads[0]}")


if __name__ == "__main__":
    kt.main(test_padded_chain, test_stride2_even_loads, test_padded_and_read_elsewhere,
            test_shared_zero_accumulators, test_pointwise_flat,
            test_pointwise_on_padded_interior)
