#!/usr/bin/env bash
# trawl side by side with its peers: YARA, ripgrep, the raw engine and secretlint
# (bench/peers/results/RESULTS.md). Installs the peers, builds trawl's binaries, converts
# the corpus rule sets per peer, checks that each pair matches the same rule ids, measures
# one interleaved run and draws the charts.
#
#   bench/peers/run.sh [--quick] [--out DIR]
#
# --quick: 1 and 16 MiB inputs, 2 rounds (~3 minutes); the default adds 128 MiB and 1 GiB
# and takes 5 rounds (~15 minutes on 2 cores). Results go to --out (default: build/peers/out
# for --quick; bench/peers/results, which the repository keeps, for a full run). Needs the
# shared corpus (../shared next to the main checkout, or TRAWL_SHARED_DIR); without it the
# run is skipped with a message, exit 0.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# The shared corpus sits next to the main checkout (a worktree finds it through git).
main_checkout=$(dirname "$(git -C "$repo" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || echo "$repo/.git")")
shared=${TRAWL_SHARED_DIR:-}
for candidate in "$repo/../shared" "$main_checkout/../shared"; do
  [ -n "$shared" ] || [ ! -d "$candidate/corpus" ] || shared=$(cd "$candidate" && pwd)
done
shared=${shared:-$repo/../shared}
build=${TRAWL_BUILD_DIR:-$repo/build}
work=$build/peers
quick=""
out=""
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=--quick ;;
    --out) out=$2; shift ;;
    *) echo "usage: bench/peers/run.sh [--quick] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
if [ -z "$out" ]; then
  if [ -n "$quick" ]; then out=$work/out; else out=$here/results; fi
fi
if [ ! -f "$shared/corpus/scan_inputs/bench_mixed_16MiB.bin" ]; then
  echo "bench/peers/run.sh: SKIPPED: no shared corpus at $shared/corpus (set TRAWL_SHARED_DIR);" \
       "nothing was measured." >&2
  exit 0
fi

# Peers from the registries: Debian packages, and secretlint pinned by package-lock.json.
# python3-yara lets convert.py ask YARA's own compiler which regexes it takes; GNU time
# reports each tool's peak RSS.
# node and npm count as present whatever package brought them (NodeSource's nodejs bundles
# npm and conflicts with Debian's npm package).
missing=""
for p in yara python3-yara ripgrep python3-matplotlib time; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
command -v node >/dev/null || missing="$missing nodejs"
command -v npm >/dev/null || missing="$missing npm"
if [ -n "$missing" ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo apt-get install -y -qq $missing
fi
mkdir -p "$work/npm"
cp "$here/package.json" "$here/package-lock.json" "$work/npm/"
if ! cmp -s "$here/package-lock.json" "$work/npm/node_modules/.package-lock.json.src" 2>/dev/null; then
  (cd "$work/npm" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$here/package-lock.json" "$work/npm/node_modules/.package-lock.json.src"
fi
echo '{"rules":[{"id":"@secretlint/secretlint-rule-preset-recommend"}]}' > "$work/npm/.secretlintrc.json"

# trawl's binaries: the CLI, trawl's scanner in process, the raw engine.
if [ ! -f "$build/build.ninja" ] && [ ! -f "$build/Makefile" ]; then
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$build" -j2 --target trawl trawl_inproc raw_scan
# The default rules, for the analyze thread-scaling cases (absent when the build turned
# TRAWL_INSTALL_DEFAULT_DB off: those cases are then left out).
cmake --build "$build" -j2 --target trawl_default_db >/dev/null 2>&1 || true

# Debian's python3 (python3-yara, python3-matplotlib), whatever python3 is first on PATH.
/usr/bin/python3 "$here/measure.py" --repo "$repo" --build "$build" --shared "$shared" \
  --work "$work" --out "$out" $quick
/usr/bin/python3 "$here/chart.py" "$out/results.json" "$out"
echo "bench/peers/run.sh: results in $out/RESULTS.md"
