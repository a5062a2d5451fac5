#!/usr/bin/env bash
# The serving benchmark of issue 5: wrk (2 threads, 64 connections, DURATION seconds) against
# a ~1 MB segment and a master playlist of one published title, on `streamvault serve` and on
# nginx serving the same media folder (bench/nginx.conf.template), alternated, median of RUNS
# runs each. Prints requests per second and the ratio ours/nginx for each file. For the
# playlist, the ceiling is measured in the same runs: a bare Hummingbird route answering the
# same bytes from memory (bare-route-benchmark), no guard, no catalog, no file, no metrics.
# Then the DASH manifest against the master playlist, both from streamvault, alternated.
# Then the master playlist and the segment behind an ES256 playback token, from a second
# daemon on the same vault (no workers, --playback-keys), against the open daemon, alternated.
# PIN=1 runs every server on core 0 and wrk on core 1: far less noise between runs (each
# server's cost per request decides), lower rates than sharing both cores.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
DURATION=${DURATION:-8}
WORK=$PWD/bench/work/serve
BIN=$PWD/.build/release/streamvault
OURS=127.0.0.1:18480
NGINX_PORT=18481
BARE_PORT=18482
PROTECTED=127.0.0.1:18483
SERVER_CPU=""; CLIENT_CPU=""
if [ "${PIN:-0}" = 1 ]; then SERVER_CPU="taskset -c 0"; CLIENT_CPU="taskset -c 1"; fi
rm -rf "$WORK"; mkdir -p "$WORK/nginx-tmp"

$SERVER_CPU "$BIN" serve --root "$WORK/vault" --http "$OURS" --preset default --settle 1 >"$WORK/daemon.log" 2>&1 &
DAEMON=$!
NGINX=""
BARE=""
GUARDED=""
cleanup() {
  kill "$DAEMON" 2>/dev/null || true
  if [ -n "$GUARDED" ]; then kill "$GUARDED" 2>/dev/null || true; fi
  if [ -n "$NGINX" ]; then kill "$NGINX" 2>/dev/null || true; fi
  if [ -n "$BARE" ]; then kill "$BARE" 2>/dev/null || true; fi
}
trap cleanup EXIT
for _ in $(seq 50); do curl -sf "http://$OURS/healthz" >/dev/null && break; sleep 0.2; done
# A 1080p title whose 6 s segments at ~1.3 Mb/s… 5 Mb/s include one near 1 MB.
"$BIN" submit bench/work/source-1080p30-20s.mp4 --root "$WORK/vault" --preset default --wait >/dev/null 2>&1 \
  || "$BIN" submit samples/testcard-720p30.mp4 --root "$WORK/vault" --preset default --wait >/dev/null
ID=$(ls "$WORK/vault/media" | head -1)
MEDIA=$WORK/vault/media
SEGMENT=$(cd "$MEDIA/$ID" && find . -name 'seg_*.m4s' -printf '%s %P\n' \
  | awk '{d=$1-1048576; if (d<0) d=-d; print d, $1, $2}' | sort -n | head -1 | awk '{print $3}')
echo "title $ID: segment $SEGMENT ($(stat -c %s "$MEDIA/$ID/$SEGMENT") bytes), master.m3u8 ($(stat -c %s "$MEDIA/$ID/master.m3u8") bytes)"

sed -e "s|@WORK@|$WORK|g" -e "s|@MEDIA@|$MEDIA|g" -e "s|@PORT@|$NGINX_PORT|g" bench/nginx.conf.template >"$WORK/nginx.conf"
$SERVER_CPU nginx -c "$WORK/nginx.conf" -p "$WORK" &
NGINX=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$NGINX_PORT/hls/$ID/master.m3u8" >/dev/null && break; sleep 0.2; done
$SERVER_CPU .build/release/bare-route-benchmark "$BARE_PORT" "$MEDIA/$ID/master.m3u8" >"$WORK/bare.log" 2>&1 &
BARE=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$BARE_PORT/hls/$ID/master.m3u8" >/dev/null && break; sleep 0.2; done

rate() { # url → requests/s
  $CLIENT_CPU wrk -t2 -c64 -d"${DURATION}s" "$1" | awk '/Requests\/sec/ {print $2}'
}
for file in "$SEGMENT" master.m3u8; do
  : >"$WORK/ours.rates"; : >"$WORK/nginx.rates"; : >"$WORK/bare.rates"
  for _ in $(seq "$RUNS"); do
    rate "http://$OURS/hls/$ID/$file" >>"$WORK/ours.rates"
    rate "http://127.0.0.1:$NGINX_PORT/hls/$ID/$file" >>"$WORK/nginx.rates"
    if [ "$file" = master.m3u8 ]; then rate "http://127.0.0.1:$BARE_PORT/hls/$ID/$file" >>"$WORK/bare.rates"; fi
  done
  python3 - "$file" "$WORK/ours.rates" "$WORK/nginx.rates" "$WORK/bare.rates" <<'PY'
import statistics, sys
name, ours, nginx, bare = sys.argv[1], *[[float(x) for x in open(p)] for p in sys.argv[2:5]]
o, n = statistics.median(ours), statistics.median(nginx)
print(f"{name:>22}: streamvault {o:9.0f} req/s   nginx {n:9.0f} req/s   ratio ours/nginx {o / n:.3f}   (median of {len(ours)})")
print(f"{'runs':>22}: " + ", ".join(f"{x:.0f}/{y:.0f}" for x, y in zip(ours, nginx)) + "  (ours/nginx, in the order run)")
if bare:
    b = statistics.median(bare)
    print(f"{'bare Hummingbird route':>22}: {b:9.0f} req/s   ratio bare/nginx {b / n:.3f}   ours/bare {o / b:.3f}")
PY
done
# Issue 20: the MPD against the master on the same title and server, alternated (goal ≥ 0.9×).
: >"$WORK/master.rates"; : >"$WORK/mpd.rates"
for _ in $(seq "$RUNS"); do
  rate "http://$OURS/hls/$ID/master.m3u8" >>"$WORK/master.rates"
  rate "http://$OURS/hls/$ID/manifest.mpd" >>"$WORK/mpd.rates"
done
python3 - "$WORK/master.rates" "$WORK/mpd.rates" "$(stat -c %s "$MEDIA/$ID/manifest.mpd")" <<'PY'
import statistics, sys
master, mpd = [[float(x) for x in open(p)] for p in sys.argv[1:3]]
m, d = statistics.median(master), statistics.median(mpd)
print(f"{'manifest.mpd':>22}: {d:9.0f} req/s   master.m3u8 {m:9.0f} req/s   ratio mpd/master {d / m:.3f}   ({sys.argv[3]} bytes, median of {len(mpd)})")
PY
# Issue 18: behind a token (goals: playlist ≥ 0.8×, segment ≥ 0.95× open).
mkdir -p "$WORK/keys"
"$BIN" keygen --alg ES256 --kid bench --private "$WORK/keys/signing.jwk" --keys "$WORK/keys/set.json" >/dev/null
TOKEN=$("$BIN" token "$ID" --signing-key "$WORK/keys/signing.jwk" --ttl 1h)
$SERVER_CPU "$BIN" serve --root "$WORK/vault" --http "$PROTECTED" --workers 0 --playback-keys "$WORK/keys/set.json" \
  >"$WORK/protected.log" 2>&1 &
GUARDED=$!
for _ in $(seq 50); do curl -sf "http://$PROTECTED/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "http://$PROTECTED/hls/$ID/master.m3u8?token=$TOKEN" >/dev/null
for file in master.m3u8 "$SEGMENT"; do
  : >"$WORK/open.rates"; : >"$WORK/token.rates"
  for _ in $(seq "$RUNS"); do
    rate "http://$OURS/hls/$ID/$file" >>"$WORK/open.rates"
    rate "http://$PROTECTED/hls/$ID/$file?token=$TOKEN" >>"$WORK/token.rates"
  done
  python3 - "$file" "$WORK/open.rates" "$WORK/token.rates" <<'PY'
import statistics, sys
name, opened, tokened = sys.argv[1], *[[float(x) for x in open(p)] for p in sys.argv[2:4]]
o, t = statistics.median(opened), statistics.median(tokened)
print(f"{name + ' + token':>22}: {t:9.0f} req/s   open {o:9.0f} req/s   ratio token/open {t / o:.3f}   (ES256, median of {len(tokened)})")
PY
done
echo "streamvault serve peak RSS after the runs: $(awk '/VmHWM/ {print $2 / 1024 " MiB"}' /proc/$DAEMON/status)"
