import Foundation

/// libFuzzer target: any bytes, as UTF-8 (invalid sequences replaced), through our TTML reader
/// and its XML tokenizer, whose cues must be in order, within the limits, and safe as WebVTT
/// payloads: no timing line, no empty line (either would end the cue).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTTML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let reading = TTMLReader.read(String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self))
    for cue in reading.cues {
        precondition(cue.end > cue.start && !cue.text.isEmpty && cue.text.utf8.count <= SubtitleReading.maximumCueText)
        precondition(!cue.text.contains("-->"), "a timing line is never shown as text")
        precondition(!cue.text.contains("\n\n") && !cue.text.contains("\r") && !cue.text.hasPrefix("\n") && !cue.text.hasSuffix("\n"), "no empty line")
    }
    precondition(zip(reading.cues, reading.cues.dropFirst()).allSatisfy { $0.start <= $1.start }, "cues in order")
    return 0
}
