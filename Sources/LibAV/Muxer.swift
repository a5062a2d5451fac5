import CLibAV

/// Writes encoded packets into a container (`AVFormatContext` opened for output), for
/// example libavformat's `hls` muxer, which opens its own segment files.
/// Not thread-safe: owned by the thread that writes the rung or rendition.
public final class Muxer {
    let context: UnsafeMutablePointer<AVFormatContext>
    private var encoderTimeBases: [Rational] = []
    private var headerWritten = false
    private var ownsIO = false

    /// Prepares a `format` muxer (e.g. "hls", "mp4") writing to `path`.
    public init(format: String, path: String) throws(LibAVError) {
        var context: UnsafeMutablePointer<AVFormatContext>? = nil
        try check(avformat_alloc_output_context2(&context, nil, format, path), "create \(format) muxer for \(path)")
        self.context = try allocated(context, "create \(format) muxer")
    }

    deinit {
        if ownsIO { avio_closep(&context.pointee.pb) }
        avformat_free_context(context)
    }

    /// True when encoders must put their parameter sets in extradata for this container.
    public var wantsGlobalHeader: Bool { context.pointee.oformat.pointee.flags & SV_AVFMT_GLOBALHEADER != 0 }

    /// Adds a stream carrying what `encoder` produces, optionally with a FourCC `codecTag`
    /// ("hvc1" for HEVC in fMP4 as Apple requires); returns its index.
    @discardableResult
    public func addStream(for encoder: Encoder, codecTag: String? = nil, language: String? = nil) throws(LibAVError) -> Int {
        let stream = try allocated(avformat_new_stream(context, nil), "add stream")
        try check(avcodec_parameters_from_context(stream.pointee.codecpar, encoder.context), "copy encoder parameters")
        if let codecTag, codecTag.utf8.count == 4 {
            // A FourCC such as "hvc1", least significant byte first as libav's MKTAG.
            stream.pointee.codecpar.pointee.codec_tag = codecTag.utf8.reversed().reduce(0) { $0 << 8 | UInt32($1) }
        }
        stream.pointee.time_base = encoder.context.pointee.time_base
        if let language { av_dict_set(&stream.pointee.metadata, "language", language, 0) }
        encoderTimeBases.append(encoder.timeBase)
        return Int(stream.pointee.index)
    }

    /// Writes the container header with muxer `options` (e.g. `hls_time`); an option the
    /// muxer did not take is an error naming it.
    public func writeHeader(options: [(String, String)]) throws(LibAVError) {
        if context.pointee.oformat.pointee.flags & SV_AVFMT_NOFILE == 0 {
            try check(avio_open(&context.pointee.pb, context.pointee.url, SV_AVIO_FLAG_WRITE), "open output")
            ownsIO = true
        }
        var dictionary: OpaquePointer? = nil
        defer { av_dict_free(&dictionary) }
        for (key, value) in options { av_dict_set(&dictionary, key, value, 0) }
        try check(avformat_write_header(context, &dictionary), "write header")
        headerWritten = true
        let ignored = Dictionary(dictionary: dictionary)
        if let key = ignored.keys.sorted().first {
            throw LibAVError(code: sv_averror(EINVAL), operation: "muxer option \(key) not recognised")
        }
    }

    /// Writes `packet` (timestamps in its encoder's time base) to stream `streamIndex`.
    public func write(_ packet: Packet, stream streamIndex: Int) throws(LibAVError) {
        packet.pointer.pointee.stream_index = Int32(streamIndex)
        let stream = context.pointee.streams[streamIndex]!
        av_packet_rescale_ts(packet.pointer, encoderTimeBases[streamIndex].av, stream.pointee.time_base)
        try check(av_interleaved_write_frame(context, packet.pointer), "write packet")
    }

    /// Flushes everything and writes the trailer (closing segment files and playlists).
    public func finish() throws(LibAVError) {
        guard headerWritten else { return }
        try check(av_write_trailer(context), "finish output")
        headerWritten = false
    }
}
