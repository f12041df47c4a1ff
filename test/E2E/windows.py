# RUN: %python %s
# HannWindow, HammingWindow and BlackmanWindow (opset 17) against numpy
# references written from ONNX's definitions (with pi itself; ONNX's own test
# data uses 3.1415): periodic and symmetric, several sizes from one model,
# f32 and f64 outputs. rtol 1e-4, atol 1e-5.

import numpy as np

import kiln_testing as kt

COEFFICIENTS = {"HannWindow": (0.5, 0.5, 0.0),
                "HammingWindow": (25 / 46, 21 / 46, 0.0),
                "BlackmanWindow": (0.42, 0.5, 0.08)}


def reference(op, size, periodic):
    a0, a1, a2 = COEFFICIENTS[op]
    n = np.arange(size, dtype=np.float64)
    angle = 2 * np.pi * n / (size if periodic else size - 1)
    return a0 - a1 * np.cos(angle) + a2 * np.cos(2 * angle)


def window_test(op, periodic, dtype):
    def run():
        model = kt.make_model(
            [kt.node(op, ["size"], ["y"], periodic=periodic,
                     output_datatype=1 if dtype == np.float32 else 11)],
            inputs=[kt.tensor_input("size", [], np.int64)],
            outputs=[kt.tensor_output("y", ["N"], dtype)], opset=17)
        for size in (3, 16):
            got = kt.run_kiln(model, {"size": np.array(size, np.int64)},
                              tag=f"{op}{size}")["y"]
            kt.assert_close(f"{op} size {size}", got,
                            reference(op, size, periodic), dtype=dtype)
    run.__name__ = f"{op}_{'periodic' if periodic else 'symmetric'}"
    return run


kt.main(window_test("HannWindow", 1, np.float32),
        window_test("HannWindow", 0, np.float64),
        window_test("HammingWindow", 1, np.float64),
        window_test("HammingWindow", 0, np.float32),
        window_test("BlackmanWindow", 1, np.float32),
        window_test("BlackmanWindow", 0, np.float64))
