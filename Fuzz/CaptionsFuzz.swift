import Foundation

/// libFuzzer target: the input as SCC text (any encoding), as raw CEA-608 byte pairs fed to
/// a decoder of each channel at 30 pairs a second, and as a video packet whose SEI may carry
/// A/53 captions (start codes or four-byte lengths); every cue must be in order, say
/// something, stay within the limits and never hold a timing line.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCaptions(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var cueLists: [[SubtitleCue]] = []
    if let (text, _) = TextEncoding.decode(Data(bytes)) { cueLists.append(SCCReader.read(text).cues) }
    for channel in [CEA608Decoder.Channel.cc1, .cc2, .cc3, .cc4] {
        var decoder = CEA608Decoder(channel: channel)
        for index in stride(from: 0, to: size - 1, by: 2) { decoder.feed(bytes[index], bytes[index + 1], at: Double(index / 2) / 30) }
        decoder.finish(at: Double(size / 2) / 30 + 1)
        cueLists.append(decoder.cues)
    }
    for extradata in [[], [1, 0x64, 0, 0x1E, 0xFF]] as [[UInt8]] {
        let reader = CaptionData(codec: "h264", extradata: extradata)!
        var decoder = CEA608Decoder()
        for (index, (first, second)) in reader.fieldOnePairs(in: UnsafeRawBufferPointer(bytes)).enumerated() {
            decoder.feed(first, second, at: Double(index) / 30)
        }
        decoder.finish(at: Double(size) / 30 + 1)
        cueLists.append(decoder.cues)
    }
    for cue in cueLists.joined() {
        precondition(cue.end > cue.start && !cue.text.isEmpty && cue.text.utf8.count <= SubtitleReading.maximumCueText)
        precondition(!cue.text.contains("-->"), "a timing line is never shown as text")
    }
    return 0
}
