#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer, with AddressSanitizer) of the pure parsers: the fMP4
# box and MPEG-TS readers and the media playlist parser, subtitle text in any encoding, ASS
# dialogue and our SubRip, WebVTT and TTML readers (and its XML tokenizer), CEA-608 captions (SCC, byte pairs, A/53 SEI in
# video packets), title names and name escaping. Each target runs SECONDS seconds (default 60)
# from its corpus in Fuzz/corpus/<target>; a crash stops it, its input saved in
# Fuzz/crashes/ — turn it into a test, then fix.
set -euo pipefail
export SWIFT_BACKTRACE=enable=no  # libFuzzer reports the crash; the backtracer would wait on its pipe
cd "$(dirname "$0")/.."
SECONDS_EACH=${SECONDS:-60}
OUT=.build/fuzz
mkdir -p "$OUT" Fuzz/crashes
declare -A SOURCES=(
  [container-readers]="Fuzz/ContainerReadersFuzz.swift Sources/Packager/IFramePlaylist.swift Sources/Packager/HLSPlaylist.swift Sources/Packager/Language.swift"
  [subtitle-text]="Fuzz/SubtitleTextFuzz.swift Sources/Packager/TextEncoding.swift Sources/Packager/ASSReader.swift Sources/Packager/SAMIReader.swift Sources/Packager/SubtitleText.swift Sources/Packager/SubtitleReading.swift Sources/Packager/SubRipReader.swift Sources/Packager/WebVTTReader.swift Sources/Packager/WebVTT.swift Fuzz/SubtitleCueStandIn.swift"
  [captions]="Fuzz/CaptionsFuzz.swift Sources/Packager/CaptionData.swift Sources/Packager/CEA608Decoder.swift Sources/Packager/CEA608Screen.swift Sources/Packager/CEA608Characters.swift Sources/Packager/SCCReader.swift Sources/Packager/TextEncoding.swift Sources/Packager/SubtitleText.swift Sources/Packager/SubtitleReading.swift Sources/Packager/WebVTT.swift Fuzz/SubtitleCueStandIn.swift"
  [ttml]="Fuzz/TTMLFuzz.swift Sources/Packager/TTMLReader.swift Sources/Packager/TTMLCues.swift Sources/Packager/TTMLClock.swift Sources/Packager/TTMLStyling.swift Sources/Packager/TTMLLayout.swift Sources/Packager/TTMLText.swift Sources/Packager/XMLTokens.swift Sources/Packager/XMLTree.swift Sources/Packager/SubtitleText.swift Sources/Packager/SubtitleReading.swift Sources/Packager/SubRipReader.swift Sources/Packager/WebVTTReader.swift Sources/Packager/WebVTT.swift Fuzz/SubtitleCueStandIn.swift"
  [names]="Fuzz/NamesFuzz.swift Sources/Ingest/TitleName.swift Sources/Ingest/RawName.swift"
)
for target in container-readers subtitle-text captions ttml names; do
  # shellcheck disable=SC2086
  if ! swiftc -O -swift-version 6 -sanitize=fuzzer,address -parse-as-library -module-name Fuzzed ${SOURCES[$target]} \
      -o "$OUT/$target" >"$OUT/$target.build.log" 2>&1; then
    grep -v "Cannot export local symbol" "$OUT/$target.build.log"; exit 2
  fi
  mkdir -p "Fuzz/corpus/$target"
  echo "fuzzing $target for $SECONDS_EACH s"
  "$OUT/$target" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -artifact_prefix="Fuzz/crashes/$target-" \
    "Fuzz/corpus/$target" 2>&1 | grep -E "^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::peak_rss|==[0-9]+==ERROR|SUMMARY)" || true
done
if ls Fuzz/crashes/* >/dev/null 2>&1; then echo "crashes found: $(ls Fuzz/crashes)"; exit 1; fi
echo "no crash"
