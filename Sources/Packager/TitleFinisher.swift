import Foundation
import LibAV
import VaultLayout

/// The finishing step of a title, once every chunk and the tracks are packaged: the
/// complete media playlists, I-frame playlists and measured master (`TitlePlaylists`), the
/// best poster the chunks offered, the storyboard from their tiles, and the result.
public struct TitleFinisher: Sendable {
    public let plan: TitlePlan
    public let folder: PackagingFolder
    public let title: TitleLayout
    /// EVENT for a title whose playlists were listed while it was packaged (a playlist's
    /// type never changes, RFC 8216 §6.2.1), VOD for one written in one go.
    public let type: TitlePlaylists.PlaylistType

    public init(plan: TitlePlan, folder: PackagingFolder, title: TitleLayout, type: TitlePlaylists.PlaylistType) {
        self.plan = plan
        self.folder = folder
        self.title = title
        self.type = type
    }

    /// Finishes the title; `elapsed` is the wall-clock seconds its packaging took.
    public func run(elapsed: Double) throws -> TranscodeResult {
        let tracks = plan.hasTracks ? try TrackManifest(contentsOf: folder.trackManifest) : TrackManifest()
        let chunks = try plan.chunks.map { try ChunkResult(contentsOf: folder.chunkResult($0.index)) }
        let totalFrames = chunks.last?.endFrame
        let playlists = TitlePlaylists(plan: plan, tracks: tracks, layout: title)
        let measured = try playlists.finish(totalFrames: totalFrames, type: type)
        let duration: Double
        if let video = plan.video, let totalFrames {
            duration = Double(totalFrames) * Double(video.frameRate.denominator) / Double(video.frameRate.numerator)
        } else {
            duration = Double(tracks.audioSamples ?? 0) / Double(plan.audio?.sampleRate ?? 1)
        }
        var poster: String?
        if let best = chunks.filter({ $0.posterScore != nil }).max(by: { $0.posterScore! < $1.posterScore! }) {
            try FileTransfer.rename(folder.chunkStaging(best.index).appendingPathComponent(TitleLayout.posterName), to: title.poster)
            poster = TitleLayout.posterName
        }
        let storyboard = try plan.video.flatMap { video -> TranscodeResult.Storyboard? in
            let board = Storyboard(frameRate: video.frameRate, expectedDuration: plan.expectedDuration)
            return try board.compose(tiles: folder.tiles, into: title.root, duration: duration).map {
                TranscodeResult.Storyboard(image: TitleLayout.storyboardImageName, cues: TitleLayout.storyboardCuesName, tileWidth: $0.tileWidth,
                                           tileHeight: $0.tileHeight, tiles: $0.tiles, interval: board.interval)
            }
        }
        return TranscodeResult(
            input: plan.source, output: title.root.path, preset: plan.preset.name, duration: duration,
            frameRate: plan.video?.frameRate.doubleValue, video: measured.video, audio: measured.audio,
            subtitles: measured.subtitles, poster: poster, storyboard: storyboard, dash: playlists.dashManifest, warnings: plan.warnings + tracks.warnings.map(\.description),
            elapsed: elapsed, speed: elapsed > 0 ? duration / elapsed : 0)
    }
}
