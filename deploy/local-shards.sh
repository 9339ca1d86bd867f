#!/usr/bin/env bash
# Runs `verify bench` as N concurrent local processes (with the variables a Slurm job array sets), then merges them.
#
#   deploy/local-shards.sh N INSTANCES.csv OUT_DIR [bench options...]
#   deploy/local-shards.sh 4 ../shared/benchmarks/vnncomp2021/acasxu/acasxu_instances.csv runs/acas4 \
#       --expected ../shared/benchmarks/vnncomp2021/expected_2021.csv
#
# Writes OUT_DIR/shard-I.csv, OUT_DIR/shard-I.log, OUT_DIR/merged.csv and OUT_DIR/summary.txt, and prints the wall
# time. VERIFY overrides how verify is run (default: the Release build's Verify.Cli.dll). Exit code: the merge's.
set -euo pipefail
if [ $# -lt 3 ]; then sed -n '2,10p' "$0" >&2; exit 2; fi
n="$1"; list="$2"; out="$3"; shift 3
here="$(cd "$(dirname "$0")/.." && pwd)"
VERIFY="${VERIFY:-dotnet $here/src/Verify.Cli/bin/Release/net10.0/Verify.Cli.dll}"
mkdir -p "$out"
rm -f "$out"/shard-*.csv "$out"/shard-*.log
# merge needs the same --root (it names the benchmark) and --expected as the shards.
pass=()
for ((k = 1; k <= $#; k++)); do
    case "${!k}" in --expected|--root) j=$((k + 1)); pass+=("${!k}" "${!j}") ;; esac
done
start=$(date +%s.%N)
pids=()
for ((i = 0; i < n; i++)); do
    # shellcheck disable=SC2086  # VERIFY is a word list on purpose
    SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_COUNT=$n NO_COLOR=1 \
        $VERIFY bench "$list" --out "$out/shard-$i.csv" "$@" > "$out/shard-$i.log" 2>&1 &
    pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=$?; done
end=$(date +%s.%N)
if [ "$status" -ne 0 ]; then echo "a shard failed (exit $status); see $out/shard-*.log" >&2; exit "$status"; fi
rc=0
# shellcheck disable=SC2086
NO_COLOR=1 $VERIFY merge "$out"/shard-*.csv --instances "$list" "${pass[@]}" --out "$out/merged.csv" > "$out/summary.txt" 2>&1 || rc=$?
cat "$out/summary.txt"
awk -v n="$n" -v s="$start" -v e="$end" 'BEGIN { printf "wall time of %d concurrent shards: %.1f s\n", n, e - s }' | tee -a "$out/summary.txt"
exit "$rc"
