#!/usr/bin/env bash
# The shipped default artifact with the whole maltrail indicator pack, as a user builds it
# (scripts/demo.sh): it compiles, holds every indicator, finds known malware
# infrastructure in a log and updates its indicator set without recompiling rules. The
# one test that builds the 1.6M-indicator set (~15 s); the other CLI tests use an excerpt.
# Prints "N passed, N failed".
set -uo pipefail
unset CI
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

check compile "$trawl" compile "$root/rules/secrets.json" "$root/rules/pii.json" \
  "$root/rules/indicators.ndjson.gz" "$root/rules/indicators/maltrail.tsv.xz" -o "$work/default.tdb"
check db-info "$trawl" db info "$work/default.tdb"
contains db-info-indicators '"count": 1609509'
contains db-info-indicator-feed '"feed": "maltrail"'

printf '2026-12-01 10:00:01 beacon to nanopc.linkpc.net\n2026-12-01 10:00:02 connect 178.16.53.180 ok\n2026-12-01 10:00:03 connect 10.0.4.7 ok\n' >"$work/ioc.log"
(cd "$work" && tar czf ioc.tar.gz ioc.log)
check analyze-indicators "$trawl" analyze --db "$work/default.tdb" "$work/ioc.tar.gz"
cp "$work/out" "$work/ioc-report.json"
check indicator-families python3 -c "
import json
r = json.load(open('$work/ioc-report.json'))
hits = {f['indicator']['family']: f['indicator']['match'] for f in r['findings'] if f.get('indicator')}
assert hits == {'agenttesla': 'exact', 'amadey': 'ip-without-port',
                'dynamic_domain': 'parent-domain'}, hits
"
printf 'fresh.evil-update.net\n' >"$work/feed.txt"
check indicators-add "$trawl" indicators add "$work/feed.txt" --db "$work/default.tdb" -o "$work/updated.tdb"
cp "$work/err" "$work/add.err"
check indicators-add-total grep -q '1609510 threat indicators' "$work/add.err"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
