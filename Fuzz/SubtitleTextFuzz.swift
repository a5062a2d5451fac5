import Foundation

/// libFuzzer target: a subtitle file's bytes in any encoding (`TextEncoding`), each line as
/// an ASS dialogue to WebVTT, and the whole text through our SubRip, WebVTT, ASS and SAMI
/// readers, whose cues must be in order, within the limits, and safe as WebVTT payloads (no
/// timing line, no empty line) (`make fuzz`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSubtitleText(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let (text, _) = TextEncoding.decode(Data(bytes: data, count: size)) else { return 0 }
    for line in text.split(separator: "\n") { _ = SubtitleText.webVTT(fromDialogue: String(line)) }
    for reading in [SubRipReader.read(text), WebVTTReader.read(text), WebVTTReader.read("WEBVTT\n\n" + text),
                    ASSReader.read(text), ASSReader.read("[Events]\n" + text), SAMIReader.read(text), SAMIReader.read(text, language: "en")] {
        for cue in reading.cues {
            precondition(cue.end > cue.start && !cue.text.isEmpty && cue.text.utf8.count <= SubtitleReading.maximumCueText)
            precondition(cue.text.utf8.firstRange(of: "-->".utf8) == nil, "a timing line is never shown as text")
            precondition(!cue.text.contains("\n\n"), "no empty line in a payload")
        }
    }
    return 0
}
