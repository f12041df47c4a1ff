# RUN: %python %s
# Max and average pools as vector loops (kiln-vectorize-elementwise's pool
# kernels): rows wider than one and two vectors with masked tails, stride 1
# and stride 2 (two vectors' worth of input, even elements shuffled out, the
# read cut at the row's end), dilations, explicit and ceil_mode padding, a
# dynamic batch, a stride of 3 (left scalar), at the AVX-512 and AVX2
# widths; NaNs propagate. Against kiln_testing.pool2d (numpy; rtol 1e-4, atol 1e-5).

import numpy as np

import kiln_testing as kt

rng = kt.rng(29)

# (op, input shape, kernel, attributes)
CASES = [
    # resnet18's stem pool on an odd, wider-than-two-vectors row.
    ("MaxPool", (2, 5, 40, 41), [3, 3], dict(strides=[2, 2],
                                             pads=[1, 1, 1, 1])),
    ("MaxPool", (1, 3, 37, 37), [3, 3], dict(pads=[1, 1, 1, 1])),
    ("MaxPool", (1, 4, 23, 34), [2, 2], dict(strides=[2, 2])),
    ("MaxPool", (1, 3, 21, 50), [3, 3], dict(strides=[2, 2], ceil_mode=1)),
    ("MaxPool", (1, 2, 19, 45), [3, 2], dict(strides=[1, 2],
                                             dilations=[2, 3],
                                             pads=[2, 1, 0, 1])),
    ("MaxPool", (1, 6, 7, 7), [7, 7], {}),
    ("MaxPool", (1, 2, 20, 29), [3, 3], dict(strides=[3, 3])),
    ("AveragePool", (1, 4, 33, 35), [3, 3], dict(strides=[2, 2],
                                                 pads=[1, 1, 1, 1])),
    ("AveragePool", (1, 3, 17, 18), [2, 3], dict(pads=[0, 1, 1, 1],
                                                 count_include_pad=1)),
    ("AveragePool", (1, 3, 15, 47), [3, 3], dict(strides=[2, 2],
                                                 ceil_mode=1)),
]


def test_pools():
    nodes, inputs, outputs, feeds, wants = [], [], [], {}, {}
    for i, (op, shape, kernel, attrs) in enumerate(CASES):
        x = kt.randn(rng, *shape)
        want = kt.pool2d(
            x, kernel, strides=attrs.get("strides", [1, 1]),
            pads=attrs.get("pads", [0, 0, 0, 0]),
            dilations=attrs.get("dilations", [1, 1]),
            mode="max" if op == "MaxPool" else "avg",
            count_include_pad=bool(attrs.get("count_include_pad", 0)),
            ceil_mode=bool(attrs.get("ceil_mode", 0)))
        nodes.append(kt.node(op, [f"x{i}"], [f"y{i}"], kernel_shape=kernel,
                             **attrs))
        # The first case has a dynamic batch: the parallel loop's bound is
        # read from the buffer.
        batch = "batch" if i == 0 else shape[0]
        inputs.append(kt.tensor_input(f"x{i}", [batch] + list(shape[1:])))
        outputs.append(kt.tensor_output(f"y{i}",
                                        [batch] + list(want.shape[1:])))
        feeds[f"x{i}"], wants[f"y{i}"] = x, want
    model = kt.make_model(nodes, inputs=inputs, outputs=outputs)
    for args, isa in (((), "host"), (("--mattr=-avx512f",), "avx2")):
        kt.check(model, feeds, wants, extra_args=args, tag=f"pool_{isa}")


def test_max_pool_of_elementwise_output():
    # The pool reads the padded buffer its producer (an elementwise op)
    # wrote into directly; the border is -inf, so windows of negative values
    # at the edges stay negative.
    x = kt.randn(rng, 1, 8, 30, 30) - 3.0
    want = kt.pool2d(x, [3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    model = kt.make_model(
        [kt.node("Neg", ["x"], ["n"]), kt.node("Neg", ["n"], ["m"]),
         kt.node("MaxPool", ["m"], ["y"], kernel_shape=[3, 3],
                 strides=[2, 2], pads=[1, 1, 1, 1])],
        inputs=[kt.tensor_input("x", [1, 8, 30, 30])],
        outputs=[kt.tensor_output("y", list(want.shape))])
    kt.check(model, {"x": x}, {"y": want}, tag="pool_neg")


def test_max_pool_nan_and_signed_zeros():
    # NaNs propagate wherever they sit in a window (first, middle, last
    # position, a tail lane); zeros of both signs compare equal (the sign of
    # a zero maximum is not checked: assert_close compares values).
    x = kt.randn(rng, 1, 3, 20, 37)
    x[0, 0, 0, 0] = x[0, 1, 5, 17] = x[0, 2, 19, 36] = np.nan
    x[0, 0, 7, 30] = x[0, 2, 10, 3] = np.nan
    x[0, 1, 10:13, 20:23] = np.array([[-0.0, 0.0, -0.0]] * 3)
    nodes, outputs, wants = [], [], {}
    for i, (kernel, strides, pads) in enumerate(
            [([3, 3], [2, 2], [1, 1, 1, 1]), ([2, 3], [1, 1], [0, 1, 1, 0])]):
        want = kt.pool2d(x, kernel, strides=strides, pads=pads)
        nodes.append(kt.node("MaxPool", ["x"], [f"y{i}"], kernel_shape=kernel,
                             strides=strides, pads=pads))
        outputs.append(kt.tensor_output(f"y{i}", list(want.shape)))
        wants[f"y{i}"] = want
    assert all(np.isnan(w).any() for w in wants.values())
    model = kt.make_model(nodes, inputs=[kt.tensor_input("x", list(x.shape))],
                          outputs=outputs)
    kt.check(model, {"x": x}, wants, tag="pool_nan")


if __name__ == "__main__":
    kt.main(test_pools, test_max_pool_of_elementwise_output,
            test_max_pool_nan_and_signed_zeros)
