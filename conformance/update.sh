#!/usr/bin/env bash
# Regenerates conformance/report.md and, with --accept, the list of tests
# expected to pass (only ever grow it: a test that stops passing is a bug).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${KILN_BUILD_DIR:-$root/build}
args=(--tolerances "$root/conformance/tolerances.txt"
      --report "$root/conformance/report.md" -j "${JOBS:-2}")
if [ "${1:-}" = "--accept" ]; then
  args+=(--expected "$root/conformance/expected_passes.txt" --update-expected)
else
  args+=(--expected "$root/conformance/expected_passes.txt")
fi
"$build/bin/kiln-conformance" "${args[@]}"
