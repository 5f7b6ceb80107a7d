#!/usr/bin/env bash
# The Invoke API's round trip against the HTTP gateway's, one JS hello function answering
# both (release build of `lambdesk serve`, sequential calls from one Python client):
#  1. boto3 `invoke` (what a user's script pays: botocore's request building and SigV4);
#  2. the same POST to /2015-03-31/functions/hello/invocations with http.client (the API's
#     own cost, without boto3's);
#  3. GET /hello through the HTTP gateway with http.client.
# Needs the venv with boto3 that .ci/run makes (LAMBDESK_AWS_VENV). CALLS=2000 by default.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/lambdesk-target}
venv=${LAMBDESK_AWS_VENV:-$HOME/.cache/lambdesk-aws-venv}
# LAMBDESK_BIN: a release binary built already (with other build settings).
lambdesk=${LAMBDESK_BIN:-}
if [ -z "$lambdesk" ]; then
  cargo build --release --bin lambdesk >&2
  lambdesk=$CARGO_TARGET_DIR/release/lambdesk
fi
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
ws=$work/ws
mkdir -p "$ws/functions/hello"
printf 'gateway_port = 3331\nlambda_api_port = 3332\n' > "$ws/lambdesk.toml"
cat > "$ws/functions/hello/index.mjs" <<'JS'
export const handler = async () => ({ statusCode: 200, body: JSON.stringify({ hello: "world" }) });
JS
printf 'runtime = "js"\nhandler = "index.handler"\n\n[[triggers]]\ntype = "http"\nroute = "GET /hello"\n' \
  > "$ws/functions/hello/function.toml"
"$lambdesk" serve --workspace "$ws" >"$work/serve.out" 2>&1 &
until curl -s -o /dev/null http://127.0.0.1:3331/hello; do sleep 0.05; done

AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null \
  "$venv/bin/python" - "${CALLS:-2000}" <<'PY'
import http.client, statistics, sys, time
import boto3

calls = int(sys.argv[1])
client = boto3.client("lambda", endpoint_url="http://127.0.0.1:3332")
api = http.client.HTTPConnection("127.0.0.1", 3332)
gateway = http.client.HTTPConnection("127.0.0.1", 3331)

def via_boto3():
    client.invoke(FunctionName="hello", Payload=b"{}")["Payload"].read()

def via_api():
    api.request("POST", "/2015-03-31/functions/hello/invocations", body=b"{}")
    api.getresponse().read()

def via_gateway():
    gateway.request("GET", "/hello")
    gateway.getresponse().read()

for name, call in [("boto3 invoke → Invoke API", via_boto3),
                   ("http.client → Invoke API", via_api),
                   ("http.client → HTTP gateway", via_gateway)]:
    for _ in range(200):
        call()
    times = []
    started = time.perf_counter()
    for _ in range(calls):
        before = time.perf_counter_ns()
        call()
        times.append((time.perf_counter_ns() - before) / 1000)
    elapsed = time.perf_counter() - started
    times.sort()
    print(f"| {name} | {calls / elapsed:,.0f} | {times[len(times) // 2]:.0f} µs"
          f" | {times[int(len(times) * 0.99)]:.0f} µs | {statistics.mean(times):.0f} µs |")
PY
