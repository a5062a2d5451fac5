import Foundation

/// libFuzzer target: the fMP4 box reader and the MPEG-TS reader behind I-frame playlists,
/// and the media playlist parser, on any bytes (`make fuzz`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzContainerReaders(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Data(bytes: data, count: size)
    _ = IFramePlaylist.firstSampleRange(in: input)
    _ = IFramePlaylist.firstKeyframeRange(inTransportStream: input, isWholeSegment: true)
    _ = IFramePlaylist.firstKeyframeRange(inTransportStream: input, isWholeSegment: false)
    _ = MediaPlaylist(text: String(decoding: input, as: UTF8.self))
    return 0
}

/// The one name `IFramePlaylist` takes from the title's layout (the rest of `SegmentLayout`
/// needs presets, which the readers under test do not).
enum SegmentLayout {
    static let mediaPlaylistName = "index.m3u8"
}
