#!/usr/bin/env bash
# Checks Kiln's NVIDIA GPU backend from an existing build (made on this
# machine or copied from another: only build/bin/kiln, the runtime unit-test
# binary and the models are used; nothing is compiled here).
#
#   scripts/gpu-check.sh [--build DIR] [--models DIR] [--arch sm_XX] [--ptx-only]
#
# 1. PTX: every ONNX conformance model Kiln passes on CPUs and every real
#    model in --models (bench/models/export.py's folders; default
#    DIR/models) is compiled with --target cuda and assembled by ptxas, when
#    /usr/local/cuda/bin/ptxas (or $PTXAS) exists. Needs no GPU.
# 2. GPU: with a CUDA driver and a device, the runtime's CUDA layer runs its
#    device tests (a PTX kernel loaded, launched and checked against the
#    host, the "PTX needs a newer driver" and bad-PTX errors).
#    Without them it prints a line starting "SKIPPED:" saying why.
#
# Not yet checked here, because Kiln cannot run whole models on the GPU yet
# (docs/gpu.md): the conformance suite and the real models run on the GPU
# and compared with the CPU. The script says so in a "NOT YET:" line.
#
# Exit status: 0 when everything that could run passed (skipped parts
# included, each announced by a SKIPPED line); 1 when something failed;
# 2 on a usage error.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
models=
arch=sm_80
ptx_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    --arch) arch=$2; shift 2 ;;
    --ptx-only) ptx_only=1; shift ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "gpu-check: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
models=${models:-$build/models}
kiln=$build/bin/kiln
tests=$build/unittests/Runtime/RuntimeTests
ptxas=${PTXAS:-/usr/local/cuda/bin/ptxas}
node_dir=/usr/share/libonnx-testdata/data/node
status=0

if [ ! -x "$kiln" ]; then
  echo "gpu-check: no kiln at $kiln (build first, or pass --build DIR)" >&2
  exit 2
fi

echo "== PTX of the conformance models and the real models ($arch)"
if [ ! -x "$ptxas" ]; then
  echo "SKIPPED: PTX check: no ptxas at $ptxas (install the CUDA toolkit or set PTXAS)"
else
  real=()
  for m in "$models"/*/model.onnx; do
    [ -f "$m" ] && real+=("$m")
  done
  [ ${#real[@]} -eq 0 ] &&
    echo "SKIPPED: real models: none under $models (bench/models/export.py $models)"
  args=(--kiln "$kiln" --ptxas "$ptxas" --arch "$arch" "${real[@]}")
  # Known: loops that hand values back to the host (data-dependent output
  # sizes) are refused by the GPU pipeline yet.
  known=test_compress_0,test_compress_1,test_compress_default_axis
  known+=,test_compress_negative_axis,test_det_2d,test_nonzero_example
  echo "known, left out: ${known//,/ }"
  [ -d "$node_dir" ] &&
    args+=(--skip "$known"
      --conformance "$node_dir" "$root/conformance/expected_passes.txt")
  /usr/bin/python3 "$root/test/GPU/Inputs/ptx_sweep.py" "${args[@]}" || status=1
fi
[ $ptx_only -eq 1 ] && exit $status

echo "== The runtime's CUDA layer on the GPU"
if [ ! -x "$tests" ]; then
  echo "gpu-check: no runtime tests at $tests" >&2
  exit 2
fi
# Every CUDA test; the device tests skip themselves without a GPU, giving
# the reason (GTEST_SKIP's message, "no GPU: no CUDA driver found: ...").
out=$("$tests" --gtest_filter='Cuda*' 2>&1)
rc=$?
echo "$out" | grep -E '^\[ *(OK|FAILED|SKIPPED) *\]' | grep -v ' tests\?,\| test,'
if echo "$out" | grep -q '^\[  SKIPPED \] CudaDevice'; then
  why=$(echo "$out" | grep -m1 '^no GPU: ' | sed 's/^no GPU: //')
  echo "SKIPPED: GPU tests: ${why:-no usable GPU}"
fi
[ $rc -eq 0 ] || { echo "$out" | tail -30; status=1; }
echo "NOT YET: conformance and real models on the GPU against the CPU (Kiln" \
  "does not run whole models on the GPU yet; see docs/gpu.md)"
[ $status -eq 0 ] && echo "gpu-check: passed" || echo "gpu-check: FAILED"
exit $status
