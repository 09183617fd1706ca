#!/usr/bin/env bash
# Whole-package analysis throughput (`trawl analyze`: decompose, classify, scan, validate,
# locate, aggregate) against the pattern scan alone (`trawl scan` over the same extracted
# components, same database), in the same run; then the same analysis on 1 and on all
# threads. Prints the figures and the ratios.
#   bench/pipeline_throughput.sh [SIZE_MIB]   (default 64)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-64}
trawl=${TRAWL:-build/trawl}
work=$(mktemp -d /dev/shm/trawl-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
if [[ ! -f build/default.tdb ]]; then
  "$trawl" compile rules/secrets.json rules/pii.json rules/indicators.ndjson.gz rules/indicators/maltrail.tsv.xz \
    -o build/default.tdb 2>/dev/null
fi
db=build/default.tdb
python3 bench/make_package.py "$work/src" "$size_mib" --plant
(cd "$work/src" && bsdtar -czf "$work/package.tar.gz" .)
seconds() {
  local t0 t1
  t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
  python3 -c "print($t1 - $t0)"
}
scan=$(seconds "$trawl" scan --db "$db" "$work"/src/*)
one=$(seconds "$trawl" analyze --db "$db" --threads 1 "$work/package.tar.gz")
all=$(seconds "$trawl" analyze --db "$db" "$work/package.tar.gz")
python3 - "$size_mib" "$scan" "$one" "$all" "$(nproc)" <<'PY'
import sys
size, scan, one, all_, cores = float(sys.argv[1]), *map(float, sys.argv[2:5]), sys.argv[5]
print(f"{size:.0f} MiB package (tar.gz of logs, JSON, CSV, random binary)")
print(f"  trawl scan (patterns only, extracted files, 1 thread): {scan:.2f} s  {size/scan:.0f} MiB/s")
print(f"  trawl analyze, 1 thread:  {one:.2f} s  {size/one:.0f} MiB/s  = {scan/one:.2f} of scan-only")
print(f"  trawl analyze, {cores} threads: {all_:.2f} s  {size/all_:.0f} MiB/s  = {one/all_:.2f}x 1 thread")
PY
