#!/usr/bin/env bash
# End-to-end CLI checks: compile the default rule packs (with an excerpt of the maltrail
# indicator pack: the whole pack is shipped_pack_test.sh's), inspect, scan, analyse the
# sample, and refuse bad input with the documented errors. Prints "N passed, N failed".
set -uo pipefail
unset CI  # report files keep values in these checks (CI mode: stages_test.sh)
trawl=$1 root=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
passed=0 failed=0
check() {  # check NAME COMMAND...: the command must succeed
  local name=$1; shift
  if "$@" >"$work/out" 2>"$work/err"; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAILED: $name"; cat "$work/err"; fi
}
contains() {  # contains NAME PATTERN: the last command's stdout must match
  local name=$1 pattern=$2
  if grep -q -- "$pattern" "$work/out"; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAILED: $name: no '$pattern' in output"; head -c 2000 "$work/out"; fi
}
check_fails() {  # check_fails NAME PATTERN COMMAND...: must fail, stderr must match
  local name=$1 pattern=$2; shift 2
  if "$@" >"$work/out" 2>"$work/err"; then failed=$((failed + 1)); echo "FAILED (succeeded): $name"
  elif grep -q -- "$pattern" "$work/err"; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAILED (wrong error): $name"; cat "$work/err"; fi
}

excerpt=$root/tests/cli/maltrail_excerpt.tsv
excerpt_count=$(grep -vc '^#' "$excerpt")
check compile "$trawl" compile "$root/rules/secrets.json" "$root/rules/pii.json" \
  "$root/rules/indicators.ndjson.gz" "$excerpt" -o "$work/default.tdb"
check db-info "$trawl" db info "$work/default.tdb"
contains db-info-counts '"total": 2861'
contains db-info-token-rules '"token": 20'
contains db-info-indicators "\"count\": $excerpt_count"
contains db-info-indicator-feed '"feed": "maltrail"'
check build-info "$trawl" build-info
contains known-answer '"passed":true'
contains token-kernel '"token_kernel":"'

printf 'x aws_access_key_id = AKIA64CFSUOSG2WPIZZX\n' >"$work/input.txt"
check scan "$trawl" scan --db "$work/default.tdb" "$work/input.txt"
contains scan-span '"rule":"aws-access-key-id".*"start":22,"end":42,'
check scan-stdin bash -c "printf 'AKIA64CFSUOSG2WPIZZX' | '$trawl' scan --db '$work/default.tdb' - | grep -q aws-access-key-id"
# The match lines' exact bytes: escapes in the text and in the input name, captures (one
# of them unset), and each input under its own name.
cat >"$work/json-rules.json" <<'RULES'
[{"id": "quote-lit", "literal": "q\"b\\\\", "category": "test", "severity": "low"},
 {"id": "kv", "regex": "k=(x)?(\\d+)", "category": "test", "severity": "critical"}]
RULES
check scan-json-compile "$trawl" compile "$work/json-rules.json" -o "$work/json.tdb"
printf 'k=42 q"b\\ \001\377' >"$work/in\"1.txt"
printf 'k=7\n' >"$work/in2.txt"
check scan-json-lines bash -c "'$trawl' scan --db '$work/json.tdb' '$work/in\"1.txt' '$work/in2.txt' >'$work/lines'"
cat >"$work/lines.expected" <<EXPECTED
{"input":"$work/in\\"1.txt","rule":"kv","category":"test","severity":"critical","start":0,"end":4,"text":"k=42","captures":[null,{"start":2,"end":4,"text":"42"}]}
{"input":"$work/in\\"1.txt","rule":"quote-lit","category":"test","severity":"low","start":5,"end":9,"text":"q\\"b\\\\","captures":[]}
{"input":"$work/in2.txt","rule":"kv","category":"test","severity":"critical","start":0,"end":3,"text":"k=7","captures":[null,{"start":2,"end":3,"text":"7"}]}
EXPECTED
check scan-json-exact diff "$work/lines.expected" "$work/lines"
# Many matches (the output leaves in large blocks): every line complete and counted.
check scan-many bash -c "head -c 3000000 /dev/zero | tr '\0' 'k' | sed 's/kkkkk/k=1 q/g' >'$work/many.txt' && '$trawl' scan --db '$work/json.tdb' --max-matches 0 --max-matches-per-rule 0 '$work/many.txt' >'$work/many.out' 2>'$work/many.err'"
check scan-many-count bash -c "n=\$(wc -l <'$work/many.out'); grep -q \", \$n matches\" '$work/many.err' && [ \"\$n\" -eq 600000 ] && tail -c 3 '$work/many.out' | grep -q ']}'"

check analyze "$trawl" analyze --db "$work/default.tdb" "$root/examples/sample/sample-package.tar.gz"
contains analyze-schema '"schema": "trawl.report/1"'
contains analyze-complete '"complete": true'
# Known malware infrastructure is a high finding that names the feed and the family; a
# private address on the next line stays an info-level entity.
printf '2026-12-01 10:00:01 beacon to nanopc.linkpc.net\n2026-12-01 10:00:02 connect 178.16.53.180 ok\n2026-12-01 10:00:03 connect 10.0.4.7 ok\n' >"$work/ioc.log"
(cd "$work" && tar czf ioc.tar.gz ioc.log)
check analyze-indicators "$trawl" analyze --db "$work/default.tdb" "$work/ioc.tar.gz"
contains indicator-domain '"rule": "maltrail:malware:agenttesla"'
contains indicator-ip '"rule": "maltrail:malware:amadey"'
contains indicator-ip-without-port '"match": "ip-without-port"'
cp "$work/out" "$work/ioc-report.json"
check indicator-ranking python3 -c "
import json, sys
r = json.load(open('$work/ioc-report.json'))
hits = {f['indicator']['family']: f for f in r['findings'] if f.get('indicator')}
private = [f for f in r['findings'] if f.get('value') == '10.0.4.7']
# linkpc.net itself is a dynamic-DNS domain maltrail lists as suspicious: a parent match.
assert sorted(hits) == ['agenttesla', 'amadey', 'dynamic_domain'], sorted(hits)
assert hits['dynamic_domain']['indicator']['match'] == 'parent-domain', hits
hits = [hits['agenttesla'], hits['amadey']]
assert all(f['severity'] == 'high' and f['indicator']['feed'] == 'maltrail' for f in hits), hits
assert len(hits[1]['locations']) == 1, hits[1]['locations']
assert private and private[0]['severity'] == 'info' and not private[0].get('indicator'), private
assert min(f['priority'] for f in hits) > 4 * private[0]['priority'], r['findings']
"
printf 'fresh.evil-update.net\nnot a value\nfresh.evil-update.net\n' >"$work/feed.txt"
check indicators-add "$trawl" indicators add "$work/feed.txt" --db "$work/default.tdb" -o "$work/updated.tdb" --family newfam
cp "$work/out" "$work/add.json"
cp "$work/err" "$work/add.err"
check indicators-add-counts python3 -c "
import json
feed = json.load(open('$work/add.json'))['feeds'][0]
assert (feed['entries'], feed['loaded'], feed['duplicates'], feed['unsupported']) == (3, 1, 1, 1), feed
assert sorted((i['line'], i['duplicate']) for i in feed['issues']) == [(2, False), (3, True)], feed
"
check indicators-add-total grep -q "$((excerpt_count + 1)) threat indicators" "$work/add.err"
printf 'x fresh.evil-update.net y\n' >"$work/fresh.log"
(cd "$work" && tar czf fresh.tar.gz fresh.log)
check analyze-updated "$trawl" analyze --db "$work/updated.tdb" "$work/fresh.tar.gz"
contains analyze-updated-hit '"rule": "feed:malicious:newfam"'
check_fails indicators-missing-feed "No such file" "$trawl" indicators add "$work/missing.txt" --db "$work/default.tdb" -o "$work/x.tdb"
check decompose "$trawl" decompose "$root/examples/sample/sample-package.tar.gz"
contains decompose-nested 'archive.zip!/2026/old.log'
mkdir -p "$work/extract"
check decompose-dir "$trawl" decompose -o "$work/extract" "$root/examples/sample/sample-package.tar.gz"
check decompose-dir-manifest test -s "$work/extract/manifest.json"
check decompose-dir-content bash -c "grep -l 'stripe\|sk_live' '$work/extract'/* | grep -qv manifest"
# A FIFO or a device as the package is refused at once, never waited on.
mkfifo "$work/fifo"
check_fails decompose-fifo "not a regular file" timeout 10 "$trawl" decompose "$work/fifo"
check_fails analyze-fifo "not a regular file" timeout 10 "$trawl" analyze --db "$work/default.tdb" "$work/fifo"
check_fails decompose-device "not a regular file" timeout 10 "$trawl" decompose /dev/zero
# Concurrent and retried intakes of one package into one directory all succeed and leave
# no temporary file (each writer has its own temporary names).
mkdir -p "$work/many" "$work/shared-out"
for i in $(seq 1 200); do printf 'file %d\n' "$i" >"$work/many/f$i.txt"; done
(cd "$work/many" && bsdtar -cf "$work/many.tar" .)
check decompose-concurrent bash -c "for round in 1 2 3; do pids=''; for w in 1 2 3 4; do
    '$trawl' decompose -o '$work/shared-out' '$work/many.tar' >/dev/null & pids=\"\$pids \$!\"
  done; for p in \$pids; do wait \$p || exit 1; done; done
  ! ls '$work/shared-out' | grep -q tmp"
check profile "$trawl" rules profile --input "$work/input.txt" --top 3 "$root/rules/secrets.json"
contains profile-rules '"costliest_rules"'
contains profile-top 'aws-access-key-id'
# The benchmark figures of `rules profile` describe the same work as `compile` and `scan`:
# the artifact is the compiled file's size, every measured scan finds what `trawl scan`
# prints (600 matches: below the default per-rule cap), with 1 and --threads threads.
python3 -c "import sys; sys.stdout.write('k=12 q\"b\\\\ ' * 300)" >"$work/bench.txt"
check profile-bench-scan bash -c "'$trawl' scan --db '$work/json.tdb' '$work/bench.txt' >'$work/bench.lines'"
check profile-bench "$trawl" rules profile --input "$work/bench.txt" --threads 3 --repeat 2 \
  --top 5 "$work/json-rules.json"
cp "$work/out" "$work/bench.json"
check profile-bench-fields python3 -c "
import json, os
b = json.load(open('$work/bench.json'))
n = sum(1 for _ in open('$work/bench.lines'))
assert n == 600, n
assert b['schema'] == 'trawl.bench/1' and b['rules'] == 2, b
assert b['input_bytes'] == os.path.getsize('$work/bench.txt'), b
assert b['artifact_bytes'] == os.path.getsize('$work/json.tdb'), b
assert b['compile_seconds'] >= 0 and b['load_ms']['median'] >= b['load_ms']['best'] >= 0, b
assert [s['threads'] for s in b['scan']] == [1, 3], b['scan']
assert all(s['matches'] == n for s in b['scan']) and b['profile']['matches'] == n, b
assert all(s['mb_per_s'] >= 0 and s['mb_per_cpu_s'] >= 0 for s in b['scan']), b['scan']
assert {r['id'] for r in b['profile']['costliest_rules']} == {'kv', 'quote-lit'}, b['profile']
"
check_fails profile-bench-threads "threads: Value 2000 not in range 0 to 1024" \
  "$trawl" rules profile --input "$work/bench.txt" --threads 2000 "$work/json-rules.json"

check classify "$trawl" classify --db "$work/default.tdb" "$root/examples/sample/sample-package.tar.gz"
contains classify-schema '"schema": "trawl.plans/1"'
contains classify-tier '"tier":"light"'

head -c 1000 "$work/default.tdb" >"$work/truncated.tdb"
check_fails truncated-artifact TRAWL_E_CORRUPT "$trawl" db info "$work/truncated.tdb"
printf 'not an artifact' >"$work/junk.tdb"
check_fails junk-artifact "bad magic" "$trawl" db info "$work/junk.tdb"
printf '[{"id":"a","regex":"x"},{"id":"a","regex":"y"},{"regex":"z"}]' >"$work/bad.json"
check_fails bad-rules "duplicate id" "$trawl" rules check "$work/bad.json"
check_fails bad-rules-index "definition 2" "$trawl" rules check "$work/bad.json"
printf '[{"id":"v","regex":"x","validator":"no_such_validator"}]' >"$work/badval.json"
check_fails unknown-validator "no_such_validator" "$trawl" rules check "$work/badval.json"
check_fails missing-rules "cannot\|No such file" "$trawl" compile /nonexistent.json -o "$work/x.tdb"
# Other tools' rule files: imported with one accounting line per file, written as trawl
# JSON that loads and passes its examples; an unknown file names the formats trawl reads.
fixtures=$root/tests/rules/importers
check rules-import bash -c "'$trawl' rules import '$fixtures/noseyparker.yml' '$fixtures/kingfisher.yml' \
  '$fixtures/gitleaks.toml' '$fixtures/fixture.yar' '$fixtures/fixture.rules' -o '$work/imported.json' \
  2>'$work/import.err'"
check rules-import-accounting grep -q "fixture.rules: suricata: 6 rules: 0 imported exactly, 3 imported with approximations, 3 rejected" "$work/import.err"
check rules-import-rejection grep -q "fixture.yar:23: definition 2 (yara.UsesModule)" "$work/import.err"
check rules-import-note grep -q "note: .*fixture.rules:3: .*http_uri approximated" "$work/import.err"
check rules-check-imported "$trawl" rules check "$work/imported.json"
contains rules-check-imported-examples '"examples":4,"failure_count":0'
# A native file whose every rule is rejected is accounted, not fatal: the others import.
printf 'import "pe"\nrule OnlyPe { condition: pe.number_of_sections == 1 }\n' >"$work/only_pe.yar"
check rules-import-all-rejected-file bash -c "'$trawl' rules import '$work/only_pe.yar' \
  '$fixtures/fixture.yar' -o '$work/imported_pe.json' 2>'$work/import_pe.err'"
check rules-import-all-rejected-accounted grep -q "only_pe.yar: yara: 1 rules: 0 imported exactly, 0 imported with approximations, 1 rejected" "$work/import_pe.err"
check rules-import-all-rejected-others grep -q '"yara.TwoStrings"' "$work/imported_pe.json"
# ...but files that add up to no rule at all are no rule set: nothing is compiled.
check_fails rules-all-rejected-alone "no definition could be loaded from the rule files" \
  "$trawl" compile "$work/only_pe.yar" -o "$work/only_pe.tdb"
check no-all-rejected-database test ! -e "$work/only_pe.tdb"
# A compiled database where rules go is named as binary, not parsed as YARA text.
check_fails rules-database-as-rules "default.tdb: binary content, not a rule file" \
  "$trawl" rules profile "$work/default.tdb" --input "$root/README.md"
# A folder of rule files: its rule files by extension at any depth, in name order (the
# same rules as naming each file), the rest skipped and counted; a folder without one fails.
mkdir -p "$work/rule_folder/nested" "$work/no_rules"
cp "$fixtures/fixture.yar" "$work/rule_folder/nested/"
cp "$fixtures/gitleaks.toml" "$work/rule_folder/"
printf 'MIT\n' >"$work/rule_folder/LICENSE"
printf 'notes\n' >"$work/no_rules/README.md"
check rules-import-folder bash -c "'$trawl' rules import '$work/rule_folder' -o '$work/folder.json' 2>'$work/folder.err'"
check rules-import-folder-files bash -c "'$trawl' rules import '$fixtures/gitleaks.toml' \
  '$fixtures/fixture.yar' -o '$work/files.json' 2>/dev/null && cmp '$work/folder.json' '$work/files.json'"
check rules-import-folder-skipped grep -q "rule_folder: 2 rule files; skipped 1 without a rule file extension (such as .*LICENSE)" "$work/folder.err"
check_fails rules-folder-without-rules "no_rules: no rule file in the directory" "$trawl" compile "$work/no_rules" -o "$work/x.tdb"
printf 'just some words\n' >"$work/notes.txt"
check_fails rules-unknown-format "not a rule file trawl recognizes; .*YARA" "$trawl" rules check "$work/notes.txt"
check_fails rules-forced-format "fixture.yar:1: not valid TOML" "$trawl" rules check --format gitleaks "$fixtures/fixture.yar"
check_fails rules-format-name "unknown rule format 'xml'" "$trawl" compile --format xml "$fixtures/fixture.yar" -o "$work/x.tdb"
# A YARA rule whose strings lie megabytes apart: the streamed scan (stdin past
# --whole-limit) reports the match without its bytes (the stream no longer holds them)
# instead of reading freed memory. A file is mapped and scanned whole when the database
# has composite rules, and stdin held whole within the limit: the match has its bytes,
# the first 16 KiB of them printed.
"$trawl" compile "$fixtures/fixture.yar" -o "$work/yara.tdb" 2>/dev/null
python3 -c "import sys; sys.stdout.write('ALPHA ' + 'x' * (9 << 20) + ' gamma')" >"$work/far.txt"
check scan-far-composite bash -c "'$trawl' scan --db '$work/yara.tdb' --whole-limit 1M <'$work/far.txt'"
contains scan-far-composite-match '"rule":"yara.TwoStrings","category":"signature","severity":"medium","start":0,"end":9437196,"text":null,'
check scan-far-composite-file "$trawl" scan --db "$work/yara.tdb" "$work/far.txt"
contains scan-far-composite-file-match '"rule":"yara.TwoStrings","category":"signature","severity":"medium","start":0,"end":9437196,"text":"ALPHA xxxx'
check scan-far-composite-stdin bash -c "cat '$work/far.txt' | '$trawl' scan --db '$work/yara.tdb' -"
contains scan-far-composite-stdin-match '"input":"-","rule":"yara.TwoStrings","category":"signature","severity":"medium","start":0,"end":9437196,"text":"ALPHA xxxx'
# A confirm-only pattern (one the engine cannot take) before the stream's last window:
# the stream cannot search it any more and says so, naming every reason; the file is exact.
printf '[{"id":"far","patterns":[{"name":"a","regex":"x\\\\zy|wor[dl]"},{"name":"b","literal":"hidden"}],"condition":"all of them"}]' >"$work/far_rule.json"
"$trawl" compile "$work/far_rule.json" -o "$work/far_rule.tdb" 2>/dev/null
python3 -c "import sys; sys.stdout.write('world ' + 'x' * (9 << 20) + ' hidden')" >"$work/far2.txt"
check scan-far-unplaced bash -c "'$trawl' scan --db '$work/far_rule.tdb' --whole-limit 0 <'$work/far2.txt' 2>&1 | grep -q '0 matches, TRUNCATED: unplaced match'"
check scan-far-unplaced-file bash -c "'$trawl' scan --db '$work/far_rule.tdb' '$work/far2.txt' 2>&1 | grep -q '1 matches\$'"
check scan-far-unplaced-stdin-whole bash -c "cat '$work/far2.txt' | '$trawl' scan --db '$work/far_rule.tdb' 2>&1 | grep -q '1 matches\$'"
check scan-far-composite-file-cut bash -c "'$trawl' scan --db '$work/yara.tdb' '$work/far.txt' | python3 -c 'import json,sys; m=[json.loads(l) for l in sys.stdin if \"TwoStrings\" in l][0]; assert m[\"text_cut\"] and len(m[\"text\"]) == 16384, m.keys()'"


# A rule file that does not parse as a whole, in every format the loader reads, is fatal
# (non-zero exit, the file and the position named) for compile and rules check alike:
# an empty database that compiles would pass every later check forever.
head -c 50000 "$root/rules/secrets.json" >"$work/cut.json"
check_fails cut-json-compile "cut.json: TRAWL_E_PARSE: .*ends early at byte 50000, inside definition" \
  "$trawl" compile "$work/cut.json" -o "$work/cut.tdb"
check no-cut-database test ! -e "$work/cut.tdb"
check_fails cut-json-strict "cut.json: TRAWL_E_PARSE" "$trawl" rules check --strict "$work/cut.json"
check_fails cut-json-with-good "cut.json: TRAWL_E_PARSE" \
  "$trawl" compile "$root/rules/pii.json" "$work/cut.json" -o "$work/cut.tdb"
printf '[{"id":"a","regex":"x"} {"id":"b","regex":"y"}]' >"$work/comma.json"
check_fails json-syntax "comma.json: invalid JSON at byte 24 (after definition 0)" \
  "$trawl" compile "$work/comma.json" -o "$work/x.tdb"
printf 'not json at all\n{also not\n' >"$work/junk.ndjson"
check_fails ndjson-all-bad "junk.ndjson: no definition could be loaded (2 problem" \
  "$trawl" compile "$work/junk.ndjson" -o "$work/x.tdb"
check_fails ndjson-all-bad-position "junk.ndjson: definition 1 at byte 16: invalid JSON" \
  "$trawl" compile "$work/junk.ndjson" -o "$work/x.tdb"
printf '{"id":"a","regex":"x"}\n{"id":"b","reg\n' >"$work/cut.ndjson"
# Some bad definitions: the good ones compile, and the exit status still says "issues".
rm -f "$work/x.tdb"
check_fails ndjson-partial-compile "compiled 1 definitions.*(1 load issues)" \
  "$trawl" compile "$work/cut.ndjson" -o "$work/x.tdb"
check ndjson-partial-database test -s "$work/x.tdb"
check_fails ndjson-partial-check "cut.ndjson: definition 1 at byte 23: invalid JSON" \
  "$trawl" rules check "$work/cut.ndjson"
: >"$work/empty.json"
check_fails empty-file "empty.json: the file holds no definitions" \
  "$trawl" compile "$work/empty.json" -o "$work/x.tdb"
head -c 3000 "$root/rules/indicators.ndjson.gz" >"$work/cut.ndjson.gz"
check_fails cut-gzip "cut.ndjson.gz: TRAWL_E_IO: .*gzip" \
  "$trawl" compile "$work/cut.ndjson.gz" -o "$work/x.tdb"
printf 'not json at all\n' | gzip >"$work/junk.ndjson.gz"
check_fails gzip-junk "junk.ndjson.gz: no definition could be loaded" \
  "$trawl" compile "$work/junk.ndjson.gz" -o "$work/x.tdb"
printf 'identifier\ttype\tpattern\nx\tregex\ta\n' >"$work/header.tsv"
check_fails tsv-header "header.tsv: TRAWL_E_PARSE: .*not a corpus TSV" \
  "$trawl" compile "$work/header.tsv" -o "$work/x.tdb"
printf 'id\tkind\texpression\tflags\tcategory\tsource\nshort\tregex\n' >"$work/short.tsv"
check_fails tsv-all-bad "short.tsv: no definition could be loaded" \
  "$trawl" compile "$work/short.tsv" -o "$work/x.tdb"
check_fails usage "usage" "$trawl" frobnicate

# --memory-limit (component content held for analysis at once, with a unit) does not
# change the report: no bound, 8 MiB (one 8 MiB log at a time beside the others queued)
# and one byte (each log alone) give the same bytes. The bound itself is tested in
# tests/pipeline (held bytes, back-pressure); peak RSS here is dominated by intake's
# mapping of the package, so it is not asserted.
mkdir -p "$work/memlimit"
for i in 1 2 3 4; do
  yes "2026-01-01T00:00:00Z INFO request $i user=u42 path=/api/v1/items status=200" |
    head -c 8M >"$work/memlimit/app$i.log"
done
tar -C "$work/memlimit" -cf "$work/memlimit.tar" .
for limit in 0 8M 1; do
  check "memory-limit-$limit" "$trawl" analyze --db "$work/default.tdb" --threads 2 \
    --memory-limit "$limit" --format json -o "$work/memlimit-$limit.json" "$work/memlimit.tar"
done
check memory-limit-same-report-8M cmp "$work/memlimit-0.json" "$work/memlimit-8M.json"
check memory-limit-same-report-1 cmp "$work/memlimit-0.json" "$work/memlimit-1.json"
check memory-limit-suffix "$trawl" analyze --db "$work/default.tdb" --memory-limit 1G "$work/input.txt"
check_fails memory-limit-bad-unit "unit not recognized" \
  "$trawl" analyze --db "$work/default.tdb" --memory-limit 12X "$work/input.txt"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
