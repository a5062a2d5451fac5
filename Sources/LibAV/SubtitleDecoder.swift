import CLibAV

/// One subtitle event as a text decoder gives it: when it shows, on the stream's clock,
/// and its text as ASS dialogue lines (libavcodec turns SubRip, WebVTT, mov_text and ASS
/// alike into `ReadOrder,Layer,Style,Name,MarginL,MarginR,MarginV,Effect,Text`).
public struct SubtitleEvent: Sendable, Equatable {
    /// Seconds on the stream's clock.
    public var start: Double
    /// Seconds on the stream's clock; nil when the source gives no end.
    public var end: Double?
    public var dialogue: [String]

    public init(start: Double, end: Double?, dialogue: [String]) {
        self.start = start
        self.end = end
        self.dialogue = dialogue
    }
}

/// Decodes a text subtitle stream of a `Demuxer` into timed events. Not thread-safe.
public final class SubtitleDecoder {
    private let context: UnsafeMutablePointer<AVCodecContext>
    private let demuxer: Demuxer
    public let streamIndex: Int

    public init(demuxer: Demuxer, streamIndex: Int) throws(LibAVError) {
        context = try Decoder.openContext(for: demuxer.stream(streamIndex))
        self.demuxer = demuxer
        self.streamIndex = streamIndex
    }

    deinit {
        var context: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&context)
    }

    /// Decodes one packet; nil when it holds no text (a clearing event, damaged data).
    public func decode(_ packet: Packet) -> SubtitleEvent? {
        var subtitle = AVSubtitle()
        var got: Int32 = 0
        guard avcodec_decode_subtitle2(context, &subtitle, &got, packet.pointer) >= 0, got != 0 else { return nil }
        defer { avsubtitle_free(&subtitle) }
        var dialogue: [String] = []
        for index in 0..<Int(subtitle.num_rects) {
            guard let rect = subtitle.rects[index]?.pointee else { continue }
            if rect.type == SUBTITLE_ASS, let text = rect.ass {
                dialogue.append(String(cString: text))
            } else if rect.type == SUBTITLE_TEXT, let text = rect.text {
                dialogue.append("0,0,Default,,0,0,0,," + String(cString: text))
            }
        }
        guard !dialogue.isEmpty, subtitle.pts != SV_AV_NOPTS_VALUE else { return nil }
        let base = Double(subtitle.pts) / Double(SV_AV_TIME_BASE)
        let showsFor = subtitle.end_display_time > subtitle.start_display_time && subtitle.end_display_time < 86_400_000
        return SubtitleEvent(
            start: base + Double(subtitle.start_display_time) / 1000,
            end: showsFor ? base + Double(subtitle.end_display_time) / 1000 : nil,
            dialogue: dialogue)
    }
}
