import CLibAV

/// An exact fraction, as libav keeps frame rates, time bases and aspect ratios.
public struct Rational: Equatable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var numerator: Int
    public var denominator: Int

    public init(_ numerator: Int, _ denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
    }

    init(_ value: AVRational) { self.init(Int(value.num), Int(value.den)) }

    var av: AVRational { AVRational(num: Int32(numerator), den: Int32(denominator)) }

    public var isValid: Bool { numerator > 0 && denominator > 0 }
    public var doubleValue: Double { denominator == 0 ? 0 : Double(numerator) / Double(denominator) }
    public var description: String { "\(numerator)/\(denominator)" }

    /// `value` ticks of this time base, in seconds.
    public func seconds(_ value: Int64) -> Double { Double(value) * doubleValue }
}

/// What kind of elementary stream a container holds.
public enum StreamKind: String, Sendable, Codable {
    case video, audio, subtitle, data, attachment, unknown
}

/// Whether a video stream is interlaced, as the container or codec says.
public enum FieldOrder: String, Sendable, Codable {
    case progressive, interlaced, unknown
}

/// Everything StreamVault needs to know about one stream, copied out of libav as plain values.
public struct StreamInfo: Sendable, Codable, Equatable {
    public var index: Int
    public var kind: StreamKind
    public var codec: String
    public var codecLongName: String
    public var profile: String?
    public var level: Int?
    public var bitRate: Int?
    public var language: String?
    public var title: String?
    public var isDefault: Bool
    public var isForced: Bool
    public var isHearingImpaired: Bool
    /// Cover art stored as a one-frame video stream.
    public var isAttachedPicture: Bool
    /// Seconds from the container's zero to this stream's first timestamp.
    public var startTime: Double?
    public var duration: Double?
    public var timeBase: Rational

    // Video
    public var width: Int?
    public var height: Int?
    public var sampleAspectRatio: Rational?
    public var pixelFormat: String?
    public var bitDepth: Int?
    public var chromaSubsampling: String?
    /// Frame rate a player would show (libav's guess from the stream and container).
    public var frameRate: Rational?
    /// Average frame rate over the stream; differs from `frameRate` for variable-rate video.
    public var averageFrameRate: Rational?
    public var fieldOrder: FieldOrder?
    /// Clockwise rotation in degrees a player must apply (0, 90, 180, 270).
    public var rotation: Int?
    public var colorTransfer: String?
    public var colorPrimaries: String?
    public var colorSpace: String?
    /// Mastering display and light levels the container gives (HDR10).
    public var hdrMetadata: HDRMetadata?
    public var dolbyVision: DolbyVision?

    // Audio
    public var channels: Int?
    public var channelLayout: String?
    public var sampleRate: Int?

    // Subtitles
    /// True for picture-based subtitles (PGS, DVB, VobSub) that cannot become WebVTT.
    public var isBitmapSubtitle: Bool?

    /// True for PQ (SMPTE 2084) or HLG transfer: HDR that needs tone mapping for SDR.
    public var isHDR: Bool { colorTransfer == "smpte2084" || colorTransfer == "arib-std-b67" }

    /// Display aspect ratio: width × SAR ÷ height, reduced.
    public var displayAspectRatio: Rational? {
        guard let width, let height, height > 0 else { return nil }
        let sar = (sampleAspectRatio?.isValid ?? false) ? sampleAspectRatio! : Rational(1, 1)
        var num = width * sar.numerator, den = height * sar.denominator
        let divisor = gcd(num, den)
        num /= divisor
        den /= divisor
        return Rational(num, den)
    }
}

extension StreamInfo {
    /// Seconds of an `HH:MM:SS.fraction` clock reading; nil when it is not one.
    static func seconds(clock: String) -> Double? {
        let parts = clock.split(separator: ":")
        guard parts.count == 3, let hours = Double(parts[0]), let minutes = Double(parts[1]),
              let seconds = Double(parts[2]) else { return nil }
        return hours * 3600 + minutes * 60 + seconds
    }
}

func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? max(a, 1) : gcd(b, a % b) }

extension StreamInfo {
    /// Copies what libav knows of `stream`, one of `context`'s streams; neither is kept.
    init(stream: UnsafeMutablePointer<AVStream>, context: UnsafeMutablePointer<AVFormatContext>) {
        let parameters = stream.pointee.codecpar!.pointee
        let descriptor = avcodec_descriptor_get(parameters.codec_id)
        let timeBase = Rational(stream.pointee.time_base)
        let disposition = stream.pointee.disposition
        index = Int(stream.pointee.index)
        kind = StreamKind(parameters.codec_type)
        codec = Self.name(avcodec_get_name(parameters.codec_id)) ?? "unknown"
        codecLongName = Self.name(descriptor?.pointee.long_name) ?? codec
        profile = Self.name(avcodec_profile_name(parameters.codec_id, parameters.profile))
        level = parameters.level > 0 ? Int(parameters.level) : nil
        bitRate = parameters.bit_rate > 0 ? Int(parameters.bit_rate) : nil
        language = Self.tag("language", of: stream).flatMap { $0.isEmpty ? nil : $0 }
        title = Self.tag("title", of: stream)
        isDefault = disposition & SV_AV_DISPOSITION_DEFAULT != 0
        isForced = disposition & SV_AV_DISPOSITION_FORCED != 0
        isHearingImpaired = disposition & SV_AV_DISPOSITION_HEARING_IMPAIRED != 0
        isAttachedPicture = disposition & SV_AV_DISPOSITION_ATTACHED_PIC != 0
        let startTime = stream.pointee.start_time == SV_AV_NOPTS_VALUE ? nil : timeBase.seconds(stream.pointee.start_time)
        self.startTime = startTime
        // Matroska keeps where a stream ends in a `DURATION` tag ("00:00:07.500000000").
        duration = stream.pointee.duration > 0 ? timeBase.seconds(stream.pointee.duration)
            : Self.tag("DURATION", of: stream).flatMap(Self.seconds(clock:)).map { $0 - max(0, startTime ?? 0) }
        self.timeBase = timeBase
        switch kind {
        case .video: readPicture(parameters, of: stream, in: context)
        case .audio: readSound(parameters)
        case .subtitle: isBitmapSubtitle = descriptor.map { $0.pointee.props & AV_CODEC_PROP_BITMAP_SUB != 0 }
        default: break
        }
    }

    /// A video stream's size, pixel format, frame rates, field order, rotation and colour.
    private mutating func readPicture(_ parameters: AVCodecParameters, of stream: UnsafeMutablePointer<AVStream>,
                                      in context: UnsafeMutablePointer<AVFormatContext>) {
        width = Int(parameters.width)
        height = Int(parameters.height)
        let sar = av_guess_sample_aspect_ratio(context, stream, nil)
        sampleAspectRatio = sar.num > 0 && sar.den > 0 ? Rational(sar) : Rational(1, 1)
        let format = PixelFormat(rawValue: parameters.format)
        pixelFormat = format.description
        bitDepth = format.bitDepth
        chromaSubsampling = format.chromaSubsampling
        let guessed = av_guess_frame_rate(context, stream, nil)
        frameRate = guessed.num > 0 && guessed.den > 0 ? Rational(guessed) : nil
        let average = stream.pointee.avg_frame_rate
        averageFrameRate = average.num > 0 && average.den > 0 ? Rational(average) : nil
        fieldOrder = FieldOrder(parameters.field_order)
        // The display matrix is counter-clockwise; players rotate clockwise by its negation.
        let degrees = Int((-sv_stream_rotation(stream)).rounded())
        rotation = ((degrees % 360) + 360) % 360
        colorTransfer = Self.name(av_color_transfer_name(parameters.color_trc))
        colorPrimaries = Self.name(av_color_primaries_name(parameters.color_primaries))
        colorSpace = Self.name(av_color_space_name(parameters.color_space))
        hdrMetadata = Self.hdrMetadata(of: stream)
        dolbyVision = Self.dolbyVision(of: stream)
    }

    /// An audio stream's channel count, channel layout name and sample rate.
    private mutating func readSound(_ parameters: AVCodecParameters) {
        var layout = parameters.ch_layout
        channels = Int(layout.nb_channels)
        var buffer = [CChar](repeating: 0, count: 64)
        if av_channel_layout_describe(&layout, &buffer, buffer.count) > 0 {
            channelLayout = String(cBuffer: buffer)
        }
        sampleRate = Int(parameters.sample_rate)
    }

    /// The stream's metadata tag `key` (matched regardless of case, as `av_dict_get` does).
    private static func tag(_ key: String, of stream: UnsafeMutablePointer<AVStream>) -> String? {
        guard let entry = av_dict_get(stream.pointee.metadata, key, nil, 0), let value = entry.pointee.value else { return nil }
        return String(cString: value)
    }

    /// A name libav gives as a C string, or nil when it has none.
    private static func name(_ cString: UnsafePointer<CChar>?) -> String? { cString.map { String(cString: $0) } }
}

extension StreamKind {
    init(_ type: AVMediaType) {
        switch type {
        case AVMEDIA_TYPE_VIDEO: self = .video
        case AVMEDIA_TYPE_AUDIO: self = .audio
        case AVMEDIA_TYPE_SUBTITLE: self = .subtitle
        case AVMEDIA_TYPE_DATA: self = .data
        case AVMEDIA_TYPE_ATTACHMENT: self = .attachment
        default: self = .unknown
        }
    }
}

extension FieldOrder {
    init(_ order: AVFieldOrder) {
        switch order {
        case AV_FIELD_PROGRESSIVE: self = .progressive
        case AV_FIELD_TT, AV_FIELD_BB, AV_FIELD_TB, AV_FIELD_BT: self = .interlaced
        default: self = .unknown
        }
    }
}
