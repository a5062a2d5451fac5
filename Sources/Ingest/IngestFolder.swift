import Foundation
import Glibc
import Packager

/// What is in `ingest/` right now, as titles waiting to be taken: a media file with its
/// sidecars, or a sub-folder (a title bundle). Hidden files and partial downloads are not
/// candidates, and a bundle holding one is not complete yet.
struct IngestCandidate: Equatable, Sendable {
    /// The top-level name in `ingest/`: the media file's, or the bundle folder's.
    let name: String
    /// Top-level entries that travel together (the media file first).
    let entries: [String]
    /// Size and modification time of every file: unchanged for the settle time means complete.
    let signature: [String: [Double]]
    /// False while the bundle holds a partial download.
    let isComplete: Bool
    /// The bytes of entries whose names are not UTF-8 (`name` and `entries` escape them).
    var originalNames: [String: [UInt8]] = [:]

    static let partialSuffixes = [".part", ".tmp", ".crdownload", ".partial", "~"]

    static func isIgnored(_ name: String) -> Bool {
        name.hasPrefix(".") || partialSuffixes.contains { name.lowercased().hasSuffix($0) }
    }

    /// The candidates in `folder` (the ingest folder).
    static func scan(_ folder: URL) -> [IngestCandidate] {
        var raw: [String: [UInt8]] = [:]
        for bytes in RawName.entries(of: folder) { raw[RawName.escaped(bytes)] = bytes }
        let names = raw.keys.filter { !isIgnored($0) }.sorted()
        var candidates: [IngestCandidate] = []
        var loose: [String] = []
        for name in names {
            let kind = FileKind(at: RawName.path(folder, raw[name]!))
            guard kind == .regular || kind == .directory else { continue }  // never opened (a FIFO would block)
            if kind == .directory {
                let contents = RawName.tree(at: Array(folder.path.utf8) + [0x2F] + raw[name]!)
                let partial = contents.contains { isIgnored(String($0.name.split(separator: "/").last ?? "")) }
                let signature = contents.reduce(into: [String: [Double]]()) { $0[name + "/" + $1.name] = stat(RawName.cString($1.path)) }
                guard !contents.isEmpty else { continue }
                var candidate = IngestCandidate(name: name, entries: [name], signature: signature, isComplete: !partial)
                if Array(name.utf8) != raw[name] { candidate.originalNames[name] = raw[name] }
                candidates.append(candidate)
            } else {
                loose.append(name)
            }
        }
        // Subtitles are always sidecars; an audio file is a dub only beside its video
        // (`Movie.mkv` + `Movie.fr.m4a`), else a title of its own (a song, a podcast).
        func has(_ name: String, _ extensions: Set<String>) -> Bool { extensions.contains((name as NSString).pathExtension.lowercased()) }
        let videos = loose.filter { !has($0, Sidecar.subtitleExtensions) && !has($0, Sidecar.audioExtensions) }
        let audio = loose.filter { has($0, Sidecar.audioExtensions) }
        let dubs = audio.filter { dub in videos.contains { Sidecar(path: dub, videoStem: ($0 as NSString).deletingPathExtension) != nil } }
        let media = (videos + audio.filter { !dubs.contains($0) }).sorted()
        for name in media {
            let stem = (name as NSString).deletingPathExtension
            let sidecars = has(name, Sidecar.audioExtensions) ? []
                : loose.filter { $0 != name && Sidecar(path: $0, videoStem: stem) != nil }
            let entries = [name] + sidecars
            let signature = entries.reduce(into: [String: [Double]]()) { $0[$1] = stat(RawName.path(folder, raw[$1]!)) }
            var candidate = IngestCandidate(name: name, entries: entries, signature: signature, isComplete: true)
            for entry in entries where Array(entry.utf8) != raw[entry] { candidate.originalNames[entry] = raw[entry] }
            candidates.append(candidate)
        }
        return candidates
    }

    /// Top-level entries that are neither regular files nor folders (symbolic links, FIFOs,
    /// sockets, devices), with their kind: never taken, never opened.
    static func irregular(_ folder: URL) -> [(name: String, kind: FileKind)] {
        RawName.entries(of: folder).compactMap { bytes in
            let kind = FileKind(at: RawName.path(folder, bytes))
            return kind == .regular || kind == .directory || kind == .missing ? nil : (RawName.escaped(bytes), kind)
        }.sorted { $0.name < $1.name }
    }

    /// Size and modification time (`lstat`), or -1 when it is gone.
    private static func stat(_ path: [CChar]) -> [Double] {
        var info = Glibc.stat()
        guard lstat(path, &info) == 0 else { return [-1, 0] }
        return [Double(info.st_size), Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9]
    }
}

/// Remembers since when each candidate has looked the same; a candidate is settled when
/// its size and modification times have not changed for `settle` seconds, or at once when
/// it was renamed into the folder (a rename moves a whole file).
struct SettleTracker {
    let settle: Duration
    private var seen: [String: (signature: [String: [Double]], since: ContinuousClock.Instant)] = [:]
    private var whole = Set<String>()

    init(settle: Duration) { self.settle = settle }

    /// Names just renamed into the folder: complete as they are.
    mutating func arrivedWhole(_ names: Set<String>) { whole.formUnion(names) }

    /// The candidates that are settled now; forgets those that went away.
    mutating func settled(_ candidates: [IngestCandidate], now: ContinuousClock.Instant = .now) -> [IngestCandidate] {
        var next: [String: (signature: [String: [Double]], since: ContinuousClock.Instant)] = [:]
        var ready: [IngestCandidate] = []
        for candidate in candidates {
            let previous = seen[candidate.name]
            let since = previous?.signature == candidate.signature && candidate.isComplete ? previous!.since : now
            next[candidate.name] = (candidate.signature, since)
            // A whole file renamed in is taken at once; an empty one still waits (SPEC §4).
            let renamedIn = candidate.entries.allSatisfy(whole.contains) && candidate.signature.values.allSatisfy { $0[0] > 0 }
            if candidate.isComplete, renamedIn || now - since >= settle { ready.append(candidate) }
        }
        seen = next
        whole.formIntersection(next.keys)
        whole.subtract(ready.map(\.name))
        return ready
    }
}

/// What a path is, by `lstat` (a symbolic link is not followed).
enum FileKind: String {
    case regular = "a regular file", directory = "a folder", symbolicLink = "a symbolic link"
    case fifo = "a FIFO", socket = "a socket", device = "a device", missing = "gone"

    init(at path: [CChar]) {
        var info = Glibc.stat()
        guard lstat(path, &info) == 0 else {
            self = .missing
            return
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symbolicLink
        case S_IFIFO: self = .fifo
        case S_IFSOCK: self = .socket
        default: self = .device
        }
    }
}
