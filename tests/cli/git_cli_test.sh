#!/usr/bin/env bash
# trawl analyze --git (and decompose/classify --git, the stages) on a repository built
# here with git: a key added then removed (found,
# attributed to the adding commit), a key only on a branch, a rename, --since, --branch,
# --staged, SARIF with repository-relative paths, and the errors. Commit ids are read
# back from git. Prints "N passed, N failed".
set -uo pipefail
unset CI
trawl=$1 root=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
passed=0 failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAILED: $*"; }
if ! command -v git >/dev/null; then echo "git is not installed: skipped"; exit 0; fi
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Ada GIT_AUTHOR_EMAIL=ada@example.com
export GIT_COMMITTER_NAME=Ada GIT_COMMITTER_EMAIL=ada@example.com
commit() {  # commit DATE MESSAGE: everything in the work tree, at DATE; prints the id
  GIT_AUTHOR_DATE=$1 GIT_COMMITTER_DATE=$1 git -C "$repo" commit -q -m "$2" >/dev/null &&
    git -C "$repo" rev-parse HEAD
}
# jq-free JSON checks: python3 is a test dependency already.
query() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($1)" "$2"; }

"$trawl" compile "$root/rules/secrets.json" -o "$work/s.tdb" >/dev/null 2>&1 || fail compile
repo=$work/repo
git init -q -b main "$repo"
printf 'aws_access_key_id = AKIA64CFSUOSG2WPIZZX\n' >"$repo/app.env"
git -C "$repo" add -A
added=$(commit 2021-01-01T00:00:00Z add)
git -C "$repo" mv app.env config.env
renamed=$(commit 2021-02-01T00:00:00Z rename)
git -C "$repo" rm -q config.env
printf 'nothing\n' >"$repo/README"
git -C "$repo" add -A
commit 2021-03-01T00:00:00Z remove >/dev/null
git -C "$repo" checkout -q -b feature
printf 'token ghp_pEe1CxI6JubzluBJW6E68IPNWnQYg4zi2SXn\n' >"$repo/ci.sh"
git -C "$repo" add -A
branch_commit=$(commit 2022-01-01T00:00:00Z feature)
git -C "$repo" checkout -q main

if "$trawl" analyze --db "$work/s.tdb" --git "$repo" -o "$work/all.json"; then pass; else fail analyze-git; fi
got=$(query "[l['git'][0]['commit'] for f in r['findings'] if f['rule']=='aws-access-key-id' for l in f['locations']]" "$work/all.json")
[[ $got == "['$added']" ]] && pass || fail "removed key attributed to $added: $got"
got=$(query "[[g['path'] for g in l['git']] for f in r['findings'] if f['rule']=='aws-access-key-id' for l in f['locations']]" "$work/all.json")
[[ $got == "[['app.env', 'config.env']]" ]] && pass || fail "rename: one blob, two paths: $got"
got=$(query "[l['git'][1]['commit'] for f in r['findings'] if f['rule']=='aws-access-key-id' for l in f['locations']]" "$work/all.json")
[[ $got == "['$renamed']" ]] && pass || fail "rename commit $renamed: $got"
got=$(query "sorted({l['git'][0]['commit'] for f in r['findings'] if f['rule'].startswith('github') for l in f['locations']})" "$work/all.json")
[[ $got == "['$branch_commit']" ]] && pass || fail "branch-only token in $branch_commit: $got"

"$trawl" analyze --db "$work/s.tdb" --git "$repo" --branch main -o "$work/main.json" || fail analyze-branch
got=$(query "len([f for f in r['findings'] if f['rule'].startswith('github')])" "$work/main.json")
[[ $got == 0 ]] && pass || fail "--branch main leaves the feature token out: $got"
"$trawl" analyze --db "$work/s.tdb" --git "$repo" --since 2021-06-01 -o "$work/since.json" || fail analyze-since
got=$(query "sorted({f['rule'] for f in r['findings']} & {'aws-access-key-id'})" "$work/since.json")
[[ $got == "[]" ]] && pass || fail "--since leaves the 2021 key out: $got"

printf 'aws_access_key_id = AKIA5VLIINV5VZ43F3AQ\n' >"$repo/staged.env"
git -C "$repo" add staged.env
"$trawl" analyze --db "$work/s.tdb" --git "$repo" --staged -o "$work/staged.json" || fail analyze-staged
got=$(query "[(l['git'][0]['commit'], l['git'][0]['path']) for f in r['findings'] for l in f['locations']]" "$work/staged.json")
[[ $got == "[('', 'staged.env')]" ]] && pass || fail "--staged: only the staged file: $got"

"$trawl" analyze --db "$work/s.tdb" --git "$repo" --format sarif -o "$work/all.sarif" || fail sarif
got=$(query "sorted({(l['physicalLocation']['artifactLocation']['uri'], l['physicalLocation']['artifactLocation'].get('uriBaseId')) for res in r['runs'][0]['results'] for l in res['locations']})" "$work/all.sarif")
[[ $got == *"('app.env', '%SRCROOT%')"* && $got == *"('ci.sh', '%SRCROOT%')"* ]] && pass || fail "sarif uris: $got"
got=$(query "[res['properties']['commit'] for res in r['runs'][0]['results'] if res['ruleId']=='aws-access-key-id']" "$work/all.sarif")
[[ $got == "['$added']" ]] && pass || fail "sarif commit: $got"
# decompose --git and classify --git: the stages of the same repository. The manifest lists
# the blobs the analysis read, -o writes them, and the stages give the one-call report.
git -C "$repo" reset -q
"$trawl" decompose --git "$repo" >"$work/git-manifest.json" || fail decompose-git
got=$(query "[c['container_format'] for c in r['components'] if c['depth'] == 0], sorted(c['git'][0]['path'] for c in r['components'] if c.get('git'))" "$work/git-manifest.json")
[[ $got == "['git'] ['README', 'app.env', 'ci.sh']" ]] && pass || fail "decompose --git: $got"
"$trawl" decompose --git "$repo" --branch main -o "$work/git-parts" >"$work/main-manifest.json" || fail decompose-git-dir
cmp -s "$work/main-manifest.json" "$work/git-parts/manifest.json" && pass || fail "decompose --git -o manifest.json"
got=$(query "sorted(c['git'][0]['path'] for c in r['components'] if c.get('git'))" "$work/main-manifest.json")
[[ $got == "['README', 'app.env']" ]] && pass || fail "decompose --git --branch main: $got"
results=()
for id in $(query "' '.join(c['id'] for c in r['components'])" "$work/git-parts/manifest.json"); do
  [[ -f $work/git-parts/$id ]] || continue
  "$trawl" analyze-component --db "$work/s.tdb" --manifest "$work/git-parts/manifest.json"     --component "$id" -o "$work/git-parts/$id.result" "$work/git-parts/$id" || fail "analyze-component $id"
  results+=("$work/git-parts/$id.result")
done
[[ ${#results[@]} == 2 ]] && pass || fail "two blobs on main: ${#results[@]}"
"$trawl" aggregate --manifest "$work/git-parts/manifest.json" -o "$work/git-staged.json" "${results[@]}" || fail aggregate-git
"$trawl" analyze --db "$work/s.tdb" --git "$repo" --branch main -o "$work/git-one.json" || fail analyze-git-main
cmp -s "$work/git-staged.json" "$work/git-one.json" && pass || fail "stages of --git differ from one call"
"$trawl" classify --git "$repo" --db "$work/s.tdb" >"$work/git-plans.json" || fail classify-git
got=$(query "r['schema'], len(r['plans'])" "$work/git-plans.json")
[[ $got == "trawl.plans/1 4" ]] && pass || fail "classify --git (the root, three blobs): $got"
"$trawl" decompose "$root/README.md" --git "$repo" >/dev/null 2>&1
[[ $? == 2 ]] && pass || fail "decompose PACKAGE and --git together: exit 2 expected"
"$trawl" classify --since 2021-01-01 "$root/README.md" >/dev/null 2>&1
[[ $? == 2 ]] && pass || fail "classify --since without --git: exit 2 expected"

check_fails() {  # check_fails NAME PATTERN COMMAND...: must fail, stderr must match
  local name=$1 pattern=$2; shift 2
  if "$@" >"$work/out" 2>"$work/err"; then fail "$name (succeeded)"
  elif grep -q -- "$pattern" "$work/err"; then pass; else fail "$name: $(cat "$work/err")"; fi
}
check_fails not-a-repo "TRAWL_E_IO: cannot open git repository" \
  "$trawl" analyze --db "$work/s.tdb" --git "$work"
check_fails bad-since "TRAWL_E_INVALID: --since \"someday\" is not valid" \
  "$trawl" analyze --db "$work/s.tdb" --git "$repo" --since someday
check_fails bad-branch "TRAWL_E_NOT_FOUND: no revision \"nope\"" \
  "$trawl" analyze --db "$work/s.tdb" --git "$repo" --branch nope
check_fails decompose-bad-since "TRAWL_E_INVALID: --since \"someday\" is not valid" \
  "$trawl" decompose --git "$repo" --since someday
check_fails classify-not-a-repo "TRAWL_E_IO: cannot open git repository" \
  "$trawl" classify --git "$work"
check_fails git-and-package "give PATH... or --git REPO" \
  "$trawl" analyze --db "$work/s.tdb" --git "$repo" "$root/examples/sample/sample-package.tar.gz"
# The CI gate and a pre-commit hook: --fail-on sees a repository's findings (exit 1), and
# a staged clean file passes (exit 0); a usage error is 2.
"$trawl" analyze --db "$work/s.tdb" --git "$repo" --fail-on high -o "$work/gate.json"
[[ $? == 1 ]] && pass || fail "--git --fail-on high: exit 1 expected"
git -C "$repo" reset -q
printf 'nothing to see\n' >"$repo/clean.txt"
git -C "$repo" add clean.txt
"$trawl" analyze --db "$work/s.tdb" --git "$repo" --staged --fail-on low -o "$work/clean.json"
[[ $? == 0 ]] && pass || fail "--staged clean file --fail-on low: exit 0 expected"
"$trawl" analyze --db "$work/s.tdb" --git "$repo" "$root/README.md" 2>/dev/null
[[ $? == 2 ]] && pass || fail "PATH and --git together: exit 2 expected"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
