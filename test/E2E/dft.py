# RUN: %python %s
# DFT (opset 17) against numpy.fft: real and complex signals, forward and
# inverse, onesided, a dft_length that truncates and one that zero-pads,
# along an inner and an outer axis. rtol 1e-4, atol 1e-4 (the outputs are
# sums of up to 12 products of values below 4, formed in f64 and rounded to
# float32).

import numpy as np

import kiln_testing as kt

rng = kt.rng(17)


def as_pairs(c):
    return np.stack((c.real, c.imag), axis=-1)


def dft_model(shape, out_shape, length=None, **attrs):
    inits = {}
    inputs = ["x"]
    if length is not None:
        inits["len"] = np.array(length, np.int64)
        inputs.append("len")
    return kt.make_model(
        [kt.node("DFT", inputs, ["y"], **attrs)],
        inputs=[kt.tensor_input("x", list(shape))],
        outputs=[kt.tensor_output("y", list(out_shape))],
        initializers=inits, opset=17)


def test_real_forward_inner_axis():
    x = kt.randn(rng, 2, 12, 3, 1)
    model = dft_model(x.shape, (2, 12, 3, 2), axis=1)
    want = as_pairs(np.fft.fft(x[..., 0].astype(np.float64), axis=1))
    kt.check(model, {"x": x}, {"y": want}, atol=1e-4)


def test_complex_inverse_axis_two():
    x = kt.randn(rng, 2, 3, 8, 2)
    model = dft_model(x.shape, (2, 3, 8, 2), axis=2, inverse=1)
    c = x[..., 0].astype(np.float64) + 1j * x[..., 1]
    kt.check(model, {"x": x}, {"y": as_pairs(np.fft.ifft(c, axis=2))},
             atol=1e-4)


def test_onesided():
    x = kt.randn(rng, 1, 10, 1)
    model = dft_model(x.shape, (1, 6, 2), axis=1, onesided=1)
    want = as_pairs(np.fft.rfft(x[..., 0].astype(np.float64), axis=1))
    kt.check(model, {"x": x}, {"y": want}, atol=1e-4)


def test_dft_length_truncates_and_pads():
    x = kt.randn(rng, 1, 9, 2)
    c = x[..., 0].astype(np.float64) + 1j * x[..., 1]
    for length in (5, 12):
        model = dft_model(x.shape, (1, length, 2), length=length, axis=1)
        kt.check(model, {"x": x},
                 {"y": as_pairs(np.fft.fft(c, n=length, axis=1))},
                 atol=1e-4, tag=f"len{length}")


kt.main(test_real_forward_inner_axis, test_complex_inverse_axis_two,
        test_onesided, test_dft_length_truncates_and_pads)
