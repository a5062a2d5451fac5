import Foundation

/// Measures every rendition a transcode wrote, writes the rungs' I-frame playlists and the
/// master playlist: variants ordered by bandwidth, each with the audio and subtitle groups.
struct MasterPlaylistBuilder {
    let preset: Preset
    let layout: SegmentLayout
    let video: VideoLadder?
    let audio: [AudioRenditionEncoder]
    let subtitles: [SubtitleRendition]
    /// The tracks as published (the default moved if the planned one was left out).
    let tracks: TrackPlan

    static let audioGroup = "audio"
    static let subtitlesGroup = "subs"

    /// The renditions as measured, for the transcode's result.
    struct Published {
        var video: [TranscodeResult.VideoRendition] = []
        var audio: [TranscodeResult.AudioRendition] = []
        var subtitles: [TranscodeResult.SubtitleRendition] = []
    }

    func write() throws -> Published {
        var published = Published()
        var renditions: [MasterPlaylist.Rendition] = []
        var audioPeak = 0, audioAverage = 0
        for rendition in audio {
            let measured = try BitrateMeasurement(playlistAt: rendition.playlist)
            audioPeak = max(audioPeak, measured.peak)
            audioAverage = max(audioAverage, measured.average)
            let track = tracks.audio.first { $0.origin == rendition.track.origin } ?? rendition.track
            let uri = "audio/\(track.folder)/\(SegmentLayout.mediaPlaylistName)"
            renditions.append(MasterPlaylist.Rendition(
                kind: .audio, groupID: Self.audioGroup, language: track.language, name: track.name,
                isDefault: track.isDefault, autoselect: true, forced: false, channels: rendition.channels, uri: uri))
            published.audio.append(TranscodeResult.AudioRendition(
                language: track.language.tag, name: track.name, isDefault: track.isDefault, channels: rendition.channels,
                size: measured.bytes, bandwidth: measured.peak, codecs: rendition.codecString, playlist: uri,
                sidecar: Self.sidecarPath(track.origin)))
        }
        for rendition in subtitles {
            let track = rendition.track
            renditions.append(MasterPlaylist.Rendition(
                kind: .subtitles, groupID: Self.subtitlesGroup, language: track.language, name: track.name,
                isDefault: false, autoselect: true, forced: track.isForced, channels: nil, uri: rendition.playlistURI,
                characteristics: track.isHearingImpaired
                    ? "public.accessibility.transcribes-spoken-dialog,public.accessibility.describes-music-and-sound" : nil))
            published.subtitles.append(TranscodeResult.SubtitleRendition(
                language: track.language.tag, name: track.name, isForced: track.isForced,
                isHearingImpaired: track.isHearingImpaired, cues: rendition.cues.count, playlist: rendition.playlistURI,
                file: rendition.fileURI, sidecar: Self.sidecarPath(track.origin)))
        }
        let audioCodec = audio.first?.codecString
        let subtitlesGroup = subtitles.isEmpty ? nil : Self.subtitlesGroup
        var variants: [MasterPlaylist.Variant] = []
        var iFrameVariants: [MasterPlaylist.IFrameVariant] = []
        for rung in video?.rungs ?? [] {
            let measured = try BitrateMeasurement(playlistAt: rung.playlist)
            let codecs = [rung.codecString] + (audioCodec.map { [$0] } ?? [])
            let uri = SegmentLayout.relativePlaylist(rung.rung.name)
            let variant = MasterPlaylist.Variant(
                bandwidth: measured.peak + audioPeak, averageBandwidth: measured.average + audioAverage,
                codecs: codecs, resolution: (rung.rung.width, rung.rung.height), frameRate: video!.frameRate.doubleValue,
                audioGroup: audio.isEmpty ? nil : Self.audioGroup, subtitlesGroup: subtitlesGroup, uri: uri)
            variants.append(variant)
            var iFrameURI: String?
            if let iFrames = try IFramePlaylist(rungFolder: layout.rungFolder(rung.rung.name)) {
                try iFrames.write(to: layout.rungFolder(rung.rung.name))
                iFrameURI = "\(rung.rung.name)/\(IFramePlaylist.fileName)"
                iFrameVariants.append(MasterPlaylist.IFrameVariant(
                    bandwidth: iFrames.peak, averageBandwidth: iFrames.average, codecs: rung.codecString,
                    width: rung.rung.width, height: rung.rung.height, uri: iFrameURI!))
            }
            published.video.append(TranscodeResult.VideoRendition(
                name: rung.rung.name, width: rung.rung.width, height: rung.rung.height, size: measured.bytes,
                bandwidth: variant.bandwidth, averageBandwidth: variant.averageBandwidth,
                codecs: codecs.joined(separator: ","), playlist: uri, iFramePlaylist: iFrameURI))
        }
        published.video.sort { $0.bandwidth < $1.bandwidth }
        if video == nil {
            // Audio-only title: each audio rendition is a variant of its own.
            for (rendition, result) in zip(audio, published.audio) {
                let measured = try BitrateMeasurement(playlistAt: rendition.playlist)
                variants.append(MasterPlaylist.Variant(
                    bandwidth: measured.peak, averageBandwidth: measured.average, codecs: [result.codecs],
                    resolution: nil, frameRate: nil, audioGroup: nil, subtitlesGroup: subtitlesGroup, uri: result.playlist))
            }
            renditions.removeAll { $0.kind == .audio }
        }
        // fMP4 needs version 7; MPEG-TS 3, or 4 for the I-frame playlists' byte ranges.
        let version = preset.segmentFormat == .fmp4 ? 7 : (iFrameVariants.isEmpty ? 3 : 4)
        let master = MasterPlaylist(version: version, renditions: renditions,
                                    variants: variants, iFrameVariants: iFrameVariants)
        try master.render().write(to: layout.masterPlaylist, atomically: false, encoding: .utf8)
        return published
    }

    private static func sidecarPath(_ origin: TrackPlan.Origin) -> String? {
        if case let .sidecar(path) = origin { path } else { nil }
    }
}
