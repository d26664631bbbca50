#!/bin/sh
# Makes the demo course's two small WebM clips (committed: ~150 KB together) with Debian's ffmpeg:
# a test pattern with a frame counter and a tone, VP9 + Opus, the codecs every browser plays.
#   sh scripts/demo-videos.sh     (apt-get install ffmpeg first)
set -eu
cd "$(dirname "$0")/../demo-course/media"
clip() { # name, pattern, seconds, tone
  ffmpeg -y -loglevel error -f lavfi -i "$2=size=256x144:rate=10:duration=$3" \
    -f lavfi -i "sine=frequency=$4:sample_rate=16000:duration=$3" \
    -c:v libvpx-vp9 -b:v 0 -crf 50 -deadline good -cpu-used 4 -row-mt 0 -threads 1 \
    -c:a libopus -b:a 12k -ac 1 -shortest -map_metadata -1 -fflags +bitexact "$1"
}
clip w1-s1.webm testsrc 24 440
clip w2-s3a.webm testsrc2 12 330
ls -l w1-s1.webm w2-s3a.webm
