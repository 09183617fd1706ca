#!/usr/bin/env bash
# Checks deploy/terraform without Terraform (not installable here): formatting and syntax
# with hclfmt (built from Debian's golang-github-hashicorp-hcl-v2-dev), then the policy rules
# of check.py on the HCL parsed by @cdktf/hcl2json (npm, tools/package-lock.json). Tools are cached in
# BUILD_DIR/tf-tools. Exit 77 (skip) when a tool cannot be had.
#   deploy/terraform/check.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tools=$(mkdir -p "${1:-$here/../../build}/tf-tools" && cd "${1:-$here/../../build}/tf-tools" && pwd)

if [[ ! -x $tools/hclfmt ]]; then
  if ! command -v go >/dev/null || [[ ! -d /usr/share/gocode/src/github.com/hashicorp/hcl/v2/cmd/hclfmt ]]; then
    echo "check: SKIPPED: needs golang-go and golang-github-hashicorp-hcl-v2-dev" >&2; exit 77
  fi
  GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE=$tools/go-cache GOFLAGS= \
    go build -o "$tools/hclfmt" github.com/hashicorp/hcl/v2/cmd/hclfmt
fi
if ! { [[ -f $tools/package-lock.json ]] && cmp -s "$here/tools/package-lock.json" "$tools/package-lock.json" &&
       [[ -d $tools/node_modules/@cdktf/hcl2json ]]; }; then
  cp "$here/tools/package.json" "$here/tools/package-lock.json" "$tools/"
  if ! (cd "$tools" && timeout 600 npm ci --no-audit --no-fund --loglevel=error >&2); then
    rm -f "$tools/package-lock.json"
    echo "check: SKIPPED: npm ci of @cdktf/hcl2json failed (registry unreachable?)" >&2; exit 77
  fi
fi

cd "$here"
status=0
for f in *.tf; do
  # -require-no-change: fails on a syntax error or on any file hclfmt would reformat.
  if ! "$tools/hclfmt" -require-no-change "$f" >/dev/null; then
    echo "check: $f is not hclfmt-formatted or does not parse" >&2; status=1
  fi
done
parsed=$(mktemp)
trap 'rm -f "$parsed"' EXIT
NODE_PATH=$tools/node_modules node hcl2json.mjs *.tf >"$parsed"
python3 check.py --self-test "$parsed" || status=1
[[ $status -eq 0 ]] && echo "check: terraform formatting, syntax and policy: ok"
exit $status
