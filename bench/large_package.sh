#!/usr/bin/env bash
# Peak memory for large components (issue 22): a tar.gz of a 700 MiB log, a 200 MiB JSON
# document and 124 MiB of mixed files (bench/large_package.py), analysed with the default
# memory limit (large components streamed) and with --memory-limit 0 (no limit: every
# component held whole), alternating, ROUNDS times. Prints wall, CPU (user + sys) and
# peak RSS of each run with the load average, then compares the two reports' findings
# (bench/compare_findings.py: every location equal but the JSON pointers the streamed
# JSON document cannot give, and what else differs).
#   bench/large_package.sh [ROUNDS] [LOG_MIB JSON_MIB FILLER_MIB]   (default 1; 700 200 124)
# TRAWL=path/to/trawl (default build/trawl), DB=path/to/default.tdb (default build/default.tdb),
# WORK=dir for the package (default a fresh directory in /dev/shm; removed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-1}
sizes=("${@:2}")
trawl=${TRAWL:-build/trawl}
db=${DB:-build/default.tdb}
work=$(mktemp -d "${WORK:-/dev/shm}/trawl-large.XXXXXX")
trap 'rm -rf "$work"' EXIT
python3 bench/large_package.py "$work/src" "${sizes[@]}"
(cd "$work/src" && tar -I 'gzip -1' -cf "$work/package.tar.gz" .)
rm -rf "$work/src"
ls -l "$work/package.tar.gz"
run() {
  local label=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >"$work/$label.json" 2>/dev/null || true
  read -r wall user sys peak <"$work/time"
  echo "$label wall $wall s, CPU $(python3 -c "print(round($user + $sys, 2))") s, peak RSS $((peak / 1024)) MiB, load $(cut -d' ' -f1 /proc/loadavg)"
}
for ((r = 0; r < rounds; r++)); do
  run default "$trawl" analyze --db "$db" --format json "$work/package.tar.gz"
  run unlimited "$trawl" analyze --db "$db" --format json --memory-limit 0 "$work/package.tar.gz"
done
python3 bench/compare_findings.py "$work/unlimited.json" "$work/default.json"
