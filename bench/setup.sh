#!/usr/bin/env bash
# Installs the benchmark peers: ONNX Runtime for CPU from npm into
# bench/node_modules. Its install step would fetch CUDA files and fail; the
# CPU library is inside the npm package itself, so that step is skipped.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -f "$here/node_modules/onnxruntime-node/package.json" ]; then
  (cd "$here" && ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund)
fi
echo "bench setup: onnxruntime-node $(node -p "require('$here/node_modules/onnxruntime-node/package.json').version")"
