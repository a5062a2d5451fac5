import Foundation
import LibAV

/// Packages one source into an HLS title in a folder: the video ladder with I-frame
/// playlists, one AAC rendition per audio stream and dubbing sidecar, one WebVTT rendition
/// per text subtitle stream and sidecar, the master playlist with measured bit rates, the
/// poster and the storyboard. Runs on the calling thread; libav's codecs run their own
/// worker threads.
public final class TranscodePipeline {
    public let source: MediaSource
    public let preset: Preset
    public let plan: LadderPlan?
    public let tracks: TrackPlan

    public init(source: MediaSource, preset: Preset, sidecars: [Sidecar] = []) {
        self.source = source
        self.preset = preset
        plan = source.video.map { LadderPlan(source: DisplayGeometry(stream: $0), preset: preset) }
        tracks = TrackPlan(source: source, sidecars: sidecars)
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
        } catch let error as PackagingError where error.file != source.path {
            throw PackagingError(file: source.path, cause: .failed("cannot write the output: \(error)"))
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
        var tracks = self.tracks
        var warnings = source.skipped.filter { !$0.stream.isAttachedPicture }.map {
            "\(source.path): stream #\($0.stream.index) (\($0.stream.codec)) skipped: \($0.reason)"
        }
        var dropped = Set<TrackPlan.Origin>()
        func leaveOut(_ origin: TrackPlan.Origin, _ error: Error) {
            dropped.insert(origin)
            if let error = error as? PackagingError {
                warnings.append("\(error); the title is published without it")
            } else {
                let file = if case let .sidecar(path) = origin { path } else { source.path }
                warnings.append("\(file): \(error); the title is published without it")
            }
        }

        let layout = SegmentLayout(root: folder, format: preset.segmentFormat)
        let timeline = Timeline(hasVideo: source.video != nil)
        let video = try source.video.map { stream in
            try VideoLadder(source: source, stream: stream, plan: plan!, preset: preset, layout: layout, timeline: timeline)
        }
        var audio: [AudioRenditionEncoder] = []
        for track in tracks.audio {
            do {
                audio.append(try audioEncoder(for: track, layout: layout, timeline: timeline))
            } catch {
                leaveOut(track.origin, error)
            }
        }
        if video == nil, audio.isEmpty { throw PackagingError(file: source.path, cause: .noUsableStream) }
        var subtitleDecoders: [Int: SubtitleDecoder] = [:]
        for track in tracks.subtitles {
            guard case let .stream(index) = track.origin else { continue }
            do {
                subtitleDecoders[index] = try SubtitleDecoder(demuxer: source.demuxer, streamIndex: index)
            } catch {
                leaveOut(track.origin, error)
            }
        }
        let leadIn = applyLeadIn(video: video, audio: audio)
        try video?.start()
        for rendition in audio { try rendition.start() }
        let sourceAudio = audio.filter { $0.demuxer === source.demuxer }
        let dubs = audio.filter { $0.demuxer !== source.demuxer }
        source.demuxer.discardAll(except: Set([source.video?.index].compactMap { $0 }
            + sourceAudio.map(\.streamIndex) + subtitleDecoders.keys))

        let audioByStream = Dictionary(uniqueKeysWithValues: sourceAudio.map { ($0.streamIndex, $0) })
        var subtitleEvents: [Int: [SubtitleEvent]] = [:]
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
            } else if let decoder = subtitleDecoders[packet.streamIndex], let event = decoder.decode(packet) {
                subtitleEvents[packet.streamIndex, default: []].append(event)
            }
            let now = elapsed()
            if now - lastReport >= 0.25 {
                lastReport = now
                progress(TranscodeProgress(processedSeconds: processed(), totalSeconds: total, elapsedSeconds: now))
            }
        }
        let posterWritten = try video?.finish(posterURL: layout.poster) ?? false
        let videoDuration = video.map(\.seconds)
        for rendition in sourceAudio { try rendition.finish(duration: videoDuration) }

        let duration = processed()
        if let expected = total, duration < expected - max(1, expected * 0.05) {
            throw PackagingError(file: source.path, cause: .truncated(decoded: duration, expected: expected))
        }
        if duration <= 0 { throw PackagingError(file: source.path, cause: .noUsableStream) }

        for dub in dubs {
            do {
                try encodeWhole(dub, duration: videoDuration, isCancelled: isCancelled)
            } catch let error as PackagingError where error.cause == .cancelled {
                throw error
            } catch {
                try? FileManager.default.removeItem(at: dub.folder)
                leaveOut(dub.track.origin, error)
            }
        }
        tracks.remove(dropped)
        audio.removeAll { dropped.contains($0.track.origin) }

        let boundaries = try MediaPlaylist(text: String(contentsOf: (video?.rungs.first?.playlist ?? audio.first!.playlist), encoding: .utf8))!.segments
        var subtitles: [SubtitleRendition] = []
        for track in tracks.subtitles {
            do {
                let cues: [SubtitleCue]
                switch track.origin {
                case let .stream(index):
                    cues = SubtitleCue.cues(from: subtitleEvents[index] ?? [], offset: timeline.start ?? 0, duration: duration)
                case let .sidecar(path):
                    cues = SubtitleCue.cues(from: try SubtitleFile.events(at: path), offset: 0, duration: duration)
                }
                guard !cues.isEmpty else { throw TrackProblem.noCues }
                let rendition = SubtitleRendition(track: track, cues: cues)
                try rendition.write(layout: layout, boundaries: boundaries,
                                    presentationStart: Int64((leadIn * 90_000).rounded()))
                subtitles.append(rendition)
            } catch {
                leaveOut(track.origin, error)
            }
        }
        tracks.remove(dropped)

        let storyboard = try video.flatMap { video in
            try video.storyboard.write(to: folder, duration: duration).map {
                TranscodeResult.Storyboard(image: Storyboard.imageName, cues: Storyboard.cuesName, tileWidth: $0.tileWidth,
                                           tileHeight: $0.tileHeight, tiles: $0.tiles, interval: video.storyboard.interval)
            }
        }
        let published = try MasterPlaylistBuilder(
            preset: preset, layout: layout, video: video, audio: audio, subtitles: subtitles, tracks: tracks
        ).write()
        let seconds = elapsed()
        let result = TranscodeResult(
            input: source.path, output: folder.path, preset: preset.name, duration: duration,
            frameRate: video?.frameRate.doubleValue, video: published.video, audio: published.audio,
            subtitles: published.subtitles, poster: posterWritten ? SegmentLayout.posterName : nil,
            storyboard: storyboard, warnings: warnings, elapsed: seconds, speed: seconds > 0 ? duration / seconds : 0)
        progress(TranscodeProgress(processedSeconds: duration, totalSeconds: duration, elapsedSeconds: result.elapsed))
        return result
    }

    /// The encoder of one planned audio track: a stream of the source, or the best audio
    /// stream of a dubbing file.
    private func audioEncoder(for track: TrackPlan.AudioTrack, layout: SegmentLayout, timeline: Timeline) throws -> AudioRenditionEncoder {
        let demuxer: Demuxer, index: Int
        switch track.origin {
        case let .stream(stream):
            (demuxer, index) = (source.demuxer, stream)
        case let .sidecar(path):
            let file = try MediaSource(path: path)
            guard let stream = file.audio.first else { throw PackagingError(file: path, cause: .noUsableStream) }
            (demuxer, index) = (file.demuxer, stream.index)
            demuxer.discardAll(except: [index])
        }
        return try AudioRenditionEncoder(
            track: track, demuxer: demuxer, streamIndex: index, settings: preset.audio, layout: layout,
            timeline: timeline, segmentDuration: preset.segmentDuration)
    }

    /// Reads a dubbing file to its end through its rendition, fitted to the video's duration.
    private func encodeWhole(_ rendition: AudioRenditionEncoder, duration: Double?, isCancelled: () -> Bool) throws {
        let packet = try Packet()
        while try rendition.demuxer.read(into: packet) {
            if isCancelled() { throw PackagingError(file: source.path, cause: .cancelled) }
            if packet.streamIndex == rendition.streamIndex { try rendition.decode(packet) }
            packet.unref()
        }
        try rendition.finish(duration: duration)
    }

    /// Starts every track a little after zero, by the same time, so that no decode timestamp
    /// is negative (B-frame reordering, AAC priming). Otherwise a muxer would shift one
    /// track alone and audio and video, segmented separately, would drift apart.
    /// Returns the lead-in in seconds: where the first frame sits on the output's clock.
    private func applyLeadIn(video: VideoLadder?, audio: [AudioRenditionEncoder]) -> Double {
        let rate = Double(preset.audio.sampleRate)
        var seconds = Double(audio.map(\.initialPadding).max() ?? 0) / rate
        if let video {
            let frame = 1 / video.frameRate.doubleValue
            let frames = max(video.rungs.map(\.reorderDelay).max() ?? 0, Int((seconds / frame).rounded(.up)))
            seconds = Double(frames) * frame
            for rung in video.rungs { rung.leadIn = Int64(frames) }
        }
        for rendition in audio { rendition.leadIn = Int64((seconds * rate).rounded()) }
        return seconds
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
}

/// Why a track was left out, when no libav or file error says it.
enum TrackProblem: Error, CustomStringConvertible {
    case noCues

    var description: String {
        switch self {
        case .noCues: "no subtitle cue falls within the title"
        }
    }
}
