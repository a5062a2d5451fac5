import Foundation
import LibAV

/// A title's MPEG-DASH manifest (ISO/IEC 23009-1, SPEC §14): the isoff-live profile, one
/// Period, over the very CMAF init and media segments its HLS renditions list. A value
/// `TitlePlaylists` makes from the same plan and tracks as the HLS playlists; `render()`
/// is its XML.
public struct DASHManifest: Sendable, Equatable {
    /// Whether the title is still growing.
    public enum Presentation: Sendable, Equatable {
        /// Being packaged: a `dynamic` MPD that lists what the HLS playlists list. Its
        /// window and presentation delay span the whole expected title, so a player starts
        /// at the beginning, not at the live edge.
        case growing(availableSince: Date, published: Date, expectedDuration: Double, updatePeriod: Double)
        /// Ready: a `static` MPD of every segment, `mediaPresentationDuration` long.
        case complete(duration: Double)
    }

    /// A track's segments on its own clock (`timescale` ticks a second), as the `tfdt` and
    /// sample durations of its fragments say; `presentationTimeOffset` is the title's 0 (its
    /// lead-in) on that clock, so every track's period time 0 is the title's first instant.
    public struct Timeline: Sendable, Equatable {
        public struct Segment: Sendable, Equatable {
            public var start: Int64
            public var duration: Int64
        }
        public var timescale: Int
        public var presentationTimeOffset: Int64
        public var segments: [Segment]
    }

    /// One video rung: its folder is its `id`.
    public struct Video: Sendable, Equatable {
        public var id: String
        public var codecs: String
        /// Peak bit rate of the rung alone, bits per second.
        public var bandwidth: Int
        public var width: Int
        public var height: Int
    }

    /// The rungs of one codec (and range): one AdaptationSet, one timeline.
    public struct VideoSet: Sendable, Equatable {
        public var representations: [Video]
        public var frameRate: Rational
        public var timeline: Timeline
        /// The language of the CEA-608 captions (CC1) in its pictures, if any.
        public var closedCaptions: Language? = nil
        /// The HDR transfer its pictures keep; nil for SDR.
        public var hdr: HDRFormat.Transfer? = nil
    }

    /// One audio rendition: an AdaptationSet of its own (a language and codec).
    public struct Audio: Sendable, Equatable {
        public var id: String
        /// Its folder inside the title (`audio/en`).
        public var path: String
        public var language: Language
        public var label: String
        public var isDefault: Bool
        public var channels: Int
        public var codecs: String
        public var bandwidth: Int
        public var sampleRate: Int
        public var timeline: Timeline
    }

    /// One subtitle track: its whole-file WebVTT.
    public struct Text: Sendable, Equatable {
        public var id: String
        /// The file inside the title (`subs/en.vtt`).
        public var path: String
        public var language: Language
        public var label: String
        public var isForced: Bool
        public var isHearingImpaired: Bool
    }

    public var presentation: Presentation
    /// Seconds a player must buffer before it starts (the longest segment).
    public var minBufferTime: Double
    public var initSegment: String
    /// The media segment pattern (`seg_$Number%05d$.m4s`), its first number `startNumber`.
    public var segmentTemplate: String
    public var startNumber: Int
    public var video: [VideoSet]
    public var audio: [Audio]
    public var text: [Text]

    static let namespace = "urn:mpeg:dash:schema:mpd:2011"
    static let profile = "urn:mpeg:dash:profile:isoff-live:2011"
    static let roleScheme = "urn:mpeg:dash:role:2011"
    /// SCTE 214-1: CEA-608 channels carried in the video, `CC1=eng`.
    static let cea608Scheme = "urn:scte:dash:cc:cea-608:2015"
    static let channelScheme = "urn:mpeg:mpegB:cicp:ChannelConfiguration"
    /// The scheme DASH-IF IOP asks for E-AC-3 (ETSI TS 102 366 channel mask, in hex).
    static let dolbyChannelScheme = "tag:dolby.com,2014:dash:audio_channel_configuration:2011"

    /// The Dolby channel mask of a layout of `channels` (libav's default layouts): L R C LFE
    /// Ls Rs for 5.1 is F801, stereo A000, mono 4000.
    static func dolbyChannelMask(_ channels: Int) -> String {
        switch channels {
        case 1: "4000"
        case 2: "A000"
        case 3: "E000"
        case 4: "A100"
        case 5: "F800"
        default: "F801"
        }
    }

    /// The manifest's XML text.
    public func render() -> String {
        var xml = XMLWriter()
        xml.line(#"<?xml version="1.0" encoding="UTF-8"?>"#)
        var root: [(String, String)] = [("xmlns", Self.namespace), ("profiles", Self.profile)]
        switch presentation {
        case let .growing(availableSince, published, expectedDuration, updatePeriod):
            let window = Self.duration(expectedDuration + 60)
            root += [("type", "dynamic"), ("availabilityStartTime", Self.date(availableSince)), ("publishTime", Self.date(published)),
                     ("minimumUpdatePeriod", Self.duration(updatePeriod)), ("timeShiftBufferDepth", window),
                     ("suggestedPresentationDelay", window)]
        case let .complete(duration):
            root += [("type", "static"), ("mediaPresentationDuration", Self.duration(duration))]
        }
        root.append(("minBufferTime", Self.duration(minBufferTime)))
        xml.open("MPD", root)
        xml.open("Period", [("id", "0"), ("start", "PT0S")])
        for (index, set) in video.enumerated() { writeVideo(set, id: index, into: &xml) }
        for (index, audio) in audio.enumerated() { writeAudio(audio, id: video.count + index, into: &xml) }
        for (index, text) in text.enumerated() { writeText(text, id: video.count + audio.count + index, into: &xml) }
        xml.close("Period")
        xml.close("MPD")
        return xml.text
    }

    /// An HDR set's colours as coding-independent code points (ISO/IEC 23091-2, DASH-IF IOP
    /// §10), essential (a player that cannot show them skips the set): BT.2020 and PQ (16) or
    /// HLG (18), the transfer the pictures' VUI says.
    private static func writeColours(of transfer: HDRFormat.Transfer, into xml: inout XMLWriter) {
        let scheme = "urn:mpeg:mpegB:cicp:"
        xml.element("EssentialProperty", [("schemeIdUri", scheme + "ColourPrimaries"), ("value", "9")])
        xml.element("EssentialProperty", [("schemeIdUri", scheme + "MatrixCoefficients"), ("value", "9")])
        switch transfer {
        case .pq:
            xml.element("EssentialProperty", [("schemeIdUri", scheme + "TransferCharacteristics"), ("value", "16")])
        case .hlg:
            xml.element("EssentialProperty", [("schemeIdUri", scheme + "TransferCharacteristics"), ("value", "18")])
        }
    }

    private func writeVideo(_ set: VideoSet, id: Int, into xml: inout XMLWriter) {
        let widest = set.representations.max { $0.width < $1.width }
        let tallest = set.representations.max { $0.height < $1.height }
        xml.open("AdaptationSet", [
            ("id", String(id)), ("contentType", "video"), ("mimeType", "video/mp4"), ("segmentAlignment", "true"),
            ("startWithSAP", "1"), ("maxWidth", String(widest?.width ?? 0)), ("maxHeight", String(tallest?.height ?? 0)),
            ("frameRate", Self.frameRate(set.frameRate)),
        ])
        if let hdr = set.hdr { Self.writeColours(of: hdr, into: &xml) }
        xml.element("Role", [("schemeIdUri", Self.roleScheme), ("value", "main")])
        if let captions = set.closedCaptions {
            xml.element("Accessibility", [("schemeIdUri", Self.cea608Scheme), ("value", "CC1=\(captions.alpha3)")])
        }
        writeTemplate(folder: "$RepresentationID$", timeline: set.timeline, into: &xml)
        for rung in set.representations.sorted(by: { $0.bandwidth < $1.bandwidth }) {
            xml.element("Representation", [("id", rung.id), ("codecs", rung.codecs), ("bandwidth", String(rung.bandwidth)),
                                           ("width", String(rung.width)), ("height", String(rung.height)), ("sar", "1:1")])
        }
        xml.close("AdaptationSet")
    }

    private func writeAudio(_ audio: Audio, id: Int, into xml: inout XMLWriter) {
        xml.open("AdaptationSet", [("id", String(id)), ("contentType", "audio"), ("mimeType", "audio/mp4"),
                                   ("lang", audio.language.tag), ("segmentAlignment", "true"), ("startWithSAP", "1")])
        xml.element("Role", [("schemeIdUri", Self.roleScheme), ("value", audio.isDefault ? "main" : "alternate")])
        xml.element("Label", [], text: audio.label)
        writeTemplate(folder: audio.path, timeline: audio.timeline, into: &xml)
        xml.open("Representation", [("id", audio.id), ("codecs", audio.codecs), ("bandwidth", String(audio.bandwidth)),
                                    ("audioSamplingRate", String(audio.sampleRate))])
        if audio.codecs == "ec-3" {
            xml.element("AudioChannelConfiguration", [("schemeIdUri", Self.dolbyChannelScheme), ("value", Self.dolbyChannelMask(audio.channels))])
        } else {
            xml.element("AudioChannelConfiguration", [("schemeIdUri", Self.channelScheme), ("value", String(Self.channelConfiguration(audio.channels)))])
        }
        xml.close("Representation")
        xml.close("AdaptationSet")
    }

    private func writeText(_ text: Text, id: Int, into xml: inout XMLWriter) {
        xml.open("AdaptationSet", [("id", String(id)), ("contentType", "text"), ("mimeType", "text/vtt"), ("lang", text.language.tag)])
        let role = text.isForced ? "forced-subtitle" : text.isHearingImpaired ? "caption" : "subtitle"
        xml.element("Role", [("schemeIdUri", Self.roleScheme), ("value", role)])
        xml.element("Label", [], text: text.label)
        xml.open("Representation", [("id", text.id), ("bandwidth", "256")])
        xml.element("BaseURL", [], text: text.path)
        xml.close("Representation")
        xml.close("AdaptationSet")
    }

    /// `SegmentTemplate` and its `SegmentTimeline` (runs of equal, contiguous segments as one `S` with `r`).
    private func writeTemplate(folder: String, timeline: Timeline, into xml: inout XMLWriter) {
        xml.open("SegmentTemplate", [
            ("timescale", String(timeline.timescale)), ("presentationTimeOffset", String(timeline.presentationTimeOffset)),
            ("initialization", "\(folder)/\(initSegment)"), ("media", "\(folder)/\(segmentTemplate)"), ("startNumber", String(startNumber)),
        ])
        xml.open("SegmentTimeline", [])
        var runs: [(start: Int64, duration: Int64, repeats: Int)] = []
        var end: Int64?
        for segment in timeline.segments {
            if let last = runs.last, last.duration == segment.duration, end == segment.start {
                runs[runs.count - 1].repeats += 1
            } else {
                runs.append((segment.start, segment.duration, 0))
            }
            end = segment.start + segment.duration
        }
        var expected: Int64?
        for run in runs {
            var attributes: [(String, String)] = []
            if run.start != expected { attributes.append(("t", String(run.start))) }
            attributes.append(("d", String(run.duration)))
            if run.repeats > 0 { attributes.append(("r", String(run.repeats))) }
            xml.element("S", attributes)
            expected = run.start + run.duration * Int64(run.repeats + 1)
        }
        xml.close("SegmentTimeline")
        xml.close("SegmentTemplate")
    }

    /// ISO 23001-8 (CICP) channel configuration of a channel count: 1, 2, 3 (3.0), 4
    /// (4.0), 5 (5.0), 6 (5.1), 12 (7.1 as 7 channels + LFE) — the layouts our encoders write.
    static func channelConfiguration(_ channels: Int) -> Int {
        switch channels {
        case 1...6: channels
        case 7: 11
        case 8: 12
        default: 0
        }
    }

    /// An `xs:duration` of `seconds` (`PT6.006S`).
    static func duration(_ seconds: Double) -> String {
        var text = String(format: "%.3f", max(0, seconds))
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return "PT\(text)S"
    }

    static func date(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }

    static func frameRate(_ rate: Rational) -> String {
        rate.denominator == 1 ? String(rate.numerator) : "\(rate.numerator)/\(rate.denominator)"
    }
}

/// Indented XML, attributes and text escaped.
struct XMLWriter {
    private(set) var text = ""
    private var depth = 0

    mutating func line(_ content: String) { text += String(repeating: "  ", count: depth) + content + "\n" }

    mutating func open(_ name: String, _ attributes: [(String, String)]) {
        line("<\(name)\(Self.attributes(attributes))>")
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        line("</\(name)>")
    }

    /// An element with no children: empty, or holding `text`.
    mutating func element(_ name: String, _ attributes: [(String, String)], text content: String? = nil) {
        if let content {
            line("<\(name)\(Self.attributes(attributes))>\(Self.escaped(content))</\(name)>")
        } else {
            line("<\(name)\(Self.attributes(attributes))/>")
        }
    }

    private static func attributes(_ attributes: [(String, String)]) -> String {
        attributes.map { " \($0.0)=\"\(escaped($0.1))\"" }.joined()
    }

    static func escaped(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
