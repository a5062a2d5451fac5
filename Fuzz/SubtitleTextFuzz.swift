import Foundation

/// libFuzzer target: a subtitle file's text in any encoding (BOMs, UTF-16, UTF-8,
/// Windows-1252), then each line as an ASS dialogue to WebVTT (`make fuzz`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSubtitleText(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = SubtitleText.decode(Data(bytes: data, count: size)) else { return 0 }
    for line in text.split(separator: "\n") { _ = SubtitleText.webVTT(fromDialogue: String(line)) }
    return 0
}
