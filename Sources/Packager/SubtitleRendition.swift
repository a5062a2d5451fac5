import Foundation
import VaultLayout

/// Writes one subtitle rendition of a title: WebVTT segments cut on the video's segment
/// boundaries, their media playlist, and the whole track as one file.
struct SubtitleRendition {
    let track: TrackPlan.SubtitleTrack
    let cues: [SubtitleCue]

    /// Playlist URI relative to the master playlist (`subs/en/index.m3u8`).
    var playlistURI: String { TitleLayout.subtitlePlaylist(track.folder) }
    /// The whole-track file relative to the title (`subs/en.vtt`).
    var fileURI: String { TitleLayout.subtitleFilePath(track.folder) }

    /// Writes everything under `layout`; `boundaries` are the video's segments (their
    /// durations), `presentationStart` the 90 kHz timestamp of the title's first frame.
    func write(layout: TitleLayout, boundaries: [MediaPlaylist.Segment], presentationStart: Int64) throws {
        let folder = layout.subtitleFolder(track.folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let vtt = WebVTT(cues: cues)
        try vtt.document().write(to: layout.subtitleFile(track.folder), atomically: false, encoding: .utf8)
        var segments: [MediaPlaylist.Segment] = [], start = 0.0
        for (number, boundary) in boundaries.enumerated() {
            let name = TitleLayout.subtitleSegmentName(number + 1)
            try vtt.segment(from: start, to: start + boundary.duration, presentationStart: presentationStart)
                .write(to: folder.appendingPathComponent(name), atomically: false, encoding: .utf8)
            segments.append(MediaPlaylist.Segment(duration: boundary.duration, uri: name))
            start += boundary.duration
        }
        try MediaPlaylist(version: 3, initSegment: nil, segments: segments).render()
            .write(to: folder.appendingPathComponent(TitleLayout.mediaPlaylistName), atomically: false, encoding: .utf8)
    }
}
