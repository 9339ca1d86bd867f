#!/usr/bin/env bash
# VNN-COMP: run_instance.sh v1 BENCHMARK ONNX VNNLIB RESULT_FILE TIMEOUT — writes sat (with the counterexample),
# unsat, unknown, timeout or error to RESULT_FILE.
set -uo pipefail
if [ "${1:-}" != "v1" ]; then echo "expected version string v1 as the first argument, got '${1:-}'" >&2; exit 1; fi
if [ $# -ne 6 ]; then echo "usage: run_instance.sh v1 BENCHMARK ONNX VNNLIB RESULT_FILE TIMEOUT" >&2; exit 1; fi
here="$(cd "$(dirname "$0")" && pwd)"
onnx="$3"; vnnlib="$4"; result="$5"; timeout="$6"
# Leave a second for start-up and writing the result; the verifier itself honours the limit.
budget=$(awk -v t="$timeout" 'BEGIN { b = t - 1; if (b < 1) b = 1; print b }')
dotnet "$here/bin/Verify.Cli.dll" check "$onnx" "$vnnlib" --timeout "$budget" --result "$result" > /dev/null
status=$?
if [ ! -s "$result" ]; then echo "error" > "$result"; fi
exit $status
