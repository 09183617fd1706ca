#!/usr/bin/env bash
# Checks deploy/terraform without Terraform (not installable here): formatting and syntax
# with hclfmt (built from Debian's golang-github-hashicorp-hcl-v2-dev), then the policy rules
# of check.py on the HCL parsed by @cdktf/hcl2json (npm). Tools are cached in
# BUILD_DIR/tf-tools. Exit 77 (skip) when a tool cannot be had.
#   deploy/terraform/check.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tools=$(mkdir -p "${1:-$here/../../build}/tf-tools" && cd "${1:-$here/../../build}/tf-tools" && pwd)
HCL2JSON_VERSION=0.21.0

if [[ ! -x $tools/hclfmt ]]; then
  if ! command -v go >/dev/null || [[ ! -d /usr/share/gocode/src/github.com/hashicorp/hcl/v2/cmd/hclfmt ]]; then
    echo "check: SKIPPED: needs golang-go and golang-github-hashicorp-hcl-v2-dev" >&2; exit 77
  fi
  GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE=$tools/go-cache GOFLAGS= \
    go build -o "$tools/hclfmt" github.com/hashicorp/hcl/v2/cmd/hclfmt
fi
if [[ ! -f $tools/.hcl2json-$HCL2JSON_VERSION ]]; then
  [[ -f $tools/package.json ]] || echo '{"name":"trawl-tf-tools","private":true}' >"$tools/package.json"
  if ! (cd "$tools" && timeout 600 npm install --no-audit --no-fund --loglevel=error \
        "@cdktf/hcl2json@$HCL2JSON_VERSION" >&2); then
    echo "check: SKIPPED: npm install @cdktf/hcl2json failed (registry unreachable?)" >&2; exit 77
  fi
  touch "$tools/.hcl2json-$HCL2JSON_VERSION"
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
