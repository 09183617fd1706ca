#!/usr/bin/env bash
# `trawl scan --mmap` maps regular files, without it they are read like pipes
# (tools/trawl/mapped_input.h): the paths must print the same bytes. Each input is scanned
# with --mmap, read (in 1 MiB pieces) and from stdin, without caps and with the
# default caps; stdout and the summary line must be identical. Inputs: empty, one byte
# over a page, exactly two pages, 20 MiB + 123 bytes of dense matches (some cross each
# 8 MiB window edge; one rule matches up to 3 KB), and the corpus' 16 MiB mixed input
# when ../shared is there. Also the match lines' escapes for every byte value against a
# reference escaper. Prints "N passed, N failed".
set -uo pipefail
trawl=$1 root=$2 work=$3 shared=${4:-}
rm -rf "$work" && mkdir -p "$work"
passed=0 failed=0
ok() { passed=$((passed + 1)); }
ko() { failed=$((failed + 1)); echo "FAILED: $*"; }

cat >"$work/rules.json" <<'RULES'
[{"id": "kv", "regex": "k=(x)?(\\d+)", "category": "test", "severity": "low"},
 {"id": "wide", "regex": "BEGIN[^\\x01]{0,3000}END", "category": "test", "severity": "low"},
 {"id": "lit", "literal": "needle", "category": "test", "severity": "low"}]
RULES
if ! "$trawl" compile "$root/rules/secrets.json" "$root/rules/pii.json" "$work/rules.json" \
    -o "$work/db.tdb" 2>"$work/compile.err"; then
  cat "$work/compile.err"; echo "0 passed, 1 failed"; exit 1
fi

: >"$work/empty.bin"
head -c 4097 "$root/examples/sample/planted.json" >"$work/page_plus_one.bin" 2>/dev/null
# (planted.json may be shorter: fill up to the size with text that matches)
line='k=42 needle BEGIN x AKIA64CFSUOSG2WPIZZX alice@example.com END q '
while [ "$(stat -c %s "$work/page_plus_one.bin")" -lt 4097 ]; do
  printf '%s\n' "$line" >>"$work/page_plus_one.bin"
done
truncate -s 4097 "$work/page_plus_one.bin"
yes "$line" | head -c 8192 >"$work/two_pages.bin"
yes "$line" | head -c $((20 * 1048576 + 123)) >"$work/dense_20MiB.bin"
inputs=("$work/empty.bin" "$work/page_plus_one.bin" "$work/two_pages.bin" "$work/dense_20MiB.bin")
corpus=$shared/corpus/scan_inputs/bench_mixed_16MiB.bin
if [ -n "$shared" ] && [ -f "$corpus" ]; then
  inputs+=("$corpus")
else
  echo "note: no corpus at '$shared': the 16 MiB corpus input is not compared"
fi

for input in "${inputs[@]}"; do
  name=$(basename "$input")
  size=$(stat -c %s "$input")
  for caps in "--max-matches 0 --max-matches-per-rule 0" ""; do
    # shellcheck disable=SC2086 # $caps is a list of flags
    "$trawl" -v scan --db "$work/db.tdb" $caps --mmap "$input" >"$work/mapped.out" 2>"$work/mapped.err"
    # shellcheck disable=SC2086
    "$trawl" -v scan --db "$work/db.tdb" $caps "$input" >"$work/read.out" 2>"$work/read.verbose"
    # shellcheck disable=SC2086
    cat "$input" | "$trawl" scan --db "$work/db.tdb" $caps - >"$work/stdin.raw" 2>"$work/stdin.err.raw"
    # stdin is named "-": the same lines under the file's name.
    esc=$(printf '%s' "$input" | sed 's/[\/&]/\\&/g')
    sed "s/^{\"input\":\"-\"/{\"input\":\"$esc\"/" "$work/stdin.raw" >"$work/stdin.out"
    sed "s/^trawl: -: /trawl: $esc: /" "$work/stdin.err.raw" >"$work/stdin.err"
    grep -v ': mapped (\|^trawl: database ' "$work/mapped.err" >"$work/mapped.summary"
    grep -v '^trawl: database ' "$work/read.verbose" >"$work/read.err"
    what="$name (${caps:-default caps})"
    if cmp -s "$work/mapped.out" "$work/read.out" && cmp -s "$work/mapped.out" "$work/stdin.out"; then
      ok
    else
      ko "$what: --mmap, read and stdin print different matches"
      diff "$work/mapped.out" "$work/read.out" | head -5
    fi
    if cmp -s "$work/mapped.summary" "$work/read.err" && cmp -s "$work/read.err" "$work/stdin.err"; then
      ok
    else
      ko "$what: summaries differ"; cat "$work/mapped.summary" "$work/read.err" "$work/stdin.err"
    fi
    # --mmap mapped every non-empty file (an empty one is read); without it nothing is.
    if { { [ "$size" -gt 0 ] && grep -q ": mapped ($size bytes)" "$work/mapped.err"; } ||
         { [ "$size" -eq 0 ] && ! grep -q ': mapped (' "$work/mapped.err"; }; } &&
       ! grep -q ': mapped (' "$work/read.verbose"; then
      ok
    else
      ko "$what: mapped path not taken as expected"; cat "$work/mapped.err"
    fi
  done
  lines=$(wc -l <"$work/mapped.out")
  echo "$name: $size bytes, $lines matches with the default caps"
done
# Matches exist where they must: "wide" ones across the first two window edges of the
# dense input, and every k=42.
"$trawl" scan --db "$work/db.tdb" --max-matches 0 --max-matches-per-rule 0 \
  "$work/dense_20MiB.bin" >"$work/dense.out" 2>/dev/null
crossing=$(grep '"rule":"wide"' "$work/dense.out" | sed 's/.*"start":\([0-9]*\),"end":\([0-9]*\),.*/\1 \2/' |
  awk '($1 < 8388608 && $2 > 8388608) || ($1 < 16777216 - 4000 && $2 > 16777216 - 4000)' | wc -l)
if [ "$crossing" -eq 2 ] &&
   [ "$(grep -c '"rule":"kv"' "$work/dense.out")" -eq "$(grep -c 'k=42' "$work/dense_20MiB.bin")" ]; then
  ok
else
  ko "dense input: $crossing wide matches across the window edges (want 2), or a k=42 missing"
fi

# The match lines' bytes for every byte value (escapes, captures, an unset group) against
# an escaper written here from docs/cli.md's rules, so a faster writer cannot drift.
if command -v python3 >/dev/null; then
  python3 - "$work" <<'PY'
import json, random, sys
work = sys.argv[1]
rng = random.Random(1)
open(work + "/bytes.bin", "wb").write(bytes(range(256)) * 4 + bytes(rng.randrange(256) for _ in range(20000)))
json.dump([{"id": "any", "regex": "(?s)(.)(.{0,30})(x)?", "category": "t", "severity": "low"},
           {"id": "q\"uote", "literal": "\"", "category": "t", "severity": "high"}],
          open(work + "/bytes.json", "w"))
PY
  "$trawl" compile "$work/bytes.json" -o "$work/bytes.tdb" 2>/dev/null
  "$trawl" scan --db "$work/bytes.tdb" --max-matches 0 --max-matches-per-rule 0 \
    "$work/bytes.bin" >"$work/bytes.out" 2>/dev/null
  if python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
data = open(work + "/bytes.bin", "rb").read()
def esc(b):
    out = ['"']
    for c in b:
        if c == 0x22: out.append('\\"')
        elif c == 0x5c: out.append('\\\\')
        elif c == 0x0a: out.append('\\n')
        elif c == 0x0d: out.append('\\r')
        elif c == 0x09: out.append('\\t')
        elif 0x20 <= c < 0x7f: out.append(chr(c))
        else: out.append('\\u00%02x' % c)
    return "".join(out) + '"'
import re
lines = open(work + "/bytes.out", "rb").read().decode("ascii").splitlines()
assert len(lines) > 500, len(lines)
for line in lines:
    rule, start, end = re.match(r'\{"input":"[^"]*","rule":("[^"]*(?:\\"[^"]*)*")[^{]*?"start":(\d+),"end":(\d+)', line).groups()
    start, end = int(start), int(end)
    head = '{"input":%s,"rule":%s,"category":"t","severity":"%s","start":%d,"end":%d,"text":%s,"captures":[' % (
        esc((work + "/bytes.bin").encode()), rule, "high" if rule == '"q\\"uote"' else "low", start, end, esc(data[start:end]))
    assert line.startswith(head), (line, head)
PY
  then ok; else ko "match lines' escapes differ from the reference escaper"; fi
else
  echo "note: no python3: the escapes are not checked against the reference"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
