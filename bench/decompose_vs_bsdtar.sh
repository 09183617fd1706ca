#!/usr/bin/env bash
# Decomposition throughput of `trawl decompose -o DIR` against `bsdtar -xf` into a tmpfs,
# on the same generated tar.gz of mixed files, in the same run. Prints both and the ratio.
#   bench/decompose_vs_bsdtar.sh [SIZE_MIB]   (default 256; the issue's figure is 1024)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-256}
trawl=${TRAWL:-build/trawl}
work=$(mktemp -d /dev/shm/trawl-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 bench/make_package.py "$work/src" "$size_mib"
(cd "$work/src" && bsdtar -czf "$work/package.tar.gz" .)
rm -rf "$work/src"
mkdir -p "$work/bsdtar" "$work/trawl"
t0=$(date +%s.%N); bsdtar -xf "$work/package.tar.gz" -C "$work/bsdtar"; t1=$(date +%s.%N)
rm -rf "$work/bsdtar"
"$trawl" decompose -o "$work/trawl" "$work/package.tar.gz" >/dev/null; t2=$(date +%s.%N)
python3 - "$t0" "$t1" "$t2" "$size_mib" <<'PY'
import sys
t0, t1, t2, size = map(float, sys.argv[1:5])
b, t = t1 - t0, t2 - t1
print(f"{size:.0f} MiB expanded: bsdtar -xf {b:.2f} s ({size/b:.0f} MiB/s), "
      f"trawl decompose -o {t:.2f} s ({size/t:.0f} MiB/s), trawl/bsdtar throughput {b/t:.2f}")
PY
