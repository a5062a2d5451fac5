import CLibAV

/// What an HDR stream says of the display it was mastered on and of its light levels
/// (SMPTE ST 2086 and CTA-861.3): in the container (MP4 `mdcv`/`clli`, Matroska colour
/// elements) or in the pictures' SEI.
public struct HDRMetadata: Sendable, Equatable, Codable {
    /// The mastering display: its primaries and white point as CIE 1931 `[x, y]`, its
    /// luminance range in cd/m².
    public struct MasteringDisplay: Sendable, Equatable, Codable {
        public var red: [Double]
        public var green: [Double]
        public var blue: [Double]
        public var whitePoint: [Double]
        public var minLuminance: Double
        public var maxLuminance: Double

        public init(red: [Double], green: [Double], blue: [Double], whitePoint: [Double], minLuminance: Double, maxLuminance: Double) {
            (self.red, self.green, self.blue, self.whitePoint) = (red, green, blue, whitePoint)
            (self.minLuminance, self.maxLuminance) = (minLuminance, maxLuminance)
        }
    }

    /// The brightest pixel (MaxCLL) and the brightest frame's average (MaxFALL), cd/m².
    public struct ContentLight: Sendable, Equatable, Codable {
        public var maxCLL: Int
        public var maxFALL: Int

        public init(maxCLL: Int, maxFALL: Int) {
            (self.maxCLL, self.maxFALL) = (maxCLL, maxFALL)
        }
    }

    public var masteringDisplay: MasteringDisplay?
    public var contentLight: ContentLight?

    public init(masteringDisplay: MasteringDisplay? = nil, contentLight: ContentLight? = nil) {
        self.masteringDisplay = masteringDisplay
        self.contentLight = contentLight
    }

    /// Fields of `other` where this has none.
    public func filled(from other: HDRMetadata?) -> HDRMetadata {
        HDRMetadata(masteringDisplay: masteringDisplay ?? other?.masteringDisplay, contentLight: contentLight ?? other?.contentLight)
    }

    /// From libav's side data structures; nil when neither is there or says anything.
    init?(mastering: UnsafePointer<AVMasteringDisplayMetadata>?, light: UnsafePointer<AVContentLightMetadata>?) {
        if let m = mastering?.pointee, m.has_primaries != 0, m.has_luminance != 0 {
            func xy(_ pair: (AVRational, AVRational)) -> [Double] { [av_q2d(pair.0), av_q2d(pair.1)] }
            masteringDisplay = MasteringDisplay(red: xy(m.display_primaries.0), green: xy(m.display_primaries.1),
                                                blue: xy(m.display_primaries.2), whitePoint: [av_q2d(m.white_point.0), av_q2d(m.white_point.1)],
                                                minLuminance: av_q2d(m.min_luminance), maxLuminance: av_q2d(m.max_luminance))
        }
        if let l = light?.pointee, l.MaxCLL > 0 {
            contentLight = ContentLight(maxCLL: Int(l.MaxCLL), maxFALL: Int(l.MaxFALL))
        }
        if masteringDisplay == nil, contentLight == nil { return nil }
    }
}

/// A Dolby Vision stream's configuration record (`dvcC`/`dvvC`): its profile and which
/// display its base layer is compatible with.
public struct DolbyVision: Sendable, Equatable, Codable {
    public var profile: Int
    /// `dv_bl_signal_compatibility_id`: 1 HDR10, 2 SDR, 4 HLG, 6 (profile 7) HDR10, 0 none
    /// (profile 5, IPT).
    public var baseLayerCompatibility: Int

    public init(profile: Int, baseLayerCompatibility: Int) {
        (self.profile, self.baseLayerCompatibility) = (profile, baseLayerCompatibility)
    }

    /// What its base layer is without the Dolby Vision layer: "HDR10", "HLG", "SDR", or nil
    /// when it shows nothing right on its own (profile 5's IPT).
    public var baseLayer: String? {
        switch baseLayerCompatibility {
        case 1, 6: "HDR10"
        case 4: "HLG"
        case 2: "SDR"
        default: nil
        }
    }
}

extension StreamInfo {
    /// The HDR metadata in the stream's side data.
    static func hdrMetadata(of stream: UnsafeMutablePointer<AVStream>) -> HDRMetadata? {
        let mastering = av_stream_get_side_data(stream, AV_PKT_DATA_MASTERING_DISPLAY_METADATA, nil)
        let light = av_stream_get_side_data(stream, AV_PKT_DATA_CONTENT_LIGHT_LEVEL, nil)
        return HDRMetadata(mastering: mastering.map { UnsafeRawPointer($0).assumingMemoryBound(to: AVMasteringDisplayMetadata.self) },
                           light: light.map { UnsafeRawPointer($0).assumingMemoryBound(to: AVContentLightMetadata.self) })
    }

    /// The stream's Dolby Vision configuration, if it has one.
    static func dolbyVision(of stream: UnsafeMutablePointer<AVStream>) -> DolbyVision? {
        guard let data = av_stream_get_side_data(stream, AV_PKT_DATA_DOVI_CONF, nil) else { return nil }
        let record = UnsafeRawPointer(data).assumingMemoryBound(to: AVDOVIDecoderConfigurationRecord.self).pointee
        return DolbyVision(profile: Int(record.dv_profile), baseLayerCompatibility: Int(record.dv_bl_signal_compatibility_id))
    }
}

extension Frame {
    /// The HDR metadata this picture carries (SEI), if any.
    public var hdrMetadata: HDRMetadata? {
        let mastering = av_frame_get_side_data(pointer, AV_FRAME_DATA_MASTERING_DISPLAY_METADATA)?.pointee.data
        let light = av_frame_get_side_data(pointer, AV_FRAME_DATA_CONTENT_LIGHT_LEVEL)?.pointee.data
        return HDRMetadata(mastering: mastering.map { UnsafeRawPointer($0).assumingMemoryBound(to: AVMasteringDisplayMetadata.self) },
                           light: light.map { UnsafeRawPointer($0).assumingMemoryBound(to: AVContentLightMetadata.self) })
    }
}
