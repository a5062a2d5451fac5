import CLibAV

/// What an encoder produces: the picture or sound format it is opened for.
public enum EncoderInput: Sendable {
    /// Pictures of `width`×`height` in `pixelFormat` and `colours`, timestamps in `timeBase`.
    case video(width: Int, height: Int, pixelFormat: PixelFormat, frameRate: Rational, timeBase: Rational, colours: PictureColours = .bt709)
    /// Interleaved-or-planar samples as the codec prefers, at `sampleRate` Hz, stereo.
    case audio(sampleRate: Int, channels: Int)
}

/// The colours pictures are coded in, as an encoder signals them (the stream's VUI).
public enum PictureColours: Sendable {
    /// SDR: BT.709 primaries, transfer and matrix.
    case bt709
    /// HDR10: BT.2020 primaries and non-constant-luminance matrix, PQ (SMPTE ST 2084) transfer.
    case bt2020PQ
    /// BT.2020 with the HLG transfer (ARIB STD-B67).
    case bt2020HLG

    var libav: (AVColorPrimaries, AVColorTransferCharacteristic, AVColorSpace) {
        switch self {
        case .bt709: (AVCOL_PRI_BT709, AVCOL_TRC_BT709, AVCOL_SPC_BT709)
        case .bt2020PQ: (AVCOL_PRI_BT2020, AVCOL_TRC_SMPTE2084, AVCOL_SPC_BT2020_NCL)
        case .bt2020HLG: (AVCOL_PRI_BT2020, AVCOL_TRC_ARIB_STD_B67, AVCOL_SPC_BT2020_NCL)
        }
    }
}

/// Encodes frames into packets (`AVCodecContext` opened for encoding).
/// Not thread-safe: owned by one thread; libx264 runs its own worker threads behind it.
public final class Encoder {
    let context: UnsafeMutablePointer<AVCodecContext>
    /// The libav encoder name, e.g. "libx264", "aac", "mjpeg".
    public let codecName: String

    /// Opens encoder `codecName` for `input`.
    ///
    /// - Parameters:
    ///   - bitRate: target bits per second (0: the codec's own choice).
    ///   - options: libav option names and values as the `ffmpeg` CLI spells them
    ///     (`preset`, `profile`, `maxrate`, `bufsize`, `g`, `x264-params`…), set on the codec
    ///     context or its private class; an unknown name is an error.
    ///   - qualityScale: fixed quantiser (MJPEG posters), instead of a bit rate.
    ///   - globalHeader: put parameter sets in extradata, as fMP4/HLS muxers want.
    public init(
        codecName: String, input: EncoderInput, bitRate: Int = 0, options: [(String, String)] = [],
        qualityScale: Int? = nil, globalHeader: Bool = false, threads: Int = 0
    ) throws(LibAVError) {
        guard let codec = avcodec_find_encoder_by_name(codecName) else {
            throw LibAVError(code: sv_averror(ENOSYS), operation: "find encoder \(codecName)")
        }
        var context: UnsafeMutablePointer<AVCodecContext>? = try allocated(avcodec_alloc_context3(codec), "allocate encoder \(codecName)")
        do throws(LibAVError) {
            let c = context!
            switch input {
            case let .video(width, height, pixelFormat, frameRate, timeBase, colours):
                c.pointee.width = Int32(width)
                c.pointee.height = Int32(height)
                c.pointee.pix_fmt = AVPixelFormat(rawValue: pixelFormat.rawValue)
                c.pointee.framerate = frameRate.av
                c.pointee.time_base = timeBase.av
                c.pointee.sample_aspect_ratio = AVRational(num: 1, den: 1)
                c.pointee.color_range = pixelFormat == .yuvj420p ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG
                if pixelFormat != .yuvj420p {
                    (c.pointee.color_primaries, c.pointee.color_trc, c.pointee.colorspace) = colours.libav
                }
            case let .audio(sampleRate, channels):
                c.pointee.sample_rate = Int32(sampleRate)
                c.pointee.sample_fmt = codec.pointee.sample_fmts?.pointee ?? AV_SAMPLE_FMT_FLTP
                av_channel_layout_default(&c.pointee.ch_layout, Int32(channels))
                c.pointee.time_base = AVRational(num: 1, den: Int32(sampleRate))
            }
            c.pointee.bit_rate = Int64(bitRate)
            c.pointee.thread_count = Int32(threads)
            if let qualityScale {
                c.pointee.flags |= AV_CODEC_FLAG_QSCALE
                c.pointee.global_quality = Int32(qualityScale) * FF_QP2LAMBDA
            }
            if globalHeader { c.pointee.flags |= SV_CODEC_FLAG_GLOBAL_HEADER }
            for (key, value) in options {
                try check(av_opt_set(c, key, value, SV_AV_OPT_SEARCH_CHILDREN), "set \(codecName) option \(key)=\(value)")
            }
            // SVT-AV1 prints its settings at every open unless told to say only warnings and errors.
            if codecName == "libsvtav1" { setenv("SVT_LOG", "2", 0) }
            try check(avcodec_open2(c, codec, nil), "open encoder \(codecName)")
        } catch {
            avcodec_free_context(&context)
            throw error
        }
        self.context = context!
        self.codecName = codecName
    }

    deinit {
        if !hasSentFrame, codecName == "libsvtav1" { feedOneFrame() }
        var context: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&context)
    }

    /// Whether a frame was ever taken.
    private var hasSentFrame = false
    /// A drain asked of an SVT-AV1 encoder that never had a frame: answered here, not by libav.
    private var drainedEmpty = false

    /// SVT-AV1 1.4 (through FFmpeg 5.1) never returns from closing, nor from draining, an
    /// encoder that was never sent a picture (one opened only to read its parameters, a chunk
    /// that decoded nothing): its drain is answered at once (`send(nil)`), and before it
    /// closes it is sent one picture (whatever its buffer holds) and drained, the packets
    /// dropped.
    private func feedOneFrame() {
        guard let frame = try? Frame() else { return }
        frame.pointer.pointee.width = context.pointee.width
        frame.pointer.pointee.height = context.pointee.height
        frame.pointer.pointee.format = context.pointee.pix_fmt.rawValue
        guard av_frame_get_buffer(frame.pointer, 0) >= 0, let packet = try? Packet() else { return }
        frame.pointer.pointee.pts = 0
        guard avcodec_send_frame(context, frame.pointer) >= 0, avcodec_send_frame(context, nil) >= 0 else { return }
        while avcodec_receive_packet(context, packet.pointer) >= 0 { packet.unref() }
    }

    /// Time base of the packets' timestamps.
    public var timeBase: Rational { Rational(context.pointee.time_base) }
    /// Samples per audio frame the encoder wants (1024 for AAC, 1536 for E-AC-3); 0 for video.
    public var frameSize: Int { Int(context.pointee.frame_size) }
    /// Whether its last audio frame may be shorter than `frameSize` (AAC); E-AC-3's may not.
    public var takesShortLastFrame: Bool { (context.pointee.codec?.pointee.capabilities ?? 0) & SV_AV_CODEC_CAP_SMALL_LAST_FRAME != 0 }
    public var sampleRate: Int { Int(context.pointee.sample_rate) }
    public var width: Int { Int(context.pointee.width) }
    public var height: Int { Int(context.pointee.height) }
    /// Frames a decoder holds back before the first picture comes out (B-frame reordering):
    /// the first packet's dts is this many frames before its pts.
    public var reorderDelay: Int { Int(context.pointee.has_b_frames) }
    /// Priming samples the decoder discards at the start (AAC: 1024).
    public var initialPadding: Int { Int(context.pointee.initial_padding) }
    /// Codec-specific header bytes (H.264 SPS/PPS, AAC AudioSpecificConfig).
    public var extradata: [UInt8] {
        guard let data = context.pointee.extradata, context.pointee.extradata_size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: Int(context.pointee.extradata_size)))
    }
    /// The codec's profile number (e.g. AAC LC = 1, i.e. object type 2 minus one).
    public var profile: Int { Int(context.pointee.profile) }

    /// Feeds one frame; `nil` starts draining. The frame's pts must be in `timeBase`.
    public func send(_ frame: Frame?) throws(LibAVError) {
        if frame == nil, !hasSentFrame, codecName == "libsvtav1" {
            drainedEmpty = true
            return
        }
        let code = avcodec_send_frame(context, frame?.pointer)
        if code == SV_AVERROR_EOF { return }
        try check(code, "encode with \(codecName)")
        if frame != nil { hasSentFrame = true }
    }

    /// Takes the next encoded packet, if there is one.
    public func receive(into packet: Packet) throws(LibAVError) -> Pull {
        if drainedEmpty { return .finished }
        return try pullState(avcodec_receive_packet(context, packet.pointer), "encode with \(codecName)")
    }

    /// Encodes `frame` into a whole, stand-alone picture (a poster JPEG) and returns its bytes.
    public func encodePicture(_ frame: Frame) throws(LibAVError) -> [UInt8] {
        let packet = try Packet()
        frame.pointer.pointee.quality = context.pointee.global_quality
        try send(frame)
        try send(nil)
        var bytes: [UInt8] = []
        while try receive(into: packet) == .ready {
            bytes += UnsafeBufferPointer(start: packet.pointer.pointee.data, count: packet.size)
            packet.unref()
        }
        return bytes
    }
}
