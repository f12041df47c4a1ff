#!/usr/bin/env bash
# Regenerates conformance/report.md and, with --accept, grows the list of
# tests expected to pass (it never shrinks: a test on the list that stops
# passing fails the run and stays listed). Without --accept it fails, too,
# when an expected pass regresses.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${KILN_BUILD_DIR:-build}
args=(--tolerances conformance/tolerances.txt --notes conformance/notes.txt
      --report conformance/report.md -j "${JOBS:-2}"
      --expected conformance/expected_passes.txt
      --report-command "conformance/update.sh${1:+ $1}")
if [ "${1:-}" = "--accept" ]; then
  args+=(--update-expected)
fi
"$build/bin/kiln-conformance" "${args[@]}"
