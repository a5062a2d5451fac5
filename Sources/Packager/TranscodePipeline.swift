import Foundation
import LibAV

/// Packages one source into an HLS title in a folder: the video ladder, one AAC rendition
/// per audio stream, the master playlist with measured bit rates, and the poster.
/// Runs on the calling thread; libav's codecs run their own worker threads.
public final class TranscodePipeline {
    public let source: MediaSource
    public let preset: Preset
    public let plan: LadderPlan?

    public init(source: MediaSource, preset: Preset) {
        self.source = source
        self.preset = preset
        plan = source.video.map { LadderPlan(source: DisplayGeometry(stream: $0), preset: preset) }
    }

    /// Writes the title into a hidden staging folder beside `destination` and renames it
    /// into place when complete (see `StagedOutput`); on any failure the staging folder is
    /// removed and `destination` never appears. The result names `destination`.
    public func publish(
        to destination: URL, progress: (TranscodeProgress) -> Void = { _ in }, isCancelled: () -> Bool = { false }
    ) throws -> TranscodeResult {
        let staged = try StagedOutput(destination: destination)
        do {
            var result = try run(into: staged.staging, progress: progress, isCancelled: isCancelled)
            try staged.commit()
            result.output = staged.destination.path
            return result
        } catch {
            staged.discard()
            throw error
        }
    }

    /// Writes the title into `folder` (which must exist and be empty).
    /// - Parameters:
    ///   - progress: called a few times a second on this thread.
    ///   - isCancelled: polled between packets; when it answers true the run throws `.cancelled`.
    public func run(
        into folder: URL, progress: (TranscodeProgress) -> Void = { _ in }, isCancelled: () -> Bool = { false }
    ) throws -> TranscodeResult {
        do {
            return try transcode(into: folder, progress: progress, isCancelled: isCancelled)
        } catch let error as LibAVError {
            throw PackagingError(file: source.path, cause: .failed(error.description))
        }
    }

    private func transcode(
        into folder: URL, progress: (TranscodeProgress) -> Void, isCancelled: () -> Bool
    ) throws -> TranscodeResult {
        let clock = ContinuousClock.now
        func elapsed() -> Double {
            let duration = ContinuousClock.now - clock
            return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
        let layout = SegmentLayout(root: folder, format: preset.segmentFormat)
        let timeline = Timeline(hasVideo: source.video != nil)
        let video = try source.video.map { stream in
            try VideoLadder(source: source, stream: stream, plan: plan!, preset: preset, layout: layout, timeline: timeline)
        }
        let folderNames = source.audioFolderNames
        let audio = try source.audio.map { stream in
            try AudioRenditionEncoder(
                demuxer: source.demuxer, streamIndex: stream.index, folderName: folderNames[stream.index]!,
                settings: preset.audio, layout: layout, timeline: timeline, segmentDuration: preset.segmentDuration)
        }
        applyLeadIn(video: video, audio: audio)
        try video?.start()
        for rendition in audio { try rendition.start() }
        source.demuxer.discardAll(except: Set([source.video?.index].compactMap { $0} + source.audio.map(\.index)))

        let audioByStream = Dictionary(uniqueKeysWithValues: audio.map { ($0.streamIndex, $0) })
        let total = source.expectedDuration
        func processed() -> Double {
            video?.seconds ?? audio.first.map { Double($0.samplesEncoded) / Double($0.sampleRate) } ?? 0
        }
        let packet = try Packet()
        var lastReport = -1.0
        while try readPacket(packet) {
            if isCancelled() { throw PackagingError(file: source.path, cause: .cancelled) }
            if packet.streamIndex == source.video?.index {
                try video?.decode(packet)
            } else if let rendition = audioByStream[packet.streamIndex] {
                try rendition.decode(packet)
            }
            let now = elapsed()
            if now - lastReport >= 0.25 {
                lastReport = now
                progress(TranscodeProgress(processedSeconds: processed(), totalSeconds: total, elapsedSeconds: now))
            }
        }
        let posterWritten = try video?.finish(posterURL: layout.poster) ?? false
        let videoDuration = video.map(\.seconds)
        for rendition in audio { try rendition.finish(duration: videoDuration) }

        let duration = processed()
        if let expected = total, duration < expected - max(1, expected * 0.05) {
            throw PackagingError(file: source.path, cause: .truncated(decoded: duration, expected: expected))
        }
        if duration <= 0 { throw PackagingError(file: source.path, cause: .noUsableStream) }

        let result = try publishPlaylists(layout: layout, video: video, audio: audio, duration: duration,
                                          poster: posterWritten, elapsed: elapsed())
        progress(TranscodeProgress(processedSeconds: duration, totalSeconds: duration, elapsedSeconds: result.elapsed))
        return result
    }

    /// Starts every track a little after zero, by the same time, so that no decode timestamp
    /// is negative (B-frame reordering, AAC priming). Otherwise a muxer would shift one
    /// track alone and audio and video, segmented separately, would drift apart.
    private func applyLeadIn(video: VideoLadder?, audio: [AudioRenditionEncoder]) {
        let rate = Double(preset.audio.sampleRate)
        var seconds = Double(audio.map(\.initialPadding).max() ?? 0) / rate
        if let video {
            let frame = 1 / video.frameRate.doubleValue
            let frames = max(video.rungs.map(\.reorderDelay).max() ?? 0, Int((seconds / frame).rounded(.up)))
            seconds = Double(frames) * frame
            for rung in video.rungs { rung.leadIn = Int64(frames) }
        }
        for rendition in audio { rendition.leadIn = Int64((seconds * rate).rounded()) }
    }

    /// Reads the next packet; a damaged tail ends the input like an end of file (the
    /// truncation check then decides whether enough was read).
    private func readPacket(_ packet: Packet) throws -> Bool {
        do {
            return try source.demuxer.read(into: packet)
        } catch where error.code == LibAVError.invalidData {
            return false
        } catch {
            throw PackagingError(file: source.path, cause: .unreadable(error.reason))
        }
    }

    /// Measures every rendition and writes the master playlist.
    private func publishPlaylists(
        layout: SegmentLayout, video: VideoLadder?, audio: [AudioRenditionEncoder],
        duration: Double, poster: Bool, elapsed: Double
    ) throws -> TranscodeResult {
        let defaultIndex = source.defaultAudio?.index
        var audioResults: [TranscodeResult.AudioRendition] = []
        var renditions: [MasterPlaylist.Rendition] = []
        var audioPeak = 0, audioAverage = 0
        for rendition in audio {
            let measured = try BitrateMeasurement(playlistAt: rendition.playlist)
            audioPeak = max(audioPeak, measured.peak)
            audioAverage = max(audioAverage, measured.average)
            let stream = source.audio.first { $0.index == rendition.streamIndex }!
            let language = Language(streamTag: stream.language)
            let name = stream.title.flatMap { $0.isEmpty ? nil : $0 } ?? language.name
            let uri = "audio/\(rendition.folderName)/\(SegmentLayout.mediaPlaylistName)"
            renditions.append(MasterPlaylist.Rendition(
                kind: .audio, groupID: "audio", language: language, name: uniqueName(name, among: renditions),
                isDefault: stream.index == defaultIndex, autoselect: true, forced: false,
                channels: rendition.channels, uri: uri))
            audioResults.append(TranscodeResult.AudioRendition(
                language: language.tag, name: name, isDefault: stream.index == defaultIndex, channels: rendition.channels,
                size: measured.bytes, bandwidth: measured.peak, codecs: rendition.codecString, playlist: uri))
        }
        let audioCodec = audio.first?.codecString
        var variants: [MasterPlaylist.Variant] = []
        var videoResults: [TranscodeResult.VideoRendition] = []
        for rung in video?.rungs ?? [] {
            let measured = try BitrateMeasurement(playlistAt: rung.playlist)
            let codecs = [rung.codecString] + (audioCodec.map { [$0] } ?? [])
            let uri = SegmentLayout.relativePlaylist(rung.rung.name)
            let variant = MasterPlaylist.Variant(
                bandwidth: measured.peak + audioPeak, averageBandwidth: measured.average + audioAverage,
                codecs: codecs, resolution: (rung.rung.width, rung.rung.height), frameRate: video!.frameRate.doubleValue,
                audioGroup: audio.isEmpty ? nil : "audio", subtitlesGroup: nil, uri: uri)
            variants.append(variant)
            videoResults.append(TranscodeResult.VideoRendition(
                name: rung.rung.name, width: rung.rung.width, height: rung.rung.height, size: measured.bytes,
                bandwidth: variant.bandwidth, averageBandwidth: variant.averageBandwidth,
                codecs: codecs.joined(separator: ","), playlist: uri))
        }
        if video == nil {
            // Audio-only title: each audio rendition is a variant of its own.
            for (rendition, result) in zip(renditions, audioResults) {
                let measured = try BitrateMeasurement(playlistAt: layout.root.appendingPathComponent(rendition.uri))
                variants.append(MasterPlaylist.Variant(
                    bandwidth: measured.peak, averageBandwidth: measured.average, codecs: [result.codecs],
                    resolution: nil, frameRate: nil, audioGroup: nil, subtitlesGroup: nil, uri: rendition.uri))
            }
            renditions = []
        }
        let master = MasterPlaylist(version: preset.segmentFormat == .fmp4 ? 7 : 3, renditions: renditions, variants: variants)
        try master.render().write(to: layout.masterPlaylist, atomically: false, encoding: .utf8)
        return TranscodeResult(
            input: source.path, output: layout.root.path, preset: preset.name, duration: duration,
            frameRate: video?.frameRate.doubleValue, video: videoResults.sorted { $0.bandwidth < $1.bandwidth },
            audio: audioResults, poster: poster ? SegmentLayout.posterName : nil,
            elapsed: elapsed, speed: elapsed > 0 ? duration / elapsed : 0)
    }

    private func uniqueName(_ name: String, among renditions: [MasterPlaylist.Rendition]) -> String {
        var candidate = name, number = 2
        while renditions.contains(where: { $0.name == candidate }) {
            candidate = "\(name) \(number)"
            number += 1
        }
        return candidate
    }
}
