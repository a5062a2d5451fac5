#!/usr/bin/env bash
# The cost of AES-128 (issue 18): one title packaged by the daemon with the default preset,
# clear and encrypted (the same preset with "encryption": "aes-128"), each on a fresh vault,
# alternated, median of RUNS runs of `submit --wait` wall time. Goal: encrypted ≤ 1.02× clear.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
BIN=$PWD/.build/release/streamvault
WORK=$PWD/bench/work/encryption
SOURCE=$PWD/bench/work/encryption-1080p30-30s.mp4
rm -rf "$WORK"; mkdir -p "$WORK"
[ -f "$SOURCE" ] || ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30:duration=30,noise=alls=10:allf=t+u" \
  -f lavfi -i "sine=f=440:r=48000:d=30" -c:v libx264 -preset ultrafast -crf 16 -g 60 -pix_fmt yuv420p -c:a aac "$SOURCE"
echo '{"name": "default-aes", "encryption": "aes-128"}' >"$WORK/default-aes.json"

package() { # preset → seconds
  local vault="$WORK/vault-$RANDOM" port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$BIN" serve --root "$vault" --http "127.0.0.1:$port" --settle 1 >"$vault.log" 2>&1 &
  local daemon=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  local start end
  start=$(date +%s.%N)
  "$BIN" submit "$SOURCE" --root "$vault" --preset "$1" --wait >/dev/null
  end=$(date +%s.%N)
  kill "$daemon"; wait "$daemon" 2>/dev/null || true
  rm -rf "$vault"
  python3 -c "print($end - $start)"
}
: >"$WORK/clear.times"; : >"$WORK/aes.times"
for _ in $(seq "$RUNS"); do
  package default >>"$WORK/clear.times"
  package "$WORK/default-aes.json" >>"$WORK/aes.times"
done
python3 - "$WORK/clear.times" "$WORK/aes.times" <<'PY'
import statistics, sys
clear, aes = [[float(x) for x in open(p)] for p in sys.argv[1:3]]
c, a = statistics.median(clear), statistics.median(aes)
print(f"packaging, 30 s 1080p30, default ladder: clear {c:.2f} s, aes-128 {a:.2f} s, ratio {a / c:.3f}   (median of {len(aes)})")
print(f"runs clear {', '.join(f'{x:.2f}' for x in clear)}   aes-128 {', '.join(f'{x:.2f}' for x in aes)}")
PY
