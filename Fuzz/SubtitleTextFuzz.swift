import Foundation

/// libFuzzer target: a subtitle file's text in any encoding (BOMs, UTF-16, UTF-8,
/// Windows-1252), each line as an ASS dialogue to WebVTT, and the whole text through our
/// SubRip and WebVTT readers, whose cues must be in order and within the limits (`make fuzz`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSubtitleText(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let (text, _) = TextEncoding.decode(Data(bytes: data, count: size)) else { return 0 }
    for line in text.split(separator: "\n") { _ = SubtitleText.webVTT(fromDialogue: String(line)) }
    for reading in [SubRipReader.read(text), WebVTTReader.read(text), WebVTTReader.read("WEBVTT\n\n" + text)] {
        for cue in reading.cues {
            precondition(cue.end > cue.start && !cue.text.isEmpty && cue.text.utf8.count <= SubtitleReading.maximumCueText)
            precondition(!cue.text.contains("-->"), "a timing line is never shown as text")
        }
    }
    return 0
}
