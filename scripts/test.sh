#!/usr/bin/env bash
# Sets up everything and runs trawl's tests: the Release build (build-release/) with every
# test, the packaging tests included (install, find_package, pkg-config, Python), then an
# ASan/UBSan build of the tests, a TSan build of the concurrent ones, then every fuzz
# target for a bounded time. Ends with one line "tests: N passed, N failed" over all.
#
#   scripts/test.sh                                  # what CI runs
#   TRAWL_TEST_STAGES=release scripts/test.sh        # only the release build and its tests
#   TRAWL_TEST_STAGES=tsan scripts/test.sh           # only the TSan stage
#   TRAWL_FUZZ_SECONDS=60 scripts/test.sh            # longer fuzzing (default 20 s a target)
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || exit 1
stages=${TRAWL_TEST_STAGES:-release,sanitize,tsan,fuzz}
jobs=$(nproc)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
total_passed=0
total_failed=0
status=0

# Runs ctest and adds its counts to the totals.
run_ctest() {
  local dir=$1; shift
  # --no-tests=error: a build that registered no tests is a failure, not a pass.
  ctest --test-dir "$dir" --output-on-failure --no-tests=error -j "$jobs" "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local line total failed
  line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -1)
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
  failed=$(sed -E 's/.* ([0-9]+) tests failed.*/\1/' <<<"$line")
  if [[ -z $line ]]; then total=0 failed=1 status=1; fi
  total_passed=$((total_passed + total - failed))
  total_failed=$((total_failed + failed))
  [[ $rc -eq 0 ]] || status=1
}

# Every build here is a developer build: warnings are errors (users get TRAWL_WERROR=OFF).
build() {
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja -DTRAWL_WERROR=ON "$@" >/dev/null && cmake --build "$dir" -j "$jobs"
}

if [[ ,$stages, == *,release,* ]]; then
  echo "== release build and tests" >&2
  # Its own build directory: scripts/demo.sh configures build/ for the demo, and
  # neither may change what the other builds. Release, the build type users pick most: the
  # whole tree must compile there without a warning.
  # Validators for the documents (ajv, SARIF Multitool; npm, pinned by a lock file).
  if ! bash scripts/test_tools.sh build-release/test-tools; then
    echo "test tools could not be installed" >&2
    status=1 total_failed=$((total_failed + 1))
  fi
  if build build-release -DCMAKE_BUILD_TYPE=Release -DTRAWL_BUILD_TESTS=ON; then
    run_ctest build-release; else
    status=1 total_failed=$((total_failed + 1)); fi
fi

if [[ ,$stages, == *,sanitize,* ]]; then
  echo "== ASan/UBSan build and tests" >&2
  # -O1 as the sanitizers recommend; assertions stay on (no NDEBUG). simdjson's own
  # development checks switch on only at -O0, where they assert on input it then rejects.
  if build build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
      -DCMAKE_C_FLAGS_DEBUG="-g -O1" -DTRAWL_SANITIZE=address,undefined \
      -DTRAWL_BUILD_BENCHMARKS=OFF; then
    # The corpus equivalence sets (engine and planner) and the whole shipped indicator
    # pack (1.6M indicators, ShippedPack*) are slow under ASan; the release run covers
    # them, as it does the AWS end-to-end test (label e2e: real services, processes and
    # timeouts).
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
      run_ctest build-asan -E 'CorpusEquivalence|PlanCorpus|ShippedPack' -LE e2e
  else
    status=1 total_failed=$((total_failed + 1))
  fi
fi

if [[ ,$stages, == *,tsan,* ]]; then
  echo "== TSan build and the concurrent tests" >&2
  # What runs on several threads: the package worker pool and its progress callback
  # (pipeline), one database shared by scanners, loaded artifacts decoding rules and
  # compiling confirmations on first use (engine), the compiler's thread pool, and
  # aggregation. Only these test binaries are built; the corpus sets and the complexity
  # tests (timing) stay in the release run. Each test is time-boxed by ctest.
  if cmake -S . -B build-tsan -G Ninja -DTRAWL_WERROR=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
        -DCMAKE_C_FLAGS_DEBUG="-g -O1" -DTRAWL_SANITIZE=thread -DTRAWL_BUILD_BENCHMARKS=OFF \
        -DTRAWL_BUILD_EXAMPLES=OFF -DTRAWL_BUILD_TOOLS=OFF >/dev/null &&
     cmake --build build-tsan -j "$jobs" --target pipeline_test engine_test aggregate_test; then
    TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
      run_ctest build-tsan --timeout 300 \
        -R 'PackageAnalysisTest|ScannerTest|ArtifactTest|CompilerTest|AggregateTest' \
        -E 'Corpus|PublicSets|Complexity'
  else
    status=1 total_failed=$((total_failed + 1))
  fi
fi

if [[ ,$stages, == *,fuzz,* ]]; then
  echo "== fuzzing (${TRAWL_FUZZ_SECONDS:-20} s a target)" >&2
  bash scripts/fuzz.sh "${TRAWL_FUZZ_SECONDS:-20}" 2>&1 | tee "$log"
  [[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
  line=$(grep -E '^fuzz: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  if [[ -n $line ]]; then
    total_passed=$((total_passed + $(sed -E 's/fuzz: ([0-9]+) passed.*/\1/' <<<"$line")))
    total_failed=$((total_failed + $(sed -E 's/.* ([0-9]+) failed/\1/' <<<"$line")))
  else
    total_failed=$((total_failed + 1))
  fi
fi

echo "tests: $total_passed passed, $total_failed failed"
exit $status
