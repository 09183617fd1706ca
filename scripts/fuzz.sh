#!/usr/bin/env bash
# Builds every libFuzzer target (tests/*/ *_fuzzer.cc, declared with trawl_add_fuzzer) with
# clang, ASan and UBSan, and runs each for a bounded time. Exits non-zero on any finding.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 20)
#   TRAWL_FUZZ_TARGETS="scanner_fuzzer capi_fuzzer" scripts/fuzz.sh 60
#   TRAWL_FUZZ_UPDATE_CORPUS=1 scripts/fuzz.sh 300
#
# Corpora persist in the repository: tests/<stage>/corpus/<target>/ holds each target's
# minimized corpus, and every run starts from it (plus the target's seed script, if any).
# New inputs a run finds go to build-fuzz/corpus/<target>/; with TRAWL_FUZZ_UPDATE_CORPUS=1
# they are merged into the committed corpus, which is minimized again (libFuzzer -merge:
# only inputs that add coverage stay; inputs over 64 KiB are left out to keep the
# repository small). Commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTRAWL_WERROR=ON -DTRAWL_BUILD_FUZZERS=ON -DTRAWL_BUILD_TESTS=ON -DTRAWL_BUILD_BENCHMARKS=OFF \
  -DTRAWL_BUILD_EXAMPLES=OFF -DTRAWL_BUILD_TOOLS=OFF >/dev/null
targets=${TRAWL_FUZZ_TARGETS:-$(find tests -name '*_fuzzer.cc' -exec basename {} .cc \; | sort)}
[[ -n $targets ]] || { echo "fuzz: no targets" >&2; exit 0; }
# shellcheck disable=SC2086
cmake --build build-fuzz -j "$(nproc)" --target $targets
passed=0
failed=0
for target in $targets; do
  source_dir=$(dirname "$(find tests -name "$target.cc" | head -1)")
  committed=$source_dir/corpus/$target
  corpus=build-fuzz/corpus/$target
  binary=build-fuzz/$(find build-fuzz -name "$target" -type f -executable -printf '%P\n' | head -1)
  mkdir -p "$corpus" "$committed"
  seed_script=$source_dir/${target}_seeds.sh
  if [[ -x $seed_script ]]; then "$seed_script" "$PWD/$corpus"; fi
  # Hand-made seeds kept in the repository (tests/<stage>/fuzz_seeds/<target>/).
  if [[ -d $source_dir/fuzz_seeds/$target ]]; then cp -n "$source_dir/fuzz_seeds/$target"/* "$corpus"/; fi
  echo "fuzz: $target for ${seconds}s (from $(find "$committed" -type f | wc -l) committed inputs)" >&2
  # New inputs go to the first directory; the committed corpus is read only.
  # -malloc_limit_mb above the RSS limit: libarchive reserves a read-ahead buffer as large as
  # a header field says (a cpio name size reaches 4 GiB) before it finds the input shorter;
  # the buffer is never filled, so only RSS (still capped at 3 GiB) measures real use.
  if "$binary" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=3072 -malloc_limit_mb=5120 \
      -max_len=262144 \
      -artifact_prefix="build-fuzz/$target-" -print_final_stats=1 \
      "$corpus" "$committed" >"build-fuzz/$target.log" 2>&1; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    tail -40 "build-fuzz/$target.log" >&2
    continue
  fi
  if [[ ${TRAWL_FUZZ_UPDATE_CORPUS:-0} == 1 ]]; then
    minimized=$(mktemp -d)
    # The same limits as the run (else libarchive's large reservations count as OOM), and
    # artifacts under build-fuzz, not in the checkout.
    "$binary" -merge=1 -timeout=20 -rss_limit_mb=3072 -malloc_limit_mb=5120 \
      -artifact_prefix="build-fuzz/$target-merge-" "$minimized" "$committed" "$corpus" \
      >"build-fuzz/$target.merge.log" 2>&1
    find "$minimized" -type f -size +64k -delete
    rm -rf "$committed" && mkdir -p "$committed" && cp "$minimized"/* "$committed"/ 2>/dev/null || true
    rm -rf "$minimized"
    echo "fuzz: $target corpus: $(find "$committed" -type f | wc -l) inputs" >&2
  fi
done
echo "fuzz: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
