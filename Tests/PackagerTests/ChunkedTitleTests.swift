import Foundation
import LibAV
import Packager
import Testing
import TestSupport
import VaultLayout

/// A title packaged as the daemon does — plan, chunks one by one in any order, tracks,
/// finish — is indistinguishable from one made in one piece (SPEC §10).
@Suite struct ChunkedTitleTests {
    /// 15 s of 720p30 test pattern with a continuous 440 Hz tone, made by the ffmpeg CLI,
    /// packaged with 2 s segments and 1 s keyframes: two leading 1 s segments then 2 s ones,
    /// 9 segments in 4 chunks (3, 2, 2, 2).
    static let title = Result { try ChunkedTitle.make() }

    struct ChunkedTitle: Sendable {
        let source: URL
        let folder: URL
        let plan: TitlePlan
        let result: TranscodeResult
        let whole: URL

        static func make() throws -> ChunkedTitle {
            LibAVLog.silence()
            let scratch = try Fixtures.temporaryFolder("chunked")
            let source = scratch.appendingPathComponent("tone.mp4")
            try TestPattern.make(source, seconds: 15, size: "1280x720", gop: 45)
            let presetFile = scratch.appendingPathComponent("preset.json")
            try Data(#"{"name": "test", "segmentDuration": 2, "keyframeInterval": 1}"#.utf8).write(to: presetFile)
            let preset = try PresetLibrary(folders: [Fixtures.presetsFolder]).load(presetFile.path)
            let plan = try TitlePlan(path: source.path, preset: preset, sidecars: [], chunking: .progressive(workers: 4))
            let (folder, result) = try package(plan, in: scratch)
            let whole = scratch.appendingPathComponent("whole")
            try FileManager.default.createDirectory(at: whole, withIntermediateDirectories: true)
            _ = try TranscodePipeline(source: try MediaSource(path: source.path), preset: preset).run(into: whole)
            return ChunkedTitle(source: source, folder: folder, plan: plan, result: result, whole: whole)
        }

        /// Packages `plan` as the daemon's tasks do, into `scratch/title`: its chunks, the
        /// last first (as a second worker could finish it), its tracks, its finish.
        static func package(_ plan: TitlePlan, in scratch: URL) throws -> (folder: URL, result: TranscodeResult) {
            let work = PackagingFolder(root: scratch.appendingPathComponent("work"))
            try FileManager.default.createDirectory(at: work.root, withIntermediateDirectories: true)
            let folder = scratch.appendingPathComponent("title")
            let layout = TitleLayout(root: folder, format: plan.preset.segmentFormat)
            for chunk in plan.chunks.reversed() {
                let result = try ChunkPackager(plan: plan, chunk: chunk, folder: work).run()
                try ChunkPackager.moveSegments(of: result, plan: plan, folder: work, title: layout)
            }
            _ = try TrackPackager(plan: plan, sidecars: [], folder: work, title: layout).run()
            return (folder, try TitleFinisher(plan: plan, folder: work, title: layout, type: .event).run(elapsed: 1))
        }

        /// A rendition's init segment and media segments joined, as a player reads them.
        func joined(_ rendition: String, in root: URL? = nil) throws -> URL { try Self.joined(rendition, under: root ?? folder) }

        /// Rendition `rendition` of the title at `root`, joined.
        static func joined(_ rendition: String, under root: URL) throws -> URL {
            let base = root.appendingPathComponent(rendition)
            let playlist = try #require(MediaPlaylist(text: String(contentsOf: base.appendingPathComponent("index.m3u8"), encoding: .utf8)))
            var data = try Data(contentsOf: base.appendingPathComponent(try #require(playlist.initSegment)))
            for segment in playlist.segments { data += try Data(contentsOf: base.appendingPathComponent(segment.uri)) }
            let file = try Fixtures.temporaryFolder("joined").appendingPathComponent("\(rendition.replacingOccurrences(of: "/", with: "_")).mp4")
            try data.write(to: file)
            return file
        }

        func playlist(_ rendition: String, in root: URL? = nil) throws -> MediaPlaylist {
            let url = (root ?? folder).appendingPathComponent("\(rendition)/index.m3u8")
            return try #require(MediaPlaylist(text: String(contentsOf: url, encoding: .utf8)))
        }
    }

    /// An HDR rung packaged in chunks (its own normaliser in each) has every frame of the
    /// SDR rung beside it, keyframes on the same grid, and stays 10-bit PQ across the joins.
    @Test func anHDRRungIsWholeAcrossTheChunksLikeItsSDRSibling() throws {
        LibAVLog.silence()
        let scratch = try Fixtures.temporaryFolder("chunked-hdr")
        let source = scratch.appendingPathComponent("pq.mp4")
        let made = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), [
            "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=8", "-pix_fmt", "yuv420p10le",
            "-c:v", "libx265", "-preset", "ultrafast", "-color_primaries", "bt2020", "-color_trc", "smpte2084", "-colorspace", "bt2020nc",
            "-x265-params", "log-level=error:keyint=45:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc", source.path])
        try #require(made.status == 0, "\(made.stderr)")
        let presetFile = scratch.appendingPathComponent("preset.json")
        try Data(#"{"name": "hdr", "segmentDuration": 2, "keyframeInterval": 1, "rungs": [{"name": "180p", "height": 180, "bitrate": 200000, "maxrate": 250000, "bufsize": 500000}, {"name": "180p-hdr", "height": 180, "bitrate": 200000, "maxrate": 250000, "bufsize": 500000, "codec": "hevc", "dynamicRange": "hdr"}]}"#.utf8).write(to: presetFile)
        let preset = try PresetLibrary(folders: [Fixtures.presetsFolder]).load(presetFile.path)
        let plan = try TitlePlan(path: source.path, preset: preset, sidecars: [], chunking: .progressive(workers: 2))
        #expect(plan.chunks.count > 1 && plan.video?.rungs.map { $0.hdr?.transfer } == [nil, .pq])
        let (folder, _) = try ChunkedTitle.package(plan, in: scratch)
        let sdr = try FFprobe.frames(try ChunkedTitle.joined("180p", under: folder), entries: "frame=key_frame")
        let hdr = try FFprobe.frames(try ChunkedTitle.joined("180p-hdr", under: folder), entries: "frame=key_frame,pix_fmt,color_transfer")
        #expect(sdr.count == 240 && hdr.count == sdr.count, "\(sdr.count) SDR, \(hdr.count) HDR frames")
        #expect(hdr.map { $0.number("key_frame") } == sdr.map { $0.number("key_frame") })
        #expect(hdr.allSatisfy { $0.string("pix_fmt") == "yuv420p10le" && $0.string("color_transfer") == "smpte2084" })
    }

    @Test func theTitleIsSplitShortChunkFirst() throws {
        let title = try Self.title.get()
        #expect(title.plan.chunks.map(\.segmentCount) == [3, 2, 2, nil])
        #expect(title.plan.timeline.plannedCount == 9)
    }

    @Test func oneInitPerRungAndConsecutiveSegmentsAsInOnePiece() throws {
        let title = try Self.title.get()
        for rendition in ["720p", "480p", "audio/und"] {
            let chunked = try title.playlist(rendition), whole = try title.playlist(rendition, in: title.whole)
            #expect(chunked.segments.map(\.uri) == (1...9).map { String(format: "seg_%05d.m4s", $0) })
            #expect(chunked.segments == whole.segments, "\(rendition)")
            #expect(chunked.playlistType == "EVENT" && chunked.hasEndList && whole.playlistType == "VOD")
            let files = try FileManager.default.contentsOfDirectory(atPath: title.folder.appendingPathComponent(rendition).path)
            #expect(files.filter { $0.hasSuffix(".mp4") } == ["init.mp4"])
            #expect(try Data(contentsOf: title.folder.appendingPathComponent("\(rendition)/init.mp4"))
                == Data(contentsOf: title.whole.appendingPathComponent("\(rendition)/init.mp4")))
        }
    }

    @Test func everySourceFrameOnceAtAnEvenStepWithKeyframesOnTheGrid() throws {
        let title = try Self.title.get()
        let frames = try FFprobe.frames(try title.joined("720p"), entries: "frame=pts_time,pict_type,key_frame")
        #expect(frames.count == 450)
        let times = frames.compactMap { $0.number("pts_time") }
        let steps = zip(times.dropFirst(), times).map { $0 - $1 }
        #expect(steps.allSatisfy { abs($0 - 1.0 / 30) < 0.0005 }, "uneven steps: \(Set(steps.map { ($0 * 1000).rounded() }))")
        let keyframes = frames.enumerated().filter { $0.element.number("key_frame") == 1 }.map(\.offset)
        #expect(keyframes == Array(stride(from: 0, to: 450, by: 30)))
    }

    @Test func audioIsContinuousWithNoSilenceAtTheJoins() throws {
        let title = try Self.title.get()
        let audio = try title.joined("audio/und")
        let detect = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), [
            "-v", "info", "-nostats", "-i", audio.path, "-af", "silencedetect=noise=-50dB:d=0.005", "-f", "null", "-",
        ])
        #expect(detect.status == 0)
        let streams = try FFprobe.streams(audio)
        let duration = try #require(streams.first?.number("duration"))
        #expect(abs(duration - 15) < 0.05)
        // The encoder's priming frame at the start and its padding at the end are silent;
        // nothing between them may be, least of all at a chunk join (every 2 s here).
        let silences = detect.stderr.split(separator: "\n").compactMap { line -> Double? in
            guard let range = line.range(of: "silence_start: ") else { return nil }
            return Double(line[range.upperBound...].prefix { !$0.isWhitespace })
        }
        #expect(!silences.isEmpty, "silencedetect found not even the priming")
        #expect(silences.filter { $0 > 0.05 && $0 < duration - 0.05 }.isEmpty, "silences at \(silences)")
    }

    /// Each picture is the source's picture at its place — no frame early or late at a
    /// join (chunks seek to the source keyframe at or before their start): every frame of
    /// the joined 720p rung (the source's size) is close to the source's frame at its index
    /// (measured ≥ 40 dB); the next frame of the moving pattern is far (22 dB).
    @Test func everyFrameIsTheSourcesFrameAtItsPlace() throws {
        let title = try Self.title.get()
        let compared = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), [
            "-v", "error", "-i", try title.joined("720p").path, "-i", title.source.path,
            "-lavfi", "[0:v]setpts=PTS-STARTPTS[a];[1:v]setpts=PTS-STARTPTS[b];[a][b]psnr=stats_file=-", "-f", "null", "-",
        ])
        let values = compared.stdout.split(separator: "\n").compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix("psnr_avg:") }.flatMap { Double($0.dropFirst(9)) }
        }
        #expect(values.count == 450)
        let worst = values.enumerated().min { $0.element < $1.element }
        #expect((worst?.element ?? 0) > 30, "frame \(worst?.offset ?? -1): \(worst?.element ?? 0) dB")
    }

    @Test func decodeTimesContinueAcrossTheJoins() throws {
        let title = try Self.title.get()
        let packets = try FFprobe.json(["-show_entries", "packet=dts_time", try title.joined("720p").path])["packets"] as? [[String: Any]] ?? []
        let times = packets.compactMap { $0.number("dts_time") }
        #expect(times.count == 450)
        #expect(zip(times.dropFirst(), times).allSatisfy { abs($0 - $1 - 1.0 / 30) < 0.0005 })
    }

    @Test func theBoundCoversTheMeasuredPeakAndTheMeasuredMasterReplacesIt() throws {
        let title = try Self.title.get()
        let tracks = try TrackManifest(contentsOf: URL(fileURLWithPath: title.folder.deletingLastPathComponent().path + "/work/tracks.json"))
        let playlists = TitlePlaylists(plan: title.plan, tracks: tracks, layout: TitleLayout(root: title.folder, format: .fmp4))
        for (rung, measured) in zip(title.plan.video!.rungs, title.result.video.sorted { $0.height > $1.height }) {
            #expect(playlists.boundBandwidth(rung) >= measured.bandwidth, "\(rung.name)")
        }
        let master = try String(contentsOf: title.folder.appendingPathComponent("master.m3u8"), encoding: .utf8)
        for video in title.result.video { #expect(master.contains("BANDWIDTH=\(video.bandwidth),")) }
    }
}
