import Foundation
import LibAV
import VaultLayout

/// One run of `TrackPackager`: the source and the dubbing files opened, an encoder for each
/// audio rendition and the events of each subtitle rendition, how many segments of each are
/// in the title, and the manifest as it grows. Times are seconds on the title's clock (0 at
/// its start, which is `timeline.start` on the source's), not time-base ticks. Runs once.
/// Not thread-safe: runs on the calling thread, and so do the callbacks.
final class TrackRun {
    /// A subtitle rendition's events, known at once for a sidecar and as the source is read
    /// for a stream. `offset` nil for a source stream (its clock's zero is the first frame's
    /// source time), 0 for a sidecar (its zero is the first frame).
    private struct Subtitle {
        let track: TrackPlan.SubtitleTrack
        /// Decoded from the source.
        var events: [SubtitleEvent]
        /// Read from a sidecar by a reader of our own, on its clock (cues sorted).
        var read: SubtitleFile.Contents?
        /// The closed captions of the video, read as the source is.
        var captions: ClosedCaptionTrack?
        let offset: Double?
        /// The cues last placed on the title's clock, and for how many cues or events read
        /// and what cut: each subtitle segment written takes its own from them, and they are
        /// placed again only once more has been read.
        var placed: (read: Int, duration: Double, cues: [SubtitleCue])?

        /// Cues or events read so far.
        var readCount: Int { read?.reading.cues.count ?? captions?.cues.count ?? events.count }
    }

    /// Seconds the source must be read past a subtitle segment's end before it is written:
    /// containers interleave subtitle packets near, not exactly at, their time.
    static let subtitleMargin = 10.0

    private let plan: TitlePlan
    private let folder: PackagingFolder
    private let title: TitleLayout
    private let cipher: SegmentCipher?
    private let segmentsReady: (Int) -> Void
    private let source: MediaSource
    private var tracks: TrackPlan
    private var manifest = TrackManifest()
    /// Tracks that could not be opened, left out of `tracks` before the manifest is first written.
    private var dropped = Set<TrackPlan.Origin>()
    /// Where the audio renditions write their segments before they move into the title.
    private let staging: TitleLayout
    private let timeline: Timeline
    /// Segments in the title, as planned.
    private let segmentsPlanned: Int
    private let packet: Packet, dubPacket: Packet

    /// Every audio rendition: the AAC ones in `tracks.audio` order, then the E-AC-3 ones.
    private var audio: [AudioRenditionEncoder] = []
    /// The renditions of the source's own streams, decoded as the source is read.
    private var sourceAudio: [AudioRenditionEncoder] = []
    /// The renditions of dubbing files, each read from its own file at the source audio's pace.
    private var dubs: [AudioRenditionEncoder] = []
    /// Dubs whose file has ended.
    private var dubsEnded = Set<ObjectIdentifier>()
    /// Segments, from the first, of each audio rendition (in `audio` order) in the title.
    private var completed: [Int] = []
    private var subtitles: [Subtitle] = []
    /// Decoders of the source's subtitle streams, by stream index.
    private var subtitleDecoders: [Int: SubtitleDecoder] = [:]
    /// Segments, from the first, of every subtitle rendition in the title.
    private var subtitleSegments = 0
    /// The last count given to `segmentsReady`.
    private var reported = 0

    /// Opens the source and plans its tracks; the staging folder is emptied.
    init(of packager: TrackPackager, segmentsReady: @escaping (Int) -> Void) throws {
        let plan = packager.plan
        self.plan = plan
        folder = packager.folder
        title = packager.title
        cipher = packager.cipher
        self.segmentsReady = segmentsReady
        source = try MediaSource(path: plan.source)
        tracks = TrackPlan(source: source, sidecars: packager.sidecars, captions: plan.video?.closedCaptions)
        try? FileManager.default.removeItem(at: folder.trackStaging)
        staging = title.rooted(at: folder.trackStaging)
        timeline = Timeline(start: plan.video?.sourceStart, videoSeconds: plan.video.map { _ in plan.expectedDuration })
        segmentsPlanned = plan.timeline.plannedCount
        packet = try Packet()
        dubPacket = try Packet()
    }

    /// Packages the tracks and returns the finished manifest (also written to the folder).
    /// - Parameters:
    ///   - progress: seconds of the title done, a few times a second.
    ///   - isCancelled: polled between packets; true throws `.cancelled`.
    func run(progress: (Double) -> Void, isCancelled: () -> Bool) throws -> TrackManifest {
        openAudio()
        openSubtitles()
        if audio.isEmpty, plan.video == nil, subtitles.isEmpty {
            throw PackagingError(file: plan.source, cause: .noUsableStream)
        }
        try writeRenditions()
        try readSource(progress: progress, isCancelled: isCancelled)
        let duration = try finishAudio()
        try finishSubtitles(duration: duration)
        manifest.subtitleSegments = subtitleSegments
        manifest.audioSegments = completedSegments(.aac)
        manifest.audioSamples = audio.first?.samplesEncoded
        manifest.surroundSegments = completedSegments(.eac3)
        manifest.surroundSamples = audio.first { $0.format.codec == .eac3 }?.packetsEnd
        try manifest.write(to: folder.trackManifest)
        try? FileManager.default.removeItem(at: folder.trackStaging)
        progress(duration)
        return manifest
    }

    /// An encoder for each planned audio track, and an E-AC-3 one beside it when the title
    /// has surround (`TitlePlan.surround`, in folder `<folder>-eac3`); its segments move into
    /// the title as each is whole.
    private func openAudio() {
        guard let segmentation = plan.audio else { return }
        let stereo = AudioFormat.stereo(plan.preset.audio)
        // Each rendition's format comes from its stream's channels.
        var renditions: [(track: TrackPlan.AudioTrack, codec: AudioCodec, format: (Int) -> AudioFormat, segmentation: AudioSegmentation)] =
            tracks.audio.map { ($0, .aac, { _ in stereo }, segmentation) }
        if let surround = plan.surround, let settings = plan.preset.surround {
            renditions += tracks.audio.map { track in
                var copy = track
                copy.folder += "-eac3"
                return (copy, .eac3, { AudioFormat.surround(settings, sampleRate: stereo.sampleRate, sourceChannels: $0) }, surround)
            }
        }
        for (track, codec, format, segmentation) in renditions where !dropped.contains(track.origin) {
            do {
                let rendition = try audioEncoder(for: track, format: format, segmentation: segmentation)
                rendition.leadIn = plan.leadInSamples
                let position = audio.count, staged = rendition.folder
                completed.append(0)
                // Unowned: the renditions belong to this run and call back only while it runs.
                rendition.segmentCompleted = { [unowned self] segment in
                    try self.place(segment, from: staged, into: track.folder)
                    self.completed[position] = segment + 1
                    self.report()
                }
                audio.append(rendition)
                if rendition.demuxer === source.demuxer { sourceAudio.append(rendition) } else { dubs.append(rendition) }
            } catch where codec == .eac3 {  // its stereo rendition stays
                manifest.warnings.append(TrackWarning(file: fileName(track.origin), language: track.language.tag,
                                                      reason: "no E-AC-3 rendition: \(ErrorWords.describe(error))", published: true))
            } catch {
                leaveOut(track.origin, language: track.language, error)
            }
        }
    }

    /// The encoder of one planned audio track: a stream of the source, or the best audio
    /// stream of a dubbing file, in the format `format` gives for its channels.
    private func audioEncoder(for track: TrackPlan.AudioTrack, format: (Int) -> AudioFormat,
                              segmentation: AudioSegmentation) throws -> AudioRenditionEncoder {
        let demuxer: Demuxer, index: Int, channels: Int
        switch track.origin {
        case let .stream(stream):
            (demuxer, index, channels) = (source.demuxer, stream, source.channels(of: track.origin) ?? 2)
        case let .sidecar(path):
            let file = try MediaSource(path: path)
            guard let stream = file.audio.first else { throw PackagingError(file: path, cause: .noUsableStream) }
            (demuxer, index, channels) = (file.demuxer, stream.index, stream.channels ?? 2)
            demuxer.discardAll(except: [index])
        case .captions:  // a subtitle origin only
            throw PackagingError(file: plan.source, cause: .noUsableStream)
        }
        return try AudioRenditionEncoder(
            track: track, demuxer: demuxer, streamIndex: index, format: format(channels), layout: staging,
            timeline: timeline, segments: plan.timeline, segmentation: segmentation, cipher: cipher)
    }

    /// Moves audio segment `segment` from a rendition's staging folder `staged` into the
    /// title's `audio/<folder>/`, with the init segment (fMP4) if the title has none yet.
    private func place(_ segment: Int, from staged: URL, into folder: String) throws {
        let target = title.audioFolder(folder)
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        if title.format == .fmp4 {
            try FileTransfer.placeOnce(staged.appendingPathComponent(TitleLayout.initSegmentName),
                                       at: target.appendingPathComponent(TitleLayout.initSegmentName))
        }
        let name = title.segmentName(segment)
        try FileTransfer.placeOnce(staged.appendingPathComponent(name), at: target.appendingPathComponent(name))
    }

    /// A decoder for each subtitle stream of the source (decoded as the source is read), the
    /// events of each subtitle sidecar (read at once).
    private func openSubtitles() {
        for track in tracks.subtitles {
            do {
                switch track.origin {
                case let .stream(index):
                    subtitleDecoders[index] = try SubtitleDecoder(demuxer: source.demuxer, streamIndex: index)
                    subtitles.append(Subtitle(track: track, events: [], offset: nil))
                case let .sidecar(path):
                    var contents = try SubtitleFile.read(at: path, language: track.language)
                    contents.reading.cues.sort { ($0.start, $0.end) < ($1.start, $1.end) }
                    subtitles.append(Subtitle(track: track, events: [], read: contents, offset: 0))
                case .captions:
                    guard let video = source.video, let captions = ClosedCaptionTrack(source: source, stream: video) else {
                        throw PackagingError(file: plan.source, cause: .noUsableStream)
                    }
                    subtitles.append(Subtitle(track: track, events: [], captions: captions, offset: nil))
                }
            } catch {
                leaveOut(track.origin, language: track.language, error)
            }
        }
    }

    /// Writes the manifest's first version: the renditions that will exist, before any of
    /// their segments is listed.
    private func writeRenditions() throws {
        tracks.remove(dropped)
        manifest.audio = audio.map { rendition in
            let track = rendition.track
            return TrackManifest.Audio(folder: track.folder, language: track.language, name: track.name, isDefault: track.isDefault,
                                       channels: rendition.channels, codecs: rendition.codecString, sidecar: track.origin.sidecarPath,
                                       codec: rendition.format.codec)
        }
        manifest.subtitles = subtitles.map { entry in
            let track = entry.track
            return TrackManifest.Subtitle(folder: track.folder, language: track.language, name: track.name,
                                          isForced: track.isForced, isHearingImpaired: track.isHearingImpaired,
                                          sidecar: track.origin.sidecarPath)
        }
        try manifest.write(to: folder.trackManifest)
    }

    /// Reads the source to its end, the dubs at the pace of its audio, and writes the
    /// subtitle segments the source has passed.
    private func readSource(progress: (Double) -> Void, isCancelled: () -> Bool) throws {
        source.demuxer.discardAll(except: Set(sourceAudio.map(\.streamIndex) + subtitleDecoders.keys + captionStreams))
        var lastReport = ContinuousClock.now
        var position = 0.0  // how far the source has been read
        while try source.readPacket(into: packet) {
            if isCancelled() { throw PackagingError(file: plan.source, cause: .cancelled) }
            try decode(packet)
            if let time = source.demuxer.seconds(of: packet), let start = timeline.start { position = max(position, time - start) }
            let pace = sourceAudio.map(\.seconds).min() ?? position
            try advanceDubs(to: pace)
            try writeSubtitleSegments(through: min(min(pace, position) - Self.subtitleMargin, captionsHeld(at: position)))
            if ContinuousClock.now - lastReport > .milliseconds(250) {
                lastReport = .now
                progress(pace)
            }
        }
    }

    /// Decodes a packet of the source into its audio renditions (AAC, and E-AC-3 beside it)
    /// or its subtitle track's events.
    private func decode(_ packet: Packet) throws {
        let renditions = sourceAudio.filter { $0.streamIndex == packet.streamIndex }
        if !renditions.isEmpty {
            for rendition in renditions { try rendition.decode(packet) }
        } else if let position = subtitles.firstIndex(where: { $0.track.origin == .captions(packet.streamIndex) }) {
            subtitles[position].captions?.read(packet)
        } else if let decoder = subtitleDecoders[packet.streamIndex], let event = decoder.decode(packet),
                  let position = subtitles.firstIndex(where: { $0.track.origin == .stream(packet.streamIndex) }) {
            subtitles[position].events.append(event)
        }
    }

    /// Brings every dub to `seconds`; a dub whose file ends or is damaged stops there (its
    /// finish pads it with silence).
    private func advanceDubs(to seconds: Double) throws {
        for dub in dubs where dub.seconds < seconds && !dubsEnded.contains(ObjectIdentifier(dub)) {
            while dub.seconds < seconds {
                let more: Bool
                do {
                    more = try dub.demuxer.read(into: dubPacket)
                } catch {
                    more = false
                    manifest.warnings.append(TrackWarning(file: fileName(dub.track.origin), language: dub.track.language.tag,
                                                          reason: "\(error.reason); the dub is silent from \(Int(dub.seconds)) s", published: true))
                }
                guard more else {
                    dubsEnded.insert(ObjectIdentifier(dub))
                    break
                }
                if dubPacket.streamIndex == dub.streamIndex { try dub.decode(dubPacket) }
            }
        }
    }

    /// Flushes every audio rendition and returns the title's length in seconds: the first
    /// rendition's, else the planned one. Without video, audio that falls far short of the
    /// source's length is a truncated file.
    private func finishAudio() throws -> Double {
        for rendition in sourceAudio { try rendition.finish() }
        try advanceDubs(to: .infinity)
        for dub in dubs { try dub.finish() }
        let duration = audio.first.map { Double($0.samplesEncoded) / Double($0.sampleRate) } ?? plan.expectedDuration
        if plan.video == nil {
            if let expected = source.expectedDuration, duration < expected - max(1, expected * 0.05) {
                throw PackagingError(file: plan.source, cause: .truncated(decoded: duration, expected: expected))
            }
            if duration <= 0 { throw PackagingError(file: plan.source, cause: .noUsableStream) }
        }
        return duration
    }

    /// Writes the remaining subtitle segments and puts every track's cues in the manifest,
    /// cut at the title's end (`duration` seconds without video); a track without a cue is
    /// left out (its empty segments stay unlisted), and each track whose file was not read
    /// whole gets its warning.
    private func finishSubtitles(duration: Double) throws {
        for index in subtitles.indices { subtitles[index].captions?.finish() }
        try writeSubtitleSegments(through: .infinity)
        for index in subtitles.indices {
            manifest.subtitles[index].cues = cues(index, duration: plan.video == nil ? duration : plan.expectedDuration)
        }
        for (index, subtitle) in zip(subtitles.indices, subtitles) {
            if let warning = TrackProblem.warning(for: subtitle.read, cuesInTitle: manifest.subtitles[index].cues?.count ?? 0,
                                                  file: fileName(subtitle.track.origin), language: subtitle.track.language) {
                manifest.warnings.append(warning)
            }
        }
        manifest.subtitles.removeAll { $0.cues?.isEmpty ?? true }
    }

    /// Where the closed captions hold the subtitle segments back (title clock): a caption on
    /// screen ends only when the screen changes, and a segment is written once. A caption held
    /// longer than `captionHold` no longer holds them (the segments written meanwhile lack it).
    private func captionsHeld(at position: Double) -> Double {
        let offset = timeline.start ?? 0
        let since = subtitles.compactMap { $0.captions?.undecidedSince.map { $0 - offset } }.min() ?? .infinity
        return position - since > Self.captionHold ? .infinity : since
    }

    static let captionHold = 30.0

    /// Writes the subtitle segments that end before `position` seconds (never the title's
    /// last: the finish writes it, knowing where the title ends).
    private func writeSubtitleSegments(through position: Double) throws {
        while !subtitles.isEmpty, subtitleSegments < segmentsPlanned - 1,
              plan.timeline.startSeconds(subtitleSegments + 1) <= position {
            for index in subtitles.indices {
                try TrackPackager.writeSubtitleSegment(subtitleSegments, cues: cues(index, duration: plan.expectedDuration),
                                                       folder: subtitles[index].track.folder, plan: plan, title: title)
            }
            subtitleSegments += 1
            report()
        }
    }

    /// Cues of subtitle track `position` on the title's clock, cut at `duration` seconds.
    private func cues(_ position: Int, duration: Double) -> [SubtitleCue] {
        let entry = subtitles[position]
        if let placed = entry.placed, placed.read == entry.readCount, placed.duration == duration { return placed.cues }
        let offset = entry.offset ?? timeline.start ?? 0
        let cues = if let read = entry.read?.reading.cues ?? entry.captions?.cues {
            read.compactMap { $0.placed(offset: offset, duration: duration) }
        } else {
            SubtitleCue.cues(from: entry.events, offset: offset, duration: duration)
        }
        subtitles[position].placed = (entry.readCount, duration, cues)
        return cues
    }

    /// Segments every rendition of `codec` has; nil for a title without one. E-AC-3's last may
    /// be missing: its whole frames end before a last video segment of a frame or two.
    private func completedSegments(_ codec: AudioCodec) -> Int? {
        zip(audio, completed).filter { $0.0.format.codec == codec }.map(\.1).min()
    }

    /// Tells `segmentsReady` how many segments now exist in every rendition, when that grew.
    private func report() {
        let ready = min(completed.min() ?? .max, subtitles.isEmpty ? .max : subtitleSegments)
        if ready != .max, ready > reported {
            reported = ready
            segmentsReady(ready)
        }
    }

    /// Leaves a track out of the title, with a warning naming its file and why.
    private func leaveOut(_ origin: TrackPlan.Origin, language: Language, _ error: Error) {
        dropped.insert(origin)
        let reason = (error as? PackagingError)?.reason ?? ErrorWords.describe(error)
        manifest.warnings.append(TrackWarning(file: fileName(origin), language: language.tag, reason: reason, published: false))
    }

    /// A track's file as a user names it: the sidecar's name, or the source's with the stream.
    private func fileName(_ origin: TrackPlan.Origin) -> String {
        switch origin {
        case let .sidecar(path): URL(fileURLWithPath: path).lastPathComponent
        case let .stream(index): URL(fileURLWithPath: plan.source).lastPathComponent + "#\(index)"
        case let .captions(index): URL(fileURLWithPath: plan.source).lastPathComponent + "#\(index) (CC1)"
        }
    }

    /// The video stream whose captions are read, if any.
    private var captionStreams: [Int] {
        subtitles.compactMap { if case let .captions(index) = $0.track.origin { index } else { nil } }
    }
}

private extension TrackPlan.Origin {
    /// The sidecar file's path; nil for a stream of the source.
    var sidecarPath: String? {
        if case let .sidecar(path) = self { path } else { nil }
    }
}
