#!/usr/bin/env bash
# Decomposition throughput of `trawl decompose -o DIR` against `bsdtar -xf` into a tmpfs,
# on the same generated tar.gz of mixed files, in one run: the commands alternate within
# each of ROUNDS rounds; medians of wall and CPU (user + system) time, with the load.
# BEFORE=path/to/old/trawl adds that binary to every round (before/after in one run).
#   bench/decompose_vs_bsdtar.sh [SIZE_MIB] [ROUNDS]   (default 256 MiB, 3 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-256}
rounds=${2:-3}
trawl=${TRAWL:-build/trawl}
before=${BEFORE:-}
work=$(mktemp -d /dev/shm/trawl-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 bench/make_package.py "$work/src" "$size_mib"
(cd "$work/src" && bsdtar -czf "$work/package.tar.gz" .)
rm -rf "$work/src"
# run LABEL COMMAND...: extracts into a fresh directory, appends "LABEL wall cpu load1".
run() {
  local label=$1; shift
  mkdir "$work/out"
  /usr/bin/time -f "%e %U %S" -o "$work/time" "$@" >/dev/null
  read -r wall user sys <"$work/time"
  echo "$label $wall $(python3 -c "print($user + $sys)") $(cut -d' ' -f1 /proc/loadavg)" \
    >>"$work/samples"
  rm -rf "$work/out"
}
for ((r = 0; r < rounds; r++)); do
  run bsdtar bsdtar -xf "$work/package.tar.gz" -C "$work/out"
  run after "$trawl" decompose -o "$work/out" "$work/package.tar.gz"
  if [[ -n $before ]]; then run before "$before" decompose -o "$work/out" "$work/package.tar.gz"; fi
done
python3 - "$size_mib" "$rounds" "$work/samples" <<'PY'
import statistics, sys
size, rounds = float(sys.argv[1]), sys.argv[2]
samples = {}
for line in open(sys.argv[3]):
    label, *values = line.split()
    samples.setdefault(label, []).append(list(map(float, values)))
med = {k: [statistics.median(v[i] for v in vs) for i in range(3)] for k, vs in samples.items()}
loads = [v[2] for vs in samples.values() for v in vs]
print(f"{size:.0f} MiB expanded, {rounds} rounds, load average {min(loads):.1f}-{max(loads):.1f}; medians")
b = med["bsdtar"]
print(f"  bsdtar -xf: wall {b[0]:.2f} s ({size / b[0]:.0f} MiB/s), CPU {b[1]:.2f} s")
for who in ("before", "after"):
    if who in med:
        t = med[who]
        print(f"  trawl decompose -o ({who}): wall {t[0]:.2f} s, CPU {t[1]:.2f} s; "
              f"trawl/bsdtar throughput {b[0] / t[0]:.2f} (wall), {b[1] / t[1]:.2f} (CPU)")
PY
