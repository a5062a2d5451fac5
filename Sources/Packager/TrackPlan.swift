/// The audio and subtitle renditions a title gets from its source's streams and its
/// sidecars: language, menu name, default flag and folder of each (SPEC §5).
public struct TrackPlan: Sendable {
    /// Where a track comes from: a stream of the source, a sidecar file, or the CEA-608
    /// captions (CC1) in the SEI of the source's video stream.
    public enum Origin: Sendable, Equatable, Hashable {
        case stream(Int)
        case sidecar(String)
        case captions(Int)
    }

    public struct AudioTrack: Sendable, Equatable {
        public var origin: Origin
        public var language: Language
        /// The name in the player's menu, unique in the group ("English", "Español").
        public var name: String
        public var isDefault: Bool
        /// Folder under `audio/` (`en`, `en_2` for a second English track).
        public var folder: String
    }

    public struct SubtitleTrack: Sendable, Equatable {
        public var origin: Origin
        public var language: Language
        public var name: String
        public var isForced: Bool
        public var isHearingImpaired: Bool
        /// Folder under `subs/` and name of the whole-track file (`en`, `en_forced`, `en_sdh`).
        public var folder: String
    }

    public private(set) var audio: [AudioTrack] = []
    public private(set) var subtitles: [SubtitleTrack] = []

    /// - Parameter captions: the language of the closed captions in the video, if it has them
    ///   (`CaptionScan`): they become a WebVTT rendition too, `subs/cc1`.
    public init(source: MediaSource, sidecars: [Sidecar], captions: Language? = nil) {
        let defaultAudio = source.defaultAudio?.index
        var audioFolders = FolderNames(), subtitleFolders = FolderNames()
        for stream in source.audio {
            let language = Language(streamTag: stream.language)
            audio.append(AudioTrack(
                origin: .stream(stream.index), language: language,
                name: uniqueName(stream.title.flatMap { $0.isEmpty ? nil : $0 } ?? language.name, among: audio.map(\.name)),
                isDefault: stream.index == defaultAudio, folder: audioFolders.claim(language.tag)))
        }
        for stream in source.subtitles {
            let language = Language(streamTag: stream.language)
            let name = language.trackName(isForced: stream.isForced, isHearingImpaired: stream.isHearingImpaired)
            subtitles.append(SubtitleTrack(
                origin: .stream(stream.index), language: language,
                name: uniqueName(stream.title.flatMap { $0.isEmpty ? nil : $0 } ?? name, among: subtitles.map(\.name)),
                isForced: stream.isForced, isHearingImpaired: stream.isHearingImpaired,
                folder: subtitleFolders.claim(language.folderName(isForced: stream.isForced, isHearingImpaired: stream.isHearingImpaired))))
        }
        if let captions, let video = source.video {
            subtitles.append(SubtitleTrack(
                origin: .captions(video.index), language: captions,
                name: uniqueName("\(captions.name) (CC)", among: subtitles.map(\.name)),
                isForced: false, isHearingImpaired: true, folder: subtitleFolders.claim("cc1")))
        }
        for sidecar in sidecars {
            switch sidecar.kind {
            case .audio:
                audio.append(AudioTrack(
                    origin: .sidecar(sidecar.path), language: sidecar.language,
                    name: uniqueName(sidecar.language.name, among: audio.map(\.name)),
                    isDefault: audio.isEmpty, folder: audioFolders.claim(sidecar.language.tag)))
            case .subtitle:
                subtitles.append(SubtitleTrack(
                    origin: .sidecar(sidecar.path), language: sidecar.language,
                    name: uniqueName(sidecar.displayName, among: subtitles.map(\.name)),
                    isForced: sidecar.isForced, isHearingImpaired: sidecar.isHearingImpaired,
                    folder: subtitleFolders.claim(sidecar.language.folderName(
                        isForced: sidecar.isForced, isHearingImpaired: sidecar.isHearingImpaired))))
            }
        }
    }

    /// Leaves out the tracks of `origins` (those that failed to open or decode); if the
    /// default audio track goes, the first remaining one becomes the default.
    mutating func remove(_ origins: Set<Origin>) {
        audio.removeAll { origins.contains($0.origin) }
        subtitles.removeAll { origins.contains($0.origin) }
        if !audio.isEmpty, !audio.contains(where: \.isDefault) { audio[0].isDefault = true }
    }
}

/// Hands out folder names, numbering repeats: `en`, `en_2`, `en_3`.
private struct FolderNames {
    private var used: [String: Int] = [:]

    mutating func claim(_ name: String) -> String {
        used[name, default: 0] += 1
        return used[name]! > 1 ? "\(name)_\(used[name]!)" : name
    }
}

/// `name`, or `name 2`, `name 3`… when a track of the group already has it.
private func uniqueName(_ name: String, among names: [String]) -> String {
    var candidate = name, number = 2
    while names.contains(candidate) {
        candidate = "\(name) \(number)"
        number += 1
    }
    return candidate
}

extension MediaSource {
    /// The channels of an audio track of this source; nil for a sidecar's (not opened here).
    func channels(of origin: TrackPlan.Origin) -> Int? {
        guard case let .stream(index) = origin else { return nil }
        return audio.first { $0.index == index }?.channels
    }
}
