import Foundation
import VaultLayout

/// A rendition ladder and its packaging rules, read from `presets/NAME.json` (SPEC §5).
/// Bit rates are bits per second; durations are seconds.
public struct Preset: Codable, Sendable, Equatable {
    public var name: String
    /// Target length of every HLS segment (each segment is at most this long, rounded).
    public var segmentDuration: Double
    /// Distance between forced keyframes; must divide `segmentDuration`.
    public var keyframeInterval: Double
    public var segmentFormat: SegmentFormat
    /// How often the daemon tries a job before it fails for good.
    public var maxAttempts: Int
    public var video: VideoSettings
    public var audio: AudioSettings
    /// The surround renditions beside the stereo ones, for a source with a track of six or
    /// more channels (SPEC §13); nil: stereo only.
    public var surround: SurroundSettings?
    public var rungs: [Rung]
    /// Whether every init section and segment of every video and audio rendition is
    /// AES-128 encrypted with the title's own key (SPEC §12).
    public var encryption: Encryption

    public enum Encryption: String, Codable, Sendable {
        case none
        case aes128 = "aes-128"
    }

    public struct VideoSettings: Codable, Sendable, Equatable {
        /// The rungs' codec unless a rung says its own.
        public var codec: VideoCodec
        /// The encoder's speed/quality preset (x264's "veryfast", "medium"…).
        public var encoderPreset: String
        /// Encoder profile; nil picks High from 720p up and Main below (H.264).
        public var profile: String?
    }

    public struct AudioSettings: Codable, Sendable, Equatable {
        public var codec: String
        public var bitrate: Int
        public var channels: Int
        public var sampleRate: Int
    }

    public struct SurroundSettings: Codable, Sendable, Equatable {
        public var codec: SurroundCodec
        /// Bits per second of a 5.1 rendition.
        public var bitrate: Int
    }

    public enum SurroundCodec: String, Codable, Sendable {
        /// E-AC-3 (Dolby Digital Plus), libavcodec's own encoder: `ec-3` in fMP4.
        case eac3
    }

    /// One step of the ladder. `height` is the short side of the picture, so a portrait
    /// video's 1080p rung is 1080 wide.
    public struct Rung: Codable, Sendable, Equatable {
        public var name: String
        public var height: Int
        public var bitrate: Int
        public var maxrate: Int
        public var bufsize: Int
        public var profile: String?
        public var codec: VideoCodec?
        public var encoderPreset: String?
        /// nil: SDR.
        public var dynamicRange: DynamicRange?

        public var isHDR: Bool { dynamicRange == .hdr }
    }

    /// A rung's range (SPEC §13): an `hdr` rung keeps an HDR source's (HEVC Main10) and is
    /// made only from one; `sdr` rungs tone-map HDR sources.
    public enum DynamicRange: String, Codable, Sendable {
        case sdr, hdr
    }
}

/// A preset file that could not be used, with the reason in words.
public struct PresetError: Error, CustomStringConvertible {
    public let source: String
    public let reason: String
    public var description: String { "preset \(source): \(reason)" }
}

extension Preset {
    static let topLevelKeys: Set<String> = ["name", "segmentDuration", "keyframeInterval", "segmentFormat", "maxAttempts", "video", "audio",
                                            "rungs", "encryption", "surround"]
    static let videoKeys: Set<String> = ["codec", "encoderPreset", "profile"]
    static let audioKeys: Set<String> = ["codec", "bitrate", "channels", "sampleRate"]
    static let surroundKeys: Set<String> = ["codec", "bitrate"]
    static let rungKeys: Set<String> = ["name", "height", "bitrate", "maxrate", "bufsize", "profile", "codec", "encoderPreset", "dynamicRange"]

    /// Parses preset JSON, filling missing keys from `defaults` (the parsed default preset
    /// as a JSON object). Unknown keys are an error that names them.
    public static func parse(_ data: Data, source: String, defaults: [String: Any]?) throws -> Preset {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw PresetError(source: source, reason: "not a JSON object")
        }
        var unknown = Set(object.keys).subtracting(topLevelKeys).sorted()
        for (section, allowed) in [("video", videoKeys), ("audio", audioKeys), ("surround", surroundKeys)] {
            if let nested = object[section] as? [String: Any] {
                unknown += Set(nested.keys).subtracting(allowed).sorted().map { "\(section).\($0)" }
            }
        }
        for (index, rung) in ((object["rungs"] as? [[String: Any]]) ?? []).enumerated() {
            unknown += Set(rung.keys).subtracting(rungKeys).sorted().map { "rungs[\(index)].\($0)" }
        }
        if !unknown.isEmpty {
            throw PresetError(source: source, reason: "unknown key\(unknown.count > 1 ? "s" : "") \(unknown.joined(separator: ", "))")
        }
        let merged = merge(object, over: defaults ?? [:])
        let preset: Preset
        do {
            preset = try JSONDecoder().decode(Preset.self, from: JSONSerialization.data(withJSONObject: merged))
        } catch let DecodingError.keyNotFound(key, context) {
            throw PresetError(source: source, reason: "missing key \((context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: "."))")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw PresetError(source: source, reason: "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))")
        } catch let DecodingError.dataCorrupted(context) {
            throw PresetError(source: source, reason: "bad value at \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)")
        }
        try preset.validate(source: source)
        return preset
    }

    /// Objects merge key by key; arrays and values from `override` replace the default's.
    private static func merge(_ override: [String: Any], over base: [String: Any]) -> [String: Any] {
        var result = base
        for (key, value) in override {
            if let nested = value as? [String: Any], let baseNested = base[key] as? [String: Any] {
                result[key] = merge(nested, over: baseNested)
            } else {
                result[key] = value
            }
        }
        return result
    }

    private func validate(source: String) throws {
        func fail(_ reason: String) -> PresetError { PresetError(source: source, reason: reason) }
        guard segmentDuration > 0, keyframeInterval > 0 else { throw fail("segmentDuration and keyframeInterval must be positive") }
        let ratio = segmentDuration / keyframeInterval
        guard abs(ratio - ratio.rounded()) < 1e-9 else {
            throw fail("segmentDuration \(segmentDuration) is not a multiple of keyframeInterval \(keyframeInterval)")
        }
        guard !rungs.isEmpty else { throw fail("no rungs") }
        guard audio.codec == "aac" else { throw fail("audio.codec \(audio.codec) is not aac") }
        guard audio.channels == 1 || audio.channels == 2 else { throw fail("audio.channels must be 1 or 2") }
        guard maxAttempts >= 1 else { throw fail("maxAttempts must be at least 1") }
        if let surround, !(32_000...6_144_000).contains(surround.bitrate) {
            throw fail("surround.bitrate \(surround.bitrate) is outside E-AC-3's 32 kb/s–6.144 Mb/s")
        }
        for rung in rungs {
            guard rung.height >= 16, rung.bitrate > 0, rung.maxrate >= rung.bitrate, rung.bufsize > 0 else {
                throw fail("rung \(rung.name): height ≥ 16, bitrate > 0, maxrate ≥ bitrate and bufsize > 0 are required")
            }
            if rung.codec ?? video.codec == .av1, segmentFormat != .fmp4 {
                throw fail("rung \(rung.name): AV1 is carried in fMP4 segments only (segmentFormat fmp4)")
            }
            if rung.codec ?? video.codec == .av1, rung.maxrate < 1000 { throw fail("rung \(rung.name): an AV1 maxrate is at least 1000") }
            if rung.isHDR, rung.codec ?? video.codec != .hevc { throw fail("rung \(rung.name): an HDR rung is HEVC (codec hevc, Main10)") }
        }
        guard rungs.contains(where: { !$0.isHDR }) else { throw fail("no SDR rung: every client must find an SDR ladder") }
        guard Set(rungs.map(\.name)).count == rungs.count else { throw fail("rung names repeat") }
    }
}
