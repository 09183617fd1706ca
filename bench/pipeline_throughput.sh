#!/usr/bin/env bash
# Whole-package analysis throughput (`trawl analyze`: decompose, classify, scan, validate,
# locate, aggregate) against the pattern scan alone (`trawl scan` over the same extracted
# components, same database), in the same run; then the same analysis on 1 and on 2
# threads. Each command runs ROUNDS times, the commands alternating within a round; the
# figures are medians of wall time and of CPU time (user + system), with the load average
# (on a shared machine wall-time ratios between thread counts mean little when the load
# is above the core count). BEFORE=path/to/old/trawl adds the same analyze runs of that
# binary to every round (a before/after comparison in one run). PLANT=0 builds the package
# without the planted secrets, PII and indicators (~1 % of log lines and JSON records carry
# one by default: tens of thousands of finding locations at 256 MiB).
# What a second core can give: `--threads N` counts intake's thread (1 is one thread), and
# the script also runs the scan as two processes at once, each over half of the files.
# That job shares nothing, so "2 processes / 1" is this machine's own ceiling for two
# threads (two vCPUs may be one core's two hardware threads, and they share caches and
# memory bandwidth); "2 threads / 1 thread" of the analysis is reported against it.
#   bench/pipeline_throughput.sh [SIZE_MIB] [ROUNDS]   (default 64 MiB, 3 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-64}
rounds=${2:-3}
trawl=${TRAWL:-build/trawl}
before=${BEFORE:-}
work=$(mktemp -d /dev/shm/trawl-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
if [[ ! -f build/default.tdb ]]; then
  "$trawl" compile rules/secrets.json rules/pii.json rules/indicators.ndjson.gz rules/indicators/maltrail.tsv.xz \
    -o build/default.tdb 2>/dev/null
fi
db=build/default.tdb
plant=--plant
[[ ${PLANT:-1} == 0 ]] && plant=
python3 bench/make_package.py "$work/src" "$size_mib" $plant
(cd "$work/src" && bsdtar -czf "$work/package.tar.gz" .)
# run LABEL COMMAND...: appends "LABEL wall cpu peak_kib load1" to the samples.
run() {
  local label=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null 2>&1
  read -r wall user sys peak <"$work/time"
  echo "$label $wall $(python3 -c "print($user + $sys)") $peak $(cut -d' ' -f1 /proc/loadavg)" \
    >>"$work/samples"
}
files=("$work"/src/*)
half=$((${#files[@]} / 2))
for ((r = 0; r < rounds; r++)); do
  run scan "$trawl" scan --db "$db" "$work"/src/*
  for t in 1 2; do
    run "after-$t" "$trawl" analyze --db "$db" --threads "$t" "$work/package.tar.gz"
    if [[ -n $before ]]; then
      run "before-$t" "$before" analyze --db "$db" --threads "$t" "$work/package.tar.gz"
    fi
  done
  # Two scans at once: `run` times the pair (the shell waits for both).
  run scan-halves bash -c "$(printf '%q ' "$trawl" scan --db "$db" "${files[@]:0:half}") & \
    $(printf '%q ' "$trawl" scan --db "$db" "${files[@]:half}"); wait"
done
python3 - "$size_mib" "$rounds" "$work/samples" "${PLANT:-1}" <<'PY'
import statistics, sys
size, rounds = float(sys.argv[1]), sys.argv[2]
samples = {}
for line in open(sys.argv[3]):
    label, *values = line.split()
    samples.setdefault(label, []).append(list(map(float, values)))
med = {k: [statistics.median(v[i] for v in vs) for i in range(4)] for k, vs in samples.items()}
loads = [v[3] for vs in samples.values() for v in vs]
print(f"{size:.0f} MiB package (tar.gz of logs, JSON, CSV, random binary; "
      f"{'no ' if sys.argv[4] == '0' else ''}planted findings), {rounds} rounds, "
      f"load average {min(loads):.1f}-{max(loads):.1f}; medians")
scan = med["scan"]
print(f"  trawl scan (patterns only, extracted files, 1 thread): wall {scan[0]:.2f} s, "
      f"CPU {scan[1]:.2f} s, {size / scan[0]:.0f} MiB/s")
for who in ("before", "after"):
    if f"{who}-1" not in med:
        continue
    one, two = med[f"{who}-1"], med[f"{who}-2"]
    print(f"  {who}: analyze 1 thread: wall {one[0]:.2f} s, CPU {one[1]:.2f} s, "
          f"peak {one[2] / 1024:.0f} MiB = {scan[0] / one[0]:.2f} of scan (wall), "
          f"{scan[1] / one[1]:.2f} (CPU)")
    print(f"  {who}: analyze 2 threads: wall {two[0]:.2f} s, CPU {two[1]:.2f} s, "
          f"peak {two[2] / 1024:.0f} MiB = {one[0] / two[0]:.2f}x 1 thread (wall), "
          f"{scan[0] / two[0]:.2f} of scan (wall)")
halves = med["scan-halves"]
ceiling = scan[0] / halves[0]
print(f"  machine ceiling: the scan as 2 processes at once, each over half of the files: "
      f"wall {halves[0]:.2f} s = {ceiling:.2f}x 1 process")
for who in ("before", "after"):
    if f"{who}-1" in med:
        speedup = med[f"{who}-1"][0] / med[f"{who}-2"][0]
        print(f"  {who}: analyze 2 threads / 1 thread {speedup:.2f}x = "
              f"{speedup / ceiling:.2f} of the machine ceiling")
PY
