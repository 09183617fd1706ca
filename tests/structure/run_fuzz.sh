#!/usr/bin/env bash
# Builds the structure fuzzers with clang (libFuzzer + ASan + UBSan) in their own build
# directory and runs each for SECONDS (default 60). Exits non-zero on the first crash.
#
# Usage: tests/structure/run_fuzz.sh [SECONDS]
#   TRAWL_FUZZ_BUILD_DIR  build directory (default: <repo>/build-structure-fuzz)
set -euo pipefail

seconds="${1:-60}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${TRAWL_FUZZ_BUILD_DIR:-$root/build-structure-fuzz}"
sanitize="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"

# TRAWL_WERROR=OFF: the shared warning set uses GCC-only flags (-Wshadow=local).
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRAWL_BUILD_FUZZERS=ON -DTRAWL_WERROR=OFF \
  -DTRAWL_BUILD_BENCHMARKS=OFF -DTRAWL_BUILD_EXAMPLES=OFF \
  -DCMAKE_C_FLAGS="$sanitize" -DCMAKE_CXX_FLAGS="$sanitize" >/dev/null
nice cmake --build "$build" --target structure_json_fuzzer structure_csv_fuzzer structure_binary_fuzzer

seed() {  # seed <dir> <name> <bytes...>
  mkdir -p "$1"
  printf "$3" >"$1/$2"
}
corpus="$build/fuzz-corpus"
seed "$corpus/json" config '{"services":[{"env":{"DB_PASSWORD":"x\\u0041\\/y"}},1.5e3,true,null]}'
seed "$corpus/json" ndjson '{"a":1}\n{"a":"b","c":[]}\r\n\n[1,2'
seed "$corpus/csv" quoted 'id,name,key\r\n1,"a, ""b""\nc",AKIA\r\n2,x,2024-01-02\n'
seed "$corpus/csv" tsv 'a\tb\n1\t2\r3\t4'
seed "$corpus/binary" zip 'PK\003\004\000\000MZ\000\000c2VjcmV0IHRva2VuIHZhbHVlIDEyMzQ1Njc4OQ==\000p\000a\000s\000s\000'

status=0
for fuzzer in json csv binary; do
  echo "== structure_${fuzzer}_fuzzer: ${seconds}s"
  if ! "$build/tests/structure/structure_${fuzzer}_fuzzer" -max_total_time="$seconds" -max_len=65536 \
       -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$corpus/$fuzzer" 2>"$build/${fuzzer}_fuzz.log"; then
    echo "FAILED: see $build/${fuzzer}_fuzz.log"
    tail -40 "$build/${fuzzer}_fuzz.log"
    status=1
  else
    grep -E "^stat::number_of_executed_units|^stat::new_units_added|Done [0-9]+ runs" "$build/${fuzzer}_fuzz.log" || true
  fi
done
exit $status
