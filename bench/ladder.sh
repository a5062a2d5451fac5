#!/usr/bin/env bash
# The ladder benchmark of issue 2: a 1080p30 20 s clip through the 3-rung ladder
# (1080p 5000k / 720p 2800k / 480p 1400k, x264 veryfast, keyframes every 2 s, 6 s fMP4
# segments, AAC 128k) by `streamvault transcode` and by one equivalent `ffmpeg` command,
# alternated, median of RUNS runs each. Prints wall-time ratio, peak RSS, SSIM, and the
# compute floor (one decode plus each rung's encode CPU, over the cores).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
WORK=bench/work
BIN=.build/release/streamvault
mkdir -p "$WORK"
SRC="$WORK/source-1080p30-20s.mp4"

if [ ! -f "$SRC" ]; then
  echo "making $SRC (synthetic test pattern with moving noise, so the encoder has real work)"
  ffmpeg -hide_banner -loglevel error -y \
    -f lavfi -i "testsrc2=size=1920x1080:rate=30:duration=20,noise=alls=10:allf=t+u" \
    -f lavfi -i "sine=f=440:r=48000:d=20" \
    -c:v libx264 -preset ultrafast -crf 16 -pix_fmt yuv420p -c:a aac -b:a 192k "$SRC"
fi

x264() { # bitrate maxrate bufsize profile
  echo "-c:v libx264 -preset veryfast -profile:v $4 -b:v $1 -maxrate $2 -bufsize $3 -g 60 -sc_threshold 0 -forced-idr 1"
}
hls() { # folder
  echo "-f hls -hls_time 6 -hls_list_size 0 -hls_playlist_type vod -hls_segment_type fmp4 -hls_fmp4_init_filename init.mp4 -start_number 1 -hls_segment_filename $1/seg_%05d.m4s $1/index.m3u8"
}
ffmpeg_ladder() { # out
  local out=$1
  rm -rf "$out"; mkdir -p "$out"/{1080p,720p,480p,audio}
  ffmpeg -hide_banner -loglevel error -y -i "$SRC" \
    -filter_complex "[0:v]fps=30,format=yuv420p,split=3[a][b][c];[b]scale=1280:720[b2];[c]scale=854:480[c2]" \
    -force_key_frames "expr:gte(t,n_forced*2)" \
    -map "[a]" $(x264 5000k 5350k 10700k high) $(hls "$out/1080p") \
    -map "[b2]" $(x264 2800k 3000k 6000k high) $(hls "$out/720p") \
    -map "[c2]" $(x264 1400k 1500k 3000k main) $(hls "$out/480p") \
    -map 0:a -c:a aac -b:a 128k -ac 2 -ar 48000 $(hls "$out/audio")
}
ours_ladder() { # out
  rm -rf "$1"
  "$BIN" transcode "$SRC" --out "$1" --preset default >/dev/null 2>&1
}

export -f x264 hls ffmpeg_ladder ours_ladder
export SRC BIN
measure() { # label command...   → appends "wall rss user sys" to $WORK/<label>.times
  local label=$1; shift
  /usr/bin/time -f "%e %M %U %S" -o "$WORK/$label.last" bash -c "$*"
  cat "$WORK/$label.last" >> "$WORK/$label.times"
}

rm -f "$WORK"/*.times
for run in $(seq "$RUNS"); do
  echo "run $run/$RUNS"
  measure ours ours_ladder "$WORK/ours"
  measure ffmpeg ffmpeg_ladder "$WORK/ffmpeg"
done

# The compute floor: CPU seconds of one decode, and of each rung alone (minus its decode).
cpu() { /usr/bin/time -f "%U %S" -o "$WORK/cpu.last" "$@" >/dev/null 2>&1; awk '{print $1+$2}' "$WORK/cpu.last"; }
decode=$(cpu ffmpeg -hide_banner -loglevel error -i "$SRC" -f null -)
rung_cpu() { # filter x264args...
  local filter=$1; shift
  cpu ffmpeg -hide_banner -loglevel error -y -i "$SRC" -an -vf "$filter" -force_key_frames "expr:gte(t,n_forced*2)" "$@" -f null -
}
r1080=$(rung_cpu "fps=30,format=yuv420p" $(x264 5000k 5350k 10700k high))
r720=$(rung_cpu "fps=30,format=yuv420p,scale=1280:720" $(x264 2800k 3000k 6000k high))
r480=$(rung_cpu "fps=30,format=yuv420p,scale=854:480" $(x264 1400k 1500k 3000k main))
audio=$(cpu ffmpeg -hide_banner -loglevel error -y -i "$SRC" -vn -c:a aac -b:a 128k -ac 2 -ar 48000 -f null -)

ssim() { # a b → "All" SSIM
  ffmpeg -hide_banner -nostats -i "$1" -i "$2" -lavfi "[0:v][1:v]ssim" -f null - 2>&1 | sed -n 's/.*All:\([0-9.]*\).*/\1/p' | tail -1
}
ssim_ours_ffmpeg=$(ssim "$WORK/ours/1080p/index.m3u8" "$WORK/ffmpeg/1080p/index.m3u8")
ssim_ours_src=$(ssim "$WORK/ours/1080p/index.m3u8" "$SRC")
ssim_ffmpeg_src=$(ssim "$WORK/ffmpeg/1080p/index.m3u8" "$SRC")

python3 - "$WORK" "$(nproc)" "$decode" "$r1080" "$r720" "$r480" "$audio" "$ssim_ours_ffmpeg" "$ssim_ours_src" "$ssim_ffmpeg_src" <<'PY'
import statistics, sys
work, cores = sys.argv[1], int(sys.argv[2])
decode, r1080, r720, r480, audio = map(float, sys.argv[3:8])
s_of, s_os, s_fs = sys.argv[8:11]
def load(label):
    rows = [list(map(float, line.split())) for line in open(f"{work}/{label}.times")]
    return statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows) / 1024, statistics.median(r[2] + r[3] for r in rows)
ours_wall, ours_rss, ours_cpu = load("ours")
ff_wall, ff_rss, ff_cpu = load("ffmpeg")
encodes = sum(max(0.0, r - decode) for r in (r1080, r720, r480)) + audio
floor = (decode + encodes) / cores
print(f"ladder 1080p30 20 s, 3 rungs, median of {len(open(f'{work}/ours.times').readlines())} runs")
print(f"  streamvault  wall {ours_wall:6.2f} s  cpu {ours_cpu:6.2f} s  peak RSS {ours_rss:7.1f} MiB")
print(f"  ffmpeg CLI   wall {ff_wall:6.2f} s  cpu {ff_cpu:6.2f} s  peak RSS {ff_rss:7.1f} MiB")
print(f"  wall ratio ours/ffmpeg   {ours_wall / ff_wall:.3f}")
print(f"  peak RSS ratio           {ours_rss / ff_rss:.3f}")
print(f"  compute floor (decode {decode:.2f} + encodes {encodes:.2f} CPU s over {cores} cores) {floor:.2f} s = {floor / ff_wall:.3f} x ffmpeg wall")
print(f"  SSIM 1080p ours vs ffmpeg {s_of}; vs source: ours {s_os}, ffmpeg {s_fs}")
PY
