#!/usr/bin/env bash
# Builds the Lambda package for the provided.al2023 runtime:
#   bootstrap            the host, its ELF interpreter set to the bundled loader
#   lib/                 libtrawl and every shared library it needs, glibc included
#   default.tdb          the compiled default rule packs (portable target: any x86-64 CPU)
#   ca-certificates.crt  the CA bundle (Debian's ca-certificates): the host sets CURLOPT_CAINFO
#                        to it, since Debian's libcurl looks for a path AL2023 does not have
# AL2023 ships glibc 2.34; Debian bookworm's libstdc++ and libarchive need 2.35/2.36, so the
# package brings its own glibc and loader (patchelf) instead of relying on the runtime's.
# check_lambda_zip.py verifies the result.
#   package_lambda.sh BUILD_DIR [OUT.zip]     (needs patchelf and zip)
set -euo pipefail
build=$(cd "${1:?usage: package_lambda.sh BUILD_DIR [OUT.zip]}" && pwd)
out=${2:-$build/aws/trawl-lambda.zip}
source_dir=$(cd "$(dirname "$0")/../../.." && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/lib"

cp "$build/aws/bootstrap" "$stage/bootstrap"
# Every library the loader resolves, glibc and the loader itself included.
ldd "$build/aws/bootstrap" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\/.*ld-linux/ {print $1}' |
  while read -r lib; do cp -L "$lib" "$stage/lib/"; done
loader=$(basename "$(ldd "$build/aws/bootstrap" | awk '$1 ~ /ld-linux/ {print $1}')")
patchelf --set-interpreter "/var/task/lib/$loader" --set-rpath '$ORIGIN/lib' "$stage/bootstrap"
for lib in "$stage"/lib/*.so*; do
  [[ $(basename "$lib") == "$loader" ]] || patchelf --set-rpath '$ORIGIN' "$lib"
done

db=${TRAWL_LAMBDA_DB:-$stage/default.tdb}
# TRAWL_LAMBDA_INDICATORS: another indicator pack (the packaging test takes a small one).
indicators=${TRAWL_LAMBDA_INDICATORS:-$source_dir/rules/indicators/maltrail.tsv.xz}
if [[ ! -f $db ]]; then
  "$build/trawl" compile "$source_dir/rules/secrets.json" "$source_dir/rules/pii.json" \
    "$source_dir/rules/indicators.ndjson.gz" "$indicators" --target portable -o "$stage/default.tdb" >&2
else
  cp "$db" "$stage/default.tdb"
fi
cp /etc/ssl/certs/ca-certificates.crt "$stage/ca-certificates.crt"
rm -f "$out"
(cd "$stage" && zip -q -r -X "$out" bootstrap lib default.tdb ca-certificates.crt)
echo "package_lambda: $out ($(du -h "$out" | cut -f1))" >&2
