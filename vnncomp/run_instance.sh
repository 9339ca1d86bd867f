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
# SIGTERM or SIGINT to this script is passed on to verify, which stops and writes "timeout" (a copy that also reaches
# verify through the process group within a second counts once).
dotnet "$here/bin/Verify.Cli.dll" check "$onnx" "$vnnlib" --timeout "$budget" --result "$result" > /dev/null &
child=$!
stopped=""
trap 'stopped=1; kill -TERM "$child" 2>/dev/null' TERM INT
wait "$child"
status=$?
# An interrupted wait returns at once; wait again for verify to write its result.
if [ -n "$stopped" ]; then wait "$child"; status=$?; fi
if [ ! -s "$result" ]; then if [ -n "$stopped" ]; then echo "timeout" > "$result"; else echo "error" > "$result"; fi; fi
exit $status
