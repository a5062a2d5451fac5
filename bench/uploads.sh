#!/usr/bin/env bash
# The integrators' API (issue 22), against `streamvault serve --workers 0` (nothing packaged
# beside the measurement):
# 1. Upload throughput: a SIZE_MB file (default 1024) sent by curl as one tus PATCH (fsynced
#    before it is answered), against copying it on the same disk (`cp` then `sync FILE`),
#    alternated, median of RUNS. Goal: ours ≥ 0.8× the copy.
# 2. Memory: the daemon's RSS sampled every 0.1 s while four uploads run at once, of 64 MB
#    each and then of 512 MB each: flat means the peak does not grow with the size.
# 3. Webhook latency: a daemon with workers and a real receiver (the tests' webhook_receiver.py);
#    five small titles packaged, then each deleted: from the DELETE to the media.deleted
#    delivery's arrival, median and max. Goal: < 1 s.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
SIZE_MB=${SIZE_MB:-1024}
BIN=$PWD/.build/release/streamvault
WORK=$PWD/bench/work/uploads
rm -rf "$WORK"; mkdir -p "$WORK"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(port)
"$BIN" serve --root "$WORK/vault" --http "127.0.0.1:$PORT" --workers 0 --api-token bench --rate-limit 0 --max-upload 4GiB \
  >"$WORK/daemon.log" 2>&1 &
DAEMON=$!
RECEIVER=""; HOOKED=""
cleanup() {
  kill "$DAEMON" 2>/dev/null || true
  if [ -n "$RECEIVER" ]; then kill "$RECEIVER" 2>/dev/null || true; fi
  if [ -n "$HOOKED" ]; then kill "$HOOKED" 2>/dev/null || true; fi
}
trap cleanup EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

make_file() { head -c "$(($2 * 1048576))" /dev/urandom >"$1"; }
create() { # bytes name → upload path
  curl -sf -o /dev/null -D - -X POST "http://127.0.0.1:$PORT/api/uploads" -H "Authorization: Bearer bench" -H "Tus-Resumable: 1.0.0" \
    -H "Upload-Length: $1" -H "Upload-Metadata: filename $(printf %s "$2" | base64 -w0)" | tr -d '\r' | sed -n 's|^[Ll]ocation: http://[^/]*||p'
}
send() { # file path
  curl -sf -o /dev/null -X PATCH "http://127.0.0.1:$PORT$2" -H "Tus-Resumable: 1.0.0" -H "Content-Type: application/offset+octet-stream" \
    -H "Upload-Offset: 0" -H "Expect:" -T "$1"
}
now() { date +%s.%N; }

SOURCE=$WORK/source.bin
make_file "$SOURCE" "$SIZE_MB"
: >"$WORK/cp.times"; : >"$WORK/upload.times"
for run in $(seq "$RUNS"); do
  sync; start=$(now); cp "$SOURCE" "$WORK/copy.bin"; sync "$WORK/copy.bin"; end=$(now)
  python3 -c "print($end - $start)" >>"$WORK/cp.times"; rm -f "$WORK/copy.bin"
  path=$(create "$((SIZE_MB * 1048576))" "run$run.bin")
  sync; start=$(now); send "$SOURCE" "$path"; end=$(now)
  python3 -c "print($end - $start)" >>"$WORK/upload.times"
  rm -rf "$WORK/vault/work"/*  # the queued jobs' hard links: nothing is packaged here
done
python3 - "$WORK/cp.times" "$WORK/upload.times" "$SIZE_MB" <<'PY'
import statistics, sys
cp, up = [[float(x) for x in open(p)] for p in sys.argv[1:3]]
size = int(sys.argv[3])
c, u = statistics.median(cp), statistics.median(up)
print(f"upload of {size} MiB: cp+sync {c:.2f} s ({size / c:.0f} MiB/s), tus PATCH {u:.2f} s ({size / u:.0f} MiB/s), "
      f"throughput ratio {c / u:.3f}   (median of {len(up)}; goal ≥ 0.8)")
PY
rm -f "$SOURCE"

rss() { ps -o rss= -p "$DAEMON" | tr -d ' '; }
four() { # MiB each → peak RSS KiB while four uploads run at once
  local pids=() files=() paths=() base peak
  for i in 1 2 3 4; do make_file "$WORK/four$i.bin" "$1"; files+=("$WORK/four$i.bin"); paths+=("$(create "$(($1 * 1048576))" "four$i-$1.bin")"); done
  base=$(rss); peak=$base
  for i in 0 1 2 3; do send "${files[$i]}" "${paths[$i]}" & pids+=($!); done
  while kill -0 "${pids[@]}" 2>/dev/null; do r=$(rss); [ "$r" -gt "$peak" ] && peak=$r; sleep 0.1; done
  wait "${pids[@]}"
  rm -f "${files[@]}"; rm -rf "$WORK/vault/work"/*
  echo "$base $peak"
}
read -r base64mb peak64mb < <(four 64)
read -r base512mb peak512mb < <(four 512)
echo "daemon RSS, four uploads at once: 4×64 MiB before $((base64mb / 1024)) MiB, peak $((peak64mb / 1024)) MiB;" \
     "4×512 MiB before $((base512mb / 1024)) MiB, peak $((peak512mb / 1024)) MiB"
kill "$DAEMON"; wait "$DAEMON" 2>/dev/null || true

# Webhook latency.
HOOK_PORT=$(port); PORT=$(port)
echo "bench-secret" >"$WORK/hook.key"
python3 Tests/EndToEndTests/Peers/webhook_receiver.py --port "$HOOK_PORT" --secret "$WORK/hook.key" --log "$WORK/hooks.jsonl" &
RECEIVER=$!
"$BIN" serve --root "$WORK/hooked" --http "127.0.0.1:$PORT" --api-token bench --rate-limit 0 --preset preview --settle 0.5 \
  --webhook "http://127.0.0.1:$HOOK_PORT/hook" --webhook-secret "$WORK/hook.key" >"$WORK/hooked.log" 2>&1 &
HOOKED=$!
DAEMON=$HOOKED
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
for tone in 330 440 550 660 770; do
  ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=320x180:rate=30:duration=4" -f lavfi -i "sine=f=$tone:r=48000:d=4" \
    -c:v libx264 -preset ultrafast -g 60 -pix_fmt yuv420p -c:a aac "$WORK/Tone $tone (2020).mp4"
  mv "$WORK/Tone $tone (2020).mp4" "$WORK/hooked/ingest/"
done
for _ in $(seq 600); do
  [ "$(curl -sf "http://127.0.0.1:$PORT/api/jobs?state=succeeded" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')" = 5 ] && break
  sleep 0.2
done
: >"$WORK/latency.times"
for id in $(curl -sf "http://127.0.0.1:$PORT/api/media?limit=10" | python3 -c 'import json,sys; print(" ".join(i["id"] for i in json.load(sys.stdin)["items"]))'); do
  sleep 0.5
  start=$(now)
  curl -sf -o /dev/null -X DELETE "http://127.0.0.1:$PORT/api/media/$id" -H "Authorization: Bearer bench"
  python3 - "$WORK/hooks.jsonl" "$id" "$start" >>"$WORK/latency.times" <<'PY'
import json, sys, time
log, media, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
deadline = time.time() + 30
while time.time() < deadline:
    for line in open(log):
        event = json.loads(line)
        if event["type"] == "media.deleted" and event["mediaId"] == media and event["status"] == 204:
            print(event["at"] - start); sys.exit()
    time.sleep(0.01)
print("nan")
PY
done
python3 - "$WORK/latency.times" <<'PY'
import statistics, sys
times = [float(x) for x in open(sys.argv[1])]
print(f"webhook media.deleted, DELETE to delivery: median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"
      f"   ({len(times)} titles; goal < 1 s)")
PY
