import Foundation
import LibAV
import Packager
import Testing
import TestSupport

/// A Matroska source with two audio languages and embedded subtitles, plus a Latin-1
/// subtitle sidecar and a shorter dub: every track packaged, decoded back and compared.
@Suite struct TracksTests {
    let title: TranscodedTitle
    let frame = 1.0 / 30

    init() throws { title = try TranscodedTitle.multilingual.get() }

    private var master: String { (try? String(contentsOf: title.url("master.m3u8"), encoding: .utf8)) ?? "" }

    private func tags(_ prefix: String) -> [AttributeList] {
        master.split(separator: "\n").filter { $0.hasPrefix(prefix) }.map { AttributeList(String($0.dropFirst(prefix.count))) }
    }

    @Test func everyAudioLanguageAndTheDubAreOneGroupWithTheSourcesDefault() throws {
        let audio = tags("#EXT-X-MEDIA:").filter { $0["TYPE"] == "AUDIO" }
        #expect(audio.map { $0["LANGUAGE"] } == ["en", "fr", "de"])
        #expect(audio.map { $0["NAME"] } == ["English", "Français", "Deutsch"])
        #expect(audio.map { $0["DEFAULT"] } == ["NO", "YES", "NO"])
        #expect(audio.allSatisfy { $0["GROUP-ID"] == "aac" && $0["AUTOSELECT"] == "YES" && $0["CHANNELS"] == "2" })
        #expect(audio.map { $0["URI"] } == ["audio/en/index.m3u8", "audio/fr/index.m3u8", "audio/de/index.m3u8"])
        #expect(title.result.audio.map(\.sidecar) == [nil, nil, Fixtures.sample("audio-only.m4a").path])
        let variants = tags("#EXT-X-STREAM-INF:")
        #expect(!variants.isEmpty && variants.allSatisfy { $0["AUDIO"] == "aac" && $0["SUBTITLES"] == "subs" })
    }

    @Test func subtitleStreamAndLatin1SidecarAreWebVTTRenditions() throws {
        let subtitles = tags("#EXT-X-MEDIA:").filter { $0["TYPE"] == "SUBTITLES" }
        #expect(subtitles.map { $0["LANGUAGE"] } == ["en", "es"])
        #expect(subtitles.map { $0["NAME"] } == ["English", "Español"])
        #expect(subtitles.allSatisfy { $0["GROUP-ID"] == "subs" && $0["FORCED"] == "NO" && $0["DEFAULT"] == "NO" })
        let spanish = try String(contentsOf: title.url("subs/es.vtt"), encoding: .utf8)
        #expect(spanish.hasPrefix("WEBVTT"))
        #expect(spanish.contains("¡Destello! (con un pitido)") && spanish.contains("Fin de la muestra, señores."))
        let english = try String(contentsOf: title.url("subs/en.vtt"), encoding: .utf8)
        #expect(english.contains("00:00:03.000 --> 00:00:03.500\nFlash! (with a beep)"))
    }

    @Test func subtitleSegmentsFollowTheVideoAndShowCuesWithTheFlash() throws {
        let flash = try flashTime("360p/index.m3u8")
        let video = try title.mediaPlaylist("360p/index.m3u8")
        for (language, text) in [("en", "Flash! (with a beep)"), ("es", "¡Destello! (con un pitido)")] {
            let playlist = try title.mediaPlaylist("subs/\(language)/index.m3u8")
            #expect(playlist.segments.map(\.duration) == video.segments.map(\.duration))
            #expect(playlist.targetDuration == video.targetDuration && playlist.hasEndList)
            var shown: [Double] = []
            for segment in playlist.segments {
                let body = try String(contentsOf: title.url("subs/\(language)/\(segment.uri)"), encoding: .utf8)
                let lines = body.components(separatedBy: "\n")
                #expect(lines[0] == "WEBVTT")
                let map = try #require(lines.first { $0.hasPrefix("X-TIMESTAMP-MAP=") })
                let mpegts = try #require(map.split(separator: ",").first?.split(separator: ":").last.flatMap { Double($0) })
                #expect(map.hasSuffix("LOCAL:00:00:00.000"))
                for (index, line) in lines.enumerated() where line == text {
                    let start = try #require(Self.seconds(lines[index - 1].components(separatedBy: " --> ")[0]))
                    shown.append(start + mpegts / 90_000)
                }
            }
            let cue = try #require(shown.first, "no \(language) cue \(text)")
            #expect(abs(cue - flash) <= frame, "\(language) cue at \(cue) s, flash at \(flash) s")
        }
    }

    @Test func everyAudioTrackLastsAsLongAsTheVideoAndStaysInSync() throws {
        let video = try title.mediaPlaylist("360p/index.m3u8").totalDuration
        let flash = try flashTime("360p/index.m3u8")
        for audio in title.result.audio {
            let frames = try FFprobe.json(["-show_entries", "frame=pts_time,pkt_duration_time", title.url(audio.playlist).path])["frames"]
                as? [[String: Any]] ?? []
            let first: Double = try (frames.first?.number("pts_time")).unwrap("first audio frame")
            let last = try frames.last.unwrap("last audio frame")
            let lastStart: Double = try last.number("pts_time").unwrap("pts")
            let end = lastStart + (try last.number("pkt_duration_time").unwrap("duration"))
            let videoFrames = try FFprobe.frames(title.url("360p/index.m3u8"))
            let firstVideo: Double = try (videoFrames.first?.number("pts_time")).unwrap("first video frame")
            // The first frame is the AAC priming (1024 samples): the sound starts with the picture
            // and ends one priming frame before it, so the last segments end together.
            #expect(abs((end - first) - video) <= frame, "\(audio.language): \(end - first) s vs \(video) s")
            #expect(abs(first - firstVideo + 1024.0 / 48_000) <= frame)
            #expect(abs(try title.mediaPlaylist(audio.playlist).totalDuration - video) <= frame)
            if audio.sidecar == nil {
                let beep = try beepTime(audio.playlist)
                #expect(abs(beep - flash) <= frame, "\(audio.language): beep at \(beep) s, flash at \(flash) s")
            }
        }
    }

    @Test func iFramePlaylistRangesDecodeToTheKeyframeOpeningEachSegment() throws {
        let iFrameVariants = tags("#EXT-X-I-FRAME-STREAM-INF:")
        #expect(iFrameVariants.map { $0["URI"] } == title.result.video.map { "\($0.name)/iframes.m3u8" })
        for rung in title.result.video {
            let playlist = try title.mediaPlaylist("\(rung.name)/iframes.m3u8")
            let media = try title.mediaPlaylist(rung.playlist)
            #expect(playlist.isIFramesOnly && playlist.initSegment == "init.mp4" && playlist.hasEndList)
            #expect(playlist.segments.map(\.uri) == media.segments.map(\.uri))
            let header = try Data(contentsOf: title.url("\(rung.name)/init.mp4"))
            let scratch = try Fixtures.temporaryFolder("iframe")
            var segmentStart = 0.0
            for (index, entry) in playlist.segments.enumerated() {
                let range = try entry.byteRange.unwrap("byte range")
                let segment = try Data(contentsOf: title.url("\(rung.name)/\(entry.uri)"))
                #expect(range.offset + range.length <= segment.count)
                let file = scratch.appendingPathComponent("\(index).mp4")
                try (header + segment[range.offset..<range.offset + range.length]).write(to: file)
                let frames = try FFprobe.frames(file, entries: "frame=pts_time,pict_type,key_frame")
                #expect(frames.count == 1, "\(rung.name) entry \(index) decodes to \(frames.count) frames")
                #expect(frames.first?.string("pict_type") == "I" && frames.first?.number("key_frame") == 1)
                let pts: Double = try (frames.first?.number("pts_time")).unwrap("pts")
                #expect(abs(pts - 2.0 / 30 - segmentStart) <= frame / 2, "entry \(index) at \(pts) s")
                segmentStart += media.segments[index].duration
            }
        }
    }

    @Test func storyboardTilesCoverTheTitle() throws {
        let storyboard = try title.result.storyboard.unwrap("storyboard")
        let sprite = try FFprobe.streams(title.url(storyboard.image)).first.unwrap("sprite")
        let columns = min(10, storyboard.tiles), rows = (storyboard.tiles + 9) / 10
        #expect(sprite.number("width") == Double(columns * storyboard.tileWidth))
        #expect(sprite.number("height") == Double(rows * storyboard.tileHeight))
        #expect(storyboard.tileWidth == 160 && storyboard.tileHeight == 90)
        let text = try String(contentsOf: title.url(storyboard.cues), encoding: .utf8)
        let times = text.components(separatedBy: "\n").filter { $0.contains(" --> ") }
            .map { $0.components(separatedBy: " --> ").compactMap(Self.seconds) }
        #expect(times.count == storyboard.tiles)
        #expect(times.first?.first == 0 && abs((times.last?.last ?? 0) - title.result.duration) < 0.001)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0[1] == $1[0] })
        #expect(text.contains("storyboard.jpg#xywh=160,0,160,90"))
    }

    /// Seconds of a WebVTT timestamp (`00:00:03.000`).
    static func seconds(_ text: String) -> Double? {
        let parts = text.split(separator: ":").compactMap { Double($0) }
        guard parts.count == 3 else { return nil }
        return parts[0] * 3600 + parts[1] * 60 + parts[2]
    }

    private func flashTime(_ playlist: String) throws -> Double { try SyncMarks.flash(in: title.url(playlist)) }

    private func beepTime(_ playlist: String) throws -> Double { try SyncMarks.beep(in: title.url(playlist)) }
}
