#!/usr/bin/env bash
# Installs what is missing, builds, and runs every Kiln test: lit/FileCheck
# tests, end-to-end numerical tests, ONNX conformance, GoogleTest unit tests.
# The last line is "N passed, N failed"; the exit status is non-zero if any
# test failed or the build did not succeed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${KILN_BUILD_DIR:-$root/build}

"$root/scripts/setup.sh" || { echo "0 passed, 1 failed"; exit 1; }
start=$(date +%s)
if ! "$root/scripts/build.sh" all; then
  echo "test: the build failed"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "test: built in $(( $(date +%s) - start )) s"

log=$(mktemp)
/usr/lib/llvm-22/bin/lit -sv --order=lexical "$build/test" "$build/unittests" \
  2>&1 | tee "$log"
# lit's summary: "  Passed: 12 (100.00%)", "  Failed: 1 (...)", ...; when
# several kinds appear it aligns the colons ("  Passed : 263 (97.77%)").
sum() {
  awk -F' *: ' -v pattern="^ *($1) *: " \
    '$0 ~ pattern { split($2, a, " "); s += a[1] } END { print s + 0 }' "$log"
}
passed=$(sum "Passed")
failed=$(sum "Failed|Unresolved|Timed Out|Unexpectedly Passed")
rm -f "$log"
echo "test: finished in $(( $(date +%s) - start )) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
