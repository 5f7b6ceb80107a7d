#!/usr/bin/env bash
# Queue throughput end to end: `lambdesk queue send --batch-file` of N messages into a
# queue while `lambdesk serve` runs a consumer with batch size 10, timed from the send
# until the queue is empty (every batch processed and deleted). Once with a WAT
# consumer, once with a JS one.
#
#   bash benches/queue_throughput.sh            # MESSAGES=100000 by default
set -euo pipefail
cd "$(dirname "$0")/.."
messages=${MESSAGES:-100000}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/lambdesk-target}
cargo build --release --bin lambdesk >&2
lambdesk=$CARGO_TARGET_DIR/release/lambdesk
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

ws=$work/ws
mkdir -p "$ws/functions/wat-consumer" "$ws/functions/js-consumer"
printf '[queues.wat-work]\n[queues.js-work]\n' > "$ws/lambdesk.toml"
cp benches/queue/consumer.wat "$ws/functions/wat-consumer/main.wat"
printf 'runtime = "wat"\nhandler = "main.wat"\n\n[[triggers]]\ntype = "queue"\nqueue = "wat-work"\nbatch_size = 10\n' \
  > "$ws/functions/wat-consumer/function.toml"
cp benches/queue/consumer.mjs "$ws/functions/js-consumer/index.mjs"
printf 'runtime = "js"\nhandler = "index.handler"\n\n[[triggers]]\ntype = "queue"\nqueue = "js-work"\nbatch_size = 10\n' \
  > "$ws/functions/js-consumer/function.toml"
seq 1 "$messages" | sed 's/.*/{"order":&,"item":"widget"}/' > "$work/batch.txt"

"$lambdesk" serve --workspace "$ws" --port 0 >/dev/null 2>"$work/serve.err" &
sleep 1

depth() { # queue -> visible + in flight
  "$lambdesk" queue list --workspace "$ws" | awk -v q="$1" '$1==q {print $3+$4}'
}
measure() { # name queue
  local start end elapsed
  start=$(date +%s.%N)
  "$lambdesk" queue send "$2" --batch-file "$work/batch.txt" --workspace "$ws" >/dev/null
  local sent
  sent=$(date +%s.%N)
  while [ "$(depth "$2")" != "0" ]; do sleep 0.05; done
  end=$(date +%s.%N)
  elapsed=$(echo "$end - $start" | bc -l)
  printf '| %s | %s | %.2f s | %.2f s | %.0f |\n' "$1" "$messages" \
    "$(echo "$sent - $start" | bc -l)" "$elapsed" "$(echo "$messages / $elapsed" | bc -l)"
}

echo "| consumer (batch size 10) | messages | send | send → empty | messages/s |"
echo "| --- | --- | --- | --- | --- |"
measure "WAT" wat-work
measure "JS" js-work
kill -INT %1; wait %1 2>/dev/null || true
