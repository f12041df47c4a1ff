# The real models of bench/models/export.py (torchvision's resnet18,
# mobilenet_v2 and squeezenet1_1, a GPT-style transformer block, a 2-layer
# LSTM language model; seeded random weights) compiled ahead of time by
# `kiln compile` and run through the runtime by `kiln run model.so` match
# PyTorch's outputs on the same inputs: rtol 1e-3, atol 1e-4 (absolute for
# outputs near zero; fp32 summation order differs from PyTorch's).
#
# Every export has a symbolic batch dimension: the one compiled library also
# runs at batch 3 on the input repeated three times, and each of the three
# results must match PyTorch's (the samples of a batch are independent in
# these eval-mode models, so the reference is PyTorch's batch-1 output).
#
#   real_models.py KILN_SRC KILN_OBJ [NAME...]
#
# The .test files beside this script run one model each, so that lit spreads
# them over its workers. The exports are cached in the build folder
# (build/models); bench/models/export.py skips a model already exported.

import os
import subprocess
import sys

import numpy as np
import onnx

import kiln_testing as kt

SRC, OBJ = sys.argv[1], sys.argv[2]
MODELS = os.path.join(OBJ, "models")
RTOL, ATOL = 1e-3, 1e-4
NAMES = ["resnet18", "mobilenet_v2", "squeezenet1_1", "transformer_block",
         "lstm_lm"]
# The batch dimension of each model's inputs and outputs (the LSTM is
# sequence-major).
BATCH_AXIS = {"lstm_lm": 1}
BIG_BATCH = 3


def export(names):
    proc = subprocess.run(
        [sys.executable, os.path.join(SRC, "bench", "models", "export.py"),
         MODELS, *names], capture_output=True, text=True)
    if proc.returncode != 0:
        kt.fail(f"bench/models/export.py failed:\n{proc.stdout}{proc.stderr}")


def run_library(kiln, library, inputs, out):
    os.makedirs(out, exist_ok=True)
    run = [kiln, "run", library, "--output-dir", out, "--quiet"]
    for name, path in inputs.items():
        run += ["--input", f"{name}={path}"]
    proc = subprocess.run(run, capture_output=True, text=True)
    if proc.returncode != 0:
        kt.fail(f"kiln run failed:\n{proc.stderr}")


def check_model(name):
    folder = os.path.join(MODELS, name)
    model = os.path.join(folder, "model.onnx")
    work = kt.scratch_dir(name)
    library = os.path.join(work, "model.so")
    kiln = kt.kiln_executable()
    proc = subprocess.run([kiln, "compile", model, "-o", library],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        kt.fail(f"kiln compile failed:\n{proc.stderr}")
    axis = BATCH_AXIS.get(name, 0)
    inputs, big_inputs = {}, {}
    for f in sorted(os.listdir(folder)):
        if f.endswith(".npy") and not f.startswith("expected_"):
            inputs[f[:-4]] = os.path.join(folder, f)
            big = np.repeat(np.load(inputs[f[:-4]]), BIG_BATCH, axis=axis)
            big_inputs[f[:-4]] = os.path.join(work, f)
            np.save(big_inputs[f[:-4]], big)
    out, big_out = os.path.join(work, "out"), os.path.join(work, "out3")
    run_library(kiln, library, inputs, out)
    run_library(kiln, library, big_inputs, big_out)
    for i, output in enumerate(onnx.load(model, load_external_data=False)
                               .graph.output):
        want = np.load(os.path.join(folder, f"expected_{i}.npy"))
        file = kt.output_file_name(output.name)
        got = np.load(os.path.join(out, file))
        kt.assert_close(f"{name}/{output.name}", got, want, rtol=RTOL,
                        atol=ATOL)
        got = np.load(os.path.join(big_out, file))
        kt.assert_close(f"{name}/{output.name} at batch {BIG_BATCH}", got,
                        np.repeat(want, BIG_BATCH, axis=axis), rtol=RTOL,
                        atol=ATOL)


def test(name):
    def run():
        check_model(name)
    run.__name__ = name
    return run


names = sys.argv[3:] or NAMES
for n in names:
    if n not in NAMES:
        kt.fail(f"unknown model '{n}' (known: {', '.join(NAMES)})")
export(names)
kt.main(*[test(n) for n in names])
