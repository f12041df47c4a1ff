#!/usr/bin/python3
"""Runs the side-by-side benchmark and writes bench/results.md and the chart.

Called by bench/run.sh (which installs the peers and exports the models
first); run it directly to time a subset while developing:

    bench/scripts/driver.py --workloads sgemm,mlp --passes 1 --threads 1

For every workload and thread count, each pass runs Kiln (JIT: `kiln bench
model.onnx`; AOT: `kiln bench model.so` on a library from `kiln compile`),
ONNX Runtime (onnxruntime-node) and PyTorch eager one after another, each the
median of --runs timed calls after --warmup untimed ones. Passes repeat the
whole round; ratios are taken within a pass and the median over passes is
reported, since the machine's speed drifts between passes. Every system's
outputs are checked against PyTorch's reference (expected_*.npy from
bench/models/export.py).
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
ROOT = os.path.dirname(BENCH)

# name: (model folder, inputs, GFLOP per inference, what it is). FLOPs count
# a multiply-add as two and cover the matmuls and convolutions only.
WORKLOADS = {
    "sgemm": ("sgemm", ["a", "b"], 2 * 1024**3 / 1e9, "C = A B, 1024^3"),
    "mlp": ("mlp", ["x"], 2 * 64 * (784 * 512 + 512 * 512 + 512 * 10) / 1e9,
            "MLP 784-512-512-10, batch 64"),
    "cnn": ("cnn", ["x"],
            2 * 32 * (32 * 32 * 32 * 27 + 8192 * 128 + 128 * 10) / 1e9,
            "conv3x3(3-32)+pool+fc128+fc10, batch 32"),
    "resnet18": ("resnet18", ["input"], 3.64, "resnet18, batch 1"),
    "resnet18_b8": ("resnet18_b8", ["input"], 8 * 3.64, "resnet18, batch 8"),
    "mobilenet_v2": ("mobilenet_v2", ["input"], 0.60, "mobilenet_v2, batch 1"),
    "transformer_block": ("transformer_block", ["x"], 0.84,
                          "transformer block d512 h8 seq128"),
    "lstm_lm": ("lstm_lm", ["tokens"], 0.091,
                "2-layer LSTM LM, hidden 256, seq 35"),
}
SYSTEMS = ["kiln-jit", "kiln-aot", "ort", "torch"]
LABELS = {"kiln-jit": "Kiln JIT", "kiln-aot": "Kiln AOT",
          "ort": "ONNX Runtime", "torch": "PyTorch"}
TOLERANCE = 1e-3  # max |out - ref| / max |ref|


def log(text):
    print(text, file=sys.stderr, flush=True)


def parse_median(text):
    m = re.search(r"median_ms=([0-9.]+)", text)
    return float(m.group(1)) if m else None


def peer_env(threads):
    env = dict(os.environ)
    # OPENBLAS_CORETYPE=Haswell would hold OpenBLAS (under PyTorch) to AVX2.
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("KILN_NUM_THREADS", None)
    env["OMP_NUM_THREADS"] = str(threads)
    return env


def run_system(system, name, args, threads, out_dir, so_path):
    folder = os.path.join(args.models, WORKLOADS[name][0])
    inputs = [f"{i}={os.path.join(folder, i + '.npy')}"
              for i in WORKLOADS[name][1]]
    os.makedirs(out_dir, exist_ok=True)
    common = [str(threads), str(args.runs), str(args.warmup), out_dir]
    if system.startswith("kiln"):
        model = (so_path if system == "kiln-aot"
                 else os.path.join(folder, "model.onnx"))
        cmd = [args.kiln, "bench", model, "--threads", str(threads),
               "--runs", str(args.runs), "--warmup", str(args.warmup),
               "--output-dir", out_dir]
        for i in inputs:
            cmd += ["--input", i]
    elif system == "ort":
        cmd = ["node", os.path.join(HERE, "ort_bench.mjs"),
               os.path.join(folder, "model.onnx")] + common + inputs
    else:
        cmd = ["/usr/bin/python3", os.path.join(HERE, "torch_bench.py"),
               name] + common + inputs
    proc = subprocess.run(cmd, capture_output=True, text=True,
                          env=peer_env(threads), timeout=args.timeout)
    median = parse_median(proc.stdout)
    if proc.returncode != 0 or median is None:
        err = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        log(f"  {system} failed: {err}")
        return None, err
    return median, None


def check_outputs(out_dir, folder):
    """Largest relative error of the outputs in out_dir against PyTorch's."""
    refs = sorted(f for f in os.listdir(folder) if f.startswith("expected_"))
    outs = sorted(f for f in os.listdir(out_dir) if f.endswith(".npy"))
    if len(outs) != len(refs):
        return None
    worst = 0.0
    for ref_file, out_file in zip(refs, outs):
        ref = np.load(os.path.join(folder, ref_file)).astype(np.float64)
        out = np.load(os.path.join(out_dir, out_file)).astype(np.float64)
        if ref.shape != out.shape:
            return None
        scale = max(np.abs(ref).max(), 1e-30)
        worst = max(worst, float(np.abs(out - ref).max() / scale))
    return worst


def cpu_facts():
    info = open("/proc/cpuinfo").read()
    model = re.search(r"model name\s*:\s*(.*)", info).group(1).strip()
    flags = re.search(r"flags\s*:\s*(.*)", info).group(1).split()
    if "avx512f" in flags:
        isa, lanes, cflags = "AVX-512", 16, ["-mavx512f"]
    elif "avx2" in flags and "fma" in flags:
        isa, lanes, cflags = "AVX2+FMA", 8, ["-mavx2", "-mfma"]
    else:
        isa, lanes, cflags = "SSE", 4, []
    facts = {"model": model, "isa": isa, "lanes": lanes,
             "cores": os.cpu_count(), "ghz": None, "fma_gflops": None}
    exe = os.path.join(tempfile.mkdtemp(), "peak")
    cc = shutil.which("clang-22") or shutil.which("cc")
    if cc and lanes >= 8:
        subprocess.run([cc, "-O2", *cflags, os.path.join(HERE, "peak.c"),
                        "-o", exe], check=True)
        out = subprocess.run([exe], capture_output=True, text=True).stdout
        facts["ghz"] = float(re.search(r"ghz=([0-9.]+)", out).group(1))
        facts["fma_gflops"] = float(
            re.search(r"fma_gflops=([0-9.]+)", out).group(1))
        # A busy machine slows the add chain more than the FMA loop: the
        # clock is at least what the FMA rate implies.
        if facts["fma_gflops"]:
            facts["ghz"] = max(facts["ghz"],
                               facts["fma_gflops"] / (2 * lanes * 2))
    if facts["ghz"] is None:
        mhz = re.search(r"cpu MHz\s*:\s*([0-9.]+)", info)
        facts["ghz"] = float(mhz.group(1)) / 1e3 if mhz else 2.0
    # Two FMA units (every AVX2/AVX-512 core since Haswell/Zen 2 issues two
    # vector FMAs per cycle), each lane a multiply and an add.
    facts["peak_gflops"] = 2 * lanes * 2 * facts["ghz"]
    return facts


def fmt(x, digits=2):
    if x is None:
        return "—"
    if x >= 100:
        return f"{x:.0f}"
    return f"{x:.{digits}f}"


def write_results(path, results, facts, args, compile_s):
    lines = [
        "# Kiln against ONNX Runtime and PyTorch",
        "",
        f"Generated by `bench/run.sh` on {datetime.date.today().isoformat()}, "
        f"{facts['model']} ({facts['cores']} cores visible, {facts['isa']}).",
        f"fp32 peak per core: 2 FMA units x {facts['lanes']} lanes x 2 flops x "
        f"{facts['ghz']:.2f} GHz (best of a chain of dependent adds and an FMA "
        "loop, 7 tries) = "
        f"**{facts['peak_gflops']:.0f} GFLOP/s**; a loop of independent FMAs "
        f"reached {fmt(facts['fma_gflops'], 1)} GFLOP/s.",
        "",
        f"Milliseconds per inference: median of {args.runs} runs after "
        f"{args.warmup} warm-up runs, in each of {args.passes} interleaved "
        "passes; the table gives the median over passes, and ratios "
        "(peer time / Kiln JIT time, above 1 means Kiln is faster) are "
        "the median of the ratios within each pass.",
        f"Peers: onnxruntime-node {args.ort_version} "
        "(graph optimizations all, inter-op threads 1), PyTorch "
        f"{args.torch_version} eager under no_grad (Debian's, OpenBLAS "
        "openmp), both with OPENBLAS_CORETYPE unset.",
        "",
        "| workload | threads | GFLOP | Kiln JIT | Kiln AOT | ONNX Runtime "
        "| PyTorch | ORT / Kiln | PyTorch / Kiln | Kiln GFLOP/s | % of peak |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, per_threads in results.items():
        gflop = WORKLOADS[name][2]
        for threads, r in per_threads.items():
            med = {s: (statistics.median([x for x in v if x])
                       if any(v) else None)
                   for s, v in r["times"].items()}
            ratios = {}
            for peer in ("ort", "torch"):
                rs = [p / k for p, k in zip(r["times"][peer],
                                             r["times"]["kiln-jit"])
                      if p and k]
                ratios[peer] = statistics.median(rs) if rs else None
            kiln = med.get("kiln-jit")
            rate = gflop / kiln * 1e3 if kiln else None
            pct = (100 * rate / (facts["peak_gflops"] * int(threads))
                   if rate else None)
            lines.append(
                f"| {name} | {threads} | {gflop:.3g} | {fmt(med['kiln-jit'])} "
                f"| {fmt(med['kiln-aot'])} | {fmt(med['ort'])} "
                f"| {fmt(med['torch'])} "
                f"| {fmt(ratios['ort'])}x | {fmt(ratios['torch'])}x "
                f"| {fmt(rate, 1)} | {fmt(pct, 0)}% |")
    lines += ["", "Checks (largest |output - PyTorch reference| / max "
              f"|reference|; pass below {TOLERANCE:g}) and Kiln's compile "
              "time (`kiln compile -o model.so`, seconds):", "",
              "| workload | Kiln | ONNX Runtime | PyTorch | Kiln compile s |",
              "| --- | --- | --- | --- | --- |"]
    for name, per_threads in results.items():
        first = next(iter(per_threads.values()))
        cells = []
        for s in ("kiln-jit", "ort", "torch"):
            e = first["errors"].get(s)
            cells.append("—" if e is None else
                         f"{e:.1e} {'ok' if e < TOLERANCE else 'FAIL'}")
        lines.append(f"| {name} | {' | '.join(cells)} "
                     f"| {fmt(compile_s.get(name), 1)} |")
    failures = [f"{n}/{t}/{s}: {msg}" for n, pt in results.items()
                for t, r in pt.items() for s, msg in r["failures"].items()]
    if failures:
        lines += ["", "Failures:", ""] + [f"- {f}" for f in failures]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def write_chart(path, results):
    """Time relative to ONNX Runtime, per workload and system (gnuplot)."""
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        log("no gnuplot: skipping the chart (bench/setup.sh installs "
            "gnuplot-nox)")
        return
    tmp = tempfile.mkdtemp()
    plots = []
    series = ("kiln-jit", "kiln-aot", "torch")
    # gnuplot fails on a series with no points: plot only the systems that
    # ran (--systems may leave some out), and nothing without ONNX Runtime.
    shown = set()
    for threads in sorted({t for pt in results.values() for t in pt}):
        data = os.path.join(tmp, f"t{threads}.dat")
        with open(data, "w") as f:
            for name, pt in results.items():
                r = pt.get(threads)
                if not r:
                    continue
                ort = r["times"].get("ort") or []
                row = [name]
                for s in series:
                    rs = [x / o for x, o in zip(r["times"].get(s) or [], ort)
                          if x and o]
                    if rs:
                        shown.add(s)
                    row.append(f"{statistics.median(rs):.3f}" if rs else "NaN")
                f.write(" ".join(row) + "\n")
        plots.append((threads, data))
    if not shown:
        log("no times relative to ONNX Runtime: skipping the chart")
        return
    titles = {"kiln-jit": "Kiln JIT", "kiln-aot": "Kiln AOT",
              "torch": "PyTorch eager"}

    def curves(data):
        parts = []
        for col, s in enumerate(series):
            if s in shown:
                source = "''" if parts else f"'{data}'"
                xtic = "" if parts else ":xtic(1)"
                parts.append(f"{source} using {col + 2}{xtic} "
                             f"title '{titles[s]}'")
        return parts
    script = [
        "set terminal pngcairo size 1200,%d font 'sans,10'" % (380 * len(plots))
        if "cairo" in subprocess.run([gnuplot, "-e", "set terminal"],
                                     capture_output=True, text=True).stdout
        + subprocess.run([gnuplot, "-e", "set terminal"],
                         capture_output=True, text=True).stderr
        else "set terminal png size 1200,%d" % (380 * len(plots)),
        f"set output '{path}'",
        f"set multiplot layout {len(plots)},1",
        "set style data histograms", "set style histogram clustered gap 1",
        "set style fill solid 0.8 border -1", "set boxwidth 0.9",
        "set logscale y 2", "set grid ytics", "set key top left",
        "set ylabel 'time / ONNX Runtime time (lower is better)'",
        "set xtics rotate by -20 scale 0",
    ]
    for threads, data in plots:
        script += [
            f"set title 'Kiln and PyTorch relative to ONNX Runtime, {threads} "
            "thread(s)'",
            "plot " + ", ".join(curves(data))
            + ", 1 notitle with lines lw 2 lc rgb 'black'"]
    script.append("unset multiplot")
    subprocess.run([gnuplot], input="\n".join(script), text=True, check=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--build", default=os.environ.get(
        "KILN_BUILD_DIR", os.path.join(ROOT, "build")))
    p.add_argument("--models", help="exported models (default BUILD/models)")
    p.add_argument("--workloads", default=",".join(WORKLOADS))
    p.add_argument("--systems", default=",".join(SYSTEMS))
    p.add_argument("--threads", default="1,2")
    p.add_argument("--passes", type=int, default=3)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--timeout", type=int, default=600)
    p.add_argument("--results", default=os.path.join(BENCH, "results.md"))
    p.add_argument("--chart", default=os.path.join(BENCH, "results.png"))
    args = p.parse_args()
    args.models = args.models or os.path.join(args.build, "models")
    args.kiln = os.path.join(args.build, "bin", "kiln")
    names = args.workloads.split(",")
    systems = args.systems.split(",")
    for n in names:
        if n not in WORKLOADS:
            sys.exit(f"unknown workload '{n}' (known: {', '.join(WORKLOADS)})")
    for s in systems:
        if s not in SYSTEMS:
            sys.exit(f"unknown system '{s}' (known: {', '.join(SYSTEMS)})")
    threads_list = [int(t) for t in args.threads.split(",")]
    args.ort_version = json.load(open(os.path.join(
        BENCH, "node_modules", "onnxruntime-node", "package.json")))["version"]
    args.torch_version = subprocess.run(
        ["/usr/bin/python3", "-c", "import torch; print(torch.__version__)"],
        capture_output=True, text=True).stdout.strip()

    facts = cpu_facts()
    log(f"cpu: {facts['model']}, {facts['isa']}, {facts['ghz']:.2f} GHz, "
        f"peak {facts['peak_gflops']:.0f} GFLOP/s per core")
    work = tempfile.mkdtemp(prefix="kiln-bench-")
    results, compile_s = {}, {}
    for name in names:
        folder = os.path.join(args.models, WORKLOADS[name][0])
        so = os.path.join(work, name + ".so")
        if any(s.startswith("kiln") for s in systems):
            start = time.perf_counter()
            proc = subprocess.run([args.kiln, "compile",
                                   os.path.join(folder, "model.onnx"),
                                   "-o", so], capture_output=True, text=True)
            if proc.returncode == 0:
                compile_s[name] = time.perf_counter() - start
                log(f"{name}: compiled in {compile_s[name]:.1f} s")
            else:
                log(f"{name}: kiln compile failed: {proc.stderr.strip()}")
        results[name] = {}
        for threads in threads_list:
            results[name][threads] = {
                "times": {s: [] for s in SYSTEMS}, "errors": {},
                "failures": {}}
        for pass_no in range(args.passes):
            for threads in threads_list:
                r = results[name][threads]
                for system in systems:
                    out = os.path.join(work, f"{name}-{system}-{threads}")
                    shutil.rmtree(out, ignore_errors=True)
                    median, err = run_system(system, name, args, threads, out,
                                             so)
                    r["times"][system].append(median)
                    if err:
                        r["failures"][system] = err
                    elif pass_no == 0:
                        r["errors"][system] = check_outputs(out, folder)
                line = " ".join(f"{s} {fmt(r['times'][s][-1])}"
                                for s in systems)
                log(f"{name} pass {pass_no + 1} threads {threads}: {line} ms")
        write_results(args.results, results, facts, args, compile_s)
    with open(os.path.splitext(args.results)[0] + ".json", "w") as f:
        json.dump({"facts": facts, "compile_s": compile_s,
                   "results": results}, f, indent=1)
    write_chart(args.chart, results)
    print(open(args.results).read())
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
