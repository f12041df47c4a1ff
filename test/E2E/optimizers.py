# RUN: %python %s
# Each optimizer update op (kiln.sgd_update, momentum_update with and without
# Nesterov, adam_update as Adam and as AdamW, rmsprop_update,
# adagrad_update), run through `kiln run` on an .mlir file, against numpy
# transcriptions of PyTorch's update formulas (rtol 1e-5, atol 1e-6; float32).

import os
import subprocess

import numpy as np

import kiln_testing as kt

rng = kt.rng(7)
SHAPE = (3, 4)
T = "tensor<3x4xf32>"


def run_mlir(name, body, args, outputs):
    work = kt.scratch_dir(name)
    params = ", ".join(f"%{a}: {T}" for a in args if a != "t")
    if "t" in args:
        params += ", %t: tensor<f32>"
    results = ", ".join([T] * outputs)
    text = (f"func.func @main({params}) -> ({results}) {{\n{body}\n}}\n")
    path = os.path.join(work, "update.mlir")
    with open(path, "w") as f:
        f.write(text)
    values = {}
    cmd = [kt.kiln_executable(), "run", path, "--output-dir", work, "--quiet"]
    for i, a in enumerate(args):
        value = (np.array(3.0, np.float32) if a == "t" else
                 (np.abs(kt.randn(rng, *SHAPE)) if a in ("v", "s", "acc")
                  else kt.randn(rng, *SHAPE)))
        values[a] = value
        file = os.path.join(work, f"in{i}.npy")
        np.save(file, value)
        cmd += ["--input", f"input{i}={file}"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode:
        kt.fail(f"{name}: kiln run failed:\n{proc.stderr}\n{text}")
    got = [np.load(os.path.join(work, f"output{i}.npy")) for i in range(outputs)]
    return values, got


def check(name, got, want):
    for i, (g, w) in enumerate(zip(got, want)):
        kt.assert_close(f"{name}[{i}]", g, w.astype(np.float32), rtol=1e-5,
                        atol=1e-6)


def test_sgd():
    x, got = run_mlir("sgd", f"  %r = kiln.sgd_update %p, %g {{lr = 0.1 : f64, "
                      f"weight_decay = 0.01 : f64}} : {T}\n  return %r : {T}",
                      ["p", "g"], 1)
    check("sgd", got, [x["p"] - 0.1 * (x["g"] + 0.01 * x["p"])])


def test_momentum():
    for nesterov in (False, True):
        flag = "true" if nesterov else "false"
        x, got = run_mlir(f"momentum_{flag}",
                          f"  %r:2 = kiln.momentum_update %p, %g, %v {{lr = 0.1 "
                          f": f64, momentum = 0.9 : f64, nesterov = {flag}}} : "
                          f"{T}\n  return %r#0, %r#1 : {T}, {T}",
                          ["p", "g", "v"], 2)
        v = 0.9 * x["v"] + x["g"]
        step = x["g"] + 0.9 * v if nesterov else v
        check(f"momentum nesterov={flag}", got, [x["p"] - 0.1 * step, v])


def test_adam_and_adamw():
    for decoupled in (False, True):
        flag = "true" if decoupled else "false"
        x, got = run_mlir(f"adam_{flag}",
                          f"  %r:3 = kiln.adam_update %p, %g, %m, %v, %t {{lr = "
                          f"0.01 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, "
                          f"epsilon = 1.0e-8 : f64, weight_decay = 0.1 : f64, "
                          f"decoupled = {flag}}} : {T}, tensor<f32>\n"
                          f"  return %r#0, %r#1, %r#2 : {T}, {T}, {T}",
                          ["p", "g", "m", "v", "t"], 3)
        p, g, t = x["p"].astype(np.float64), x["g"], 3.0
        if not decoupled:
            g = g + 0.1 * p
        m = 0.9 * x["m"] + 0.1 * g
        v = 0.999 * x["v"] + 0.001 * g * g
        update = (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        new = p - 0.01 * update
        if decoupled:
            new = new - 0.01 * 0.1 * p
        check(f"adam decoupled={flag}", got, [new, m, v])


def test_rmsprop():
    x, got = run_mlir("rmsprop", f"  %r:2 = kiln.rmsprop_update %p, %g, %s {{lr = "
                      f"0.01 : f64, alpha = 0.99 : f64, epsilon = 1.0e-8 : f64}}"
                      f" : {T}\n  return %r#0, %r#1 : {T}, {T}",
                      ["p", "g", "s"], 2)
    s = 0.99 * x["s"] + 0.01 * x["g"] ** 2
    check("rmsprop", got, [x["p"] - 0.01 * x["g"] / (np.sqrt(s) + 1e-8), s])


def test_adagrad():
    x, got = run_mlir("adagrad", f"  %r:2 = kiln.adagrad_update %p, %g, %acc {{lr "
                      f"= 0.1 : f64, epsilon = 1.0e-10 : f64}} : {T}\n"
                      f"  return %r#0, %r#1 : {T}, {T}",
                      ["p", "g", "acc"], 2)
    acc = x["acc"] + x["g"] ** 2
    check("adagrad", got, [x["p"] - 0.1 * x["g"] / (np.sqrt(acc) + 1e-10), acc])


kt.main(test_sgd, test_momentum, test_adam_and_adamw, test_rmsprop,
        test_adagrad)
