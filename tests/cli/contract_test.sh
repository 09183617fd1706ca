#!/usr/bin/env bash
# The CLI's contract (docs/cli.md): per-command help on stdout with exit 0, --version,
# exit statuses (0 clean, 1 findings at or above --fail-on, 2 usage, 3 errors), errors with
# the OS error text, -o creating directories, --quiet/--verbose/--no-color, several inputs
# (files, archives, directories, stdin) in one report, .gitignore-aware directory walks
# that never follow symlinks, and the default database. Prints "N passed, N failed".
set -uo pipefail
unset CI TRAWL_DB NO_COLOR
trawl=$1 root=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
passed=0 failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAILED: $*"; }
# status NAME EXPECTED COMMAND...: the command's exit status must be EXPECTED.
status() {
  local name=$1 expected=$2; shift 2
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [[ $got -eq $expected ]]; then pass; else fail "$name: exit $got, expected $expected"; head -c 1500 "$work/err"; fi
}
has() {  # has NAME FILE PATTERN: FILE must match PATTERN
  if grep -q -- "$3" "$2"; then pass; else fail "$1: no '$3' in $2"; head -c 1500 "$2"; echo; fi
}
hasnt() {
  if grep -q -- "$3" "$2"; then fail "$1: '$3' in $2"; head -c 1500 "$2"; echo; else pass; fi
}

db=$work/test.tdb
"$trawl" compile "$root/rules/secrets.json" "$root/rules/pii.json" -o "$db" 2>/dev/null || fail compile
key='AKIA64CFSUOSG2WPIZZX'

# --- Help, version, usage -----------------------------------------------------------------
for cmd in "" "rules check" "rules import" "rules profile" compile indicators scan "db info" \
           decompose classify analyze work plan analyze-component aggregate policy build-info; do
  # shellcheck disable=SC2086
  status "help $cmd" 0 "$trawl" $cmd --help
  has "help $cmd on stdout" "$work/out" "Usage: trawl"
  [[ -s $work/err ]] && fail "help $cmd wrote to stderr"
done
status analyze-help 0 "$trawl" analyze --help
has analyze-help-fail-on "$work/out" "--fail-on"
has analyze-help-not-global "$work/out" "trawl analyze"
status version 0 "$trawl" --version
has version-text "$work/out" "^trawl [0-9]"
status no-command 2 "$trawl"
status unknown-command 2 "$trawl" frobnicate
has unknown-command-usage "$work/err" "usage"
status unknown-flag 2 "$trawl" analyze --db "$db" --frobnicate x
status bad-format 2 "$trawl" analyze --db "$db" --format xml x
status bad-fail-on 2 "$trawl" analyze --db "$db" --fail-on severe x
status missing-input 2 "$trawl" analyze --db "$db"
status two-stdins 2 "$trawl" analyze --db "$db" - -

# --- Errors: exit 3 with the OS error text -------------------------------------------------
status missing-package 3 "$trawl" analyze --db "$db" "$work/none.tar"
has missing-package-os-text "$work/err" "No such file or directory"
status missing-db 3 "$trawl" analyze --db "$work/none.tdb" "$work"
has missing-db-os-text "$work/err" "none.tdb"
status missing-rules 3 "$trawl" rules check "$work/none.json"
has missing-rules-os-text "$work/err" "No such file or directory"
status missing-manifest 3 "$trawl" work "$work/none.json"
has missing-manifest-os-text "$work/err" "none.json: cannot read: No such file or directory"
touch "$work/readonly" && chmod 0444 "$work/readonly"
printf '%s\n' "$key" >"$work/one.txt"
if [[ $(id -u) -ne 0 ]]; then
  status unwritable-output 3 "$trawl" analyze --db "$db" -o "$work/readonly/x/report.json" "$work/one.txt"
  has unwritable-output-os-text "$work/err" "Not a directory\|Permission denied"
fi

# --- -o creates directories; --quiet, --verbose, --no-color --------------------------------
status output-dirs 0 "$trawl" analyze --db "$db" -o "$work/deep/er/report.json" "$work/one.txt"
has output-dirs-report "$work/deep/er/report.json" '"schema": "trawl.report/1"'
status output-dirs-compile 0 "$trawl" compile "$root/rules/pii.json" -o "$work/dbs/new/pii.tdb"
[[ -s $work/dbs/new/pii.tdb ]] && pass || fail "compile -o did not create directories"
status quiet 0 "$trawl" --quiet compile "$root/rules/pii.json" -o "$work/q.tdb"
[[ -s $work/err ]] && fail "--quiet still wrote: $(cat "$work/err")" || pass
status quiet-after-command 0 "$trawl" compile "$root/rules/pii.json" -o "$work/q.tdb" -q
[[ -s $work/err ]] && fail "-q after the command still wrote" || pass
status verbose 0 "$trawl" --verbose analyze --db "$db" "$work/one.txt"
has verbose-db "$work/err" "database $db"
has verbose-summary "$work/err" "active findings: .* 1 high"
status no-color 3 "$trawl" --no-color analyze --db "$db" "$work/none.tar"
hasnt no-color-plain "$work/err" $'\033'

# --- Exit statuses of the CI contract ------------------------------------------------------
sample=$root/examples/sample/sample-package.tar.gz
status clean-without-fail-on 0 "$trawl" analyze --db "$db" "$sample"
status fail-on-critical 1 "$trawl" analyze --db "$db" --fail-on critical "$sample"
has fail-on-says-why "$work/err" "at or above critical"
printf 'nothing to see\n' >"$work/clean.txt"
status fail-on-clean 0 "$trawl" analyze --db "$db" --fail-on info "$work/clean.txt"
status fail-on-above 0 "$trawl" analyze --db "$db" --fail-on critical "$work/one.txt"  # high only
status fail-on-at 1 "$trawl" analyze --db "$db" --fail-on high "$work/one.txt"
status fail-on-sarif 1 "$trawl" analyze --db "$db" --format sarif --fail-on high "$work/one.txt"
has fail-on-sarif-report "$work/out" '"version": "2.1.0"\|"version":"2.1.0"'
status incomplete-allowed 0 "$trawl" analyze --db "$db" --max-bytes 16 "$sample"
status fail-on-incomplete 1 "$trawl" analyze --db "$db" --max-bytes 16 --fail-on-incomplete "$sample"
status complete-passes 0 "$trawl" analyze --db "$db" --fail-on-incomplete "$work/clean.txt"
# A suppressed finding does not fail the gate.
fp=$(python3 -c "import json; print(json.load(open('$work/deep/er/report.json'))['findings'][0]['fingerprint'])")
printf '{"schema":"trawl.suppressions/1","suppressions":[{"fingerprint":"%s","reason":"test key"}]}' "$fp" >"$work/allow.json"
status fail-on-suppressed 0 "$trawl" analyze --db "$db" --suppressions "$work/allow.json" --fail-on high "$work/one.txt"

# --- What the report lists: --min-severity, --category, --all ------------------------------
"$trawl" analyze --db "$db" "$sample" >"$work/full.json" 2>/dev/null
"$trawl" analyze --db "$db" --min-severity high "$sample" >"$work/high.json" 2>/dev/null
"$trawl" analyze --db "$db" --category pii "$sample" >"$work/pii.json" 2>/dev/null
python3 - "$work" <<'PY' && pass || fail "--min-severity / --category"
import json, sys
w = sys.argv[1]
full, high, pii = (json.load(open(f"{w}/{n}.json")) for n in ("full", "high", "pii"))
order = ["info", "low", "medium", "high", "critical"]
assert any(order.index(f["severity"]) < 3 for f in full["findings"]), "the sample has lower findings"
assert high["findings"] and all(order.index(f["severity"]) >= 3 for f in high["findings"])
assert len(high["findings"]) == sum(order.index(f["severity"]) >= 3 for f in full["findings"])
assert pii["findings"] and all(f["category"].split("/")[0] == "pii" for f in pii["findings"])
assert any("not listed" in n for n in high["notes"]), high["notes"]
assert high["package_score"] == full["package_score"]  # the score describes the whole package
assert high["summary"]["findings"] == len(high["findings"])  # the summary what is listed
PY
printf 'host example.org at 10.1.2.3 and example.net\n' >"$work/entities.txt"
status table-info-counted 0 "$trawl" analyze --db "$db" --format table "$work/entities.txt"
has table-info-counted-line "$work/out" "info-level finding(s) not listed one by one"
hasnt table-info-not-listed "$work/out" "example.net"
status table-all 0 "$trawl" analyze --db "$db" --format table --all "$work/entities.txt"
has table-all-lists "$work/out" "example.net"
status json-keeps-info 0 "$trawl" analyze --db "$db" "$work/entities.txt"
has json-keeps-info-value "$work/out" "example.net"
status bad-min-severity 2 "$trawl" analyze --db "$db" --min-severity huge "$work/entities.txt"

# --- Several inputs, stdin, directories ---------------------------------------------------
printf 'second %s\n' 'sk_live_51H8f8SAbCdEfGhIjKlMnOpQ' >"$work/two.txt"
mkdir -p "$work/arch" && printf 'zipped %s\n' "$key" >"$work/arch/in.txt"
(cd "$work/arch" && bsdtar -czf "$work/bundle.tar.gz" in.txt)
status several-inputs 0 "$trawl" analyze --db "$db" "$work/one.txt" "$work/bundle.tar.gz" - <"$work/two.txt"
cp "$work/out" "$work/several.json"
python3 - "$work/several.json" "$work" <<'PY' && pass || fail "several inputs: each accounted for"
import json, sys
r = json.load(open(sys.argv[1])); work = sys.argv[2]
paths = {c["path"]: c for c in r["components"]}
work = work.lstrip("/")  # display paths are never absolute
want = ["inputs!/" + work + "/one.txt", "inputs!/" + work + "/bundle.tar.gz",
        "inputs!/" + work + "/bundle.tar.gz!/in.txt", "inputs!/stdin"]
missing = [w for w in want if not any(p.startswith(w) for p in paths)]
assert not missing, (missing, sorted(paths))
assert r["complete"], r["incomplete_reasons"]
PY
status stdin-alone 1 "$trawl" analyze --db "$db" --fail-on high - <"$work/one.txt"
has stdin-alone-named "$work/out" '"package_name": "stdin"'
# stdin alone is the package itself: a tar piped in is opened.
status stdin-archive 1 "$trawl" analyze --db "$db" --fail-on high - <"$work/bundle.tar.gz"
has stdin-archive-member "$work/out" 'stdin!/in.txt'

repo=$work/repo
mkdir -p "$repo/src" "$repo/build" "$work/outside"
git -C "$repo" init -q
printf 'build/\n*.log\n!keep.log\n' >"$repo/.gitignore"
printf 'aws_access_key_id = %s\n' "$key" >"$repo/src/config.py"
printf 'ignored %s\n' 'AKIAZ7RTPQ4MLK2HVW3N' >"$repo/build/out.txt"
printf 'ignored %s\n' 'AKIAZ7RTPQ4MLK2HVW3N' >"$repo/app.log"
printf 'kept %s\n' 'AKIAWX5NB6RT2QLMPZ4K' >"$repo/keep.log"
printf 'outside %s\n' 'AKIAQYLPMN5HFIQR7ZZZ' >"$work/outside/secret.txt"
ln -s "$work/outside" "$repo/escape"
ln -s .. "$repo/src/loop"
status directory 0 "$trawl" analyze --db "$db" --format json "$repo"
cp "$work/out" "$work/dir.json"
python3 - "$work/dir.json" <<'PY' && pass || fail "directory walk"
import json, sys
r = json.load(open(sys.argv[1]))
paths = {c["path"]: c for c in r["components"]}
assert "repo!/src/config.py" in paths and "repo!/keep.log" in paths, sorted(paths)
assert not any("build" in p or "app.log" in p or "outside" in p for p in paths), sorted(paths)
for link in ("repo!/escape", "repo!/src/loop"):
    assert paths[link]["status"] == "skipped" and "symbolic link" in paths[link]["reason"], paths[link]
values = {f.get("value") for f in r["findings"]}
assert "AKIAQYLPMN5HFIQR7ZZZ" not in values and "AKIAZ7RTPQ4MLK2HVW3N" not in values, values
assert r["complete"], r["incomplete_reasons"]
PY
status directory-no-ignore 0 "$trawl" analyze --db "$db" --no-ignore "$repo"
has no-ignore-build "$work/out" 'repo!/build/out.txt'
has no-ignore-log "$work/out" 'repo!/app.log'
hasnt no-ignore-no-symlink-follow "$work/out" 'AKIAQYLPMN5HFIQR7ZZZ'

# --- trawl's own excludes: .trawlignore at any level, --exclude; both apply with --no-ignore ---
mkdir -p "$repo/tests/corpus" "$repo/tests/fixtures"
printf 'seed %s\n' 'AKIAZ7RTPQ4MLK2HVW3N' >"$repo/tests/corpus/seed1"
printf 'fixture %s\n' 'AKIAZ7RTPQ4MLK2HVW3N' >"$repo/tests/fixtures/key.txt"
printf 'fixture %s\n' 'AKIAWX5NB6RT2QLMPZ4K' >"$repo/tests/fixtures/real.txt"
printf '# test data\ncorpus/\n' >"$repo/.trawlignore"
printf '*.txt\n!real.txt\n' >"$repo/tests/fixtures/.trawlignore"
for ignore in "" --no-ignore; do
  status "exclude $ignore" 0 "$trawl" analyze --db "$db" --format json $ignore --exclude '*.py' \
    --exclude 'escape' "$repo"
  cp "$work/out" "$work/exclude.json"
  python3 - "$work/exclude.json" "$ignore" <<'PY' && pass || fail "excludes $ignore"
import json, sys
r = json.load(open(sys.argv[1]))
paths = {c["path"] for c in r["components"]}
for gone in ("repo!/tests/corpus/seed1", "repo!/tests/fixtures/key.txt", "repo!/src/config.py",
             "repo!/escape"):
    assert gone not in paths, (gone, sorted(paths))
assert "repo!/tests/fixtures/real.txt" in paths and "repo!/src/loop" in paths, sorted(paths)
# Accounted for on the package root, by the rule that decided.
root = [c for c in r["manifest"]["components"] if c["path"] == "repo"][0]
excluded = ("1 by --exclude *.py; 1 by --exclude escape; 1 by .trawlignore:2; "
            "1 by tests/fixtures/.trawlignore:1")
if sys.argv[2]:
    assert root["reason"] == "1 path(s) left out by " + excluded[5:], root
else:
    assert root["reason"] == "2 path(s) left out by git's ignore rules; " + excluded, root
PY
done
status exclude-comment 2 "$trawl" analyze --db "$db" --exclude '#x' "$repo"
has exclude-comment-says "$work/err" "is no pattern"
status exclude-git 2 "$trawl" analyze --db "$db" --exclude x --git "$repo"
# --exclude takes one pattern: the directory after it is still an input.
status exclude-one-value 0 "$trawl" analyze --db "$db" --format json --exclude '*.py' "$repo"
has exclude-one-value-input "$work/out" 'repo!/keep.log'

# --- Inline ignores: trawl:ignore [RULES] and gitleaks:allow on the finding's line ------------
mkdir -p "$work/inline"
printf 'aws_key = "%s"  # trawl:ignore\n' "$key" >"$work/inline/ignored.py"
printf 'aws_key = "%s"  // gitleaks:allow\n' 'AKIAZ7RTPQ4MLK2HVW3N' >"$work/inline/allowed.js"
printf 'aws_key = "%s"  # trawl:ignore some-other-rule\n' 'AKIAWX5NB6RT2QLMPZ4K' >"$work/inline/other.py"
printf 'aws_key = "%s"  # trawl:ignore aws-access-key-id\n' 'AKIAQYLPMN5HFIQR7ZZZ' >"$work/inline/named.py"
status inline 1 "$trawl" analyze --db "$db" --fail-on high "$work/inline"
cp "$work/out" "$work/inline.json"
python3 - "$work/inline.json" <<'PY' && pass || fail "inline ignores"
import json, sys
r = json.load(open(sys.argv[1]))
active = {f["value"]: f for f in r["findings"] if f["rule"] == "aws-access-key-id"}
suppressed = {f["value"]: f for f in r["suppressed"] if f["rule"] == "aws-access-key-id"}
assert set(active) == {"AKIAWX5NB6RT2QLMPZ4K"}, (active.keys(), suppressed.keys())
assert suppressed["AKIA64CFSUOSG2WPIZZX"]["suppression"] == {
    "by": "inline", "reason": "inline trawl:ignore comment on the line"}, suppressed
assert suppressed["AKIAZ7RTPQ4MLK2HVW3N"]["suppression"]["reason"] == "inline gitleaks:allow comment on the line"
assert suppressed["AKIAQYLPMN5HFIQR7ZZZ"]["suppression"]["reason"] == "inline trawl:ignore aws-access-key-id comment on the line"
PY
# UTF-16 text (LE and BE, with a BOM): the marker is found in the transcoded text.
mkdir -p "$work/inline16"
for enc in utf-16le utf-16be; do
  bom=$([[ $enc == utf-16le ]] && printf '\\xff\\xfe' || printf '\\xfe\\xff')
  { printf "$bom"; printf 'a = "%s"  # trawl:ignore\nb = "%s"\n' "$key" 'AKIAWX5NB6RT2QLMPZ4K' |
      iconv -f utf-8 -t "$enc"; } >"$work/inline16/$enc.txt"
done
status inline-utf16 1 "$trawl" analyze --db "$db" --format json --fail-on high "$work/inline16"
cp "$work/out" "$work/inline16.json"
python3 - "$work/inline16.json" <<'PY' && pass || fail "inline ignores in UTF-16"
import json, sys
r = json.load(open(sys.argv[1]))
def where(findings):
    return sorted((l["path"].rsplit("/", 1)[1], f["value"]) for f in findings
                  if f["rule"] == "aws-access-key-id" for l in f["locations"])
both = ["utf-16be.txt", "utf-16le.txt"]
assert where(r["findings"]) == [(p, "AKIAWX5NB6RT2QLMPZ4K") for p in both], r["findings"]
assert where(r["suppressed"]) == [(p, "AKIA64CFSUOSG2WPIZZX") for p in both], r["suppressed"]
PY
status inline-sarif 1 "$trawl" analyze --db "$db" --format sarif --fail-on high "$work/inline"
has inline-sarif-in-source "$work/out" '"kind": *"inSource"'

# --- The default database ------------------------------------------------------------------
status trawl-db-env 0 env TRAWL_DB="$db" "$trawl" analyze --fail-on critical "$work/one.txt"
status trawl-db-env-scan 0 env TRAWL_DB="$db" "$trawl" scan "$work/one.txt"
has trawl-db-env-scan-match "$work/out" '"rule":"aws-access-key-id"'
status db-flag-wins 3 env TRAWL_DB="$db" "$trawl" analyze --db "$work/none.tdb" "$work/one.txt"
status db-info-env 0 env TRAWL_DB="$db" "$trawl" db info
has db-info-env-describes "$work/out" '"total"'
# Next to the binary (the build tree), when neither --db nor TRAWL_DB is given.
mkdir -p "$work/bin"
cp "$trawl" "$work/bin/trawl"
status no-default 3 "$work/bin/trawl" analyze "$work/one.txt"
has no-default-says "$work/err" "no database"
cp "$db" "$work/bin/default.tdb"
status next-to-binary 1 "$work/bin/trawl" analyze --fail-on high "$work/one.txt"
status next-to-binary-db-info 0 "$work/bin/trawl" db info
# Installed layout: <prefix>/bin/trawl and <prefix>/share/trawl/default.tdb.
mkdir -p "$work/prefix/bin" "$work/prefix/share/trawl"
cp "$trawl" "$work/prefix/bin/trawl" && cp "$db" "$work/prefix/share/trawl/default.tdb"
status installed-layout 1 "$work/prefix/bin/trawl" analyze --fail-on high "$work/one.txt"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
