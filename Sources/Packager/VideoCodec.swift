/// A rung's video codec (SPEC §13) and how its encoder is driven: closed GOPs with
/// keyframes forced on the title's grid, no scene-cut keyframes, the bit rate capped.
public enum VideoCodec: String, Codable, Sendable, CaseIterable {
    /// x264, capped VBR (`maxrate`, `bufsize`).
    case h264
    /// x265, capped VBR, the `hvc1` sample entry (parameter sets in `hvcC` only).
    case hevc
    /// SVT-AV1 1.4, capped CRF: it forces keyframes only in CRF mode, so the rung's
    /// `maxrate` caps a constant-quality encode (`mbr`, a softer cap than x264's VBV: its
    /// segments overshoot it by a third); fMP4 only.
    case av1

    /// The libavcodec encoder.
    var encoderName: String {
        switch self {
        case .h264: "libx264"
        case .hevc: "libx265"
        case .av1: "libsvtav1"
        }
    }

    /// The fMP4 sample entry, when the muxer's default is not the one players want.
    var sampleEntry: String? { self == .hevc ? "hvc1" : nil }

    /// Whether its encoder writes the source's CEA-608 captions back as A/53 SEI: x264 does;
    /// x265 and SVT-AV1 through FFmpeg 5.1 cannot.
    var carriesClosedCaptions: Bool { self == .h264 }

    /// H.264 High from 720p up, Main below (older TV decoders); HEVC and AV1 Main (an HDR
    /// rung's is Main10: `LadderPlan`).
    func defaultProfile(height: Int) -> String {
        self == .h264 && height >= 720 ? "high" : "main"
    }

    /// The encoder's options for `rung` on a keyframe grid whose longest gap is `gap` frames,
    /// with `threads` of its own (SVT-AV1 is told so itself: FFmpeg 5.1 does not pass it on).
    func options(for rung: PlannedRung, gap: Int, threads: Int) -> [(String, String)] {
        switch self {
        case .h264:
            [("preset", rung.encoderPreset), ("profile", rung.profile), ("maxrate", String(rung.maxrate)),
             ("bufsize", String(rung.bufsize)), ("g", String(gap)), ("forced-idr", "1"), ("sc_threshold", "0")]
        case .hevc:
            [("preset", rung.encoderPreset), ("profile", rung.profile), ("maxrate", String(rung.maxrate)),
             ("bufsize", String(rung.bufsize)), ("g", String(gap)), ("forced-idr", "1"),
             ("x265-params", (["scenecut=0", "open-gop=0", "log-level=error"] + (rung.hdr?.x265Parameters ?? [])).joined(separator: ":"))]
        case .av1:
            // An encoder preset that is not SVT's number (a preset's x264 name) means SVT's 10.
            [("preset", Int(rung.encoderPreset).map(String.init) ?? "10"), ("crf", String(Self.av1Quality)),
             ("g", String(gap)), ("svtav1-params", "enable-force-key-frames=1:scd=0:mbr=\(rung.maxrate / 1000):lp=\(threads)")]
        }
    }

    /// The constant quality an AV1 rung aims at below its cap (0–63, lower is better).
    static let av1Quality = 30

    /// Its RFC 6381 `CODECS` string, from the encoder's extradata.
    func codecString(extradata: [UInt8]) -> String? {
        switch self {
        case .h264: CodecString.h264(extradata: extradata)
        case .hevc: CodecString.hevc(extradata: extradata)
        case .av1: CodecString.av1(extradata: extradata)
        }
    }
}
