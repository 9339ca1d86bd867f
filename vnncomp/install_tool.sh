#!/usr/bin/env bash
# VNN-COMP: install_tool.sh v1 — builds the verifier once (needs the .NET 10 SDK on PATH).
set -euo pipefail
if [ "${1:-}" != "v1" ]; then echo "expected version string v1 as the first argument, got '${1:-}'" >&2; exit 1; fi
here="$(cd "$(dirname "$0")" && pwd)"
dotnet publish "$here/../src/Verify.Cli" -c Release -o "$here/bin"
