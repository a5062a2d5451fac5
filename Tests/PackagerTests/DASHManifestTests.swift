import Foundation
import LibAV
@testable import Packager
import Testing

/// The MPD's XML as `DASHManifest` renders it: the timeline folded into runs, labels
/// escaped, the presentation's attributes for a growing and a complete title.
@Suite struct DASHManifestTests {
    func manifest(_ presentation: DASHManifest.Presentation, label: String = "Français") -> DASHManifest {
        let video = DASHManifest.Timeline(timescale: 15360, presentationTimeOffset: 1024, segments: [
            .init(start: 1024, duration: 30720), .init(start: 31744, duration: 30720), .init(start: 62464, duration: 61440),
        ])
        let audio = DASHManifest.Timeline(timescale: 48000, presentationTimeOffset: 3200, segments: [
            .init(start: 2176, duration: 97280), .init(start: 99456, duration: 96256),
        ])
        return DASHManifest(
            presentation: presentation, minBufferTime: 4, initSegment: "init.mp4", segmentTemplate: "seg_$Number%05d$.m4s",
            startNumber: 1,
            video: [.init(representations: [.init(id: "720p", codecs: "avc1.64001f", bandwidth: 4_000_000, width: 1280, height: 720),
                                            .init(id: "360p", codecs: "avc1.4d401e", bandwidth: 900_000, width: 640, height: 360)],
                          frameRate: Rational(30000, 1001), timeline: video)],
            audio: [.init(id: "audio-fr", path: "audio/fr", language: Language(code: "fr")!, label: label, isDefault: true,
                          channels: 6, codecs: "mp4a.40.2", bandwidth: 160_000, sampleRate: 48000, timeline: audio)],
            text: [.init(id: "subs-en", path: "subs/en.vtt", language: Language(code: "en")!, label: "English",
                         isForced: false, isHearingImpaired: true)])
    }

    @Test func aCompleteTitleIsStaticWithItsTimelineFolded() {
        let xml = manifest(.complete(duration: 8.5)).render()
        #expect(xml.contains(#"type="static" mediaPresentationDuration="PT8.5S" minBufferTime="PT4S""#), "\(xml)")
        // Two equal contiguous segments become one S with r="1"; a different length a new S without t.
        #expect(xml.contains(#"<S t="1024" d="30720" r="1"/>"#) && xml.contains(#"<S d="61440"/>"#), "\(xml)")
        #expect(xml.contains(#"<S t="2176" d="97280"/>"#) && xml.contains(#"<S d="96256"/>"#))
        #expect(xml.contains(#"frameRate="30000/1001""#) && xml.contains(#"maxWidth="1280" maxHeight="720""#))
        // Representations by bandwidth, lowest first.
        #expect(xml.range(of: #"id="360p""#)!.lowerBound < xml.range(of: #"id="720p""#)!.lowerBound)
        #expect(xml.contains(#"<AudioChannelConfiguration schemeIdUri="urn:mpeg:mpegB:cicp:ChannelConfiguration" value="6"/>"#))
        #expect(xml.contains(#"<Role schemeIdUri="urn:mpeg:dash:role:2011" value="caption"/>"#))
        #expect(xml.contains(#"initialization="audio/fr/init.mp4" media="audio/fr/seg_$Number%05d$.m4s""#))
    }

    @Test func aGrowingTitleIsDynamicWithAWindowSpanningIt() {
        let since = Date(timeIntervalSince1970: 1_800_000_000)
        let xml = manifest(.growing(availableSince: since, published: since.addingTimeInterval(5), expectedDuration: 90,
                                    updatePeriod: 4)).render()
        #expect(xml.contains(#"type="dynamic" availabilityStartTime="2027-01-15T08:00:00Z" publishTime="2027-01-15T08:00:05Z""#), "\(xml)")
        #expect(xml.contains(#"minimumUpdatePeriod="PT4S" timeShiftBufferDepth="PT150S" suggestedPresentationDelay="PT150S""#))
        #expect(!xml.contains("mediaPresentationDuration"))
    }

    @Test func labelsAreEscaped() {
        let xml = manifest(.complete(duration: 1), label: #"Tom & "Jerry" <dub>"#).render()
        #expect(xml.contains("<Label>Tom &amp; &quot;Jerry&quot; &lt;dub&gt;</Label>"), "\(xml)")
    }

    @Test func channelCountsMapToCICPConfigurations() {
        #expect([1, 2, 6, 8].map(DASHManifest.channelConfiguration) == [1, 2, 6, 12])
        #expect(DASHManifest.duration(6.0060) == "PT6.006S" && DASHManifest.duration(0) == "PT0S")
    }
}
