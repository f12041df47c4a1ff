#!/usr/bin/python3
"""Times PyTorch eager on one of bench/models/export.py's models.

    torch_bench.py NAME THREADS RUNS WARMUP OUT_DIR NAME=FILE.npy...

Rebuilds the model exactly as export.py does (same seeds, so the same
weights), loads the inputs from .npy files, runs WARMUP untimed and RUNS
timed forward passes under torch.no_grad() with THREADS intra-op threads,
writes the outputs as OUT_DIR/output_I.npy and prints `median_ms=X min_ms=X`.
"""

import os
import statistics
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "models"))
import export  # noqa: E402


def main():
    name, threads, runs, warmup, out_dir, *specs = sys.argv[1:]
    torch.set_num_threads(int(threads))
    torch.manual_seed(export.SEED)
    gen = torch.Generator().manual_seed(export.SEED + 1)
    model, inputs, _, _ = export.MODELS[name](gen)
    model.eval()
    loaded = dict(s.split("=", 1) for s in specs)
    args = [torch.from_numpy(np.load(loaded[k])) for k in inputs]
    with torch.no_grad():
        for _ in range(max(1, int(warmup))):
            out = model(*args)
        times = []
        for _ in range(int(runs)):
            start = time.perf_counter()
            out = model(*args)
            times.append((time.perf_counter() - start) * 1e3)
    if not isinstance(out, (tuple, list)):
        out = [out]
    for i, value in enumerate(out):
        np.save(os.path.join(out_dir, f"output_{i}.npy"), value.numpy())
    print(f"median_ms={statistics.median(times):.4f} min_ms={min(times):.4f}")


if __name__ == "__main__":
    main()
