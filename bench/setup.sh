#!/usr/bin/env bash
# Installs the benchmark peers and tools: ONNX Runtime for CPU from npm into
# bench/node_modules (its install step would fetch CUDA files and fail; the
# CPU library is inside the npm package itself, so that step is skipped);
# from Debian, OpenBLAS (without it Debian's PyTorch falls back to the
# reference BLAS, 10-30x slower) and gnuplot for the chart. Safe to re-run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -f "$here/node_modules/onnxruntime-node/package.json" ]; then
  (cd "$here" && ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund)
fi
missing=()
for p in libopenblas0-openmp gnuplot-nox python3-torch python3-torchvision; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi
echo "bench setup: onnxruntime-node $(node -p "require('$here/node_modules/onnxruntime-node/package.json').version"), $(gnuplot --version)"
