#!/usr/bin/env bash
# Threat indicators at feed scale (bench/RESULTS.md, "Threat indicators"):
#   bench/indicators.sh BUILD_DIR [RUNS] [BASELINE_BUILD_DIR]
# 1. builds the default artifact with and without the full maltrail set (same rules);
# 2. times building the 1.6M set alone (trawl compile of the pack), and indicator-only
#    updates (trawl indicators replace of the whole pack; add of a 10k feed);
# 3. runs bench/indicator_benchmark (analysis and scan of bench_mixed_16MiB.bin with and
#    without the set, one thread, interleaved repetitions; lookup ns per candidate);
# 4. cold load of both artifacts (bench/cold_load.sh) and the scanning process's RSS.
# With BASELINE_BUILD_DIR (another checkout's build, the same artifact format), the
# indicator-only update and the cold load are also timed with its trawl, interleaved with
# this build's runs, and given as ratios.
# The machine is shared: every timing is a median of RUNS (default 5).
set -euo pipefail
build=${1:?usage: indicators.sh BUILD_DIR [RUNS] [BASELINE_BUILD_DIR]}
runs=${2:-5}
baseline=${3:-}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
trawl="$build/trawl"
# The corpus sits beside the checkout, or two levels up from a worktree.
shared="$root/../shared"; [[ -d "$shared" ]] || shared="$root/../../shared"
input="$shared/corpus/scan_inputs/bench_mixed_16MiB.bin"
rules=("$root/rules/secrets.json" "$root/rules/pii.json" "$root/rules/indicators.ndjson.gz")
pack="$root/rules/indicators/maltrail.tsv.xz"
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
# Wall seconds, max RSS (KiB) and CPU seconds (user + system) of a command, from GNU time.
timed() { /usr/bin/time -f '%e %M %U %S' -o "$work/time" "$@" >/dev/null 2>"$work/stderr" ||
          { cat "$work/stderr" >&2; return 1; }; awk '{print $1, $2, $3 + $4}' "$work/time"; }

echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
"$trawl" compile "${rules[@]}" "$pack" -o "$work/with.tdb" --threads 2 2>/dev/null
"$trawl" compile "${rules[@]}" -o "$work/without.tdb" --threads 2 2>/dev/null
echo "artifacts: with set $(stat -c %s "$work/with.tdb") bytes, without $(stat -c %s "$work/without.tdb") bytes"

python3 - "$work/feed10k.txt" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(10000):
        f.write(f"host{i}.update-feed.example-bad.net\n")
PY
build_s=() replace_s=() add_s=() add_cpu=() rss=() base_add_s=() base_add_cpu=()
for ((i = 0; i < runs; i++)); do
  read -r s _ < <(timed "$trawl" compile "$pack" -o "$work/set-only.tdb" --threads 2); build_s+=("$s")
  read -r s _ < <(timed "$trawl" indicators replace "$pack" --db "$work/with.tdb" -o "$work/r.tdb"); replace_s+=("$s")
  read -r s _ c < <(timed "$trawl" indicators add "$work/feed10k.txt" --db "$work/with.tdb" -o "$work/a.tdb")
  add_s+=("$s") add_cpu+=("$c")
  if [[ -n $baseline ]]; then
    read -r s _ c < <(timed "$baseline/trawl" indicators add "$work/feed10k.txt" --db "$work/with.tdb" -o "$work/a.tdb")
    base_add_s+=("$s") base_add_cpu+=("$c")
  fi
  read -r _ m _ < <(timed "$trawl" scan --db "$work/with.tdb" "$input"); rss+=("$m")
done
echo "| step | median of $runs (wall s) |"
echo "|---|---|"
echo "| build the 1.6M set (trawl compile of the pack alone) | $(printf '%s\n' "${build_s[@]}" | median) |"
echo "| update: replace the whole maltrail feed | $(printf '%s\n' "${replace_s[@]}" | median) |"
echo "| update: add a 10k-entry feed | $(printf '%s\n' "${add_s[@]}" | median) (CPU $(printf '%s\n' "${add_cpu[@]}" | median)) |"
if [[ -n $baseline ]]; then
  a=$(printf '%s\n' "${add_s[@]}" | median) b=$(printf '%s\n' "${base_add_s[@]}" | median)
  ac=$(printf '%s\n' "${add_cpu[@]}" | median) bc=$(printf '%s\n' "${base_add_cpu[@]}" | median)
  echo "| baseline: add a 10k-entry feed | $b (CPU $bc) |"
  awk -v a="$a" -v b="$b" -v ac="$ac" -v bc="$bc" \
    'BEGIN {printf "add: baseline / this build %.1fx wall, %.1fx CPU\n", b / a, bc / ac}'
fi
echo "trawl scan of bench_mixed_16MiB.bin with the full default artifact: max RSS $(( $(printf '%s\n' "${rss[@]}" | median) / 1024 )) MiB"

TRAWL_BENCH_WITH="$work/with.tdb" TRAWL_BENCH_WITHOUT="$work/without.tdb" TRAWL_BENCH_INPUT="$input" \
  taskset -c 0 "$build/bench/indicator_benchmark" --benchmark_repetitions="$runs" \
  --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true \
  --benchmark_min_time=1
"$root/bench/cold_load.sh" "$build" "$work/with.tdb" 9
"$root/bench/cold_load.sh" "$build" "$work/without.tdb" 9
if [[ -n $baseline ]]; then
  new_ms=() base_ms=()
  for ((i = 0; i < 15; ++i)); do  # interleaved, so drift hits both alike
    new_ms+=("$("$build/bench/load_cold" "$work/with.tdb" trawl)")
    base_ms+=("$("$baseline/bench/load_cold" "$work/with.tdb" trawl)")
  done
  n=$(printf '%s\n' "${new_ms[@]}" | median) b=$(printf '%s\n' "${base_ms[@]}" | median)
  awk -v n="$n" -v b="$b" 'BEGIN {printf "cold load of the default artifact, 15 fresh processes each, medians: this build %.1f ms, baseline %.1f ms (%.2fx)\n", n, b, b / n}'
fi
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
