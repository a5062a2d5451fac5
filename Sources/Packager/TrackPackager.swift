import Foundation
import LibAV
import VaultLayout

/// The tracks task: every audio rendition (each audio stream of the source, each dubbing
/// file) and every subtitle rendition of a title, across the whole title in one pass —
/// audio is never encoded in pieces and joined, which leaves gaps and clicks at the joins.
/// Segments follow the plan's timeline and go into the title folder as each one is whole,
/// so a title can be played while this runs. Not thread-safe: runs on the calling thread.
public final class TrackPackager {
    public let plan: TitlePlan
    private let sidecars: [Sidecar]
    private let folder: PackagingFolder
    private let title: TitleLayout

    /// Seconds the source must be read past a subtitle segment's end before it is written:
    /// containers interleave subtitle packets near, not exactly at, their time.
    static let subtitleMargin = 10.0

    public init(plan: TitlePlan, sidecars: [Sidecar], folder: PackagingFolder, title: TitleLayout) {
        self.plan = plan
        self.sidecars = sidecars
        self.folder = folder
        self.title = title
    }

    /// Packages the tracks and returns the finished manifest (also written to the folder).
    /// - Parameters:
    ///   - segmentsReady: called with how many segments, from the first, now exist in every
    ///     rendition this task makes, each time that grows.
    ///   - progress: seconds of the title done, a few times a second.
    ///   - isCancelled: polled between packets; true throws `.cancelled`.
    public func run(segmentsReady: @escaping (Int) -> Void = { _ in }, progress: (Double) -> Void = { _ in },
                    isCancelled: () -> Bool = { false }) throws -> TrackManifest {
        do {
            return try package(segmentsReady: segmentsReady, progress: progress, isCancelled: isCancelled)
        } catch let error as LibAVError {
            throw PackagingError(file: plan.source, cause: .failed(error.description))
        }
    }

    private func package(segmentsReady: @escaping (Int) -> Void, progress: (Double) -> Void,
                         isCancelled: () -> Bool) throws -> TrackManifest {
        let source = try MediaSource(path: plan.source)
        var tracks = TrackPlan(source: source, sidecars: sidecars)
        var manifest = TrackManifest()
        var dropped = Set<TrackPlan.Origin>()
        func leaveOut(_ origin: TrackPlan.Origin, _ error: Error) {
            dropped.insert(origin)
            if let error = error as? PackagingError {
                manifest.warnings.append("\(error); the title is published without it")
            } else {
                let file = if case let .sidecar(path) = origin { path } else { plan.source }
                manifest.warnings.append("\(file): \(error); the title is published without it")
            }
        }
        try? FileManager.default.removeItem(at: folder.trackStaging)
        let staging = title.rooted(at: folder.trackStaging)
        let timeline = Timeline(start: plan.video?.sourceStart, videoSeconds: plan.video.map { _ in plan.expectedDuration })
        let segmentsPlanned = plan.timeline.plannedCount

        // Audio: one encoder per track; its segments move into the title as each is whole.
        var audio: [AudioRenditionEncoder] = []
        var completed: [Int] = []
        var reported = 0
        var subtitleSegments = 0
        /// Subtitle tracks with their events; `offset` nil for a source stream (its clock's
        /// zero is the first frame's source time), 0 for a sidecar (its zero is the first frame).
        var subtitles: [(track: TrackPlan.SubtitleTrack, events: [SubtitleEvent], offset: Double?)] = []
        func report() {
            let ready = min(completed.min() ?? .max, subtitles.isEmpty ? .max : subtitleSegments)
            if ready != .max, ready > reported {
                reported = ready
                segmentsReady(ready)
            }
        }
        if let segmentation = plan.audio {
            for track in tracks.audio {
                do {
                    let rendition = try audioEncoder(for: track, source: source, layout: staging, timeline: timeline,
                                                     segmentation: segmentation)
                    rendition.leadIn = plan.leadInSamples
                    let position = audio.count
                    completed.append(0)
                    rendition.segmentCompleted = { [title] segment in
                        let target = title.audioFolder(track.folder)
                        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
                        if title.format == .fmp4 {
                            try FileTransfer.placeOnce(rendition.folder.appendingPathComponent(TitleLayout.initSegmentName),
                                                       at: target.appendingPathComponent(TitleLayout.initSegmentName))
                        }
                        let name = title.segmentName(segment)
                        try FileTransfer.placeOnce(rendition.folder.appendingPathComponent(name), at: target.appendingPathComponent(name))
                        completed[position] = segment + 1
                        report()
                    }
                    audio.append(rendition)
                } catch {
                    leaveOut(track.origin, error)
                }
            }
        }
        // Subtitles: embedded streams are decoded as the source is read; sidecars at once.
        var subtitleDecoders: [Int: SubtitleDecoder] = [:]
        for track in tracks.subtitles {
            do {
                switch track.origin {
                case let .stream(index):
                    subtitleDecoders[index] = try SubtitleDecoder(demuxer: source.demuxer, streamIndex: index)
                    subtitles.append((track, [], nil))
                case let .sidecar(path):
                    let events = try SubtitleFile.events(at: path)
                    guard !SubtitleCue.cues(from: events, offset: 0, duration: .infinity).isEmpty else { throw TrackProblem.noCues }
                    subtitles.append((track, events, 0))
                }
            } catch {
                leaveOut(track.origin, error)
            }
        }
        if audio.isEmpty, plan.video == nil, subtitles.isEmpty {
            throw PackagingError(file: plan.source, cause: .noUsableStream)
        }
        tracks.remove(dropped)
        manifest.audio = zip(tracks.audio, audio).map { track, rendition in
            TrackManifest.Audio(folder: track.folder, language: track.language, name: track.name, isDefault: track.isDefault,
                                channels: rendition.channels, codecs: rendition.codecString, sidecar: Self.sidecarPath(track.origin))
        }
        manifest.subtitles = subtitles.map { entry in
            let track = entry.track
            return TrackManifest.Subtitle(folder: track.folder, language: track.language, name: track.name,
                                          isForced: track.isForced, isHearingImpaired: track.isHearingImpaired,
                                          sidecar: Self.sidecarPath(track.origin))
        }
        try manifest.write(to: folder.trackManifest)

        let sourceAudio = audio.filter { $0.demuxer === source.demuxer }
        let dubs = audio.filter { $0.demuxer !== source.demuxer }
        source.demuxer.discardAll(except: Set(sourceAudio.map(\.streamIndex) + subtitleDecoders.keys))
        let audioByStream = Dictionary(uniqueKeysWithValues: sourceAudio.map { ($0.streamIndex, $0) })
        let expected = plan.expectedDuration

        /// Cues of subtitle track `position` on the title's clock, cut at `duration`.
        func cues(_ position: Int, duration: Double) -> [SubtitleCue] {
            let entry = subtitles[position]
            let offset = entry.offset ?? timeline.start ?? 0
            return SubtitleCue.cues(from: entry.events, offset: offset, duration: duration)
        }
        /// Writes the subtitle segments that end before `position` seconds (never the title's
        /// last: the finish writes it, knowing where the title ends).
        func writeSubtitleSegments(through position: Double) throws {
            while !subtitles.isEmpty, subtitleSegments < segmentsPlanned - 1,
                  plan.timeline.startSeconds(subtitleSegments + 1) <= position {
                for index in subtitles.indices {
                    try Self.writeSubtitleSegment(subtitleSegments, cues: cues(index, duration: expected),
                                                  folder: subtitles[index].track.folder, plan: plan, title: title)
                }
                subtitleSegments += 1
                report()
            }
        }
        var dubsEnded = Set<ObjectIdentifier>()
        /// Brings every dub to `seconds` of the title.
        func advanceDubs(to seconds: Double) throws {
            let packet = try Packet()
            for dub in dubs where dub.seconds < seconds && !dubsEnded.contains(ObjectIdentifier(dub)) {
                while dub.seconds < seconds {
                    let more: Bool
                    do {
                        more = try dub.demuxer.read(into: packet)
                    } catch {
                        more = false  // a damaged dub ends there (padded with silence)
                        manifest.warnings.append("\(Self.sidecarPath(dub.track.origin) ?? plan.source): \(error.reason); the dub is silent from \(Int(dub.seconds)) s")
                    }
                    guard more else {
                        dubsEnded.insert(ObjectIdentifier(dub))
                        break
                    }
                    if packet.streamIndex == dub.streamIndex { try dub.decode(packet) }
                }
            }
        }

        let packet = try Packet()
        var lastReport = ContinuousClock.now
        var position = 0.0
        while try source.readPacket(into: packet) {
            if isCancelled() { throw PackagingError(file: plan.source, cause: .cancelled) }
            if let rendition = audioByStream[packet.streamIndex] {
                try rendition.decode(packet)
            } else if let decoder = subtitleDecoders[packet.streamIndex], let event = decoder.decode(packet) {
                if let position = subtitles.firstIndex(where: { $0.track.origin == .stream(packet.streamIndex) }) {
                    subtitles[position].events.append(event)
                }
            }
            if let time = source.demuxer.seconds(of: packet), let start = timeline.start { position = max(position, time - start) }
            let pace = sourceAudio.map(\.seconds).min() ?? position
            try advanceDubs(to: pace)
            try writeSubtitleSegments(through: min(pace, position) - Self.subtitleMargin)
            if ContinuousClock.now - lastReport > .milliseconds(250) {
                lastReport = .now
                progress(pace)
            }
        }
        for rendition in sourceAudio { try rendition.finish() }
        try advanceDubs(to: .infinity)
        for dub in dubs { try dub.finish() }
        let duration = audio.first.map { Double($0.samplesEncoded) / Double($0.sampleRate) } ?? expected
        if plan.video == nil {
            if let expected = source.expectedDuration, duration < expected - max(1, expected * 0.05) {
                throw PackagingError(file: plan.source, cause: .truncated(decoded: duration, expected: expected))
            }
            if duration <= 0 { throw PackagingError(file: plan.source, cause: .noUsableStream) }
        }
        try writeSubtitleSegments(through: .infinity)
        for index in subtitles.indices {
            manifest.subtitles[index].cues = cues(index, duration: plan.video == nil ? duration : expected)
        }
        // A track without a cue is left out (its empty segments stay unlisted).
        for (index, subtitle) in manifest.subtitles.enumerated().reversed() where subtitle.cues?.isEmpty ?? true {
            leaveOut(subtitles[index].track.origin, TrackProblem.noCues)
            manifest.subtitles.remove(at: index)
        }
        manifest.subtitleSegments = subtitleSegments
        manifest.audioSegments = completed.min()
        manifest.audioSamples = audio.first?.samplesEncoded
        try manifest.write(to: folder.trackManifest)
        try? FileManager.default.removeItem(at: folder.trackStaging)
        progress(duration)
        return manifest
    }

    /// Writes WebVTT segment `segment` of a subtitle rendition into the title, unless it
    /// is there already (a listed segment never changes).
    static func writeSubtitleSegment(_ segment: Int, cues: [SubtitleCue], end: Double? = nil, folder: String,
                                     plan: TitlePlan, title: TitleLayout) throws {
        let target = title.subtitleFolder(folder)
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        let file = target.appendingPathComponent(TitleLayout.subtitleSegmentName(segment))
        guard !FileManager.default.fileExists(atPath: file.path) else { return }
        let text = WebVTT(cues: cues).segment(from: plan.timeline.startSeconds(segment),
                                              to: end ?? plan.timeline.startSeconds(segment + 1),
                                              presentationStart: plan.presentationStart)
        try text.write(to: file, atomically: true, encoding: .utf8)
    }

    /// The encoder of one planned audio track: a stream of the source, or the best audio
    /// stream of a dubbing file.
    private func audioEncoder(for track: TrackPlan.AudioTrack, source: MediaSource, layout: TitleLayout,
                              timeline: Timeline, segmentation: AudioSegmentation) throws -> AudioRenditionEncoder {
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
            track: track, demuxer: demuxer, streamIndex: index, settings: plan.preset.audio, layout: layout,
            timeline: timeline, segments: plan.timeline, segmentation: segmentation)
    }

    static func sidecarPath(_ origin: TrackPlan.Origin) -> String? {
        if case let .sidecar(path) = origin { path } else { nil }
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
