#!/usr/bin/env bash
# Seeds for decompose_fuzzer: one small archive per supported format and filter, plus a
# nested one. Called by scripts/fuzz.sh with the output directory.
set -euo pipefail
out=$1
mkdir -p "$out"
src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
mkdir -p "$src/d/sub"
printf '2026-01-01T00:00:00Z INFO hello\n' >"$src/d/app.log"
printf '{"a":1}\n{"a":2}\n' >"$src/d/sub/e.ndjson"
ln -sf app.log "$src/d/link"
cd "$src/d"
bsdtar -cf "$out/seed.tar" .
bsdtar -czf "$out/seed.tar.gz" .
bsdtar -cjf "$out/seed.tar.bz2" .
bsdtar -cJf "$out/seed.tar.xz" .
bsdtar --zstd -cf "$out/seed.tar.zst" .
bsdtar --lz4 -cf "$out/seed.tar.lz4" .
bsdtar --format zip -cf "$out/seed.zip" .
bsdtar --format 7zip -cf "$out/seed.7z" .
bsdtar --format cpio -cf "$out/seed.cpio" .
bsdtar --format ar -cf "$out/seed.a" app.log
gzip -c app.log >"$out/seed.log.gz"
cp "$out/seed.tar.gz" inner.tgz
bsdtar --format zip -cf "$out/seed-nested.zip" inner.tgz app.log
