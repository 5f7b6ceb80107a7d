#!/usr/bin/env bash
# Three timings of `lambdesk serve` (release build), the peer being serverless-offline's
# ~2 s start:
#  1. start → first answer on the HTTP port (module cache warm, as on a second start);
#  2. bucket event latency: a file closed in buckets/inbox → the function running (its
#     Date.now() against the writer's clock), over 40 files;
#  3. four back-to-back wrk runs against one serve: req/s and the process's RSS after each.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/lambdesk-target}
cargo build --release --bin lambdesk >&2
lambdesk=$CARGO_TARGET_DIR/release/lambdesk
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
ws=$work/ws
mkdir -p "$ws/functions/wat-hello" "$ws/functions/on-upload" "$ws/buckets/inbox"
touch "$ws/lambdesk.toml"
cp benches/http/hello.wat "$ws/functions/wat-hello/main.wat"
printf 'runtime = "wat"\nhandler = "main.wat"\n\n[[triggers]]\ntype = "http"\nroute = "GET /wat/{name}"\n' \
  > "$ws/functions/wat-hello/function.toml"
cat > "$ws/functions/on-upload/index.mjs" <<'JS'
export const handler = async (event) => {
  const started = Date.now();
  for (const record of event.Records) console.log(`started ${record.s3.object.key} ${started}`);
};
JS
printf 'runtime = "js"\nhandler = "index.handler"\n\n[[triggers]]\ntype = "bucket"\nbucket = "inbox"\n' \
  > "$ws/functions/on-upload/function.toml"

now_ms() { date +%s%3N; }
port=3311
# A first start fills the module cache; the measured start is the second.
"$lambdesk" serve --workspace "$ws" --port $port >/dev/null 2>&1 & pid=$!
until curl -s -o /dev/null "http://127.0.0.1:$port/wat/a"; do sleep 0.05; done
kill -INT $pid; wait $pid || true
start=$(now_ms)
"$lambdesk" serve --workspace "$ws" --port $port >"$work/serve.out" 2>&1 & pid=$!
until curl -s -o /dev/null "http://127.0.0.1:$port/wat/a"; do sleep 0.005; done
echo "serve start → first HTTP answer: $(( $(now_ms) - start )) ms"

: > "$work/written"
for i in $(seq 1 40); do
  # The clock is read just before the write: the write itself (open, write, close) is
  # counted too, so the figure is an upper bound.
  echo "file-$i.txt $(now_ms)" >> "$work/written"
  printf 'payload %s\n' "$i" > "$ws/buckets/inbox/file-$i.txt"
  sleep 0.25
done
sleep 1.5
grep -o 'started file-[0-9]*\.txt [0-9]*' "$work/serve.out" | awk '{print $2, $3}' | sort > "$work/started"
sort "$work/written" > "$work/written.sorted"
join "$work/written.sorted" "$work/started" | awk '{print $3 - $2}' | sort -n > "$work/latency"
count=$(wc -l < "$work/latency")
p50=$(awk -v n="$count" 'NR == int((n + 1) / 2) {print}' "$work/latency")
p99=$(tail -1 "$work/latency")
echo "bucket event latency (file closed → function started), $count files: p50 ${p50} ms, max ${p99} ms"

for run in 1 2 3 4; do
  rps=$(wrk -t2 -c16 -d10s "http://127.0.0.1:$port/wat/ada" | awk '/Requests\/sec/ {print $2}')
  rss=$(ps -o rss= -p $pid)
  echo "run $run: WAT hello ${rps} req/s, serve RSS $((rss / 1024)) MB"
done
kill -INT $pid; wait $pid || true
