#!/usr/bin/python3
"""Compiles ONNX models for the GPU and has NVIDIA's ptxas assemble the PTX.

    ptx_sweep.py --kiln KILN --ptxas PTXAS [--arch sm_80] [--every N]
                 [--jobs J] (--conformance NODE_DIR EXPECTED | MODEL.onnx...)

With --conformance, the models are the ONNX node tests listed in EXPECTED
(conformance/expected_passes.txt, the ones Kiln runs correctly on CPUs),
taking every Nth. Prints one line per failure and a summary; exits 1 if any
model fails to compile or its PTX is refused.
"""

import argparse
import concurrent.futures
import os
import subprocess
import sys
import tempfile


def check(kiln, ptxas, arch, model, workdir):
    name = os.path.basename(os.path.dirname(model)) or model
    ptx = os.path.join(workdir, name.replace("/", "_") + ".ptx")
    target = "cuda:" + arch
    run = subprocess.run([kiln, "compile", model, "--target", target,
                          "--emit", "ptx", "-o", ptx],
                         capture_output=True, text=True)
    if run.returncode != 0:
        return name, "kiln: " + run.stderr.strip().splitlines()[-1]
    if os.path.getsize(ptx) == 0:
        return name, "empty"  # no loop, so no kernel: nothing to assemble
    run = subprocess.run([ptxas, "-arch=" + arch, ptx, "-o", os.devnull],
                         capture_output=True, text=True)
    if run.returncode != 0:
        return name, "ptxas: " + " | ".join(run.stderr.strip().splitlines()[:3])
    return name, None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kiln", required=True)
    parser.add_argument("--ptxas", required=True)
    parser.add_argument("--arch", default="sm_80")
    parser.add_argument("--every", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--conformance", nargs=2,
                        metavar=("NODE_DIR", "EXPECTED"))
    parser.add_argument("--skip", default="",
                        help="comma-separated model names to leave out")
    parser.add_argument("models", nargs="*")
    args = parser.parse_args()

    models = list(args.models)
    if args.conformance:
        node_dir, expected = args.conformance
        with open(expected) as f:
            names = [line.strip() for line in f
                     if line.strip() and not line.startswith("#")]
        skip = set(filter(None, args.skip.split(",")))
        models += [os.path.join(node_dir, n, "model.onnx")
                   for n in names[::args.every] if n not in skip]
    if not models:
        sys.exit("ptx_sweep.py: no models")

    failures, empty = [], []
    with tempfile.TemporaryDirectory() as workdir, \
            concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(check, args.kiln, args.ptxas, args.arch, m,
                               workdir) for m in models]
        for future in futures:
            name, error = future.result()
            if error == "empty":
                empty.append(name)
            elif error:
                failures.append(name)
                print(f"FAIL {name}: {error}")
    print(f"{len(models)} models for {args.arch}: "
          f"{len(models) - len(failures) - len(empty)} accepted by ptxas, "
          f"{len(empty)} without kernels, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
