import Foundation
import LibAV
import Packager
import Testing
import TestSupport

/// Decodes what the pipeline wrote and checks it the way a player or a validator would.
@Suite struct TranscodeTests {
    let title: TranscodedTitle
    let frame = 1.0 / 30

    init() throws { title = try TranscodedTitle.testcard.get() }

    @Test func rungsAreThoseAtOrBelowTheSourceWithEvenSizesAndAspectKept() throws {
        #expect(Set(title.result.video.map(\.name)) == ["720p", "480p"])
        for rung in title.result.video {
            let stream = try #require(try FFprobe.streams(title.url(rung.playlist)).first { $0.string("codec_type") == "video" })
            #expect(stream.number("width") == Double(rung.width) && stream.number("height") == Double(rung.height))
            #expect(rung.width % 2 == 0 && rung.height % 2 == 0)
            #expect(abs(Double(rung.width) / Double(rung.height) - 16.0 / 9) < 0.01)
            #expect(stream.string("pix_fmt") == "yuv420p")
        }
    }

    @Test func everySegmentStartsWithAKeyframeAtTheSameTimeInEveryRung() throws {
        var boundaries: [[Double]] = []
        for rung in title.result.video {
            var starts: [Double] = []
            for segment in try title.standaloneSegments(rung.name) {
                let demuxer = try Demuxer(path: segment.path)
                let packet = try Packet()
                #expect(try demuxer.read(into: packet))
                #expect(packet.isKeyframe, "segment \(segment.lastPathComponent) of \(rung.name) starts without a keyframe")
                starts.append(demuxer.streams[0].timeBase.seconds(packet.pts ?? -1))
            }
            boundaries.append(starts)
        }
        #expect(boundaries.count == 2 && boundaries[0].count == 4)  // two leading 1 s segments, then 2 s ones
        #expect(boundaries[0] == boundaries[1])
    }

    @Test func keyframesFollowTheGridWithNoSceneCutExtras() throws {
        for rung in title.result.video {
            let frames = try FFprobe.frames(title.url(rung.playlist))
            let times = frames.compactMap { $0.number("pts_time") }
            let first = try #require(times.first)
            let keyframes = frames.filter { $0.string("pict_type") == "I" }.compactMap { $0.number("pts_time") }.map { $0 - first }
            #expect(keyframes.count == 6)
            for (k, time) in keyframes.enumerated() { #expect(abs(time - Double(k) * title.preset.keyframeInterval) < 0.001) }
        }
    }

    @Test func segmentsNeverExceedTheTargetDuration() throws {
        let folders = title.result.video.map(\.name) + title.result.audio.map { "audio/\($0.language)" }
        for folder in folders {
            let playlist = try title.mediaPlaylist("\(folder)/index.m3u8")
            #expect(playlist.targetDuration == Int(title.preset.segmentDuration))
            #expect(playlist.playlistType == "VOD" && playlist.hasEndList)
            for segment in playlist.segments {
                #expect(Int(segment.duration.rounded()) <= playlist.targetDuration, "\(folder)/\(segment.uri) lasts \(segment.duration) s")
            }
        }
    }

    @Test func durationEqualsTheSourceWithinOneFrame() throws {
        let source = try Demuxer(path: Fixtures.sample("testcard-720p30.mp4").path)
        let expected = try #require(source.streams[0].duration)
        for rung in title.result.video {
            let counted = try FFprobe.streams(title.url(rung.playlist), extra: ["-count_frames"]).first.unwrap("stream")
            #expect(counted.number("nb_read_frames") == 180)
            let listed = try title.mediaPlaylist(rung.playlist).totalDuration
            #expect(abs(listed - expected) <= frame)
        }
        let audio = try title.mediaPlaylist(title.result.audio[0].playlist).totalDuration
        #expect(abs(audio - expected) <= frame)
    }

    @Test func masterPlaylistAttributesMatchTheRealStreams() throws {
        let text = try String(contentsOf: title.url("master.m3u8"), encoding: .utf8)
        #expect(text.contains("#EXT-X-INDEPENDENT-SEGMENTS"))
        let variants = text.split(separator: "\n").filter { $0.hasPrefix("#EXT-X-STREAM-INF:") }
            .map { AttributeList(String($0.dropFirst("#EXT-X-STREAM-INF:".count))) }
        #expect(variants.count == 2)
        let bandwidths = variants.compactMap { $0["BANDWIDTH"].flatMap(Int.init) }
        #expect(bandwidths == bandwidths.sorted())
        for (variant, rung) in zip(variants, title.result.video) {
            let stream = try FFprobe.streams(title.url(rung.playlist)).first.unwrap("stream")
            #expect(variant["RESOLUTION"] == "\(stream.number("width").map(Int.init)!)x\(stream.number("height").map(Int.init)!)")
            #expect(variant["FRAME-RATE"] == "30.000")
            #expect(variant["AUDIO"] == "aac")
            let profileByte = ["High": "64", "Main": "4d", "Constrained Baseline": "42"][stream.string("profile") ?? ""]
            let level = String(format: "%02x", Int(stream.number("level") ?? 0))
            #expect(variant["CODECS"]?.hasPrefix("avc1.\(profileByte ?? "?")") == true)
            #expect(variant["CODECS"]?.hasSuffix("\(level),mp4a.40.2") == true, "\(variant["CODECS"] ?? "") vs level \(level)")
            #expect(Int(variant["AVERAGE-BANDWIDTH"] ?? "") ?? .max <= Int(variant["BANDWIDTH"] ?? "") ?? 0)
        }
        let audioStream = try FFprobe.streams(title.url(title.result.audio[0].playlist)).first.unwrap("audio")
        #expect(audioStream.string("codec_name") == "aac" && audioStream.string("profile") == "LC")
        #expect(audioStream.number("sample_rate") == 48000 && audioStream.number("channels") == 2)
    }

    @Test func bandwidthCoversTheMeasuredPeakIncludingAudio() throws {
        let audio = try segmentRates(title.result.audio[0].playlist)
        for rung in title.result.video {
            let video = try segmentRates(rung.playlist)
            let peak = video.max()! + audio.max()!
            #expect(Double(rung.bandwidth) >= peak, "\(rung.name): BANDWIDTH \(rung.bandwidth) < measured \(peak)")
            #expect(Double(rung.bandwidth) <= peak * 1.3, "\(rung.name): BANDWIDTH \(rung.bandwidth) far above measured \(peak)")
        }
    }

    @Test func audioIsInSyncWithTheVideo() throws {
        // The source flashes white and beeps at exactly 3.0 s.
        let flash = try SyncMarks.flash(in: title.url("720p/index.m3u8"))
        let beep = try SyncMarks.beep(in: title.url(title.result.audio[0].playlist))
        #expect(abs(flash - beep) <= frame, "flash at \(flash) s, beep at \(beep) s")
    }

    @Test func fragmentsCarryRealDecodeTimesWithoutEditLists() throws {
        // Players that ignore edit lists (hls.js) read times straight from tfdt and trun:
        // the first picture and the first real audio sample (after 1024 priming samples)
        // must then be at the same instant.
        func start(_ folder: String, skip: Int) throws -> Double {
            let header = try Data(contentsOf: title.url("\(folder)/init.mp4"))
            #expect(header.range(of: Data("elst".utf8)) == nil, "\(folder) has an edit list")
            let segment = try [UInt8](Data(contentsOf: title.url("\(folder)/seg_00001.m4s")))
            func uint32(_ bytes: [UInt8], _ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
            let mdhd = try header.range(of: Data("mdhd".utf8)).unwrap("mdhd").lowerBound
            let timescale = uint32([UInt8](header), mdhd + 16)
            let tfdt = try Data(segment).range(of: Data("tfdt".utf8)).unwrap("tfdt").lowerBound
            let decode = segment[tfdt + 4] == 1 ? uint32(segment, tfdt + 8) << 32 | uint32(segment, tfdt + 12) : uint32(segment, tfdt + 8)
            let trun = try Data(segment).range(of: Data("trun".utf8)).unwrap("trun").lowerBound
            let flags = uint32(segment, trun + 4) & 0xFF_FFFF
            var cursor = trun + 12 + (flags & 0x1 != 0 ? 4 : 0) + (flags & 0x4 != 0 ? 4 : 0)
            cursor += (flags & 0x100 != 0 ? 4 : 0) + (flags & 0x200 != 0 ? 4 : 0) + (flags & 0x400 != 0 ? 4 : 0)
            let composition = flags & 0x800 != 0 ? Int(Int32(truncatingIfNeeded: uint32(segment, cursor))) : 0
            return Double(decode + composition + skip) / Double(timescale)
        }
        let picture = try start("720p", skip: 0)
        let sound = try start("audio/und", skip: 1024)
        #expect(abs(picture - sound) < 0.001, "first picture at \(picture) s, first sound at \(sound) s")
    }

    @Test func posterIsARepresentativeJPEG() throws {
        let poster = try FFprobe.streams(title.url("poster.jpg")).first.unwrap("poster")
        #expect(poster.string("codec_name") == "mjpeg")
        #expect((poster.number("width") ?? 0) <= 1280)
        let stats = try FFprobe.filteredFrames("movie=\(title.url("poster.jpg").path),signalstats",
                                               entries: "frame_tags=lavfi.signalstats.YAVG")
        let luma = try ((stats.first?["tags"] as? [String: Any])?.number("lavfi.signalstats.YAVG")).unwrap("luma")
        #expect(luma > 40 && luma < 215, "poster mean luma \(luma)")
    }

    /// Bits per second of every segment of a media playlist long enough to count alone
    /// (RFC 8216: at least half the target duration).
    private func segmentRates(_ playlist: String) throws -> [Double] {
        let folder = (playlist as NSString).deletingLastPathComponent
        let media = try title.mediaPlaylist(playlist)
        return try media.segments.filter { $0.duration >= Double(media.targetDuration) / 2 }.map { segment in
            let size = try FileManager.default.attributesOfItem(atPath: title.url("\(folder)/\(segment.uri)").path)[.size] as! Int
            return Double(size * 8) / segment.duration
        }
    }
}
