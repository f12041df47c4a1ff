#!/usr/bin/env bash
# The side-by-side benchmark, in one command:
#
#   bench/run.sh [driver options]      e.g. --workloads sgemm,mlp --passes 1
#
# Installs the peers (bench/setup.sh: onnxruntime-node from npm, gnuplot and
# OpenBLAS from Debian), exports the models with PyTorch
# (bench/models/export.py into BUILD/models), then times Kiln (JIT and AOT),
# ONNX Runtime and PyTorch eager at 1 and 2 threads, interleaved, and writes
# bench/results.md, bench/results.json and bench/results.png. Needs a built
# Kiln (scripts/build.sh). Takes tens of minutes: never part of the tests.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${KILN_BUILD_DIR:-$root/build}
export KILN_BUILD_DIR=$build

[ -x "$build/bin/kiln" ] || { echo "bench: no $build/bin/kiln; run scripts/build.sh first" >&2; exit 1; }
"$here/setup.sh"
/usr/bin/python3 "$here/models/export.py" "$build/models" \
  resnet18 mobilenet_v2 transformer_block lstm_lm sgemm mlp cnn resnet18_b8
exec /usr/bin/python3 "$here/scripts/driver.py" --build "$build" "$@"
