#!/usr/bin/python3
"""Joins results.md files of several driver.py runs into one, with a chart.

    bench/scripts/merge.py OUT.md OUT.png IN.md...

For when the workloads were timed in separate runs (e.g. a slow one with
fewer passes): the header of the first file, every file's timing and check
rows, and a note naming the runs. The chart plots each workload's median
times relative to ONNX Runtime's, from the tables (driver.py's own chart
uses the per-pass ratios instead).
"""

import os
import subprocess
import sys
import tempfile


def rows(path):
    timing, checks, header = [], [], []
    section = "header"
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("| workload | threads"):
            section = "timing"
        elif line.startswith("| workload | Kiln |"):
            section = "checks"
        elif section == "header":
            header.append(line)
            continue
        if line.startswith("| ") and not line.startswith(("| workload",
                                                           "| ---")):
            (timing if section == "timing" else checks).append(line)
    return header, timing, checks


def main():
    out_md, out_png, *inputs = sys.argv[1:]
    parts = [rows(p) for p in inputs]
    header = parts[0][0]
    lines = header + [
        f"(Joined by `bench/scripts/merge.py` from {len(inputs)} runs of "
        "`bench/scripts/driver.py` on the same day and machine, with the "
        "settings above.)", "",
        "| workload | threads | GFLOP | Kiln JIT | Kiln AOT | ONNX Runtime "
        "| PyTorch | ORT / Kiln | PyTorch / Kiln | Kiln GFLOP/s | % of peak |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for _, timing, _ in parts:
        lines += timing
    lines += ["", "| workload | Kiln | ONNX Runtime | PyTorch | Kiln compile s |",
              "| --- | --- | --- | --- | --- |"]
    for _, _, checks in parts:
        lines += checks
    with open(out_md, "w") as f:
        f.write("\n".join(lines) + "\n")

    tmp = tempfile.mkdtemp()
    script = ["set terminal pngcairo size 1200,760 font 'sans,10'",
              f"set output '{out_png}'", "set multiplot layout 2,1",
              "set style data histograms",
              "set style histogram clustered gap 1",
              "set style fill solid 0.8 border -1", "set logscale y 2",
              "set grid ytics", "set key top left",
              "set ylabel 'time / ONNX Runtime (lower is better)'",
              "set xtics rotate by -20 scale 0"]
    for threads in ("1", "2"):
        data = os.path.join(tmp, f"t{threads}.dat")
        with open(data, "w") as f:
            for _, timing, _ in parts:
                for row in timing:
                    cells = [c.strip() for c in row.strip("|").split("|")]
                    if cells[1] != threads:
                        continue
                    try:
                        ort = float(cells[5])
                        vals = [float(cells[i]) / ort for i in (3, 4, 6)]
                    except ValueError:
                        continue
                    f.write(cells[0] + " " +
                            " ".join(f"{v:.3f}" for v in vals) + "\n")
        script += [
            f"set title 'Relative to ONNX Runtime, {threads} thread(s)'",
            f"plot '{data}' using 2:xtic(1) title 'Kiln JIT', '' using 3 "
            "title 'Kiln AOT', '' using 4 title 'PyTorch eager', 1 notitle "
            "with lines lw 2 lc rgb 'black'"]
    script.append("unset multiplot")
    subprocess.run(["gnuplot"], input="\n".join(script), text=True,
                   check=True)


if __name__ == "__main__":
    main()
