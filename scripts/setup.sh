#!/usr/bin/env bash
# Installs everything Kiln needs from Debian's packages. Safe to run again:
# when every package is already there it only checks and exits.
#
#   scripts/setup.sh            compiler, tests and examples
set -euo pipefail

packages=(
  # Build
  cmake ninja-build ccache clang-22 lld-22
  # LLVM/MLIR 22 (x86 + NVPTX backends, lit, FileCheck), LLD as a library
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools liblld-22-dev
  libomp-22-dev libclang-rt-22-dev
  # ONNX: protobuf, checker, shape inference, text parser, conformance data
  libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata
  # Training data archives (.npz, deflated members)
  zlib1g-dev
  # Tests: GoogleTest; models and numpy references (Debian's /usr/bin/python3)
  googletest libgtest-dev python3-onnx python3-numpy
  # Real models exported from PyTorch, and the PyTorch references
  python3-torch python3-torchvision
  # Real data for the training tests (sklearn's bundled data sets)
  python3-sklearn
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages are installed"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: run as root or install sudo" >&2; exit 1; }
  sudo="sudo"
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
