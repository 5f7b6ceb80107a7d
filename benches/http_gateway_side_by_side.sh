#!/usr/bin/env bash
# Two builds of lambdesk side by side under the same wrk load, alternating, so a change's
# effect on the gateway is measured in one run on one machine:
#
#   BASE_BIN=/path/to/older/lambdesk NEW_BIN=/path/to/lambdesk bash benches/http_gateway_side_by_side.sh
#
# Both are release builds; each serves its own copy of the benchmark workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
base_bin=${BASE_BIN:?set BASE_BIN to the older release build}
new_bin=${NEW_BIN:?set NEW_BIN to the newer release build}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
make_ws() { # dir port
  mkdir -p "$1/functions/wat-hello" "$1/functions/wat-hello-environment" "$1/functions/js-hello"
  printf 'gateway_port = %s\n' "$2" > "$1/lambdesk.toml"
  cp benches/http/hello.wat "$1/functions/wat-hello/main.wat"
  printf 'runtime = "wat"\nhandler = "main.wat"\n\n[[triggers]]\ntype = "http"\nroute = "GET /wat/{name}"\n' > "$1/functions/wat-hello/function.toml"
  cp benches/http/hello_environment.wat "$1/functions/wat-hello-environment/main.wat"
  printf 'runtime = "wat"\nhandler = "main.wat"\n\n[[triggers]]\ntype = "http"\nroute = "GET /wat-environment/{name}"\n' > "$1/functions/wat-hello-environment/function.toml"
  cp benches/http/hello.mjs "$1/functions/js-hello/index.mjs"
  printf 'runtime = "js"\nhandler = "index.handler"\n\n[[triggers]]\ntype = "http"\nroute = "GET /hello/{name}"\n' > "$1/functions/js-hello/function.toml"
}
make_ws "$work/base" 3201; make_ws "$work/new" 3202
LAMBDESK_CACHE_DIR=$work/cache "$base_bin" serve --workspace "$work/base" >/dev/null 2>&1 &
LAMBDESK_CACHE_DIR=$work/cache "$new_bin" serve --workspace "$work/new" >/dev/null 2>&1 &
for port in 3201 3202; do for _ in $(seq 1 100); do curl -s -o /dev/null http://127.0.0.1:$port/hello/x && break; sleep 0.2; done; done
measure() { wrk -t2 -c16 -d2s "$2" >/dev/null; local out; out=$(wrk -t2 -c16 -d10s --latency "$2"); printf '| %s | %s | %s | %s |\n' "$1" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")"; }
echo "| server | req/s | p50 | p99 |"; echo "| --- | --- | --- | --- |"
for round in 1 2; do
  for path in wat-environment/ada wat/ada hello/ada; do
    measure "base, /$path (round $round)" "http://127.0.0.1:3201/$path"
    measure "new, /$path (round $round)" "http://127.0.0.1:3202/$path"
  done
done
