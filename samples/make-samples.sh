#!/usr/bin/env bash
# Rebuilds the sample clips from FFmpeg's synthetic sources (lavfi), so anyone can
# reproduce them bit-for-bit-ish with the `ffmpeg` CLI of Debian 12 (FFmpeg 5.1).
# Used only to make test media: StreamVault itself never runs ffmpeg.
set -euo pipefail
cd "$(dirname "$0")"
ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }

# 1280x720 30 fps, 6 s, fades in from black; a white flash and a 1 kHz beep at exactly 3.0 s
# (for A/V sync checks); AAC stereo at 44.1 kHz so the resampler has work to do.
ff -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=6,fade=in:0:20,drawbox=c=white:t=fill:enable='between(t,3,3.099)'" \
   -f lavfi -i "aevalsrc=exprs='0.5*sin(2*PI*1000*t)*between(t,3,3.1)|0.5*sin(2*PI*1000*t)*between(t,3,3.1)':s=44100:d=6" \
   -c:v libx264 -preset medium -b:v 900k -pix_fmt yuv420p -g 60 -c:a aac -b:a 96k \
   -metadata title="Test Card" -movflags +faststart testcard-720p30.mp4

# A phone clip: 640x360 coded, rotation metadata 90° (plays portrait 360x640), variable
# frame rate (every 7th frame dropped), mono 48 kHz audio.
ff -f lavfi -i "testsrc2=size=640x360:rate=30:duration=4,select='not(eq(mod(n\,7)\,3))'" \
   -f lavfi -i "sine=f=440:r=48000:d=4" \
   -fps_mode vfr -c:v libx264 -preset medium -b:v 400k -pix_fmt yuv420p -c:a aac -ac 1 -b:a 64k \
   /tmp/phone-unrotated.mp4
# FFmpeg 5.1 writes the display matrix from the rotate tag only on a stream copy.
ff -i /tmp/phone-unrotated.mp4 -c copy -metadata:s:v:0 rotate=90 phone-portrait-vfr.mp4
rm -f /tmp/phone-unrotated.mp4

# PAL interlaced, anamorphic 16:9 (720x576, SAR 64:45), 4:2:2 chroma, top field first, in MPEG-TS.
ff -f lavfi -i "testsrc2=size=720x576:rate=25:duration=3,setsar=64/45" \
   -f lavfi -i "sine=f=660:r=48000:d=3" \
   -c:v libx264 -preset medium -b:v 1500k -pix_fmt yuv422p -flags +ildct+ilme -x264-params tff=1 \
   -c:a aac -b:a 96k interlaced-pal-anamorphic-422.ts

# HDR10: HEVC Main 10, BT.2020 primaries, PQ transfer, no audio.
ff -f lavfi -i "testsrc2=size=640x360:rate=24:duration=2,format=yuv420p10le" \
   -c:v libx265 -preset fast -b:v 500k -x265-params log-level=error:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc \
   -color_primaries bt2020 -color_trc smpte2084 -colorspace bt2020nc -tag:v hvc1 hdr10-pq-10bit.mp4

# Audio only: 4 s AAC.
ff -f lavfi -i "sine=f=330:r=48000:d=4" -c:a aac -b:a 96k audio-only.m4a

# Matroska with two audio languages and an embedded SubRip track, all starting 1.5 s into
# the container's clock (as cut recordings do): English audio (not default) beeps at 1 kHz,
# French audio (default) at 500 Hz, both at 3.0 s with a white flash; English subtitles
# from testcard-720p30.en.srt ("Flash!" from 3.0 s to 3.5 s).
ff -f lavfi -i "testsrc2=size=640x360:rate=30:duration=6,drawbox=c=white:t=fill:enable='between(t,3,3.099)'" \
   -f lavfi -i "aevalsrc=exprs='0.5*sin(2*PI*1000*t)*between(t,3,3.1)':s=48000:d=6" \
   -f lavfi -i "aevalsrc=exprs='0.5*sin(2*PI*500*t)*between(t,3,3.1)':s=48000:d=6" \
   -i testcard-720p30.en.srt \
   -map 0:v -map 1:a -map 2:a -map 3:s -c:v libx264 -preset medium -b:v 300k -pix_fmt yuv420p -g 60 \
   -c:a aac -b:a 64k -c:s srt -output_ts_offset 1.5 \
   -metadata:s:a:0 language=eng -metadata:s:a:1 language=fre -metadata:s:s:0 language=eng \
   -disposition:a:0 0 -disposition:a:1 default -disposition:s:0 0 multilang.mkv
