#!/usr/bin/env bash
# Seeds: the documents the stage test writes, if any, and small hand-made ones.
set -euo pipefail
corpus=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
cp "$root"/schemas/*.json "$corpus"/ 2>/dev/null || true
printf '%s' '{"schema":"trawl.component_result/1","package_id":"p","component":"c","path":"a","status":"analysed","reason":"","database":"dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd","format":"text","encoding":"utf-8","bytes_scanned":1,"truncation":0,"dropped_candidates":0,"findings":[{"rule":"r","category":"secret","severity":"high","start":0,"end":4,"fingerprint":"ffffffffffffffffffffffffffffffff","confidence":0.5,"confidence_reasons":[],"line":1,"column":1}]}' >"$corpus/result.json"
printf '%s' '{"schema":"trawl.suppressions/1","suppressions":[{"rule":"r*","path":"*/t/*","value_pattern":"^a+$","reason":"x"}]}' >"$corpus/allow.json"
printf '%s' '{"schema":"trawl.policy/1","severity_weights":{"high":3},"locations":[{"name":"n","path_contains":["x"],"weight":2}]}' >"$corpus/policy.json"
