import Foundation
import VaultLayout

/// A title's playlists, made from its plan and its tracks' manifest (SPEC §5, §10). While
/// the title is packaged: EVENT media playlists of the segments complete in every
/// rendition, and a master whose `BANDWIDTH` is the bound the encoder settings guarantee.
/// At the end: every segment, `EXT-X-ENDLIST`, I-frame playlists and the measured master.
/// Every playlist is replaced by rename, so a reader sees one whole version or the other.
public struct TitlePlaylists: Sendable {
    public let plan: TitlePlan
    public let tracks: TrackManifest
    public let layout: TitleLayout

    /// The `EXT-X-MEDIA` group of an audio codec: `aac`, `eac3` (SPEC §13).
    static func audioGroup(_ codec: AudioCodec) -> String { codec.rawValue }
    static let subtitlesGroup = "subs"
    static let closedCaptionsGroup = "cc"

    public init(plan: TitlePlan, tracks: TrackManifest, layout: TitleLayout) {
        self.plan = plan
        self.tracks = tracks
        self.layout = layout
    }

    /// The media playlists of every rendition, relative to the title folder.
    var mediaPlaylists: [String] {
        (plan.video?.rungs.map { TitleLayout.rungPlaylist($0.name) } ?? [])
            + tracks.audio.map { TitleLayout.audioPlaylist($0.folder) }
            + tracks.subtitles.map(\.playlistURI)
    }

    /// How many segments the title's playlists list now (0 before the first listing).
    public func listedCount() -> Int {
        guard let first = mediaPlaylists.first,
              let text = try? String(contentsOf: layout.root.appendingPathComponent(first), encoding: .utf8),
              let playlist = MediaPlaylist(text: text) else { return 0 }
        return playlist.segments.count
    }

    // MARK: While packaging

    /// Lists the first `count` segments in every media playlist (EVENT, no ENDLIST) and in
    /// the dynamic MPD, after them; the first time, writes the master with bound bit rates.
    /// Does nothing when as many are listed already: a listed segment is never withdrawn.
    /// Returns whether it listed more.
    /// - Parameter availableSince: when the title's packaging began (the MPD's
    ///   `availabilityStartTime`, the same at every listing).
    @discardableResult
    public func list(_ count: Int, availableSince: Date) throws -> Bool {
        guard count > listedCount() else { return false }
        let video = videoSegments(count, totalFrames: .max), audio = audioSegments(aac: count, eac3: count, ended: false)
        for rung in plan.video?.rungs ?? [] {
            try write(segments: video.map(videoSeconds), type: .event, ended: false, to: layout.rungFolder(rung.name), initSegment: hasInit)
        }
        for track in tracks.audio {
            try write(segments: audio[track.group, default: []].map(audioSeconds), type: .event, ended: false,
                      to: layout.audioFolder(track.folder), initSegment: hasInit)
        }
        for subtitle in tracks.subtitles {
            try write(segments: (0..<count).map { plan.timeline.startSeconds($0 + 1) - plan.timeline.startSeconds($0) },
                      type: .event, ended: false, to: layout.subtitleFolder(subtitle.folder), initSegment: false, subtitles: true)
        }
        try writeDASH(video: video, audio: audio, bandwidths: { rung in boundBandwidth(rung) - audioBound(.aac) },
                      audioBandwidth: { audioBound($0.group) },
                      presentation: .growing(availableSince: availableSince, published: Date(), expectedDuration: plan.expectedDuration,
                                             updatePeriod: plan.preset.segmentDuration))
        if !FileManager.default.fileExists(atPath: layout.masterPlaylist.path) { try writeBoundMaster() }
        return true
    }

    /// The bit rate the encoder settings guarantee for a rung's variant with audio `group`:
    /// `maxrate` (half as much again for AV1, whose cap is soft) plus a full VBV buffer spent
    /// in one segment, plus the group's largest audio rendition.
    public func boundBandwidth(_ rung: PlannedRung, group: AudioCodec = .aac) -> Int {
        let cap = rung.codec == .av1 ? rung.maxrate * 3 / 2 : rung.maxrate  // SVT-AV1's cap is soft
        return cap + Int((Double(rung.bufsize) / plan.preset.segmentDuration).rounded(.up)) + audioBound(group)
    }

    /// A group's largest bit rate (AAC at the preset's, E-AC-3 5.1 at the surround's), with
    /// room for the container; 0 for a title without that group.
    func audioBound(_ group: AudioCodec) -> Int { tracks.audio.contains { $0.group == group } ? audioBitrate(group) * 5 / 4 : 0 }

    private func audioBitrate(_ group: AudioCodec) -> Int {
        // E-AC-3 below 5.1 gets at least 96 kb/s (`AudioFormat.surround`).
        group == .aac ? plan.preset.audio.bitrate : max(96_000, plan.preset.surround?.bitrate ?? 0)
    }

    /// The title's audio groups, AAC first; a title without audio has none.
    private var audioGroups: [AudioCodec] { [.aac, .eac3].filter { group in tracks.audio.contains { $0.group == group } } }

    /// The audio group of each of a rung's variants: one variant per group (nil: no audio).
    private var variantGroups: [AudioCodec?] { audioGroups.isEmpty ? [nil] : audioGroups.map { $0 } }

    private func writeBoundMaster() throws {
        let variants: [MasterPlaylist.Variant]
        if let video = plan.video {
            variants = zip(video.rungs, video.codecs).flatMap { rung, codec in
                variantGroups.map { group in
                    variant(rung: rung, codec: codec, group: group, bandwidth: boundBandwidth(rung, group: group ?? .aac),
                            average: rung.bitrate + (group.map(audioBitrate) ?? 0))
                }
            }
        } else {
            variants = tracks.audio.map { audioVariant($0, bandwidth: audioBound($0.group), average: audioBitrate($0.group)) }
        }
        try writeMaster(variants: variants, iFrames: [])
    }

    /// The title as it is recorded while processing: its renditions with the bound bit
    /// rates, its expected length; sizes are not known yet.
    public func processingResult() -> TranscodeResult {
        let video = plan.video.map { video in
            zip(video.rungs, video.codecs).map { rung, codec -> TranscodeResult.VideoRendition in
                let variant = variant(rung: rung, codec: codec, group: audioGroups.first, bandwidth: boundBandwidth(rung),
                                      average: rung.bitrate)
                return TranscodeResult.VideoRendition(
                    name: rung.name, width: rung.width, height: rung.height, size: 0, bandwidth: variant.bandwidth,
                    averageBandwidth: variant.averageBandwidth, codecs: variant.codecs.joined(separator: ","),
                    playlist: variant.uri, iFramePlaylist: nil)
            }
        } ?? []
        return TranscodeResult(
            input: plan.source, output: layout.root.path, preset: plan.preset.name, duration: plan.expectedDuration,
            frameRate: plan.video?.frameRate.doubleValue, video: video,
            audio: tracks.audio.map {
                TranscodeResult.AudioRendition(language: $0.language.tag, name: $0.name, isDefault: $0.isDefault,
                                               channels: $0.channels, size: 0, bandwidth: audioBound($0.group), codecs: $0.codecs,
                                               playlist: TitleLayout.audioPlaylist($0.folder), sidecar: $0.sidecar, codec: $0.codec)
            },
            subtitles: tracks.subtitles.map {
                TranscodeResult.SubtitleRendition(language: $0.language.tag, name: $0.name, isForced: $0.isForced,
                                                  isHearingImpaired: $0.isHearingImpaired, cues: 0, playlist: $0.playlistURI,
                                                  file: $0.fileURI, sidecar: $0.sidecar)
            },
            poster: nil, storyboard: nil, dash: dashManifest, warnings: plan.warnings, elapsed: 0, speed: 0)
    }

    // MARK: At the end

    /// Sizes of the finished title, for the catalog.
    public struct Measured: Sendable {
        public var video: [TranscodeResult.VideoRendition] = []
        public var audio: [TranscodeResult.AudioRendition] = []
        public var subtitles: [TranscodeResult.SubtitleRendition] = []
    }

    /// Writes every media playlist whole with `EXT-X-ENDLIST` (`type` EVENT for a title that
    /// was listed while packaged, which must keep its type; VOD otherwise), the remaining
    /// subtitle segments, the I-frame playlists and the measured master.
    /// - Parameter totalFrames: the video's frames, as the last chunk found them.
    public func finish(totalFrames: Int?, type: PlaylistType) throws -> Measured {
        let video = totalFrames.map { videoSegments(plan.timeline.segment(atFrame: $0 - 1) + 1, totalFrames: $0) } ?? []
        let videoDurations = totalFrames == nil ? nil : video.map(videoSeconds)
        for rung in plan.video?.rungs ?? [] {
            try write(segments: videoDurations ?? [], type: type, ended: true, to: layout.rungFolder(rung.name), initSegment: hasInit)
        }
        let audio = audioSegments(aac: tracks.audioSegments ?? 0, eac3: tracks.surroundSegments ?? tracks.audioSegments ?? 0, ended: true)
        let audioDurations = audio[.aac, default: []].map(audioSeconds)
        for track in tracks.audio {
            try write(segments: audio[track.group, default: []].map(audioSeconds), type: type, ended: true,
                      to: layout.audioFolder(track.folder), initSegment: hasInit)
        }
        let subtitleDurations = videoDurations ?? audioDurations
        let titleEnd = subtitleDurations.reduce(0, +)
        for subtitle in tracks.subtitles {
            let cues = (subtitle.cues ?? []).compactMap { cue -> SubtitleCue? in
                cue.start < titleEnd ? SubtitleCue(start: cue.start, end: min(cue.end, titleEnd), text: cue.text) : nil
            }
            for segment in 0..<subtitleDurations.count {
                try TrackPackager.writeSubtitleSegment(segment, cues: cues,
                                                       end: segment == subtitleDurations.count - 1 ? titleEnd : nil,
                                                       folder: subtitle.folder, plan: plan, title: layout)
            }
            try WebVTT(cues: cues).document().write(to: layout.subtitleFile(subtitle.folder), atomically: true, encoding: .utf8)
            try write(segments: subtitleDurations, type: type, ended: true, to: layout.subtitleFolder(subtitle.folder),
                      initSegment: false, subtitles: true)
        }
        let measured = try writeMeasuredMaster()
        let audioPeak = measured.audio.filter { $0.codec != .eac3 }.map(\.bandwidth).max() ?? 0
        try writeDASH(video: video, audio: audio,
                      bandwidths: { rung in (measured.video.first { $0.name == rung.name }?.bandwidth ?? audioPeak) - audioPeak },
                      audioBandwidth: { track in measured.audio.first { $0.playlist == TitleLayout.audioPlaylist(track.folder) }?.bandwidth ?? 0 },
                      presentation: .complete(duration: titleEnd), withText: true)
        return measured
    }

    private func writeMeasuredMaster() throws -> Measured {
        var measured = Measured()
        var audioPeak: [AudioCodec: Int] = [:], audioAverage: [AudioCodec: Int] = [:]
        for audio in tracks.audio {
            let uri = TitleLayout.audioPlaylist(audio.folder)
            let bitrate = try BitrateMeasurement(playlistAt: layout.root.appendingPathComponent(uri))
            audioPeak[audio.group] = max(audioPeak[audio.group] ?? 0, bitrate.peak)
            audioAverage[audio.group] = max(audioAverage[audio.group] ?? 0, bitrate.average)
            measured.audio.append(TranscodeResult.AudioRendition(
                language: audio.language.tag, name: audio.name, isDefault: audio.isDefault, channels: audio.channels,
                size: bitrate.bytes, bandwidth: bitrate.peak, codecs: audio.codecs, playlist: uri, sidecar: audio.sidecar,
                codec: audio.codec))
        }
        measured.subtitles = tracks.subtitles.map {
            TranscodeResult.SubtitleRendition(language: $0.language.tag, name: $0.name, isForced: $0.isForced,
                                              isHearingImpaired: $0.isHearingImpaired, cues: $0.cues?.count ?? 0,
                                              playlist: $0.playlistURI, file: $0.fileURI, sidecar: $0.sidecar)
        }
        var variants: [MasterPlaylist.Variant] = [], iFrames: [MasterPlaylist.IFrameVariant] = []
        if let video = plan.video {
            for (rung, codec) in zip(video.rungs, video.codecs) {
                let folder = layout.rungFolder(rung.name)
                let bitrate = try BitrateMeasurement(playlistAt: folder.appendingPathComponent(TitleLayout.mediaPlaylistName))
                let rungVariants = variantGroups.map { group in
                    variant(rung: rung, codec: codec, group: group, bandwidth: bitrate.peak + (group.flatMap { audioPeak[$0] } ?? 0),
                            average: bitrate.average + (group.flatMap { audioAverage[$0] } ?? 0))
                }
                variants += rungVariants
                let first = rungVariants[0]  // the first group's, for the catalog
                var iFrameURI: String?
                // An I-frame range inside a segment encrypted whole cannot be decrypted on its own.
                if plan.preset.encryption == .none, let playlist = try IFramePlaylist(rungFolder: folder) {
                    try playlist.write(to: folder)
                    iFrameURI = TitleLayout.iFramePlaylist(rung.name)
                    iFrames.append(MasterPlaylist.IFrameVariant(
                        bandwidth: playlist.peak, averageBandwidth: playlist.average, codecs: codec,
                        width: rung.width, height: rung.height, videoRange: videoRange(rung), uri: iFrameURI!))
                }
                measured.video.append(TranscodeResult.VideoRendition(
                    name: rung.name, width: rung.width, height: rung.height, size: bitrate.bytes,
                    bandwidth: first.bandwidth, averageBandwidth: first.averageBandwidth,
                    codecs: first.codecs.joined(separator: ","), playlist: first.uri, iFramePlaylist: iFrameURI))
            }
            measured.video.sort { $0.bandwidth < $1.bandwidth }
        } else {
            for (audio, result) in zip(tracks.audio, measured.audio) {
                let bitrate = try BitrateMeasurement(playlistAt: layout.root.appendingPathComponent(result.playlist))
                variants.append(audioVariant(audio, bandwidth: bitrate.peak, average: bitrate.average))
            }
        }
        try writeMaster(variants: variants, iFrames: iFrames)
        return measured
    }

    // MARK: Segments on each track's clock

    typealias Span = DASHManifest.Timeline.Segment

    /// Video segments `0..<count` in frames from the title's first (the last ends at `totalFrames`).
    private func videoSegments(_ count: Int, totalFrames: Int) -> [Span] {
        guard plan.video != nil else { return [] }
        return (0..<count).map { n in
            let start = plan.timeline.startFrame(n)
            return Span(start: Int64(start), duration: Int64(min(plan.timeline.startFrame(n + 1), totalFrames) - start))
        }
    }

    /// Each audio group's first `aac` or `eac3` segments in samples on the title's clock;
    /// once `ended`, the last ends where its renditions do.
    private func audioSegments(aac: Int, eac3: Int, ended: Bool) -> [AudioCodec: [Span]] {
        [.aac: audioSegments(aac, totalSamples: ended ? tracks.audioSamples : nil, segmentation: plan.audio),
         .eac3: audioSegments(eac3, totalSamples: ended ? tracks.surroundSamples : nil, segmentation: plan.surround)]
    }

    /// Audio segments `0..<count` of `segmentation`; the last ends at `totalSamples`, if given.
    private func audioSegments(_ count: Int, totalSamples: Int64?, segmentation: AudioSegmentation?) -> [Span] {
        guard let segmentation else { return [] }
        return (0..<count).map { n in
            let start = segmentation.start(n, on: plan.timeline), next = segmentation.start(n + 1, on: plan.timeline)
            return Span(start: start, duration: (n == count - 1 ? totalSamples ?? next : next) - start)
        }
    }

    private func videoSeconds(_ span: Span) -> Double {
        guard let rate = plan.video?.frameRate else { return 0 }
        return Double(span.duration) * Double(rate.denominator) / Double(rate.numerator)
    }

    private func audioSeconds(_ span: Span) -> Double { Double(span.duration) / Double(plan.audio?.sampleRate ?? 1) }

    // MARK: DASH

    /// The MPD's path in the title, for fMP4 titles (MPEG-TS segments are not CMAF).
    /// Not for AES-128 titles: a DASH client expects CENC, not whole-segment encryption.
    public var dashManifest: String? {
        layout.format == .fmp4 && plan.preset.encryption == .none ? TitleLayout.dashManifestName : nil
    }

    /// Writes `manifest.mpd` over the segments `video` (frames) and `audio` (samples, per group), after
    /// the media playlists, so it never lists a segment they do not (fMP4 titles only).
    /// Subtitles (the whole-file WebVTT, written at the end)
    /// only when the title is complete (`withText`).
    private func writeDASH(video: [Span], audio: [AudioCodec: [Span]], bandwidths: (PlannedRung) -> Int, audioBandwidth: (TrackManifest.Audio) -> Int,
                           presentation: DASHManifest.Presentation, withText: Bool = false) throws {
        guard dashManifest != nil else { return }
        var sets: [DASHManifest.VideoSet] = []
        if let videoPlan = plan.video, let timescale = plan.timeline.videoTimescale {
            let tick = Int64(timescale) * Int64(videoPlan.frameRate.denominator) / Int64(videoPlan.frameRate.numerator)
            let timeline = DASHManifest.Timeline(
                timescale: timescale, presentationTimeOffset: plan.leadInFrames * tick,
                segments: video.map { Span(start: (plan.leadInFrames + $0.start) * tick, duration: $0.duration * tick) })
            let rungs = zip(videoPlan.rungs, videoPlan.codecs).map { rung, codecs in
                (SetKey(codec: rung.codec, hdr: rung.hdr?.transfer),
                 DASHManifest.Video(id: TitleLayout.rungPath(rung.name), codecs: codecs, bandwidth: bandwidths(rung),
                                    width: rung.width, height: rung.height))
            }
            var keys: [SetKey] = []
            for (key, _) in rungs where !keys.contains(key) { keys.append(key) }
            sets = keys.map { key in
                DASHManifest.VideoSet(representations: rungs.filter { $0.0 == key }.map(\.1), frameRate: videoPlan.frameRate,
                                      timeline: timeline, closedCaptions: key.codec.carriesClosedCaptions ? videoPlan.closedCaptions : nil,
                                      hdr: key.hdr)
            }
        }
        let samples = plan.leadInSamples
        func audioTimeline(_ group: AudioCodec) -> DASHManifest.Timeline {
            DASHManifest.Timeline(timescale: plan.audio?.sampleRate ?? 1, presentationTimeOffset: samples,
                                  segments: audio[group, default: []].map { Span(start: samples + $0.start, duration: $0.duration) })
        }
        let manifest = DASHManifest(
            presentation: presentation, minBufferTime: Double(plan.timeline.targetDuration), initSegment: TitleLayout.initSegmentName,
            segmentTemplate: layout.dashSegmentTemplate, startNumber: TitleLayout.fileNumber(0), video: sets,
            audio: tracks.audio.map { track in
                DASHManifest.Audio(id: "audio-\(track.folder)", path: TitleLayout.audioPath(track.folder), language: track.language,
                                   label: track.name, isDefault: track.isDefault, channels: track.channels, codecs: track.codecs,
                                   bandwidth: audioBandwidth(track), sampleRate: plan.audio?.sampleRate ?? 0, timeline: audioTimeline(track.group))
            },
            text: withText ? tracks.subtitles.map { track in
                DASHManifest.Text(id: "subs-\(track.folder)", path: track.fileURI, language: track.language, label: track.name,
                                  isForced: track.isForced, isHearingImpaired: track.isHearingImpaired)
            } : [])
        try manifest.render().write(to: layout.dashManifest, atomically: true, encoding: .utf8)
    }

    // MARK: Pieces

    public enum PlaylistType: String, Sendable { case event = "EVENT", vod = "VOD" }

    private var hasInit: Bool { layout.format == .fmp4 }

    private func write(segments durations: [Double], type: PlaylistType, ended: Bool, to folder: URL, initSegment: Bool,
                       subtitles: Bool = false) throws {
        let segments = durations.enumerated().map { segment, duration in
            MediaPlaylist.Segment(duration: duration, uri: subtitles ? TitleLayout.subtitleSegmentName(segment) : layout.segmentName(segment))
        }
        // fMP4 media playlists need version 6 or later (EXT-X-MAP without I-frames only); we say 7 as the master does.
        var playlist = MediaPlaylist(version: subtitles || !initSegment ? 3 : 7,
                                     initSegment: initSegment ? TitleLayout.initSegmentName : nil, segments: segments)
        playlist.playlistType = type.rawValue
        playlist.hasEndList = ended
        if plan.preset.encryption == .aes128, !subtitles {
            playlist.key = MediaPlaylist.Key(uri: layout.keyURL, initIV: SegmentCipher.initIV)
        }
        playlist.targetDuration = max(plan.timeline.targetDuration, Int((durations.max() ?? 0).rounded()))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try playlist.render().write(to: folder.appendingPathComponent(TitleLayout.mediaPlaylistName), atomically: true, encoding: .utf8)
    }

    /// What puts video rungs in one DASH AdaptationSet: their codec and range.
    private struct SetKey: Equatable {
        let codec: VideoCodec
        let hdr: HDRFormat.Transfer?
    }

    /// A rung's `VIDEO-RANGE`: on every variant once any rung is HDR (SPEC §13), else none.
    private func videoRange(_ rung: PlannedRung) -> MasterPlaylist.VideoRange? {
        guard plan.video?.rungs.contains(where: { $0.hdr != nil }) ?? false else { return nil }
        return rung.hdr?.videoRange ?? .sdr
    }

    /// A rung's variant with audio `group` (nil: a title without audio).
    private func variant(rung: PlannedRung, codec: String, group: AudioCodec?, bandwidth: Int, average: Int) -> MasterPlaylist.Variant {
        MasterPlaylist.Variant(
            bandwidth: bandwidth, averageBandwidth: average,
            codecs: [codec] + (tracks.audio.first { $0.group == group }.map { [$0.codecs] } ?? []),
            resolution: (rung.width, rung.height), frameRate: plan.video?.frameRate.doubleValue, videoRange: videoRange(rung),
            audioGroup: group.map(Self.audioGroup),
            subtitlesGroup: tracks.subtitles.isEmpty ? nil : Self.subtitlesGroup,
            closedCaptionsGroup: plan.video?.closedCaptions != nil && rung.codec.carriesClosedCaptions ? Self.closedCaptionsGroup : nil,
            uri: TitleLayout.rungPlaylist(rung.name))
    }

    /// Audio-only title: each audio rendition is a variant of its own.
    private func audioVariant(_ audio: TrackManifest.Audio, bandwidth: Int, average: Int) -> MasterPlaylist.Variant {
        MasterPlaylist.Variant(bandwidth: bandwidth, averageBandwidth: average, codecs: [audio.codecs], resolution: nil,
                               frameRate: nil, audioGroup: nil, subtitlesGroup: tracks.subtitles.isEmpty ? nil : Self.subtitlesGroup,
                               uri: TitleLayout.audioPlaylist(audio.folder))
    }

    private func writeMaster(variants: [MasterPlaylist.Variant], iFrames: [MasterPlaylist.IFrameVariant]) throws {
        var renditions: [MasterPlaylist.Rendition] = []
        if plan.video != nil {
            renditions += tracks.audio.map { audio in
                MasterPlaylist.Rendition(kind: .audio, groupID: Self.audioGroup(audio.group), language: audio.language, name: audio.name,
                                         isDefault: audio.isDefault, autoselect: true, forced: false, channels: audio.channels,
                                         uri: TitleLayout.audioPlaylist(audio.folder))
            }
        }
        renditions += tracks.subtitles.map { track in
            MasterPlaylist.Rendition(
                kind: .subtitles, groupID: Self.subtitlesGroup, language: track.language, name: track.name,
                isDefault: false, autoselect: true, forced: track.isForced, channels: nil, uri: track.playlistURI,
                characteristics: track.isHearingImpaired
                    ? "public.accessibility.transcribes-spoken-dialog,public.accessibility.describes-music-and-sound" : nil)
        }
        if let language = plan.video?.closedCaptions, variants.contains(where: { $0.closedCaptionsGroup != nil }) {
            renditions.append(MasterPlaylist.Rendition(kind: .closedCaptions, groupID: Self.closedCaptionsGroup, language: language,
                                                       name: language.name, isDefault: false, autoselect: true, forced: false,
                                                       channels: nil, uri: "CC1"))
        }
        // fMP4 needs version 7; MPEG-TS 3, or 4 for the I-frame playlists' byte ranges.
        let version = layout.format == .fmp4 ? 7 : (iFrames.isEmpty ? 3 : 4)
        try MasterPlaylist(version: version, renditions: renditions, variants: variants, iFrameVariants: iFrames).render()
            .write(to: layout.masterPlaylist, atomically: true, encoding: .utf8)
    }
}
