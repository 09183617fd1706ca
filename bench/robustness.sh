#!/usr/bin/env bash
# The hostile inputs of issue 14, timed and measured with this build's trawl and, in the
# same run, with a baseline binary (an older build) and on benign inputs of the same
# size, so the figures read as ratios. Prints one line per case: seconds and peak RSS.
#   bench/robustness.sh [BASELINE_TRAWL]
# A run past 120 s is stopped and shown as ">120".
set -euo pipefail
cd "$(dirname "$0")/.."
trawl=${TRAWL:-$PWD/build/trawl}
baseline=${1:-}
work=$(mktemp -d /tmp/trawl-robustness.XXXXXX)
trap 'rm -rf "$work"' EXIT
rules=$PWD/rules
cd "$work"
python3 - <<'PY'
import base64, gzip, io, json, os, random, zipfile
rng = random.Random(14)
blob = base64.b64encode(rng.randbytes(36 << 20))             # 48 MiB of base64
open("b64_one_line.txt", "wb").write(blob)
open("b64_folded.txt", "wb").write(b"\n".join(blob[i:i + 4096] for i in range(0, len(blob), 4096)))
open("a_run.txt", "wb").write(b"a" * 1048576 + b"!")
open("la.json", "w").write('[{"id":"la","regex":"(?=(a+)+b)a"}]')
open("benign.json", "w").write('[{"id":"ab","regex":"(?<=x)ab"}]')
# 4 members of 256 MiB of log text each (zip, ~5:1), the shape of the 4 x 1 GiB case.
lines = [b"2026-01-01T00:00:%02dZ INFO user=%s ip=10.0.%d.%d req=%s\n" % (
    i % 60, rng.randbytes(3).hex().encode(), i % 256, i % 199, rng.randbytes(2).hex().encode())
    for i in range(20000)]
chunk = b"".join(lines)
with zipfile.ZipFile("big.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
    for m in range(4):
        with z.open(f"m{m}.log", "w", force_zip64=True) as f:
            for _ in range((256 << 20) // len(chunk) + 1):
                f.write(chunk)
PY
# 5000 findings within 512 bytes of one component (a hostile component result).
"$trawl" decompose -o . "$OLDPWD/examples/sample/sample-package.tar.gz" >/dev/null
python3 - <<'PY'
import json
m = json.load(open("manifest.json"))
c = next(c for c in m["components"] if c["path"].endswith(".env"))
findings = [{"rule": f"rule-{i}", "category": "secret", "severity": "high", "start": i % 400,
             "end": i % 400 + 40, "fingerprint": f"{i:032x}", "confidence": 0.9,
             "confidence_reasons": []} for i in range(5000)]
json.dump({"schema": "trawl.component_result/1", "package_id": m["package_id"],
           "component": c["id"], "path": c["path"], "status": "analysed", "reason": "",
           "database": "d" * 64, "format": "text", "encoding": "utf-8", "bytes_scanned": 1,
           "truncation": 0, "dropped_candidates": 0, "findings": findings},
          open("dense.json", "w"))
PY
measure() {  # measure LABEL BINARY ARGS...: seconds and peak RSS, or >120
  local label=$1 bin=$2; shift 2
  local rc=0
  /usr/bin/time -o time.out -f "%e %M" timeout 120 "$bin" "$@" >/dev/null 2>&1 || rc=$?
  if [[ $rc -eq 124 ]]; then
    printf '%-48s %8s s\n' "$label" ">120"
  else
    # The last line: time says "Command exited with non-zero status" first when it did.
    printf '%-48s %8.2f s %8d MiB  (exit %d)\n' "$label" "$(tail -1 time.out | awk '{print $1}')" \
      "$(( $(tail -1 time.out | awk '{print $2}') / 1024 ))" "$rc"
  fi
}
for bin in "$trawl" ${baseline:+"$baseline"}; do
  echo "== $bin"
  # Each binary compiles its own databases (artifact formats differ between versions).
  db=$work/default.tdb
  "$bin" compile "$rules/secrets.json" "$rules/pii.json" "$rules/indicators.ndjson.gz" -o "$db" \
    2>/dev/null
  "$bin" compile la.json -o la.tdb 2>/dev/null
  "$bin" compile benign.json -o benign.tdb 2>/dev/null
  measure "48 MiB base64, 4 KiB lines" "$bin" analyze --db "$db" b64_folded.txt
  measure "48 MiB base64, one line" "$bin" analyze --db "$db" b64_one_line.txt
  measure "1 MiB of a, benign lookbehind rule, 1 s" "$bin" analyze --db benign.tdb \
    --time-budget-ms 1000 a_run.txt
  measure "1 MiB of a, (?=(a+)+b)a, 1 s budget" "$bin" analyze --db la.tdb \
    --time-budget-ms 1000 a_run.txt
  measure "5000 findings within 512 bytes, aggregate" "$bin" aggregate --manifest manifest.json \
    dense.json
  measure "4 x 256 MiB zip, 2 s budget" "$bin" analyze --db "$db" --time-budget-ms 2000 big.zip
  measure "4 x 256 MiB zip, no budget" "$bin" analyze --db "$db" big.zip
done
