import Catalog
import Foundation
import Packager
import VaultLayout

/// The files of one job: its video (or audio) file and the sidecars that travel with it,
/// found in the job's input folder (a dropped file with its sidecars, or a bundle folder).
public struct JobInput: Sendable {
    /// The main media file: the largest file that is neither a sidecar nor hidden.
    public let media: URL
    public let sidecars: [Sidecar]
    /// The name titles are read from: a bundle folder's name when it says more (a year, an
    /// episode number) than the file's, else the file's.
    public let titleSource: String

    /// Looks through `folder`; `explicit` are the sidecars given at submit. One whose
    /// language is not a language code is left out with a warning.
    public init(folder: URL, explicit: [Job.Track] = []) throws {
        let files = (FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey])?
            .compactMap { $0 as? URL } ?? [])
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            .filter { !$0.lastPathComponent.hasPrefix(".") }
        let sidecarExtensions = Sidecar.subtitleExtensions.union(Sidecar.audioExtensions)
        let explicitNames = Set(explicit.map(\.file))
        func size(_ url: URL) -> Int { (try? url.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0 }
        let candidates = files.filter { !explicitNames.contains($0.lastPathComponent) }
        let videos = candidates.filter { !sidecarExtensions.contains($0.pathExtension.lowercased()) }
        guard let media = (videos.isEmpty ? candidates : videos).max(by: { size($0) < size($1) }) else {
            throw PackagingError(file: folder.path, cause: .fileNotFound)  // the input vanished
        }
        self.media = media
        let stem = media.deletingPathExtension().lastPathComponent
        var sidecars = files.filter { $0 != media && !explicitNames.contains($0.lastPathComponent) }
            .compactMap { Sidecar(path: $0.path, videoStem: stem) }
        var warnings: [TrackWarning] = []
        for track in explicit {
            let path = folder.appendingPathComponent(track.file).path
            do {
                sidecars.append(try Sidecar(path: path, kind: track.kind == .audio ? .audio : .subtitle, languageCode: track.language))
            } catch {
                warnings.append(TrackWarning(file: track.file, language: track.language,
                                             reason: error.reason, published: false))
            }
        }
        self.sidecars = sidecars
        self.warnings = warnings
        let bundle = media.deletingLastPathComponent().standardizedFileURL == folder.standardizedFileURL
            ? nil : media.deletingLastPathComponent().lastPathComponent
        let fromFile = TitleName(parsing: media.lastPathComponent)
        if let bundle, fromFile.year == nil, !fromFile.isEpisode { titleSource = bundle } else { titleSource = media.lastPathComponent }
    }

    /// The sidecars given at submit that are left out, and why.
    public let warnings: [TrackWarning]
}
