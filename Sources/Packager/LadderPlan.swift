import LibAV

/// The picture a player shows for a video stream: coded size corrected by the sample
/// aspect ratio (anamorphic pixels) and turned by the rotation metadata.
public struct DisplayGeometry: Sendable, Equatable, Codable {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// The display size of `stream` (square pixels, rotation applied).
    public init(stream: StreamInfo) {
        self.init(codedWidth: stream.width ?? 0, codedHeight: stream.height ?? 0,
                  sampleAspectRatio: stream.sampleAspectRatio, rotation: stream.rotation ?? 0)
    }

    /// The display size of pictures coded at `codedWidth`×`codedHeight` with pixels of
    /// `sampleAspectRatio`, turned `rotation` degrees clockwise.
    public init(codedWidth: Int, codedHeight: Int, sampleAspectRatio: Rational?, rotation: Int) {
        let sar = (sampleAspectRatio?.isValid ?? false) ? sampleAspectRatio! : Rational(1, 1)
        let width = Int((Double(codedWidth) * sar.doubleValue).rounded())
        if rotation == 90 || rotation == 270 {
            self.init(width: codedHeight, height: width)
        } else {
            self.init(width: width, height: codedHeight)
        }
    }

    /// The shorter side, which a rung's "height" (480p, 1080p…) refers to.
    public var shortSide: Int { min(width, height) }
    public var isPortrait: Bool { height > width }
}

/// One rendition to encode: a preset rung resolved against the source.
public struct PlannedRung: Sendable, Equatable, Codable {
    public var name: String
    public var width: Int
    public var height: Int
    public var bitrate: Int
    public var maxrate: Int
    public var bufsize: Int
    public var codec: VideoCodec
    public var profile: String
    public var encoderPreset: String
    /// The source's HDR, which this rung keeps; nil for an SDR rung.
    public var hdr: HDRFormat? = nil

    /// The pixel format its encoder takes: 10-bit for HDR.
    var pixelFormat: PixelFormat { hdr == nil ? .yuv420p : .yuv420p10le }
}

/// The rungs a preset yields for one source: only sizes at or below the source (no
/// upscaling), HDR rungs only for an HDR source; a source smaller than every SDR rung gets,
/// of each codec, its lowest SDR rung at its own size.
/// Dimensions are even and keep the display aspect ratio.
public struct LadderPlan: Sendable, Equatable, Codable {
    /// Largest first, the order the cascade scales in.
    public var rungs: [PlannedRung]
    public var source: DisplayGeometry

    /// - Parameter hdr: the source's HDR, nil for an SDR source (its HDR rungs are left out).
    public init(source: DisplayGeometry, preset: Preset, hdr: HDRFormat? = nil) {
        self.source = source
        let fitting = preset.rungs.filter { $0.height <= source.shortSide && (hdr != nil || !$0.isHDR) }.sorted { $0.height > $1.height }
        let chosen: [Preset.Rung]
        if !fitting.contains(where: { !$0.isHDR }) {
            // The lowest SDR rung of each codec, at the source's size: an H.264 client still
            // finds one (beside the HDR rungs that fit).
            let side = Self.even(Double(source.shortSide))
            let lowest = VideoCodec.allCases.compactMap { codec in
                preset.rungs.filter { ($0.codec ?? preset.video.codec) == codec && !$0.isHDR }.min { $0.height < $1.height }
            }
            chosen = lowest.enumerated().map { index, rung in
                let scale = Double(side) / Double(rung.height)
                return Preset.Rung(
                    name: index == 0 ? "\(side)p" : "\(side)p-\((rung.codec ?? preset.video.codec).rawValue)", height: side,
                    bitrate: Int(Double(rung.bitrate) * scale), maxrate: Int(Double(rung.maxrate) * scale),
                    bufsize: Int(Double(rung.bufsize) * scale),
                    profile: rung.profile, codec: rung.codec, encoderPreset: rung.encoderPreset)
            } + fitting
        } else {
            chosen = fitting
        }
        rungs = chosen.map { rung in
            let longSide = Self.even(Double(rung.height) * Double(max(source.width, source.height)) / Double(max(1, source.shortSide)))
            let codec = rung.codec ?? preset.video.codec
            return PlannedRung(
                name: rung.name,
                width: source.isPortrait ? rung.height : longSide,
                height: source.isPortrait ? longSide : rung.height,
                bitrate: rung.bitrate, maxrate: rung.maxrate, bufsize: rung.bufsize,
                codec: codec,
                profile: rung.profile ?? (rung.isHDR ? "main10" : preset.video.profile ?? codec.defaultProfile(height: rung.height)),
                encoderPreset: rung.encoderPreset ?? preset.video.encoderPreset,
                hdr: rung.isHDR ? hdr : nil)
        }
    }

    /// The size of the pictures each of `rungs` scales from: the previous rung's of its range
    /// (each range is a cascade of its own, fed by its own normaliser), the first's `normalised`.
    static func inputSizes(of rungs: [PlannedRung], normalised: (width: Int, height: Int)) -> [(width: Int, height: Int)] {
        var last: [Bool: (width: Int, height: Int)] = [:]
        return rungs.map { rung in
            defer { last[rung.hdr != nil] = (rung.width, rung.height) }
            return last[rung.hdr != nil] ?? normalised
        }
    }

    /// The nearest even integer, at least 2.
    static func even(_ value: Double) -> Int { max(2, Int((value / 2).rounded()) * 2) }
}
