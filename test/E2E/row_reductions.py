# RUN: %python %s
# kiln-vectorize-row-reductions: softmax, layer normalization and
# innermost-axis reductions run as one vectorized pass over each row (masked
# tails for rows that are not a multiple of the vector width, rows shorter
# than one vector, a dynamic number of rows); softmax along a non-last axis
# keeps the plain loops. Against numpy in float64 (rtol 1e-5, atol 1e-6).

import numpy as np

import kiln_testing as kt

rng = kt.rng(43)
RTOL, ATOL = 1e-5, 1e-6


def f64(a):
    return np.asarray(a, dtype=np.float64)


def layer_norm(x, gamma, beta, eps):
    x = f64(x)
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * f64(gamma) + f64(beta)


def test_softmax_rows():
    # Wide inputs: exp's polynomial sees [-60, 0] after the max is taken off.
    for shape in [(2, 3, 37), (4, 128), (3, 5, 3), (1, 1, 16), (2, 7, 161)]:
        x = kt.uniform(rng, *shape, low=-30, high=30)
        batch = ["batch"] + list(shape[1:])
        model = kt.make_model(
            [kt.node("Softmax", ["x"], ["y"], axis=-1)],
            inputs=[kt.tensor_input("x", batch)],
            outputs=[kt.tensor_output("y", batch)])
        kt.check(model, {"x": x}, {"y": kt.softmax(f64(x), axis=-1)},
                 rtol=RTOL, atol=ATOL, tag=f"softmax_{'x'.join(map(str, shape))}")


def test_softmax_other_axis():
    x = kt.randn(rng, 2, 6, 19, scale=4.0)
    model = kt.make_model(
        [kt.node("Softmax", ["x"], ["y"], axis=1)],
        inputs=[kt.tensor_input("x", list(x.shape))],
        outputs=[kt.tensor_output("y", list(x.shape))])
    kt.check(model, {"x": x}, {"y": kt.softmax(f64(x), axis=1)},
             rtol=RTOL, atol=ATOL, tag="softmax_axis1")


def test_layer_norm():
    for shape in [(2, 5, 300), (3, 512), (4, 7)]:
        x = kt.randn(rng, *shape, scale=3.0) + 2.0
        gamma = kt.randn(rng, shape[-1])
        beta = kt.randn(rng, shape[-1])
        batch = ["batch"] + list(shape[1:])
        model = kt.make_model(
            [kt.node("LayerNormalization", ["x", "gamma", "beta"], ["y"],
                     axis=-1, epsilon=1e-5)],
            inputs=[kt.tensor_input("x", batch)],
            outputs=[kt.tensor_output("y", batch)],
            initializers={"gamma": gamma, "beta": beta},
            opset=17)
        kt.check(model, {"x": x}, {"y": layer_norm(x, gamma, beta, 1e-5)},
                 rtol=1e-4, atol=1e-5, tag=f"ln_{'x'.join(map(str, shape))}")


def test_reductions():
    x = kt.randn(rng, 3, 4, 45)
    model = kt.make_model(
        [kt.node("ReduceMax", ["x"], ["mx"], axes=[-1], keepdims=1),
         kt.node("ReduceSum", ["x", "axes"], ["s"], keepdims=1),
         kt.node("Sub", ["x", "mx"], ["d"]),
         kt.node("Exp", ["d"], ["e"]),
         kt.node("ReduceSum", ["e", "axes"], ["se"], keepdims=0)],
        inputs=[kt.tensor_input("x", ["batch", 4, 45])],
        outputs=[kt.tensor_output("mx", ["batch", 4, 1]),
                 kt.tensor_output("s", ["batch", 4, 1]),
                 kt.tensor_output("se", ["batch", 4])],
        initializers={"axes": np.array([-1], np.int64)}, opset=13)
    xd = f64(x)
    mx = xd.max(axis=-1, keepdims=True)
    kt.check(model, {"x": x},
             {"mx": mx, "s": xd.sum(axis=-1, keepdims=True),
              "se": np.exp(xd - mx).sum(axis=-1)},
             rtol=RTOL, atol=ATOL, tag="reduce")


if __name__ == "__main__":
    kt.main(test_softmax_rows, test_softmax_other_axis, test_layer_norm,
            test_reductions)
