#!/usr/bin/env python3
"""In-process trawl / raw engine, before and after a change, in one run.

Alternating rounds (order reversed every other round) of raw_scan and two builds'
trawl_inproc (one thread) on the sets `bench/peers/run.sh` made; prints per set the medians
of the per-round ratios trawl/raw (before and after) and after/before, with their range and
the load average.

    bench/peers/inproc_before_after.py --before OLD_BUILD --after NEW_BUILD \\
        [--peers build/peers] [--rounds 6] [--sets yara-literals,yara-regexes,rg-literals]

OLD_BUILD and NEW_BUILD are build directories (their bench/trawl_inproc; the raw engine is
the new build's bench/raw_scan). By default both scan the suite's compiled sets (SET.tdb);
--compile has each build compile SET.tsv with its own `trawl` first, for a change to the
plan or the artifact format (the raw engine then scans the new build's artifact). The input is the suite's 16 MiB mixed input. A build whose
trawl_inproc also measures the raw engine in its own process (vs_raw_engine) adds that
same-process ratio, free of the +-15% that separate processes differ by here.
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile


def run_json(command):
    return json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", required=True)
    parser.add_argument("--after", required=True)
    parser.add_argument("--peers", default="build/peers")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--sets", default="yara-literals,yara-regexes,rg-literals")
    parser.add_argument("--compile", action="store_true",
                        help="each build compiles the sets with its own trawl")
    args = parser.parse_args()
    sets = args.sets.split(",")
    data = os.path.join(args.peers, "inputs", "mixed_16MiB.bin")
    raw_scan = os.path.join(args.after, "bench", "raw_scan")
    inproc = {who: os.path.join(getattr(args, who), "bench", "trawl_inproc")
              for who in ("before", "after")}
    # *_same: trawl_inproc's own same-process ratio (BenchmarkJson vs_raw_engine), where
    # the build has it.
    samples = {s: {"raw": [], "before": [], "after": [], "before_same": [], "after_same": []}
               for s in sets}
    tdbs = {who: {s: os.path.join(args.peers, "sets", s + ".tdb") for s in sets}
            for who in ("before", "after")}
    if args.compile:
        scratch = tempfile.TemporaryDirectory(prefix="inproc_before_after_")
        for who in ("before", "after"):
            for s in sets:
                tdbs[who][s] = os.path.join(scratch.name, f"{who}-{s}.tdb")
                subprocess.run([os.path.join(getattr(args, who), "trawl"), "compile",
                                os.path.join(args.peers, "sets", s + ".tsv"), "-o", tdbs[who][s]],
                               check=True, capture_output=True)
    loads = []
    for r in range(args.rounds):
        loads.append(os.getloadavg()[0])
        for s in sets:
            order = ["raw", "before", "after"] if r % 2 == 0 else ["after", "before", "raw"]
            for who in order:
                if who == "raw":
                    value = run_json([raw_scan, tdbs["after"][s], data, "--reps", "8"])["mb_per_cpu_s"]
                else:
                    one = run_json([inproc[who], tdbs[who][s], data, "--threads", "1", "--reps", "8"])["scan"][0]
                    value = one["mb_per_cpu_s"]
                    if "vs_raw_engine" in one:
                        samples[s][who + "_same"].append(one["vs_raw_engine"])
                samples[s][who].append(value)
        print(f"round {r} load {loads[-1]:.2f}", flush=True)
    print(f"load average {min(loads):.1f}-{max(loads):.1f}, {args.rounds} rounds; medians (range)")
    for s in sets:
        m = samples[s]

        def ratios(a, b):
            values = [x / y for x, y in zip(m[a], m[b])]
            return f"{statistics.median(values):.3f} ({min(values):.2f}-{max(values):.2f})"

        def same(who):
            values = m[who + "_same"]
            if not values:
                return "-"
            return f"{statistics.median(values):.3f} ({min(values):.2f}-{max(values):.2f})"

        print(f"{s}: raw {statistics.median(m['raw']):.0f} MB/CPU-s; trawl/raw before "
              f"{ratios('before', 'raw')}, after {ratios('after', 'raw')}; "
              f"after/before {ratios('after', 'before')}; same process: before {same('before')}, "
              f"after {same('after')}")


if __name__ == "__main__":
    main()
