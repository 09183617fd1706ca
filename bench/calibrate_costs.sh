#!/usr/bin/env bash
# Measures the per-step analysis rates behind the planner's tier cost model
# (classify/plan.h CostModel; docs/plan.md "Cost model") on a generated package's files
# with the default packs, and prints them beside the model's defaults.
#   bench/calibrate_costs.sh [SIZE_MIB]   (default 64; needs a build in build/)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-64}
build=${BUILD:-build}
work=$(mktemp -d /dev/shm/trawl-calibrate.XXXXXX)
trap 'rm -rf "$work"' EXIT
if [[ ! -f $build/default.tdb ]]; then
  "$build/trawl" compile rules/secrets.json rules/pii.json rules/indicators.ndjson.gz \
    rules/indicators/maltrail.tsv.xz -o "$build/default.tdb" 2>/dev/null
fi
python3 bench/make_package.py "$work/files" "$size_mib" --plant
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%F)"
"$build/bench/cost_calibration" "$build/default.tdb" "$work"/files/*
