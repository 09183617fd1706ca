#!/usr/bin/env bash
# Sets up everything and runs trawl's tests: the release build with every test, then an
# ASan/UBSan build of the tests, then the fuzz targets for a bounded time.
#
#   scripts/test.sh                 # what CI runs
#   TRAWL_TEST_STAGES=release scripts/test.sh     # only the release build and its tests
#   TRAWL_FUZZ_SECONDS=60 scripts/test.sh         # longer fuzzing (default 20 s per target)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
stages=${TRAWL_TEST_STAGES:-release,sanitize,fuzz}
jobs=$(nproc)

run_ctest() {
  local dir=$1; shift
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" "$@"
}

if [[ ,$stages, == *,release,* ]]; then
  echo "== release build and tests" >&2
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j "$jobs"
  run_ctest build
fi

if [[ ,$stages, == *,sanitize,* ]]; then
  echo "== ASan/UBSan build and tests" >&2
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DTRAWL_SANITIZE=address,undefined \
    -DTRAWL_BUILD_BENCHMARKS=OFF >/dev/null
  cmake --build build-asan -j "$jobs"
  # The corpus equivalence sets are slow under ASan; the release run covers them.
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    run_ctest build-asan -E 'CorpusEquivalence'
fi

if [[ ,$stages, == *,fuzz,* ]]; then
  echo "== fuzzing (${TRAWL_FUZZ_SECONDS:-20} s per target)" >&2
  bash scripts/fuzz.sh "${TRAWL_FUZZ_SECONDS:-20}"
fi
