/// Track languages as HLS wants them: BCP 47 tags (`en`, `es`, `pt-BR`) with a human name.
public struct Language: Sendable, Equatable, Hashable, Codable {
    /// BCP 47 tag, or "und" when unknown.
    public let tag: String

    public static let undetermined = Language(validTag: "und")

    private init(validTag: String) { tag = validTag }

    /// Reads an ISO 639-1 code (`en`), ISO 639-2/B or /T code (`eng`, `fre`, `fra`) or a
    /// BCP 47 tag with region (`pt-BR`, `en_US`). Nil when it is not a language code.
    public init?(code: String) {
        let parts = code.replacingOccurrences(of: "_", with: "-").split(separator: "-").map(String.init)
        guard let first = parts.first?.lowercased(), first.allSatisfy(\.isLetter) else { return nil }
        let primary: String
        if first == "und" { primary = "und" }
        else if first.count == 2, Self.names[first] != nil { primary = first }
        else if first.count == 3, let mapped = Self.alpha3[first] { primary = mapped }
        else { return nil }
        if parts.count == 2, parts[1].count == 2, parts[1].allSatisfy(\.isLetter) {
            tag = "\(primary)-\(parts[1].uppercased())"
        } else if parts.count == 1 {
            tag = primary
        } else {
            return nil
        }
    }

    /// The language of a stream's tag, `und` when missing or not a code.
    public init(streamTag: String?) {
        self = streamTag.flatMap { Language(code: $0) } ?? .undetermined
    }

    /// The ISO 639-2 code of the primary language (`eng`), as SCTE 214 wants it; `und` when unknown.
    public var alpha3: String {
        let primary = String(tag.prefix { $0 != "-" })
        return Self.alpha3.filter { $0.value == primary }.keys.sorted().first ?? "und"  // of a B/T pair, the first in order
    }

    /// The language's own name for itself ("English", "Español"), or the tag.
    public var name: String {
        let primary = String(tag.prefix { $0 != "-" })
        if primary == "und" { return "Unknown" }
        return Self.names[primary] ?? tag
    }

    /// A track's name in a player menu: "Español", "English (forced)", "English (SDH)".
    public func trackName(isForced: Bool = false, isHearingImpaired: Bool = false) -> String {
        name + (isForced ? " (forced)" : "") + (isHearingImpaired ? " (SDH)" : "")
    }

    /// A track's folder name: the tag, marked `_forced` / `_sdh` (`en_forced`).
    func folderName(isForced: Bool = false, isHearingImpaired: Bool = false) -> String {
        tag + (isForced ? "_forced" : "") + (isHearingImpaired ? "_sdh" : "")
    }

    static let names: [String: String] = [
        "ar": "العربية", "bg": "Български", "ca": "Català", "cs": "Čeština", "da": "Dansk", "de": "Deutsch",
        "el": "Ελληνικά", "en": "English", "es": "Español", "et": "Eesti", "eu": "Euskara", "fa": "فارسی",
        "fi": "Suomi", "fr": "Français", "ga": "Gaeilge", "gl": "Galego", "he": "עברית", "hi": "हिन्दी",
        "hr": "Hrvatski", "hu": "Magyar", "id": "Bahasa Indonesia", "is": "Íslenska", "it": "Italiano",
        "ja": "日本語", "ko": "한국어", "lt": "Lietuvių", "lv": "Latviešu", "ms": "Bahasa Melayu",
        "nb": "Norsk bokmål", "nl": "Nederlands", "no": "Norsk", "pl": "Polski", "pt": "Português",
        "ro": "Română", "ru": "Русский", "sk": "Slovenčina", "sl": "Slovenščina", "sr": "Српски",
        "sv": "Svenska", "th": "ไทย", "tr": "Türkçe", "uk": "Українська", "vi": "Tiếng Việt", "zh": "中文",
    ]

    /// ISO 639-2 (bibliographic and terminological) to ISO 639-1.
    static let alpha3: [String: String] = [
        "ara": "ar", "bul": "bg", "cat": "ca", "cze": "cs", "ces": "cs", "dan": "da", "ger": "de", "deu": "de",
        "gre": "el", "ell": "el", "eng": "en", "spa": "es", "est": "et", "baq": "eu", "eus": "eu", "per": "fa",
        "fas": "fa", "fin": "fi", "fre": "fr", "fra": "fr", "gle": "ga", "glg": "gl", "heb": "he", "hin": "hi",
        "hrv": "hr", "hun": "hu", "ind": "id", "ice": "is", "isl": "is", "ita": "it", "jpn": "ja", "kor": "ko",
        "lit": "lt", "lav": "lv", "may": "ms", "msa": "ms", "nob": "nb", "dut": "nl", "nld": "nl", "nor": "no",
        "pol": "pl", "por": "pt", "rum": "ro", "ron": "ro", "rus": "ru", "slo": "sk", "slk": "sk", "slv": "sl",
        "srp": "sr", "swe": "sv", "tha": "th", "tur": "tr", "ukr": "uk", "vie": "vi", "chi": "zh", "zho": "zh",
    ]
}
