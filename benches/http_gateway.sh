#!/usr/bin/env bash
# HTTP gateway throughput and latency, measured with wrk (Debian `wrk`) in one run against
# two baselines: a minimal hyper "hello" server (the gateway's own overhead) and, when
# installed, serverless-offline serving the same JS handler.
#
#   bash benches/http_gateway.sh            # SLS_DIR=/path/to/serverless-offline-project
#
# Release builds; each server gets the same wrk load: 2 threads, 16 connections, 15 s,
# after a 3 s warm-up. wrk shares the 2 cores with the server, as a user's laptop would.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-15s}
connections=${CONNECTIONS:-16}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/lambdesk-target}
cargo build --release --bin lambdesk --example hyper_hello >&2
bin=$CARGO_TARGET_DIR/release
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

# A workspace with a WAT hello (as a command: a fresh instance per request; and as an
# execution environment, warm between requests as the JS runtime is) and a JS hello.
mkdir -p "$work/ws/functions/wat-hello" "$work/ws/functions/wat-hello-environment" \
  "$work/ws/functions/js-hello"
touch "$work/ws/lambdesk.toml"
cp benches/http/hello.wat "$work/ws/functions/wat-hello/main.wat"
printf 'runtime = "wat"\nhandler = "main.wat"\n\n[[triggers]]\ntype = "http"\nroute = "GET /wat/{name}"\n' \
  > "$work/ws/functions/wat-hello/function.toml"
cp benches/http/hello_environment.wat "$work/ws/functions/wat-hello-environment/main.wat"
printf 'runtime = "wat"\nhandler = "main.wat"\n\n[[triggers]]\ntype = "http"\nroute = "GET /wat-environment/{name}"\n' \
  > "$work/ws/functions/wat-hello-environment/function.toml"
cp benches/http/hello.mjs "$work/ws/functions/js-hello/index.mjs"
printf 'runtime = "js"\nhandler = "index.handler"\n\n[[triggers]]\ntype = "http"\nroute = "GET /hello/{name}"\n' \
  > "$work/ws/functions/js-hello/function.toml"

wait_for() { for _ in $(seq 1 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; return 1; }
measure() { # name url
  wrk -t2 -c"$connections" -d3s "$2" >/dev/null
  local out; out=$(wrk -t2 -c"$connections" -d"$duration" --latency "$2")
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf '| %s | %s | %s | %s | %s |\n' "$1" "$rps" "$p50" "$p99" "${non2xx:-0}"
}

echo "| server | req/s | p50 | p99 | non-2xx |"
echo "| --- | --- | --- | --- | --- |"
"$bin/examples/hyper_hello" 3101 >/dev/null &
wait_for http://127.0.0.1:3101/
measure "hyper hello, no function (baseline)" http://127.0.0.1:3101/hello/ada
kill %1; wait %1 2>/dev/null || true

"$bin/lambdesk" serve --workspace "$work/ws" --port 3102 >/dev/null 2>"$work/serve.err" &
wait_for http://127.0.0.1:3102/wat/ada
measure "lambdesk, WAT hello, command (fresh instance per request)" http://127.0.0.1:3102/wat/ada
measure "lambdesk, WAT hello, execution environment" http://127.0.0.1:3102/wat-environment/ada
measure "lambdesk, JS hello" http://127.0.0.1:3102/hello/ada
kill -INT %1; wait %1 2>/dev/null || true

if [ -n "${SLS_DIR:-}" ] && [ -d "$SLS_DIR/node_modules/serverless-offline" ]; then
  for mode in "" "--useInProcess"; do
    (cd "$SLS_DIR" && SLS_TELEMETRY_DISABLED=1 exec npx serverless offline --host 127.0.0.1 \
      --httpPort 3103 --lambdaPort 3104 --noPrependStageInUrl $mode >/dev/null 2>&1) &
    wait_for http://127.0.0.1:3103/hello/ada
    measure "serverless-offline ${mode:-default}" http://127.0.0.1:3103/hello/ada
    # npx leaves the node server running: stop whatever listens on the port.
    pid=$(ss -ltnpH 'sport = :3103' | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
    kill "$pid" 2>/dev/null || true; kill %1 2>/dev/null || true; wait 2>/dev/null || true
    sleep 1
  done
else
  echo "(serverless-offline not measured: set SLS_DIR to a folder set up as in ../shared/peers/serverless-offline.md)" >&2
fi
