#!/usr/bin/env bash
# The pipeline stage by stage, each stage a separate trawl process, against the one-call
# `trawl analyze`: byte-identical reports; shuffled, duplicated, missing and foreign
# component results; suppression, baselines and policies; the per-component checks.
# With a tools directory (scripts/test_tools.sh), every document is also validated
# against its JSON Schema (ajv) and the SARIF output with Microsoft's SARIF Multitool.
#   stages_test.sh TRAWL SOURCE_DIR WORK_DIR [TOOLS_DIR]
set -uo pipefail
unset CI  # the CI default (no values in report files) is tested on its own below
trawl=$1 root=$2 work=$3 tools=${4:-}
package=$root/examples/sample/sample-package.tar.gz
rm -rf "$work" && mkdir -p "$work/parts" "$work/results"
passed=0 failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAILED: $*"; }
check() {  # check NAME COMMAND...: the command must succeed
  local name=$1; shift
  if "$@" >"$work/out" 2>"$work/err"; then pass; else fail "$name"; cat "$work/err"; fi
}
check_fails() {  # check_fails NAME PATTERN COMMAND...: must fail, stderr must match
  local name=$1 pattern=$2; shift 2
  if "$@" >"$work/out" 2>"$work/err"; then fail "$name (succeeded)"
  elif grep -q -- "$pattern" "$work/err"; then pass; else fail "$name (wrong error)"; cat "$work/err"; fi
}
same() {  # same NAME FILE FILE: byte-identical
  if cmp -s "$2" "$3"; then pass; else fail "$1: $2 and $3 differ"; diff "$2" "$3" | head -20; fi
}
json() {  # json FILE PYTHON-EXPRESSION: prints the expression over the document `d`
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}
expect() {  # expect NAME ACTUAL EXPECTED
  if [[ $2 == "$3" ]]; then pass; else fail "$1: got '$2', expected '$3'"; fi
}

# A small indicator feed with the sample's planted indicators, so that the documents carry
# indicator findings (their "indicator" objects are validated below too).
printf 'acnanz.net\nhttp://52.196.149.49\n' >"$work/feed.txt"
check compile "$trawl" compile "$root/rules/secrets.json" "$root/rules/pii.json" \
  --indicators "$work/feed.txt" -o "$work/db.tdb"
db=$work/db.tdb
check one-call "$trawl" analyze --db "$db" "$package"
cp "$work/out" "$work/one-call.json"
expect one-call-indicators "$(json "$work/one-call.json" 'sorted({f["indicator"]["match"] for f in d["findings"] if "indicator" in f})')" "['exact', 'host-of-url']"
check one-call-sarif "$trawl" analyze --db "$db" --format sarif "$package"
cp "$work/out" "$work/one-call.sarif"

# Stage 1: intake. Stage 2: the work list and a plan per component. Stage 3: analysis.
check decompose "$trawl" decompose -o "$work/parts" "$package"
manifest=$work/parts/manifest.json
check work "$trawl" work "$manifest"
cp "$work/out" "$work/work.json"
mapfile -t ids < <(json "$work/work.json" '"\n".join(c["id"] for c in d["components"])')
expect work-count "${#ids[@]}" 8
for id in "${ids[@]}"; do
  check "plan $id" "$trawl" plan --db "$db" --manifest "$manifest" --component "$id" "$work/parts/$id"
  cp "$work/out" "$work/results/$id.plan.json"
  check "analyze-component $id" "$trawl" analyze-component --db "$db" --manifest "$manifest" \
    --component "$id" -o "$work/results/$id.json" "$work/parts/$id"
done
expect plan-tier "$(json "$work/results/${ids[0]}.plan.json" 'd["tier"]')" light
results=("${ids[@]/#/$work/results/}")
results=("${results[@]/%/.json}")

# Stage 4: aggregation equals the one-call report, byte for byte, in any order.
check aggregate "$trawl" aggregate --manifest "$manifest" "${results[@]}"
same stages-equal-one-call "$work/out" "$work/one-call.json"
mapfile -t shuffled < <(printf '%s\n' "${results[@]}" | shuf)
check aggregate-shuffled-duplicated "$trawl" aggregate --manifest "$manifest" \
  "${shuffled[@]}" "${results[2]}" "${results[0]}" "${results[2]}"
same shuffled-duplicated-equal "$work/out" "$work/one-call.json"
check aggregate-sarif "$trawl" aggregate --manifest "$manifest" --format sarif "${shuffled[@]}"
same sarif-equal "$work/out" "$work/one-call.sarif"

# A lost result makes the report incomplete and names the component.
check aggregate-missing "$trawl" aggregate --manifest "$manifest" "${results[@]:1}"
cp "$work/out" "$work/missing.json"
expect missing-complete "$(json "$work/missing.json" 'd["complete"]')" False
expect missing-status "$(json "$work/missing.json" \
  '[c["status"] for c in d["components"] if c["id"]=="'"${ids[0]}"'"][0]')" missing
expect missing-count "$(json "$work/missing.json" 'd["summary"]["missing"]')" 1

# A result of another package is ignored and noted, not mixed in.
sed 's/"package_id": "[0-9a-f]*"/"package_id": "another-package"/' "${results[0]}" >"$work/foreign.json"
check aggregate-foreign "$trawl" aggregate --manifest "$manifest" "${results[@]}" "$work/foreign.json"
expect foreign-note "$(json "$work/out" 'len([n for n in d["notes"] if "another-package" in n])')" 1
expect foreign-findings "$(json "$work/out" 'len(d["findings"])')" \
  "$(json "$work/one-call.json" 'len(d["findings"])')"
# Numbers outside their documented ranges are refused, not scored: a confidence of 1e308
# made the priority infinite and the report failed its own schema.
with_findings=$(for r in "${results[@]}"; do
  [[ $(json "$r" 'len(d["findings"])') -gt 0 ]] && { echo "$r"; break; }; done)
sed -E '0,/"confidence": [0-9.]+/s//"confidence": 1e308/' "$with_findings" >"$work/huge.json"
check_fails huge-confidence 'TRAWL_E_PARSE.*confidence must be a number in \[0, 1\]' \
  "$trawl" aggregate --manifest "$manifest" "$work/huge.json"
printf '{"schema":"trawl.component_result/1"}' >"$work/broken.json"
check_fails broken-result "result 1" "$trawl" aggregate --manifest "$manifest" "${results[0]}" \
  "$work/broken.json"

# A manifest whose accounting is broken is refused by every stage that reads it, with
# the reason: a repeated id (findings of one copy were lost, the report said complete), a
# parent cycle, a wrong child count.
tamper() {  # tamper NAME PYTHON: writes $work/NAME.json, the manifest changed by PYTHON on m
  python3 - "$manifest" "$work/$1.json" "$2" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
c = m["components"]
exec(sys.argv[3])
json.dump(m, open(sys.argv[2], "w"))
EOF
}
tamper dup-id 'c[1]["id"] = c[0]["id"]'
check_fails manifest-dup-id "TRAWL_E_PARSE.*inconsistent manifest: component id" \
  "$trawl" aggregate --manifest "$work/dup-id.json" "${results[@]}"
check_fails manifest-dup-id-work "inconsistent manifest" "$trawl" work "$work/dup-id.json"
tamper cycle 'r = [x for x in c if x["parent"] == ""][0]; r["parent"] = c[0]["id"]'
check_fails manifest-cycle "TRAWL_E_PARSE.*inconsistent manifest" \
  "$trawl" aggregate --manifest "$work/cycle.json" "${results[@]}"
tamper children 'r = [x for x in c if x["parent"] == ""][0]; r["children"] += 1'
check_fails manifest-children "TRAWL_E_PARSE.*children but" \
  "$trawl" aggregate --manifest "$work/children.json" "${results[@]}"

# Per-component checks: the bytes must be the component's, and it must need analysis.
check_fails wrong-content TRAWL_E_MISMATCH "$trawl" analyze-component --db "$db" \
  --manifest "$manifest" --component "${ids[0]}" "$work/parts/${ids[1]}"
root_id=$(json "$manifest" 'd["components"][-1]["id"] if d["components"][-1]["parent"]=="" else [c["id"] for c in d["components"] if c["parent"]==""][0]')
check_fails container-needs-no-analysis TRAWL_E_STATE "$trawl" analyze-component --db "$db" \
  --manifest "$manifest" --component "$root_id" "$work/parts/${ids[0]}"
check_fails unknown-component TRAWL_E_NOT_FOUND "$trawl" analyze-component --db "$db" \
  --manifest "$manifest" --component 00000000000000000000000000000000 "$work/parts/${ids[0]}"

# Suppression: an allow-list moves findings to "suppressed" with the reason; none is lost.
total=$(json "$work/one-call.json" 'len(d["findings"])+len(d["suppressed"])')
cat >"$work/allow.json" <<'EOF'
{"schema": "trawl.suppressions/1", "suppressions": [
  {"rule": "generic-env-*", "reason": "covered by the specific rules"},
  {"rule": "entity-*", "path": "*/data/users.csv", "reason": "synthetic test users"}]}
EOF
check suppressed "$trawl" analyze --db "$db" --suppressions "$work/allow.json" "$package"
cp "$work/out" "$work/suppressed.json"
expect suppressed-accounted "$(json "$work/suppressed.json" 'len(d["findings"])+len(d["suppressed"])')" "$total"
expect suppressed-generic "$(json "$work/suppressed.json" \
  'sorted(set(f["suppression"]["reason"] for f in d["suppressed"] if f["rule"]=="generic-env-secret"))')" \
  "['covered by the specific rules']"
expect suppressed-none-active "$(json "$work/suppressed.json" \
  'len([f for f in d["findings"] if f["rule"]=="generic-env-secret" or all("users.csv" in l["path"] for l in f["locations"]) and f["rule"].startswith("entity-")])')" 0
printf '{"schema":"trawl.suppressions/1","suppressions":[{"reason":"everything"}]}' >"$work/bad-allow.json"
check_fails allow-all-rejected "matches everything" "$trawl" analyze --db "$db" \
  --suppressions "$work/bad-allow.json" "$package"

# A baseline (here: the earlier report) accepts every finding it lists.
check baseline "$trawl" analyze --db "$db" --baseline "$work/one-call.json" "$package"
expect baseline-active "$(json "$work/out" 'len(d["findings"])')" 0
expect baseline-suppressed "$(json "$work/out" 'len(d["suppressed"])')" "$total"
expect baseline-by "$(json "$work/out" 'sorted(set(f["suppression"]["by"] for f in d["suppressed"]))')" "['baseline']"

# The policy is data: weights change the ranking; a typo is an error, not a default.
check default-policy "$trawl" policy
cp "$work/out" "$work/policy.json"
python3 - "$work/policy.json" "$work/pii-first.json" <<'EOF'
import json, sys
policy = json.load(open(sys.argv[1]))
policy["category_weights"] = {"secret": 0.01, "indicator/malicious": 0.01}
json.dump(policy, open(sys.argv[2], "w"))
EOF
check policy "$trawl" analyze --db "$db" --policy "$work/pii-first.json" "$package"
expect policy-ranking "$(json "$work/out" 'd["findings"][0]["category"]')" pii
expect policy-factor "$(json "$work/out" \
  '[f["value"] for f in d["findings"][0]["priority_factors"] if f["factor"].startswith("category")]')" "[]"
expect policy-secret-factor "$(json "$work/out" \
  '[p["value"] for f in d["findings"] if f["category"]=="secret" for p in f["priority_factors"] if p["factor"]=="category secret"][0]')" 0.01
printf '{"schema":"trawl.policy/1","severity_weigths":{}}' >"$work/typo.json"
check_fails policy-typo 'unknown field "severity_weigths"' "$trawl" analyze --db "$db" \
  --policy "$work/typo.json" "$package"

# Related findings: the AWS key id and its secret sit together in app.json.
expect related-aws "$(json "$work/one-call.json" \
  '"aws-secret-access-key" in [r["rule"] for f in d["findings"] if f["rule"]=="aws-access-key-id" for r in f["related"]]')" True

# A budget that stops a scan makes the report incomplete, with the reason.
check budget "$trawl" analyze --db "$db" --max-bytes 64 "$package"
expect budget-incomplete "$(json "$work/out" 'd["complete"]')" False
expect budget-reason "$(json "$work/out" 'any("byte_budget" in r for r in d["incomplete_reasons"])')" True

# Without values, reports carry fingerprints only, and no reason quotes a value (a
# validator's "registrable=<domain>" of an e-mail address).
check no-values "$trawl" analyze --db "$db" --no-values "$package"
cp "$work/out" "$work/no-values.json"
expect no-values-none "$(json "$work/out" 'sum("value" in f for f in d["findings"])')" 0
expect no-values-nowhere "$(python3 -c '
import json, sys
def values(o):
    if isinstance(o, dict):
        for k, x in o.items():
            if k == "value" and isinstance(x, str): yield x
            yield from values(x)
    elif isinstance(o, list):
        for x in o: yield from values(x)
secrets = set(values(json.load(open(sys.argv[1])))) - {""}
text = open(sys.argv[2]).read()
print(len(secrets) > 10, sorted(v for v in secrets if v in text))' "$work/one-call.json" "$work/no-values.json")" "True []"
# Results kept with values aggregate into the same redacted report.
check aggregate-no-values "$trawl" aggregate --no-values --manifest "$manifest" "${results[@]}"
same aggregate-redacts "$work/out" "$work/no-values.json"

# The fingerprint key: from a file or the environment, never argv; a key changes every
# fingerprint, the file and the variable give the same ones.
openssl rand -hex 32 >"$work/fp.key"
check_fails key-argv "visible to every user" "$trawl" analyze --db "$db" --fingerprint-key k "$package"
check key-file "$trawl" analyze --db "$db" --no-values --fingerprint-key-file "$work/fp.key" "$package"
cp "$work/out" "$work/keyed.json"
check key-env env TRAWL_FINGERPRINT_KEY="$(cat "$work/fp.key")" "$trawl" analyze --db "$db" \
  --no-values "$package"
same key-env-equals-file "$work/out" "$work/keyed.json"
fps() { json "$1" 'sorted(f["fingerprint"] for f in d["findings"])'; }
expect key-changes-fingerprints "$(python3 -c 'import sys; print(len(set(eval(sys.argv[1])) & set(eval(sys.argv[2]))))' \
  "$(fps "$work/keyed.json")" "$(fps "$work/no-values.json")")" 0
check_fails key-file-missing "$work/none.key" "$trawl" analyze --db "$db" \
  --fingerprint-key-file "$work/none.key" "$package"

# CI: a report written to a file keeps no values unless --values; to a pipe it does.
values_in() { json "$1" 'sum("value" in f for f in d["findings"])'; }
check ci-file env CI=true "$trawl" analyze --db "$db" -o "$work/ci.json" "$package"
expect ci-file-no-values "$(values_in "$work/ci.json")" 0
check ci-redirect env CI=true "$trawl" analyze --db "$db" "$package"
expect ci-redirect-no-values "$(values_in "$work/out")" 0
expect ci-said-so "$(grep -c 'keeps no values' "$work/err")" 1
check ci-values env CI=true "$trawl" analyze --db "$db" --values -o "$work/ci-values.json" "$package"
same ci-values-kept "$work/ci-values.json" "$work/one-call.json"
expect ci-pipe-values "$(env CI=true "$trawl" analyze --db "$db" "$package" 2>/dev/null |
  python3 -c 'import json,sys; print(sum("value" in f for f in json.load(sys.stdin)["findings"]) > 0)')" True
expect ci-false "$(env CI=false "$trawl" analyze --db "$db" -o "$work/ci-off.json" "$package" 2>/dev/null;
  cmp -s "$work/ci-off.json" "$work/one-call.json" && echo same)" same

# A malformed package (the intake fuzz seeds: an entry missing from a zip's central
# directory, bytes after an archive's end, streams no format lists, a wrong CRC, a NUL in a
# name, truncations): stage by stage still equals the one-call report, byte for byte.
malformed=$work/malformed.tar.gz
(cd "$root/tests/intake/fuzz_seeds/decompose_file_fuzzer" && bsdtar -czf "$malformed" .)
check malformed-one-call "$trawl" analyze --db "$db" "$malformed"
cp "$work/out" "$work/malformed-one-call.json"
mkdir -p "$work/malformed-parts" "$work/malformed-results"
check malformed-decompose "$trawl" decompose -o "$work/malformed-parts" "$malformed"
check malformed-work "$trawl" work "$work/malformed-parts/manifest.json"
mapfile -t malformed_ids < <(json "$work/out" '"\n".join(c["id"] for c in d["components"])')
for id in "${malformed_ids[@]}"; do
  check "malformed analyze-component $id" "$trawl" analyze-component --db "$db" \
    --manifest "$work/malformed-parts/manifest.json" --component "$id" \
    -o "$work/malformed-results/$id.json" "$work/malformed-parts/$id"
done
check malformed-aggregate "$trawl" aggregate --manifest "$work/malformed-parts/manifest.json" \
  "$work/malformed-results"/*.json
same malformed-stages-equal-one-call "$work/out" "$work/malformed-one-call.json"
expect malformed-incomplete "$(json "$work/malformed-one-call.json" 'd["complete"]')" False

if [[ -n $tools && -x $tools/node_modules/.bin/ajv ]]; then
  ajv=$tools/node_modules/.bin/ajv schemas=$root/schemas
  validate() {  # validate NAME SCHEMA FILE...
    local name=$1 schema=$2; shift 2
    local file refs=()
    [[ $schema == report ]] && refs=(-r "$schemas/manifest.schema.json")
    for file in "$@"; do
      # Strict, except that "required" may name properties declared in another branch.
      if "$ajv" validate --strict=true --strict-required=false -s "$schemas/$schema.schema.json" \
           "${refs[@]}" -d "$file" >"$work/err" 2>&1; then pass
      else fail "schema $name: $file"; cat "$work/err"; fi
    done
  }
  validate manifest manifest "$manifest" "$work/malformed-parts/manifest.json"
  validate work work "$work/work.json"
  validate plan plan "$work"/results/*.plan.json
  validate component-result component_result "${results[@]}"
  validate report report "$work/one-call.json" "$work/missing.json" "$work/suppressed.json" \
    "$work/malformed-one-call.json"
  validate policy policy "$work/policy.json" "$work/pii-first.json"
  validate suppressions suppressions "$work/allow.json"
  # The validators must be able to fail: a tampered report and a tampered SARIF log.
  sed 's/"severity": "critical"/"severity": "urgent"/' "$work/one-call.json" >"$work/tampered.json"
  if "$ajv" validate --strict=true --strict-required=false -s "$schemas/report.schema.json" \
       -r "$schemas/manifest.schema.json" -d "$work/tampered.json" >/dev/null 2>&1; then
    fail "schema: a tampered report validated"; else pass; fi
  # SARIF: the OASIS schema that ships with the Multitool (ajv, draft 2020-12), then the
  # Multitool's own rules. Its validate command exits 0 even on errors and checks the
  # schema only when its object model cannot read the file, hence both.
  sarif_schema=$tools/node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json
  cp "$work/one-call.sarif" "$work/sarif.json"
  sed 's/"level": "error"/"level": "urgent"/' "$work/one-call.sarif" >"$work/tampered-sarif.json"
  if "$ajv" validate --spec=draft2020 --strict=false -s "$sarif_schema" -d "$work/sarif.json" \
       >"$work/err" 2>&1; then pass; else fail "SARIF schema"; cat "$work/err"; fi
  if "$ajv" validate --spec=draft2020 --strict=false -s "$sarif_schema" \
       -d "$work/tampered-sarif.json" >/dev/null 2>&1; then
    fail "SARIF schema: a tampered log validated"; else pass; fi
  export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
  for sarif in "$work/one-call.sarif"; do
    rm -f "$work/validation.sarif"
    if "$tools/node_modules/.bin/sarif-multitool" validate "$sarif" -o "$work/validation.sarif" \
         >"$work/err" 2>&1 && grep -q 'Analysis completed successfully' "$work/err" &&
       ! grep -E ': error ' "$work/err"; then pass
    else fail "SARIF Multitool: $sarif"; cat "$work/err"; fi
  done
else
  echo "SKIPPED: schema and SARIF validation (no tools; run scripts/test_tools.sh)"
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
