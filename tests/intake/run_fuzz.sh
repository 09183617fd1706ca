#!/usr/bin/env bash
# Builds tests/intake/decompose_fuzzer with clang (libFuzzer + ASan + UBSan) and runs it
# for SECONDS (default 60) on a seed corpus of every supported format.
#   tests/intake/run_fuzz.sh 60
# cmake/TrawlWarnings.cmake passes the GCC-only -Wshadow=local, so this clang build
# silences unknown-warning diagnostics (warnings still show; -Werror stays on).
# Env: TRAWL_FUZZ_BUILD_DIR (default build-fuzz), TRAWL_FUZZ_JOBS (default 1).
set -euo pipefail
seconds="${1:-60}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${TRAWL_FUZZ_BUILD_DIR:-$root/build-fuzz}"

cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link -Wno-unknown-warning-option" \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link -Wno-unknown-warning-option" \
  -DTRAWL_SANITIZE=address,undefined -DTRAWL_BUILD_FUZZERS=ON -DTRAWL_BUILD_TESTS=ON \
  -DTRAWL_BUILD_BENCHMARKS=OFF -DTRAWL_BUILD_EXAMPLES=OFF >/dev/null
nice cmake --build "$build" --target decompose_fuzzer

# Seeds: one small archive per format and filter, plus a nested one.
corpus="$build/fuzz/corpus"
artifacts="$build/fuzz/artifacts"
mkdir -p "$corpus" "$artifacts"
seed_src="$(mktemp -d)"
trap 'rm -rf "$seed_src"' EXIT
mkdir -p "$seed_src/d/sub"
printf '2026-01-01T00:00:00Z INFO hello\n' > "$seed_src/d/app.log"
printf '{"a":1}\n{"a":2}\n' > "$seed_src/d/sub/e.ndjson"
ln -sf app.log "$seed_src/d/link"
(
  cd "$seed_src/d"
  bsdtar -cf "$corpus/seed.tar" .
  bsdtar -czf "$corpus/seed.tar.gz" .
  bsdtar -cjf "$corpus/seed.tar.bz2" .
  bsdtar -cJf "$corpus/seed.tar.xz" .
  bsdtar --zstd -cf "$corpus/seed.tar.zst" .
  bsdtar --lz4 -cf "$corpus/seed.tar.lz4" .
  bsdtar --format zip -cf "$corpus/seed.zip" .
  bsdtar --format 7zip -cf "$corpus/seed.7z" .
  bsdtar --format cpio -cf "$corpus/seed.cpio" .
  bsdtar --format ar -cf "$corpus/seed.a" app.log
  gzip -c app.log > "$corpus/seed.log.gz"
  cp "$corpus/seed.tar.gz" inner.tgz
  bsdtar --format zip -cf "$corpus/seed-nested.zip" inner.tgz app.log
)

jobs=()
# libFuzzer's job mode writes fuzz-N.log into the current directory: run it in the build.
if [[ "${TRAWL_FUZZ_JOBS:-1}" -gt 1 ]]; then jobs=(-jobs="$TRAWL_FUZZ_JOBS" -workers="$TRAWL_FUZZ_JOBS"); fi
cd "$build/fuzz"
"$build/tests/intake/decompose_fuzzer" "$corpus" -max_total_time="$seconds" -timeout=20 \
  -rss_limit_mb=2560 -max_len=262144 "${jobs[@]}" \
  -artifact_prefix="$artifacts/" -print_final_stats=1
