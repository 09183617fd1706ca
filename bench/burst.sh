#!/usr/bin/env bash
# The full burst of issue 21 through the AWS pipeline against the local services
# (examples/aws/testing/burst.py; the CI runs 20 packages as ctest AwsBurst): 200 generated
# packages dropped at once, the shipped rule packs, the heavy tier scaled by the Terraform
# policy's rule from zero, faults injected. Prints the tables of bench/RESULTS.md and keeps
# the measurements for bench/cost_model.py.
#   bench/burst.sh [PACKAGES] [OUT.json]       (default 200, build/burst-200.json)
set -euo pipefail
cd "$(dirname "$0")/.."
packages=${1:-200}
out=${2:-build/burst-$packages.json}
cmake --build build -j2 --target trawl_cli trawl_lambda_bootstrap_faults trawl_worker_faults trawl_aws_tool >/dev/null
python3 examples/aws/testing/burst.py --build-dir build --packages "$packages" --rules default \
  --max-workers 4 --period 1 --deadline 3000 --results "$out"
echo "burst: measurements in $out"
