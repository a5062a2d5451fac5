import CLibAV

/// Reads packets out of a media file (`AVFormatContext` opened for input).
/// Not thread-safe: owned by the thread of the job reading the file.
public final class Demuxer {
    let context: UnsafeMutablePointer<AVFormatContext>
    /// The streams as found when the file was opened.
    public let streams: [StreamInfo]

    /// Opens `path` and reads enough of it to know its streams.
    public init(path: String) throws(LibAVError) {
        var context: UnsafeMutablePointer<AVFormatContext>? = nil
        try check(avformat_open_input(&context, path, nil, nil), "open input")
        guard let opened = context else { throw LibAVError.outOfMemory("open input") }
        if let code = Optional(avformat_find_stream_info(opened, nil)), code < 0 {
            avformat_close_input(&context)
            throw LibAVError(code: code, operation: "read stream information")
        }
        self.context = opened
        streams = (0..<Int(opened.pointee.nb_streams)).map { index in
            StreamInfo(stream: opened.pointee.streams[index]!, context: opened)
        }
    }

    deinit {
        var context: UnsafeMutablePointer<AVFormatContext>? = context
        avformat_close_input(&context)
    }

    /// Short container name(s) as libav knows them, e.g. "mov,mp4,m4a,3gp,3g2,mj2".
    public var formatName: String { String(cString: context.pointee.iformat.pointee.name) }
    public var formatLongName: String { String(cString: context.pointee.iformat.pointee.long_name) }

    /// Container duration in seconds, if the file says.
    public var duration: Double? {
        context.pointee.duration > 0 ? Double(context.pointee.duration) / Double(SV_AV_TIME_BASE) : nil
    }

    /// Container start time in seconds (the earliest stream start), if known.
    public var startTime: Double? {
        context.pointee.start_time == SV_AV_NOPTS_VALUE ? nil : Double(context.pointee.start_time) / Double(SV_AV_TIME_BASE)
    }

    /// Overall bit rate in bits per second, if known.
    public var bitRate: Int? { context.pointee.bit_rate > 0 ? Int(context.pointee.bit_rate) : nil }

    /// Container-level metadata (title, encoder, creation time…).
    public var metadata: [String: String] { Dictionary(dictionary: context.pointee.metadata) }

    /// Index of libav's preferred stream of `kind` (the one a player would pick), if any.
    public func bestStream(_ kind: StreamKind) -> Int? {
        let type: AVMediaType = switch kind {
        case .video: AVMEDIA_TYPE_VIDEO
        case .audio: AVMEDIA_TYPE_AUDIO
        case .subtitle: AVMEDIA_TYPE_SUBTITLE
        default: AVMEDIA_TYPE_DATA
        }
        let index = av_find_best_stream(context, type, -1, -1, nil, 0)
        return index >= 0 ? Int(index) : nil
    }

    /// Tells the demuxer to drop packets of streams nobody reads (saves work on big files).
    public func discardAll(except wanted: Set<Int>) {
        for index in 0..<Int(context.pointee.nb_streams) where !wanted.contains(index) {
            context.pointee.streams[index]!.pointee.discard = AVDISCARD_ALL
        }
    }

    /// Reads the next packet into `packet`. Returns false at the end of the file.
    public func read(into packet: Packet) throws(LibAVError) -> Bool {
        packet.unref()
        let code = av_read_frame(context, packet.pointer)
        if code == SV_AVERROR_EOF { return false }
        try check(code, "read packet")
        return true
    }

    /// The presentation time of `packet` (read from this file) in seconds on its clock.
    public func seconds(of packet: Packet) -> Double? {
        guard let pts = packet.pts ?? packet.dts else { return nil }
        return Rational(stream(packet.streamIndex).pointee.time_base).seconds(pts)
    }

    /// Moves the read position to the keyframe of stream `index` at or before `seconds` (on
    /// the file's clock); the next packets read come from there. Demuxers without an index
    /// may land near rather than on it: the caller checks what it decodes.
    public func seek(stream index: Int, toSeconds seconds: Double) throws(LibAVError) {
        let timeBase = stream(index).pointee.time_base
        let target = Int64((seconds * Double(timeBase.den) / Double(timeBase.num)).rounded(.down))
        try check(av_seek_frame(context, Int32(index), target, SV_AVSEEK_FLAG_BACKWARD), "seek to \(seconds) s")
    }

    /// Stream `index`'s codec configuration as the container holds it (`avcC`, `hvcC`…).
    public func extradata(of index: Int) -> [UInt8] {
        let parameters = stream(index).pointee.codecpar.pointee
        guard let data = parameters.extradata, parameters.extradata_size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: Int(parameters.extradata_size)))
    }

    func stream(_ index: Int) -> UnsafeMutablePointer<AVStream> { context.pointee.streams[index]! }
}

extension Dictionary where Key == String, Value == String {
    init(dictionary: OpaquePointer?) {
        self.init()
        var entry: UnsafeMutablePointer<AVDictionaryEntry>? = nil
        while let next = av_dict_get(dictionary, "", entry, AV_DICT_IGNORE_SUFFIX) {
            self[String(cString: next.pointee.key)] = String(cString: next.pointee.value)
            entry = next
        }
    }
}
