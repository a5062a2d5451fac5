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
    init(stream: UnsafeMutablePointer<AVStream>, context: UnsafeMutablePointer<AVFormatContext>) {
        let parameters = stream.pointee.codecpar!.pointee
        let descriptor = avcodec_descriptor_get(parameters.codec_id)
        let timeBase = Rational(stream.pointee.time_base)
        let tags = stream.pointee.metadata
        func tag(_ key: String) -> String? {
            guard let entry = av_dict_get(tags, key, nil, 0), let value = entry.pointee.value else { return nil }
            return String(cString: value)
        }
        func name(_ cString: UnsafePointer<CChar>?) -> String? { cString.map { String(cString: $0) } }

        let kind: StreamKind
        switch parameters.codec_type {
        case AVMEDIA_TYPE_VIDEO: kind = .video
        case AVMEDIA_TYPE_AUDIO: kind = .audio
        case AVMEDIA_TYPE_SUBTITLE: kind = .subtitle
        case AVMEDIA_TYPE_DATA: kind = .data
        case AVMEDIA_TYPE_ATTACHMENT: kind = .attachment
        default: kind = .unknown
        }
        let disposition = stream.pointee.disposition
        index = Int(stream.pointee.index)
        self.kind = kind
        codec = name(avcodec_get_name(parameters.codec_id)) ?? "unknown"
        codecLongName = name(descriptor?.pointee.long_name) ?? codec
        profile = name(avcodec_profile_name(parameters.codec_id, parameters.profile))
        level = parameters.level > 0 ? Int(parameters.level) : nil
        bitRate = parameters.bit_rate > 0 ? Int(parameters.bit_rate) : nil
        language = tag("language").flatMap { $0.isEmpty ? nil : $0 }
        title = tag("title")
        isDefault = disposition & SV_AV_DISPOSITION_DEFAULT != 0
        isForced = disposition & SV_AV_DISPOSITION_FORCED != 0
        isHearingImpaired = disposition & SV_AV_DISPOSITION_HEARING_IMPAIRED != 0
        isAttachedPicture = disposition & SV_AV_DISPOSITION_ATTACHED_PIC != 0
        let startTime = stream.pointee.start_time == SV_AV_NOPTS_VALUE ? nil : timeBase.seconds(stream.pointee.start_time)
        self.startTime = startTime
        // Matroska keeps where a stream ends in a `DURATION` tag ("00:00:07.500000000").
        duration = stream.pointee.duration > 0 ? timeBase.seconds(stream.pointee.duration)
            : tag("DURATION").flatMap(Self.seconds(clock:)).map { $0 - max(0, startTime ?? 0) }
        self.timeBase = timeBase

        if kind == .video {
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
            switch parameters.field_order {
            case AV_FIELD_PROGRESSIVE: fieldOrder = .progressive
            case AV_FIELD_TT, AV_FIELD_BB, AV_FIELD_TB, AV_FIELD_BT: fieldOrder = .interlaced
            default: fieldOrder = .unknown
            }
            // The display matrix is counter-clockwise; players rotate clockwise by its negation.
            let degrees = Int((-sv_stream_rotation(stream)).rounded())
            rotation = ((degrees % 360) + 360) % 360
            colorTransfer = name(av_color_transfer_name(parameters.color_trc))
            colorPrimaries = name(av_color_primaries_name(parameters.color_primaries))
            colorSpace = name(av_color_space_name(parameters.color_space))
        }
        if kind == .audio {
            var layout = parameters.ch_layout
            channels = Int(layout.nb_channels)
            var buffer = [CChar](repeating: 0, count: 64)
            if av_channel_layout_describe(&layout, &buffer, buffer.count) > 0 {
                channelLayout = String(cBuffer: buffer)
            }
            sampleRate = Int(parameters.sample_rate)
        }
        if kind == .subtitle, let descriptor {
            isBitmapSubtitle = descriptor.pointee.props & AV_CODEC_PROP_BITMAP_SUB != 0
        }
    }
}
