# RUN: %python %s
# Dynamic shapes, compiled once: each model is compiled by `kiln compile` to
# one shared library, which `kiln run model.so` then runs on inputs of
# several sizes. Covered: a symbolic batch dimension (an MLP and a CNN), and
# shapes only the data decides: NonZero (its output length is the number of
# nonzero elements), the values NonZero selects (GatherND), Shape -> Reshape
# on a tensor of dynamic size, and Reshape to a target shape given at run
# time. References are numpy; rtol 1e-4, atol 1e-5 for floats, integers
# exactly.

import os
import subprocess

import numpy as np
import onnx

import kiln_testing as kt

rng = kt.rng(11)


def compile_once(model, tag):
    """Compiles `model` to a shared library; returns a function that runs
    it on a dict of inputs and returns the outputs by name."""
    work = kt.scratch_dir(tag)
    onnx_path = os.path.join(work, "model.onnx")
    library = os.path.join(work, "model.so")
    onnx.save(model, onnx_path)
    kiln = kt.kiln_executable()
    proc = subprocess.run([kiln, "compile", onnx_path, "-o", library],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        kt.fail(f"kiln compile failed:\n{proc.stderr}")
    names = [o.name for o in model.graph.output]
    runs = [0]

    def run(inputs):
        runs[0] += 1
        folder = os.path.join(work, f"run{runs[0]}")
        out = os.path.join(folder, "out")
        os.makedirs(out)
        cmd = [kiln, "run", library, "--output-dir", out, "--quiet"]
        for name, value in inputs.items():
            path = os.path.join(folder, f"{name}.npy")
            np.save(path, np.asarray(value, order="C"))
            cmd += ["--input", f"{name}={path}"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            kt.fail(f"kiln run {library} failed:\n{proc.stderr}")
        return {n: np.load(os.path.join(out, kt.output_file_name(n)))
                for n in names}

    return run


def test_mlp_batch_sizes():
    w1 = kt.glorot(rng, 8, 8, 16)
    b1 = kt.randn(rng, 16, scale=0.1)
    w2 = kt.glorot(rng, 16, 16, 3)
    model = kt.make_model(
        [kt.node("Gemm", ["x", "w1", "b1"], ["h"]),
         kt.node("Relu", ["h"], ["r"]),
         kt.node("MatMul", ["r", "w2"], ["logits"]),
         kt.node("Softmax", ["logits"], ["y"], axis=1)],
        inputs=[kt.tensor_input("x", ["N", 8])],
        outputs=[kt.tensor_output("y", ["N", 3])],
        initializers={"w1": w1, "b1": b1, "w2": w2})
    run = compile_once(model, "mlp")
    for batch in (1, 4, 9):
        x = kt.randn(rng, batch, 8)
        logits = kt.relu(x.astype(np.float64) @ w1 + b1) @ w2
        kt.assert_close(f"y (batch {batch})", run({"x": x})["y"],
                        kt.softmax(logits, axis=1))


def test_cnn_batch_sizes():
    k = kt.glorot(rng, 9, 2, 1, 3, 3)
    model = kt.make_model(
        [kt.node("Conv", ["x", "k"], ["c"], pads=[1, 1, 1, 1]),
         kt.node("Relu", ["c"], ["r"]),
         kt.node("GlobalAveragePool", ["r"], ["y"])],
        inputs=[kt.tensor_input("x", ["batch", 1, 5, 5])],
        outputs=[kt.tensor_output("y", ["batch", 2, 1, 1])],
        initializers={"k": k})
    run = compile_once(model, "cnn")
    for batch in (1, 2, 6):
        x = kt.randn(rng, batch, 1, 5, 5)
        want = kt.relu(kt.conv2d(x, k, pads=(1, 1, 1, 1))).mean(
            axis=(2, 3), keepdims=True)
        kt.assert_close(f"y (batch {batch})", run({"x": x})["y"], want)


def test_nonzero_counts():
    # The output's second dimension is the number of nonzero elements:
    # 0, some, and all of them, from the same library.
    model = kt.make_model(
        [kt.node("NonZero", ["x"], ["idx"])],
        inputs=[kt.tensor_input("x", [3, 4])],
        outputs=[kt.tensor_output("idx", [2, "nnz"], np.int64)])
    run = compile_once(model, "nonzero")
    cases = [np.zeros((3, 4), np.float32),
             np.where(rng.random((3, 4)) < 0.5, 0, 1).astype(np.float32),
             np.ones((3, 4), np.float32)]
    for i, x in enumerate(cases):
        kt.assert_close(f"idx (case {i})", run({"x": x})["idx"],
                        np.array(np.nonzero(x), dtype=np.int64),
                        rtol=0, atol=0, dtype=np.int64)


def test_nonzero_values_of_dynamic_input():
    # The values NonZero selects, of an input whose size is dynamic too:
    # GatherND(x, transpose(NonZero(x))) is x[x != 0] in row-major order.
    model = kt.make_model(
        [kt.node("NonZero", ["x"], ["idx"]),
         kt.node("Transpose", ["idx"], ["pos"], perm=[1, 0]),
         kt.node("GatherND", ["x", "pos"], ["y"])],
        inputs=[kt.tensor_input("x", ["n", 5])],
        outputs=[kt.tensor_output("y", ["k"])])
    run = compile_once(model, "gathernd")
    for rows in (1, 3, 7):
        x = kt.randn(rng, rows, 5)
        x[rng.random((rows, 5)) < 0.4] = 0
        kt.assert_close(f"y ({rows} rows)", run({"x": x})["y"], x[x != 0])


def test_shape_to_reshape():
    # Flatten written as exporters do: Shape -> Slice -> Concat -> Reshape,
    # on an input whose every dimension is dynamic.
    model = kt.make_model(
        [kt.node("Shape", ["x"], ["s"]),
         kt.node("Slice", ["s", "zero", "one"], ["n"]),
         kt.node("Concat", ["n", "minus_one"], ["target"], axis=0),
         kt.node("Reshape", ["x", "target"], ["y"])],
        inputs=[kt.tensor_input("x", ["a", "b", "c"])],
        outputs=[kt.tensor_output("y", ["a", "rest"])],
        initializers={"zero": np.array([0], np.int64),
                      "one": np.array([1], np.int64),
                      "minus_one": np.array([-1], np.int64)})
    run = compile_once(model, "shape_reshape")
    for shape in ((2, 3, 4), (5, 1, 2), (1, 6, 1)):
        x = kt.randn(rng, *shape)
        kt.assert_close(f"y {shape}", run({"x": x})["y"],
                        x.reshape(shape[0], -1))


def test_reshape_to_runtime_shape():
    # The target shape is an input: the output's shape is known only when
    # the data arrives (with -1 and 0 resolved at run time).
    model = kt.make_model(
        [kt.node("Reshape", ["x", "shape"], ["y"]),
         kt.node("Relu", ["y"], ["z"])],
        inputs=[kt.tensor_input("x", [4, 6]),
                kt.tensor_input("shape", [3], np.int64)],
        outputs=[kt.tensor_output("z", ["p", "q", "r"])])
    run = compile_once(model, "runtime_reshape")
    for target, want_shape in (([2, 3, 4], (2, 3, 4)),
                               ([0, -1, 2], (4, 3, 2)),
                               ([-1, 1, 1], (24, 1, 1))):
        x = kt.randn(rng, 4, 6)
        got = run({"x": x, "shape": np.array(target, np.int64)})["z"]
        kt.assert_close(f"z for target {target}", got,
                        kt.relu(x).reshape(want_shape))


kt.main(test_mlp_batch_sizes, test_cnn_batch_sizes, test_nonzero_counts,
        test_nonzero_values_of_dynamic_input, test_shape_to_reshape,
        test_reshape_to_runtime_shape)
