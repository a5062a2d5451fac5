import Foundation

/// A file that travels with a video: a subtitle track or a dubbing audio track, named the
/// Plex / Jellyfin way (`Movie.es.srt`, `Movie.en.forced.srt`, `Movie.fr.m4a`).
public struct Sidecar: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case subtitle, audio }

    public var kind: Kind
    public var path: String
    public var language: Language
    /// Shown only where the picture needs it (foreign dialogue, signs): `FORCED=YES`.
    public var isForced: Bool
    /// Subtitles for the deaf and hard of hearing (`.sdh`, `.cc`, `.hi`).
    public var isHearingImpaired: Bool

    public static let subtitleExtensions: Set<String> = Set(SubtitleFile.Format.byExtension.keys)
    public static let audioExtensions: Set<String> = ["m4a", "aac", "mp3", "wav", "flac"]

    public init(kind: Kind, path: String, language: Language, isForced: Bool = false, isHearingImpaired: Bool = false) {
        self.kind = kind
        self.path = path
        self.language = language
        self.isForced = isForced
        self.isHearingImpaired = isHearingImpaired
    }

    /// Reads a `FILE[:LANG]` command-line argument. The language is LANG when given (and
    /// must be a language code), else the one the file name carries, else `und`.
    public init(argument: String, kind: Kind) throws(PackagingError) {
        var path = argument
        var explicit: String?
        if let colon = argument.lastIndex(of: ":"), colon != argument.startIndex {
            let suffix = String(argument[argument.index(after: colon)...])
            if !suffix.isEmpty, !suffix.contains("/"), suffix.count <= 12 {
                path = String(argument[..<colon])
                explicit = suffix
            }
        }
        try self.init(path: path, kind: kind, languageCode: explicit)
    }

    /// A sidecar at `path` in the language `languageCode` when given (it must be a language
    /// code), else the one the file name carries, else `und`.
    public init(path: String, kind: Kind, languageCode: String?) throws(PackagingError) {
        self.init(kind: kind, path: path, language: .undetermined)
        applyNameTags()
        if let languageCode {
            guard let language = Language(code: languageCode) else { throw PackagingError(file: path, cause: .notALanguage(languageCode)) }
            self.language = language
        }
    }

    /// The sidecar of the video whose file name (without extension) is `videoStem`:
    /// `<stem>.<lang>[.forced|.sdh].srt|vtt|ass` or `<stem>.<lang>.m4a|aac|mp3|wav|flac`.
    /// Nil when the file is not one of these.
    public init?(path: String, videoStem: String) {
        let name = URL(fileURLWithPath: path).lastPathComponent
        let fileExtension = URL(fileURLWithPath: path).pathExtension.lowercased()
        guard name.hasPrefix(videoStem + ".") else { return nil }
        if Self.subtitleExtensions.contains(fileExtension) {
            self.init(kind: .subtitle, path: path, language: .undetermined)
        } else if Self.audioExtensions.contains(fileExtension) {
            self.init(kind: .audio, path: path, language: .undetermined)
        } else {
            return nil
        }
        applyNameTags()
    }

    /// Language and flags from the name's last dotted parts (`.en.forced.srt`).
    private mutating func applyNameTags() {
        var parts = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent.split(separator: ".").map(String.init)
        guard parts.count > 1 else { return }
        // "hi" is also Hindi: it marks hearing-impaired only after a language (`.en.hi.srt`).
        func isFlag(_ part: String) -> Bool {
            ["forced", "sdh", "cc"].contains(part)
                || (part == "hi" && parts.count > 2 && Language(code: parts[parts.count - 2]) != nil)
        }
        while let last = parts.last?.lowercased(), parts.count > 1, isFlag(last) {
            if last == "forced" { isForced = true } else { isHearingImpaired = true }
            parts.removeLast()
        }
        if parts.count > 1, let tagged = parts.last.flatMap({ Language(code: $0) }) { language = tagged }
    }

    /// The track's name in a player menu: "Español", "English (forced)", "English (SDH)".
    public var displayName: String {
        language.trackName(isForced: isForced, isHearingImpaired: isHearingImpaired)
    }
}
