#!/usr/bin/env bash
# Cold artifact load: each load in a fresh process (what a Lambda cold start pays), against
# the baseline of reading the same file into fresh memory, also in a fresh process.
#   bench/cold_load.sh BUILD_DIR ARTIFACT [RUNS]
# Prints the medians and their ratio, then the warm reload and scratch creation
# (bench/RESULTS.md).
set -euo pipefail
build=${1:?usage: cold_load.sh BUILD_DIR ARTIFACT [RUNS]}
artifact=${2:?usage: cold_load.sh BUILD_DIR ARTIFACT [RUNS]}
runs=${3:-9}
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
trawl_ms=() copy_ms=()
for ((i = 0; i < runs; i++)); do  # interleaved, so drift hits both alike
  trawl_ms+=("$("$build/bench/load_cold" "$artifact" trawl)")
  copy_ms+=("$("$build/bench/load_cold" "$artifact" copy)")
done
t=$(printf '%s\n' "${trawl_ms[@]}" | median)
c=$(printf '%s\n' "${copy_ms[@]}" | median)
echo "artifact: $artifact ($(stat -c %s "$artifact") bytes), $runs fresh processes each, medians"
echo "| trawl_db_load_file | read into fresh memory (baseline) | ratio |"
echo "|---|---|---|"
awk -v t="$t" -v c="$c" 'BEGIN {printf "| %.1f ms | %.1f ms | %.1fx |\n", t, c, t / c}'
read -r warm_load warm_scratch < <("$build/bench/load_cold" "$artifact" warm)
echo "warm, in one process (best of 10): reload $warm_load ms, trawl_scratch_new $warm_scratch ms"
