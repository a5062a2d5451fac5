import Foundation

/// A media playlist as written by the segmenter, read back to measure what was written.
public struct MediaPlaylist: Sendable, Equatable {
    public struct Segment: Sendable, Equatable {
        /// EXTINF duration in seconds.
        public var duration: Double
        /// URI relative to the playlist.
        public var uri: String
        /// `EXT-X-BYTERANGE`: the part of the file this entry is (I-frame playlists).
        public var byteRange: ByteRange? = nil
    }

    /// `EXT-X-BYTERANGE:<length>@<offset>`.
    public struct ByteRange: Sendable, Equatable {
        public var length: Int
        public var offset: Int
    }

    public var version: Int?
    public var targetDuration: Int
    public var playlistType: String?
    public var hasEndList: Bool
    public var hasIndependentSegments: Bool
    /// The `EXT-X-MAP` URI (fMP4 init segment), if any.
    public var initSegment: String?
    /// `EXT-X-I-FRAMES-ONLY`: every entry is one keyframe (trick play).
    public var isIFramesOnly = false
    public var segments: [Segment]
    /// An AES-128 title's key: its init section and every segment are encrypted with it.
    public var key: Key?

    public struct Key: Sendable, Equatable {
        public var uri: String
        /// The init section's IV (RFC 8216 §4.3.2.5 requires it); segments use their sequence numbers.
        public var initIV: [UInt8]
    }

    /// A VOD playlist of `segments`, target duration from the longest.
    public init(version: Int, initSegment: String?, isIFramesOnly: Bool = false, segments: [Segment]) {
        self.version = version
        targetDuration = Int((segments.map(\.duration).max() ?? 0).rounded())
        playlistType = "VOD"
        hasEndList = true
        hasIndependentSegments = true
        self.initSegment = initSegment
        self.isIFramesOnly = isIFramesOnly
        self.segments = segments
    }

    public var totalDuration: Double { segments.reduce(0) { $0 + $1.duration } }

    /// The playlist text (VOD: independent segments, every segment listed, ENDLIST).
    ///
    /// No `EXT-X-MEDIA-SEQUENCE`: our playlists never slide, so the first segment's number
    /// is the default 0 (RFC 8216 §4.3.3.2) in every version of every playlist. The tag is
    /// what Chromium's native HLS takes for a live stream when `EXT-X-ENDLIST` is not there
    /// yet (media/filters/hls_rendition.cc, `GetPlaylistDuration`): it then starts at the
    /// last three segments, and a player that loaded paused (`preload`) and is played later
    /// discards what it buffered, reloads the playlist and stops with
    /// `DEMUXER_ERROR_COULD_NOT_PARSE` ("Segment queue never had any data") unless a segment
    /// was listed meanwhile (issue 23). Without it a title being packaged is, to that
    /// player as to others, the finished title, shorter: it starts at 0 and seeks.
    /// `EXT-X-START:TIME-OFFSET=0` tells the players that do follow a growing EVENT
    /// playlist (AVPlayer, hls.js, ExoPlayer) to start where the finished title starts, not
    /// three target durations from the end of what is listed.
    public func render() -> String {
        var lines = ["#EXTM3U", "#EXT-X-VERSION:\(version ?? 3)", "#EXT-X-TARGETDURATION:\(targetDuration)"]
        if let playlistType { lines.append("#EXT-X-PLAYLIST-TYPE:\(playlistType)") }
        if hasIndependentSegments { lines.append("#EXT-X-INDEPENDENT-SEGMENTS") }
        if isIFramesOnly { lines.append("#EXT-X-I-FRAMES-ONLY") } else { lines.append("#EXT-X-START:TIME-OFFSET=0") }
        if let key {
            let method = "#EXT-X-KEY:METHOD=AES-128,URI=\"\(key.uri)\""
            if initSegment != nil { lines.append(method + ",IV=0x" + key.initIV.map { String(format: "%02X", $0) }.joined()) }
            if let initSegment { lines.append("#EXT-X-MAP:URI=\"\(initSegment)\"") }
            lines.append(method)
        } else if let initSegment {
            lines.append("#EXT-X-MAP:URI=\"\(initSegment)\"")
        }
        for segment in segments {
            lines.append("#EXTINF:\(String(format: "%.6f", segment.duration)),")
            if let range = segment.byteRange { lines.append("#EXT-X-BYTERANGE:\(range.length)@\(range.offset)") }
            lines.append(segment.uri)
        }
        if hasEndList { lines.append("#EXT-X-ENDLIST") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Parses RFC 8216 media playlist text; nil when it is not one.
    public init?(text: String) {
        guard text.hasPrefix("#EXTM3U") else { return nil }
        var target: Int?
        var pendingDuration: Double?
        var pendingRange: ByteRange?
        version = nil
        playlistType = nil
        hasEndList = false
        hasIndependentSegments = false
        initSegment = nil
        segments = []
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#EXT-X-TARGETDURATION:") {
                target = Int(line.dropFirst("#EXT-X-TARGETDURATION:".count))
            } else if line.hasPrefix("#EXT-X-VERSION:") {
                version = Int(line.dropFirst("#EXT-X-VERSION:".count))
            } else if line.hasPrefix("#EXT-X-PLAYLIST-TYPE:") {
                playlistType = String(line.dropFirst("#EXT-X-PLAYLIST-TYPE:".count))
            } else if line == "#EXT-X-ENDLIST" {
                hasEndList = true
            } else if line == "#EXT-X-INDEPENDENT-SEGMENTS" {
                hasIndependentSegments = true
            } else if line == "#EXT-X-I-FRAMES-ONLY" {
                isIFramesOnly = true
            } else if line.hasPrefix("#EXT-X-BYTERANGE:") {
                let parts = line.dropFirst("#EXT-X-BYTERANGE:".count).split(separator: "@").compactMap { Int($0) }
                if parts.count == 2 { pendingRange = ByteRange(length: parts[0], offset: parts[1]) }
            } else if line.hasPrefix("#EXT-X-MAP:") {
                initSegment = AttributeList(String(line.dropFirst("#EXT-X-MAP:".count)))["URI"]
            } else if line.hasPrefix("#EXTINF:") {
                pendingDuration = Double(line.dropFirst("#EXTINF:".count).prefix { $0 != "," })
            } else if !line.hasPrefix("#"), let duration = pendingDuration {
                segments.append(Segment(duration: duration, uri: line, byteRange: pendingRange))
                pendingDuration = nil
                pendingRange = nil
            }
        }
        guard let target else { return nil }
        targetDuration = target
    }
}

/// An RFC 8216 attribute list (`KEY=value,KEY="quoted, value"`), parsed.
public struct AttributeList: Sendable {
    public private(set) var values: [String: String] = [:]

    public init(_ text: String) {
        var pairs: [String: String] = [:]
        var key = "", value = "", inKey = true, quoted = false
        for character in text + "," {
            if inKey {
                if character == "=" { inKey = false } else if character != "," { key.append(character) }
            } else if character == "\"" {
                quoted.toggle()
            } else if character == ",", !quoted {
                if !key.isEmpty { pairs[key] = value }
                key = ""
                value = ""
                inKey = true
            } else {
                value.append(character)
            }
        }
        values = pairs
    }

    public subscript(key: String) -> String? { values[key] }
}

/// The multivariant ("master") playlist StreamVault writes for a title.
public struct MasterPlaylist: Sendable, Equatable {
    /// An `EXT-X-MEDIA` rendition (an audio language, a subtitle track, the closed captions
    /// inside the video).
    public struct Rendition: Sendable, Equatable {
        public enum Kind: String, Sendable { case audio = "AUDIO", subtitles = "SUBTITLES", closedCaptions = "CLOSED-CAPTIONS" }
        public var kind: Kind
        public var groupID: String
        public var language: Language
        public var name: String
        public var isDefault: Bool
        public var autoselect: Bool
        public var forced: Bool
        /// Audio channel count, for `CHANNELS`.
        public var channels: Int?
        /// The playlist; for closed captions, the channel in the video (`INSTREAM-ID`, "CC1").
        public var uri: String
        /// `CHARACTERISTICS` (Uniform Type Identifiers), e.g. for SDH subtitles.
        public var characteristics: String? = nil
    }

    /// An `EXT-X-STREAM-INF` variant: one rung, with the groups it plays with.
    public struct Variant: Sendable, Equatable {
        /// Peak segment bit rate in bits per second (RFC 8216 §4.3.4.2), audio included.
        public var bandwidth: Int
        public var averageBandwidth: Int
        public var codecs: [String]
        public var resolution: (width: Int, height: Int)?
        public var frameRate: Double?
        /// Set on every variant of a title with an HDR variant.
        public var videoRange: VideoRange? = nil
        public var audioGroup: String?
        public var subtitlesGroup: String?
        public var closedCaptionsGroup: String? = nil
        public var uri: String

        public static func == (a: Variant, b: Variant) -> Bool {
            a.bandwidth == b.bandwidth && a.averageBandwidth == b.averageBandwidth && a.codecs == b.codecs
                && a.resolution?.width == b.resolution?.width && a.resolution?.height == b.resolution?.height
                && a.frameRate == b.frameRate && a.videoRange == b.videoRange && a.audioGroup == b.audioGroup && a.subtitlesGroup == b.subtitlesGroup
                && a.closedCaptionsGroup == b.closedCaptionsGroup && a.uri == b.uri
        }
    }

    /// An `EXT-X-I-FRAME-STREAM-INF`: a rung's keyframes-only playlist, for trick play.
    public struct IFrameVariant: Sendable, Equatable {
        public var bandwidth: Int
        public var averageBandwidth: Int
        public var codecs: String
        public var width: Int
        public var height: Int
        public var videoRange: VideoRange? = nil
        public var uri: String
    }

    /// `VIDEO-RANGE`: the transfer a variant's pictures are coded with.
    public enum VideoRange: String, Sendable, Comparable {
        case sdr = "SDR"
        case hlg = "HLG"
        case pq = "PQ"

        /// SDR first, then HLG (which SDR screens still show), then PQ.
        public static func < (a: VideoRange, b: VideoRange) -> Bool {
            [.sdr, .hlg, .pq].firstIndex(of: a)! < [.sdr, .hlg, .pq].firstIndex(of: b)!
        }
    }

    public var version: Int
    public var renditions: [Rendition]
    public var variants: [Variant]
    public var iFrameVariants: [IFrameVariant]

    public init(version: Int, renditions: [Rendition], variants: [Variant], iFrameVariants: [IFrameVariant] = []) {
        self.version = version
        self.renditions = renditions
        self.variants = variants
        self.iFrameVariants = iFrameVariants
    }

    /// The playlist text: renditions first, then the variants, H.264 first (a client that
    /// takes the first variant it can play starts there), then HEVC, then AV1, each codec's
    /// SDR first, AAC before E-AC-3, and in order of bandwidth.
    public func render() -> String {
        var lines = ["#EXTM3U", "#EXT-X-VERSION:\(version)", "#EXT-X-INDEPENDENT-SEGMENTS"]
        for rendition in renditions {
            var attributes = [
                "TYPE=\(rendition.kind.rawValue)", "GROUP-ID=\(quoted(rendition.groupID))",
                "LANGUAGE=\(quoted(rendition.language.tag))", "NAME=\(quoted(rendition.name))",
                "DEFAULT=\(rendition.isDefault ? "YES" : "NO")", "AUTOSELECT=\(rendition.autoselect ? "YES" : "NO")",
            ]
            if rendition.kind == .subtitles { attributes.append("FORCED=\(rendition.forced ? "YES" : "NO")") }
            if let channels = rendition.channels { attributes.append("CHANNELS=\(quoted(String(channels)))") }
            if let characteristics = rendition.characteristics { attributes.append("CHARACTERISTICS=\(quoted(characteristics))") }
            attributes.append(rendition.kind == .closedCaptions ? "INSTREAM-ID=\(quoted(rendition.uri))" : "URI=\(quoted(rendition.uri))")
            lines.append("#EXT-X-MEDIA:" + attributes.joined(separator: ","))
        }
        for variant in variants.sorted(by: { (Self.rank($0.codecs.first), $0.videoRange ?? .sdr, Self.surroundRank($0.codecs), $0.bandwidth)
            < (Self.rank($1.codecs.first), $1.videoRange ?? .sdr, Self.surroundRank($1.codecs), $1.bandwidth) }) {
            var attributes = ["BANDWIDTH=\(variant.bandwidth)", "AVERAGE-BANDWIDTH=\(variant.averageBandwidth)",
                              "CODECS=\(quoted(variant.codecs.joined(separator: ",")))"]
            if let resolution = variant.resolution { attributes.append("RESOLUTION=\(resolution.width)x\(resolution.height)") }
            if let frameRate = variant.frameRate { attributes.append("FRAME-RATE=\(String(format: "%.3f", frameRate))") }
            if let range = variant.videoRange { attributes.append("VIDEO-RANGE=\(range.rawValue)") }
            if let group = variant.audioGroup { attributes.append("AUDIO=\(quoted(group))") }
            if let group = variant.subtitlesGroup { attributes.append("SUBTITLES=\(quoted(group))") }
            if let group = variant.closedCaptionsGroup { attributes.append("CLOSED-CAPTIONS=\(quoted(group))") }
            lines.append("#EXT-X-STREAM-INF:" + attributes.joined(separator: ","))
            lines.append(variant.uri)
        }
        for variant in iFrameVariants.sorted(by: { (Self.rank($0.codecs), $0.videoRange ?? .sdr, $0.bandwidth)
            < (Self.rank($1.codecs), $1.videoRange ?? .sdr, $1.bandwidth) }) {
            lines.append("#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=\(variant.bandwidth),AVERAGE-BANDWIDTH=\(variant.averageBandwidth),"
                + "CODECS=\(quoted(variant.codecs)),RESOLUTION=\(variant.width)x\(variant.height),"
                + (variant.videoRange.map { "VIDEO-RANGE=\($0.rawValue)," } ?? "") + "URI=\(quoted(variant.uri))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Stereo AAC variants before E-AC-3 ones (a client that plays only AAC still starts on the first).
    private static func surroundRank(_ codecs: [String]) -> Int { codecs.contains { $0.hasPrefix("ec-3") } ? 1 : 0 }

    /// Where a variant of this video codec goes: H.264, HEVC, AV1, then the rest (audio-only).
    private static func rank(_ codec: String?) -> Int {
        ["avc1", "hvc1", "av01"].firstIndex { codec?.hasPrefix($0) ?? false } ?? 3
    }

    private func quoted(_ value: String) -> String { "\"\(value.replacingOccurrences(of: "\"", with: "'"))\"" }
}
