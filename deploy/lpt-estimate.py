#!/usr/bin/env python3
"""Estimates the wall time of a benchmark on W workers from measured per-instance times.

    python3 deploy/lpt-estimate.py RESULTS.csv [RESULTS.csv ...] --workers 1,2,4,64,512

Reads bench result CSVs (benchmark,onnx,vnnlib,result,time_s[,peak_rss_mib]) and schedules the instances by
greedy longest-processing-time first on their measured times (each to the least loaded worker). Prints, per worker
count, the LPT makespan and the lower bound max(longest instance, total / W): no schedule beats either, and LPT is
within 4/3 of the optimum. Process start-up and model loading per worker are not modelled beyond what the measured
times include.
"""
import argparse
import csv
import heapq


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv", nargs="+")
    ap.add_argument("--workers", default="1,2,4,64,512")
    a = ap.parse_args()
    times = []
    for path in a.csv:
        with open(path, newline="") as f:
            times += [float(r["time_s"]) for r in csv.DictReader(f)]
    times.sort(reverse=True)
    total = sum(times)
    print(f"{len(times)} instances, total {total:.1f} s, longest {times[0]:.1f} s")
    print("| workers | LPT makespan | lower bound max(longest, total/W) |")
    print("|---|---|---|")
    for w in (int(x) for x in a.workers.split(",")):
        loads = [(0.0, i) for i in range(min(w, len(times)))]
        heapq.heapify(loads)
        for t in times:
            load, i = heapq.heappop(loads)
            heapq.heappush(loads, (load + t, i))
        print(f"| {w} | {max(l for l, _ in loads):.1f} s | {max(times[0], total / w):.1f} s |")


if __name__ == "__main__":
    main()
