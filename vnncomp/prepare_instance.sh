#!/usr/bin/env bash
# VNN-COMP: prepare_instance.sh v1 BENCHMARK ONNX VNNLIB — checks that the network imports (one readable error otherwise).
set -euo pipefail
if [ "${1:-}" != "v1" ]; then echo "expected version string v1 as the first argument, got '${1:-}'" >&2; exit 1; fi
if [ $# -ne 4 ]; then echo "usage: prepare_instance.sh v1 BENCHMARK ONNX VNNLIB" >&2; exit 1; fi
here="$(cd "$(dirname "$0")" && pwd)"
# Nothing to kill: every run is its own process. Fail early on a model the verifier cannot import.
dotnet "$here/bin/Verify.Cli.dll" info "$3" > /dev/null
