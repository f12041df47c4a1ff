# RUN: %python %s
# Convolutions and pools whose padded inputs are written in place: the
# padding lowers to an insert into an empty tensor whose border alone is
# filled, and the producer of the input (a conv's ReLU, an add) writes
# straight into the interior. Covers pads 0/1/3 and asymmetric ones, a -inf
# border for max pooling, a tensor that is both padded and read elsewhere
# (residual), two convolutions CSE had made share one zero-filled
# accumulator (kiln-unshare-initializers), and 1x1 stride-1 convolutions run
# as matmuls over flattened pixels (24 and 40 output channels, odd sizes,
# fused residual, an input that is a padded buffer's interior; a bias + Clip
# written row by row into the next conv's padded input, AVX2), and stride-2
# rows read by two masked loads and a shuffle instead of a gather, and
# depthwise convolutions on their plane kernel (sizes, strides, pads,
# dilations, filter sizes, fused bias + Clip, AVX2), and regular ones on the
# channel-vector kernel (strip-packed filters, row blocks and tails, strides,
# the 7x7 first layer, bias + residual + ReLU, a filter large enough to be
# prefetched, AVX2; results stored as row segments into a padded interior,
# rows wrapping; a residual read from a padded interior).
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


def test_depthwise_planes():
    # Depthwise convolutions on the plane kernel (one channel per tile, its
    # taps in registers, micro-kernels of up to 8 output rows sharing the
    # input rows they read): heights and widths 7/13/14/17/56 (row counts
    # that the micro-kernel's rows divide or not, masked width tails),
    # strides 1 and 2 (even/odd lanes of two loads), pads symmetric,
    # asymmetric and none, dilation 2, 5x5, 2x3 and 1x1 filters, a 7x7
    # filter (too many taps: the generic kernel), channel counts not
    # multiples of 8, batch 2, bias + Clip(0, 6) fused, and the AVX2 width.
    cases = [
        # (C, H, W, k, strides, pads, dilations)
        (5, 7, 7, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1)),
        (12, 13, 17, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1)),
        (9, 14, 14, (3, 3), (2, 2), (1, 1, 1, 1), (1, 1)),
        (6, 17, 13, (3, 3), (2, 2), (0, 2, 1, 0), (1, 1)),
        (4, 56, 56, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1)),
        (3, 56, 56, (3, 3), (2, 2), (1, 1, 1, 1), (1, 1)),
        (7, 16, 35, (3, 3), (2, 1), (0, 0, 0, 0), (1, 1)),
        (5, 14, 19, (3, 3), (1, 2), (2, 2, 2, 2), (2, 2)),
        (4, 13, 21, (5, 5), (2, 2), (2, 2, 2, 2), (1, 1)),
        (3, 9, 11, (2, 3), (1, 1), (0, 1, 1, 1), (1, 1)),
        (10, 7, 9, (1, 1), (2, 2), (0, 0, 0, 0), (1, 1)),
        (4, 12, 12, (7, 7), (1, 1), (3, 3, 3, 3), (1, 1)),
    ]
    # All cases in one model (one compile per ISA): case i reads x{i} and
    # writes y{i}.
    nodes, inputs, outputs, feeds, wants = [], [], [], {}, {}
    inits = {"lo": np.array(0.0, np.float32), "hi": np.array(6.0, np.float32)}
    for i, (c, h, w_, k, strides, pads, dil) in enumerate(cases):
        x = kt.randn(rng, 2, c, h, w_, scale=3.0)
        wd = kt.glorot(rng, k[0] * k[1], c, 1, *k)
        b = kt.randn(rng, c)
        want = np.clip(conv_ref(x, wd, b, strides=strides, pads=pads,
                                dilations=dil, group=c), 0.0, 6.0)
        nodes += [kt.node("Conv", [f"x{i}", f"w{i}", f"b{i}"], [f"c{i}"],
                          strides=list(strides), pads=list(pads),
                          dilations=list(dil), group=c),
                  kt.node("Clip", [f"c{i}", "lo", "hi"], [f"y{i}"])]
        inputs.append(kt.tensor_input(f"x{i}", ["batch", c, h, w_]))
        outputs.append(kt.tensor_output(f"y{i}", ["batch", c] +
                                        list(want.shape[2:])))
        inits[f"w{i}"], inits[f"b{i}"] = wd, b
        feeds[f"x{i}"], wants[f"y{i}"] = x, want
    model = kt.make_model(nodes, inputs=inputs, outputs=outputs,
                          initializers=inits)
    for args, isa in (((), "host"), (("--mattr=-avx512f",), "avx2")):
        kt.check(model, feeds, wants, extra_args=args, tag=f"dw_{isa}")
    # Without a fused epilogue or bias: the accumulator starts from the
    # zero fill and is stored as is (a graph output read by nothing else).
    x = kt.randn(rng, 1, 11, 28, 28)
    wd = kt.glorot(rng, 9, 11, 1, 3, 3)
    want = conv_ref(x, wd, pads=(1, 1, 1, 1), group=11)
    model = kt.make_model(
        [kt.node("Conv", ["x", "w"], ["y"], pads=[1, 1, 1, 1], group=11)],
        inputs=[kt.tensor_input("x", [1, 11, 28, 28])],
        outputs=[kt.tensor_output("y", [1, 11, 28, 28])],
        initializers={"w": wd})
    kt.check(model, {"x": x}, {"y": want}, tag="dw_plain")


def test_pointwise_rowed():
    # 1x1 stride-1 convolutions over flattened pixels whose Clip epilogue
    # writes the interior of a padded buffer (a depthwise conv's input, as
    # in mobilenet_v2): each output vector is stored one image row segment
    # at a time. Widths under a vector (12: up to 3 rows per vector with
    # AVX-512), 14, 16 (rows exactly one vector), 28, odd 13x11 with a
    # masked pixel tail, a 25x12 image of two pixel tiles whose boundary
    # falls mid-row, output channels not a multiple of the kernel's 6 rows,
    # images of one pixel tile split into narrower channel tiles (64 -> 18,
    # 18, 18, 10 rows; 40 -> 12, 12, 12, 4), batch 2, the host's vectors
    # and AVX2. The depthwise conv has stride 2
    # so that its output does not reuse the 1x1's buffer (which would keep
    # the Clip out of the kernel).
    cases = ((32, 48, 12, 12), (16, 40, 14, 14), (5, 7, 9, 16),
             (24, 36, 28, 28), (8, 20, 13, 11), (32, 48, 25, 12),
             (64, 64, 14, 14))
    for args, isa in (((), "host"), (("--mattr=-avx512f",), "avx2")):
        for c, f, h, w_ in cases:
            x = kt.randn(rng, 2, c, h, w_)
            w = kt.glorot(rng, c, f, c, 1, 1)
            b = kt.randn(rng, f)
            wd = kt.glorot(rng, 9, f, 1, 3, 3)
            e = np.clip(conv_ref(x, w, b), 0.0, 6.0)
            want = conv_ref(e, wd, strides=(2, 2), pads=(1, 1, 1, 1), group=f)
            model = kt.make_model(
                [kt.node("Conv", ["x", "w", "b"], ["c"]),
                 kt.node("Clip", ["c", "lo", "hi"], ["e"]),
                 kt.node("Conv", ["e", "wd"], ["y"], strides=[2, 2],
                         pads=[1, 1, 1, 1], group=f)],
                inputs=[kt.tensor_input("x", ["batch", c, h, w_])],
                outputs=[kt.tensor_output("y", ["batch", f] +
                                          list(want.shape[2:]))],
                initializers={"w": w, "b": b, "wd": wd,
                              "lo": np.array(0.0, np.float32),
                              "hi": np.array(6.0, np.float32)})
            kt.check(model, {"x": x}, {"y": want}, extra_args=args,
                     tag=f"rowed_{isa}_{c}_{f}_{h}x{w_}")


def test_channel_vectors():
    # Regular convolutions on the channel-vector kernel (output channels as
    # vectors, filters packed in strips of the kernel's 2 vectors, row
    # blocks chosen for the pixel count with one static tail kernel): 7x7
    # (49 pixels: blocks of 14 and a tail of 7), 14x14 (two tiles of 98),
    # an odd 5x13 (65), stride 2 (5x6 = 30 pixels), a 7x7 stride-2 filter
    # on 3 input channels (the first layer of a ResNet), 48 output channels
    # (not whole strips: channels last, a single-vector column tail) and 16
    # (one vector), a 1.2 MB filter (256 -> 128, the next strip prefetched);
    # bias + residual add + ReLU fused (the residual read along the rows),
    # no bias, batch 2, the host's vectors and AVX2.
    cases = [
        # (C, F, H, W, k, stride, pad)
        (64, 32, 7, 7, 3, 1, 1),
        (32, 64, 14, 14, 3, 1, 1),
        (24, 32, 5, 13, 3, 1, 1),
        (16, 32, 9, 11, 3, 2, 1),
        (3, 32, 30, 30, 7, 2, 3),
        (24, 48, 13, 5, 3, 1, 1),
        (8, 16, 6, 6, 3, 1, 1),
        (256, 128, 7, 7, 3, 1, 1),
    ]
    for args, isa in (((), "host"), (("--mattr=-avx512f",), "avx2")):
        for c, f, h, w_, k, s, p in cases:
            x = kt.randn(rng, 2, c, h, w_)
            w = kt.glorot(rng, c * k * k, f, c, k, k)
            b = kt.randn(rng, f)
            attrs = dict(strides=(s, s), pads=(p, p, p, p))
            conv = conv_ref(x, w, b, **attrs)
            z = kt.randn(rng, *conv.shape)
            want = kt.relu(conv + f64(z))
            model = kt.make_model(
                [kt.node("Conv", ["x", "w", "b"], ["c"], strides=[s, s],
                         pads=[p] * 4),
                 kt.node("Add", ["c", "z"], ["a"]),
                 kt.node("Relu", ["a"], ["y"])],
                inputs=[kt.tensor_input("x", ["batch", c, h, w_]),
                        kt.tensor_input("z", ["batch"] +
                                        list(conv.shape[1:]))],
                outputs=[kt.tensor_output("y", ["batch"] +
                                          list(conv.shape[1:]))],
                initializers={"w": w, "b": b})
            kt.check(model, {"x": x, "z": z}, {"y": want}, extra_args=args,
                     tag=f"chan_{isa}_{c}_{f}_{h}x{w_}_k{k}_s{s}")
            # No bias, no epilogue: the zero fill starts the accumulators.
            want = conv_ref(x, w, **attrs)
            model = kt.make_model(
                [kt.node("Conv", ["x", "w"], ["y"], strides=[s, s],
                         pads=[p] * 4)],
                inputs=[kt.tensor_input("x", ["batch", c, h, w_])],
                outputs=[kt.tensor_output("y", ["batch"] +
                                          list(want.shape[1:]))],
                initializers={"w": w})
            kt.check(model, {"x": x}, {"y": want}, extra_args=args,
                     tag=f"chan_plain_{isa}_{c}_{f}_{h}x{w_}_k{k}_s{s}")


def test_channel_vectors_into_padded():
    # The channel-vector kernel's results, transposed into vectors along the
    # row, stored into the interior of the next op's padded buffer: row
    # blocks that wrap onto the next row (or several: widths 5 and 7) skip
    # the border columns. A ResNet stem (7x7 stride 2, ReLU, a -inf padded
    # max pool) and a 3x3 whose ReLU feeds another 3x3's zero padding.
    for args, isa in (((), "host"), (("--mattr=-avx512f",), "avx2")):
        for c, f, h, w_, k, s in ((3, 32, 30, 38, 7, 2), (64, 32, 7, 7, 3, 1),
                                  (32, 32, 5, 5, 3, 1)):
            p = k // 2
            x = kt.randn(rng, 2, c, h, w_)
            w = kt.glorot(rng, c * k * k, f, c, k, k)
            b = kt.randn(rng, f)
            w2 = kt.glorot(rng, f * 9, 16, f, 3, 3)
            h1 = kt.relu(conv_ref(x, w, b, strides=(s, s), pads=(p,) * 4))
            pooled = kt.pool2d(h1, (3, 3), strides=(2, 2), pads=(1, 1, 1, 1))
            conv2 = conv_ref(h1, w2, pads=(1, 1, 1, 1))
            model = kt.make_model(
                [kt.node("Conv", ["x", "w", "b"], ["c"], strides=[s, s],
                         pads=[p] * 4),
                 kt.node("Relu", ["c"], ["h"]),
                 kt.node("MaxPool", ["h"], ["y"], kernel_shape=[3, 3],
                         strides=[2, 2], pads=[1, 1, 1, 1]),
                 kt.node("Conv", ["h", "w2"], ["z"], pads=[1, 1, 1, 1])],
                inputs=[kt.tensor_input("x", ["batch", c, h, w_])],
                outputs=[kt.tensor_output("y", ["batch", f] +
                                          list(pooled.shape[2:])),
                         kt.tensor_output("z", ["batch", 16] +
                                          list(conv2.shape[2:]))],
                initializers={"w": w, "b": b, "w2": w2})
            kt.check(model, {"x": x}, {"y": pooled, "z": conv2},
                     extra_args=args,
                     tag=f"chan_padded_{isa}_{c}_{f}_{h}x{w_}_k{k}_s{s}")
    # A residual block: the residual is the interior of the second conv's
    # padded input (rows 2 apart wider than the output's), read along the
    # rows in the epilogue; widths 7 and 5 make blocks wrap rows.
    for args, isa in (((), "host"), (("--mattr=-avx512f",), "avx2")):
        for c, h, w_ in ((32, 7, 7), (64, 5, 5), (32, 9, 13)):
            x = kt.randn(rng, 2, c, h, w_)
            w1 = kt.glorot(rng, c * 9, c, c, 3, 3)
            w2 = kt.glorot(rng, c * 9, c, c, 3, 3)
            b1 = kt.randn(rng, c)
            h1 = kt.relu(conv_ref(x, w1, b1, pads=(1,) * 4))
            want = kt.relu(conv_ref(h1, w2, pads=(1,) * 4) + f64(h1))
            model = kt.make_model(
                [kt.node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1] * 4),
                 kt.node("Relu", ["c1"], ["h"]),
                 kt.node("Conv", ["h", "w2"], ["c2"], pads=[1] * 4),
                 kt.node("Add", ["c2", "h"], ["a"]),
                 kt.node("Relu", ["a"], ["y"])],
                inputs=[kt.tensor_input("x", ["batch", c, h, w_])],
                outputs=[kt.tensor_output("y", ["batch", c, h, w_])],
                initializers={"w1": w1, "b1": b1, "w2": w2})
            kt.check(model, {"x": x}, {"y": want}, extra_args=args,
                     tag=f"chan_residual_{isa}_{c}_{h}x{w_}")


if __name__ == "__main__":
    kt.main(test_padded_chain, test_stride2_even_loads, test_padded_and_read_elsewhere,
            test_shared_zero_accumulators, test_pointwise_flat,
            test_pointwise_on_padded_interior, test_depthwise_planes,
            test_pointwise_rowed, test_channel_vectors,
            test_channel_vectors_into_padded)
