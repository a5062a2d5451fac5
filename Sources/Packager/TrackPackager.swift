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
    let sidecars: [Sidecar]
    let folder: PackagingFolder
    let title: TitleLayout
    /// Seals the audio segments of an encrypted title.
    let cipher: SegmentCipher?

    /// `key`: the title's key, which an encrypting preset needs.
    public init(plan: TitlePlan, sidecars: [Sidecar], folder: PackagingFolder, title: TitleLayout, key: TitleKey? = nil) throws {
        self.plan = plan
        self.sidecars = sidecars
        self.folder = folder
        self.title = title
        cipher = try SegmentCipher(for: plan, key: key)
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
            return try TrackRun(of: self, segmentsReady: segmentsReady).run(progress: progress, isCancelled: isCancelled)
        } catch let error as LibAVError {
            throw PackagingError(file: plan.source, cause: .failed(error.description))
        }
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
}
