import CLibAV

/// Decodes one stream of a `Demuxer` into frames (`AVCodecContext` opened for decoding).
/// Keeps the demuxer alive while it decodes. Not thread-safe: owned by the job's thread;
/// libav may decode on its own worker threads behind it.
public final class Decoder {
    let context: UnsafeMutablePointer<AVCodecContext>
    private let demuxer: Demuxer
    public let streamIndex: Int
    /// The time base of the frames' timestamps (the stream's).
    public let timeBase: Rational

    /// Opens the decoder for `streamIndex`. `threads` 0 lets libav pick (one per core).
    public init(demuxer: Demuxer, streamIndex: Int, threads: Int = 0) throws(LibAVError) {
        let stream = demuxer.stream(streamIndex)
        context = try Self.openContext(for: stream) { context in
            context.pointee.thread_count = Int32(threads)
            context.pointee.thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE
        }
        self.demuxer = demuxer
        self.streamIndex = streamIndex
        self.timeBase = Rational(stream.pointee.time_base)
    }

    /// A codec context opened to decode `stream`, with the packets' time base set;
    /// `configure` runs before opening. Shared with `SubtitleDecoder`.
    static func openContext(
        for stream: UnsafeMutablePointer<AVStream>,
        configure: (UnsafeMutablePointer<AVCodecContext>) -> Void = { _ in }
    ) throws(LibAVError) -> UnsafeMutablePointer<AVCodecContext> {
        let parameters = stream.pointee.codecpar!
        let codecName = String(cString: avcodec_get_name(parameters.pointee.codec_id))
        guard let codec = avcodec_find_decoder(parameters.pointee.codec_id) else {
            throw LibAVError(code: SV_AVERROR_INVALIDDATA, operation: "find a decoder for \(codecName)")
        }
        var context: UnsafeMutablePointer<AVCodecContext>? = try allocated(avcodec_alloc_context3(codec), "allocate decoder")
        do throws(LibAVError) {
            try check(avcodec_parameters_to_context(context, parameters), "configure decoder \(codecName)")
            context!.pointee.pkt_timebase = stream.pointee.time_base
            configure(context!)
            try check(avcodec_open2(context, codec, nil), "open decoder \(codecName)")
        } catch {
            avcodec_free_context(&context)
            throw error
        }
        return context!
    }

    deinit {
        var context: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&context)
    }

    /// Feeds one packet; `nil` starts draining. Returns false when the decoder is full and
    /// frames must be received first (send the same packet again afterwards). A packet the
    /// decoder refuses is skipped, as ffmpeg and players do: damaged data comes back as
    /// `INVALIDDATA`, but also as -1 (`EPERM`) or a decoder's own codes, on this packet or
    /// (from a frame thread) a later one, even the final flush. Only a lack of memory stops.
    public func send(_ packet: Packet?) throws(LibAVError) -> Bool {
        let code = avcodec_send_packet(context, packet?.pointer)
        if code == SV_AVERROR_EAGAIN { return false }
        if code == SV_AVERROR_ENOMEM { try check(code, "decode packet") }
        return true
    }

    /// Takes the next decoded frame, if there is one. A picture the decoder could not
    /// rebuild (damaged data, whatever code says so) is skipped.
    public func receive(into frame: Frame) throws(LibAVError) -> Pull {
        var code = avcodec_receive_frame(context, frame.pointer)
        var skipped = 0
        while code < 0, code != SV_AVERROR_EAGAIN, code != SV_AVERROR_EOF, code != SV_AVERROR_ENOMEM, skipped < 10_000 {
            skipped += 1
            code = avcodec_receive_frame(context, frame.pointer)
        }
        return try pullState(code, "decode frame")
    }

    /// Pixel format of decoded pictures (video decoders).
    public var pixelFormat: PixelFormat { PixelFormat(rawValue: context.pointee.pix_fmt.rawValue) }
    public var width: Int { Int(context.pointee.width) }
    public var height: Int { Int(context.pointee.height) }
    public var sampleAspectRatio: Rational { Rational(context.pointee.sample_aspect_ratio) }
}
