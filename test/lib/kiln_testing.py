"""Shared helpers of Kiln's end-to-end tests.

An end-to-end test builds a small ONNX model with onnx.helper and seeded
numpy weights, runs it through `kiln run` (the real CLI, in a subprocess)
on inputs saved as .npy, and compares every output with a reference the
test computes in numpy, independently of Kiln. Any mismatch or failure
ends the test with a message that says what differed and by how much.

    import numpy as np
    import kiln_testing as kt

    rng = kt.rng(0)
    w = kt.randn(rng, 4, 3)
    model = kt.make_model(
        [kt.node("MatMul", ["x", "w"], ["y"])],
        inputs=[kt.tensor_input("x", ["N", 4])],
        outputs=[kt.tensor_output("y", ["N", 3])],
        initializers={"w": w})
    x = kt.randn(rng, 5, 4)
    kt.check(model, {"x": x}, {"y": x.astype(np.float64) @ w})

References are best computed in float64; `check` compares them with the
float32 results under numpy.allclose semantics,
|got - want| <= atol + rtol * |want|, with RTOL and ATOL below unless a test
states its own. `main` runs a file's test functions and exits non-zero if
any failed, which is what lit looks at.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback

import numpy as np
import onnx
from onnx import helper, numpy_helper

# The tolerance the end-to-end tests promise: 1e-4 relative, with an absolute
# floor for values near zero (float32 sums of O(1) terms).
RTOL = 1e-4
ATOL = 1e-5

DEFAULT_OPSET = 13


class TestFailure(Exception):
    """A check that did not hold; `main` reports it and exits non-zero."""


def fail(message):
    raise TestFailure(message)


def rng(seed):
    """A seeded generator: every test draws its weights and inputs from one."""
    return np.random.default_rng(seed)


def randn(generator, *shape, scale=1.0, dtype=np.float32):
    return (generator.standard_normal(shape) * scale).astype(dtype)


def uniform(generator, *shape, low=-1.0, high=1.0, dtype=np.float32):
    return generator.uniform(low, high, shape).astype(dtype)


def glorot(generator, fan_in, *shape):
    """Weights scaled like a trained layer's, so activations stay O(1)."""
    return randn(generator, *shape, scale=1.0 / np.sqrt(fan_in))


# ---------------------------------------------------------------------------
# Building models
# ---------------------------------------------------------------------------

def node(op_type, inputs, outputs, name=None, **attrs):
    return helper.make_node(op_type, inputs, outputs,
                            name=name or outputs[0], **attrs)


def tensor_input(name, shape, dtype=np.float32):
    """A graph input; strings in `shape` are symbolic (dynamic) dims."""
    return helper.make_tensor_value_info(
        name, onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[np.dtype(dtype)], shape)


tensor_output = tensor_input


def make_model(nodes, inputs, outputs, initializers=None,
               opset=DEFAULT_OPSET, name="test"):
    """A checked ModelProto; `initializers` maps names to numpy arrays."""
    inits = [numpy_helper.from_array(np.asarray(v), k)
             for k, v in (initializers or {}).items()]
    graph = helper.make_graph(nodes, name, inputs, outputs, inits)
    model = helper.make_model(
        graph, producer_name="kiln_testing",
        opset_imports=[helper.make_opsetid("", opset)])
    # Stay at an IR version the Debian libonnx (1.12) accepts for `opset`.
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


# ---------------------------------------------------------------------------
# Running kiln
# ---------------------------------------------------------------------------

_scratch_count = 0


def scratch_dir(tag=None):
    """A fresh, empty directory under $KILN_TEST_TMP (lit sets it) named
    after the test script, `tag` and a counter: the same on every run, so
    reruns replace old files instead of piling up."""
    global _scratch_count
    _scratch_count += 1
    base = os.environ.get("KILN_TEST_TMP") or tempfile.gettempdir()
    script = os.path.splitext(os.path.basename(sys.argv[0] or "test"))[0]
    name = f"{script}-{_scratch_count}" + (f"-{tag}" if tag else "")
    path = os.path.join(base, re.sub(r"[^A-Za-z0-9_.-]", "_", name))
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def output_file_name(name):
    """The file `kiln run --output-dir` writes for output `name` (unless an
    earlier output maps to the same name; kiln then adds `_2`, `_3`...)."""
    file = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    if not file or file.startswith("."):
        file = "output" + file
    return file + ".npy"


def kiln_executable():
    exe = shutil.which("kiln")
    if not exe:
        fail("cannot find the 'kiln' tool on PATH (lit puts build/bin there)")
    return exe


def _run_command(model, inputs, workdir, extra_args):
    """Saves `model` (unless it is a path) and `inputs` in `workdir`; returns
    the `kiln run` command, its (empty) output folder and the model's output
    names."""
    if isinstance(model, onnx.ModelProto):
        model_path = os.path.join(workdir, "model.onnx")
        onnx.save(model, model_path)
    else:
        model_path, model = model, onnx.load(model)
    out_dir = os.path.join(workdir, "out")
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    cmd = [kiln_executable(), "run", model_path, "--output-dir", out_dir,
           "--quiet"]
    for name, value in inputs.items():
        path = os.path.join(workdir, output_file_name("input_" + name))
        np.save(path, np.asarray(value, order="C"))
        cmd += ["--input", f"{name}={path}"]
    cmd += list(extra_args)
    return cmd, out_dir, [o.name for o in model.graph.output]


def _run(cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, check=False)


def run_kiln(model, inputs, extra_args=(), tag=None):
    """Runs `kiln run` on `model` (a ModelProto or a path) with `inputs`
    (name -> numpy array, saved as .npy) and returns name -> numpy array of
    the outputs it wrote."""
    cmd, out_dir, output_names = _run_command(model, inputs, scratch_dir(tag),
                                              extra_args)
    proc = _run(cmd)
    if proc.returncode != 0:
        fail(f"kiln run failed with exit status {proc.returncode}\n"
             f"  command: {' '.join(cmd)}\n"
             f"  stderr:\n{_indent(proc.stderr)}")
    results = {}
    for name in output_names:
        path = os.path.join(out_dir, output_file_name(name))
        if not os.path.exists(path):
            fail(f"kiln run wrote no file for output '{name}' ({path})")
        results[name] = np.load(path)
    return results


def expect_kiln_error(model, inputs, message, extra_args=(), tag=None):
    """Runs `kiln run` on inputs it must reject: it must exit with status 1
    (not crash), print exactly one `kiln: error:` line containing `message`,
    and write no output file. Returns that line."""
    cmd, out_dir, _ = _run_command(model, inputs, scratch_dir(tag),
                                   extra_args)
    proc = _run(cmd)
    errors = [line for line in proc.stderr.splitlines()
              if line.startswith("kiln: error:")]
    if proc.returncode != 1:
        fail(f"kiln run should fail with exit status 1, got "
             f"{proc.returncode}\n  command: {' '.join(cmd)}\n"
             f"  stderr:\n{_indent(proc.stderr)}")
    if len(errors) != 1 or message not in errors[0]:
        fail(f"kiln run should print one 'kiln: error:' line containing "
             f"{message!r}\n  stderr:\n{_indent(proc.stderr)}")
    if os.listdir(out_dir):
        fail(f"kiln run failed but left files in --output-dir: "
             f"{sorted(os.listdir(out_dir))}")
    return errors[0]


def train_kiln(model, data, args, validation=None, tag=None, expect_error=None,
               compressed=False):
    """Runs `kiln train` on `model` (a ModelProto) with `data` (name -> numpy
    array, saved as an .npz) and `args` (a list of flags); returns (stdout,
    the trained ModelProto). With `expect_error`, the run must fail with
    exit status 1, print one `kiln: error:` line containing it and write no
    model; that line is returned instead. `compressed` saves the data with
    numpy.savez_compressed."""
    work = scratch_dir(tag)
    model_path = os.path.join(work, "model.onnx")
    onnx.save(model, model_path)
    data_path = os.path.join(work, "train.npz")
    (np.savez_compressed if compressed else np.savez)(data_path, **data)
    saved = os.path.join(work, "trained.onnx")
    cmd = [kiln_executable(), "train", model_path, "--data", data_path,
           "--save", saved] + list(args)
    if validation is not None:
        valid_path = os.path.join(work, "valid.npz")
        np.savez(valid_path, **validation)
        cmd += ["--validation", valid_path]
    proc = _run(cmd)
    if expect_error is not None:
        errors = [line for line in proc.stderr.splitlines()
                  if line.startswith("kiln: error:")]
        if proc.returncode != 1 or len(errors) != 1 or \
                expect_error not in errors[0]:
            fail(f"kiln train should fail with one error containing "
                 f"'{expect_error}' (exit status 1), got status "
                 f"{proc.returncode}\n  stderr:\n{_indent(proc.stderr)}")
        leftovers = [f for f in os.listdir(work) if f.startswith("trained")]
        if leftovers:
            fail(f"a failed kiln train left files behind: {leftovers}")
        return errors[0]
    if proc.returncode != 0:
        fail(f"kiln train failed with exit status {proc.returncode}\n"
             f"  command: {' '.join(cmd)}\n"
             f"  stderr:\n{_indent(proc.stderr)}")
    trained = onnx.load(saved)
    onnx.checker.check_model(trained)
    return proc.stdout, trained


def initializers(model):
    """name -> numpy array of a ModelProto's initializers."""
    return {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}


def _indent(text):
    return "\n".join("    " + line for line in text.rstrip().splitlines())


# ---------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------

def assert_close(name, got, want, rtol=RTOL, atol=ATOL, dtype=np.float32):
    """`got` (from kiln) must have `want`'s shape, the element type `dtype`,
    and |got - want| <= atol + rtol * |want| wherever `want` is finite; where
    it is NaN or infinite, `got` must be the same."""
    want = np.asarray(want)
    got = np.asarray(got)
    if got.dtype != np.dtype(dtype):
        fail(f"output '{name}': dtype {got.dtype}, expected "
             f"{np.dtype(dtype)}")
    if got.shape != want.shape:
        fail(f"output '{name}': shape {got.shape}, expected {want.shape}")
    if got.size == 0:
        return
    g = got.astype(np.float64)
    w = want.astype(np.float64)
    finite = np.isfinite(w)
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(g - w)
    allowed = atol + rtol * np.abs(np.where(finite, w, 0.0))
    # `err <= allowed` is False for a NaN result, as it must be.
    ok = np.where(finite, err <= allowed,
                  np.where(np.isnan(w), np.isnan(g), g == w))
    if ok.all():
        return
    score = np.where(ok, -np.inf,
                     np.nan_to_num(err - allowed, nan=np.inf, posinf=np.inf))
    worst = np.unravel_index(np.argmax(score), score.shape)
    fail(f"output '{name}': {int(np.count_nonzero(~ok))} of {got.size} "
         f"values differ beyond rtol={rtol}, atol={atol}\n"
         f"  worst at index {tuple(int(i) for i in worst)}: got "
         f"{g[worst]!r}, expected {w[worst]!r} "
         f"(abs error {err[worst]:.3g}, allowed {allowed[worst]:.3g})")


def check(model, inputs, expected, rtol=RTOL, atol=ATOL, extra_args=(),
          tag=None, dtype=np.float32):
    """Runs `model` on `inputs` through kiln and compares each output named
    in `expected` (name -> reference array, float64 preferred); the outputs
    must have element type `dtype`."""
    got = run_kiln(model, inputs, extra_args=extra_args, tag=tag)
    for name, want in expected.items():
        if name not in got:
            fail(f"the model has no output '{name}'")
        assert_close(name, got[name], want, rtol=rtol, atol=atol, dtype=dtype)
    return got


def main(*tests):
    """Runs each test function; prints `PASS name` or `FAIL name: why` for
    each and exits with status 1 if any failed. A TestFailure gives its
    message; any other exception its traceback."""
    failed = 0
    for test in tests:
        try:
            test()
            print(f"PASS {test.__name__}")
        except TestFailure as e:
            failed += 1
            print(f"FAIL {test.__name__}: {e}", file=sys.stderr)
        except Exception:  # pylint: disable=broad-except
            failed += 1
            print(f"FAIL {test.__name__}: unexpected exception",
                  file=sys.stderr)
            traceback.print_exc()
        sys.stdout.flush()
        sys.stderr.flush()
    if failed:
        print(f"{failed} of {len(tests)} checks failed", file=sys.stderr)
        sys.exit(1)


# ---------------------------------------------------------------------------
# numpy references of the NN ops, written from their definitions
# ---------------------------------------------------------------------------

def softmax(x, axis=-1):
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def relu(x):
    return np.maximum(np.asarray(x, dtype=np.float64), 0.0)


def conv2d(x, w, b=None, strides=(1, 1), pads=(0, 0, 0, 0),
           dilations=(1, 1), group=1):
    """ONNX Conv (cross-correlation), NCHW x, F x C/group x KH x KW w;
    pads = [top, left, bottom, right]. Direct loops over output pixels."""
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    if c != cg * group or f % group:
        raise ValueError("bad conv channel counts")
    sh, sw = strides
    dh, dw = dilations
    top, left, bottom, right = pads
    xp = np.zeros((n, c, h + top + bottom, wd + left + right))
    xp[:, :, top:top + h, left:left + wd] = x
    oh = (h + top + bottom - dh * (kh - 1) - 1) // sh + 1
    ow = (wd + left + right - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, f, oh, ow))
    fg = f // group
    for g in range(group):
        xs = xp[:, g * cg:(g + 1) * cg]
        ws = w[g * fg:(g + 1) * fg]
        for i in range(oh):
            for j in range(ow):
                patch = xs[:, :, i * sh:i * sh + dh * (kh - 1) + 1:dh,
                           j * sw:j * sw + dw * (kw - 1) + 1:dw]
                # patch: n x cg x kh x kw; ws: fg x cg x kh x kw
                out[:, g * fg:(g + 1) * fg, i, j] = np.einsum(
                    "nckl,fckl->nf", patch, ws)
    if b is not None:
        out += np.asarray(b, dtype=np.float64)[None, :, None, None]
    return out


def pool2d(x, kernel, strides=None, pads=(0, 0, 0, 0), mode="max",
           count_include_pad=False, ceil_mode=False, dilations=(1, 1)):
    """ONNX MaxPool / AveragePool over NCHW; pads = [top, left, bottom,
    right]. Padding never wins a max; an average divides by the number of
    input elements in the window, or also counts explicit padding with
    `count_include_pad` (never the ceil_mode overhang). Dilations are for
    max pooling only (AveragePool has none before opset 19)."""
    x = np.asarray(x, dtype=np.float64)
    n, c, h, w = x.shape
    kh, kw = kernel
    sh, sw = strides or (1, 1)
    dh, dw = dilations
    top, left, bottom, right = pads
    if mode != "max" and (dh, dw) != (1, 1):
        raise ValueError("average pooling has no dilations")

    def out_size(size, k, s, d, lo, hi):
        span = size + lo + hi - d * (k - 1) - 1
        return (-(-span // s) if ceil_mode else span // s) + 1

    oh = out_size(h, kh, sh, dh, top, bottom)
    ow = out_size(w, kw, sw, dw, left, right)
    out = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            # The window's rows and columns in input coordinates; those
            # outside the input are padding (or ceil_mode overhang).
            r0, c0 = i * sh - top, j * sw - left
            rows = [r for r in range(r0, r0 + dh * (kh - 1) + 1, dh)
                    if 0 <= r < h]
            cols = [q for q in range(c0, c0 + dw * (kw - 1) + 1, dw)
                    if 0 <= q < w]
            window = x[:, :, rows][:, :, :, cols]
            if mode == "max":
                out[:, :, i, j] = window.max(axis=(2, 3))
            else:
                r1, c1 = r0 + kh, c0 + kw
                vr0, vr1 = max(r0, 0), min(r1, h)
                vc0, vc1 = max(c0, 0), min(c1, w)
                if count_include_pad:
                    pr0, pr1 = max(r0, -top), min(r1, h + bottom)
                    pc0, pc1 = max(c0, -left), min(c1, w + right)
                    count = (pr1 - pr0) * (pc1 - pc0)
                else:
                    count = (vr1 - vr0) * (vc1 - vc0)
                out[:, :, i, j] = window.sum(axis=(2, 3)) / count
    return out
