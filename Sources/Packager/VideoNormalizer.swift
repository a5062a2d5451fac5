import LibAV

/// The libavfilter chain that turns any real-world video stream into upright, progressive,
/// constant-rate, SDR 8-bit 4:2:0 pictures before the rungs scale them (SPEC §5).
public struct VideoNormalizer: Sendable, Equatable {
    /// The constant output frame rate.
    public let frameRate: Rational
    public let deinterlace: Bool
    public let toneMap: Bool
    /// Clockwise degrees to turn the picture (0, 90, 180, 270).
    public let rotation: Int

    /// The highest rate we keep; faster sources (slow-motion phone clips) are halved.
    static let maximumFrameRate = 60.0

    public init(stream: StreamInfo) {
        var rate = stream.frameRate ?? stream.averageFrameRate ?? Rational(25, 1)
        if !rate.isValid || rate.doubleValue > 240 { rate = stream.averageFrameRate ?? Rational(25, 1) }
        while rate.doubleValue > Self.maximumFrameRate { rate = Rational(rate.numerator, rate.denominator * 2) }
        frameRate = rate
        deinterlace = stream.fieldOrder == .interlaced
        toneMap = stream.isHDR
        rotation = stream.rotation ?? 0
    }

    /// What the chain does, in words, for `probe`.
    public var steps: [String] {
        var steps: [String] = []
        if deinterlace { steps.append("deinterlace (bwdif)") }
        if toneMap { steps.append("tone-map HDR to SDR BT.709 (hable)") }
        if rotation != 0 { steps.append("rotate \(rotation)°") }
        steps.append("constant \(String(format: "%.3f", frameRate.doubleValue)) fps")
        return steps
    }

    /// The filter description for libavfilter: SDR 8-bit pictures, or with `keepingHDR` an
    /// HDR source's pictures as they are, in 10 bits (the HDR rungs' input).
    public func filterDescription(keepingHDR: Bool = false) -> String {
        var filters: [String] = []
        if deinterlace { filters.append("bwdif=mode=send_frame:parity=auto:deint=interlaced") }
        if toneMap, !keepingHDR {
            filters.append("zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv")
        }
        switch rotation {
        case 90: filters.append("transpose=clock")
        case 180: filters.append("hflip,vflip")
        case 270: filters.append("transpose=cclock")
        default: break
        }
        filters.append("fps=fps=\(frameRate)")
        filters.append(keepingHDR ? "format=yuv420p10le" : "format=yuv420p")
        return filters.joined(separator: ",")
    }
}
