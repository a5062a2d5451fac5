import Foundation

/// The text encoding a subtitle file was saved in, as its bytes show it (SPEC §16): a byte
/// order mark, UTF-16's zero bytes, valid UTF-8, else the legacy 8-bit code page (or
/// Shift-JIS) whose language's alphabet explains most of the file's non-ASCII characters.
/// Pure, fuzzed with the readers (`make fuzz`).
public enum TextEncoding: String, Sendable, Codable, CaseIterable {
    case utf8, utf16LittleEndian, utf16BigEndian
    case windows1252, windows1250, windows1251, windows1253, windows1254, isoLatin2, shiftJIS

    /// What a warning calls it.
    public var name: String {
        switch self {
        case .utf8: "UTF-8"
        case .utf16LittleEndian: "UTF-16LE"
        case .utf16BigEndian: "UTF-16BE"
        case .windows1252: "Windows-1252 (Western European)"
        case .windows1250: "Windows-1250 (Central European)"
        case .windows1251: "Windows-1251 (Cyrillic)"
        case .windows1253: "Windows-1253 (Greek)"
        case .windows1254: "Windows-1254 (Turkish)"
        case .isoLatin2: "ISO-8859-2 (Central European)"
        case .shiftJIS: "Shift-JIS (Japanese)"
        }
    }

    /// Whether the text had to be converted from an 8-bit or double-byte code page.
    public var isLegacy: Bool { ![.utf8, .utf16LittleEndian, .utf16BigEndian].contains(self) }

    private var foundation: String.Encoding {
        switch self {
        case .utf8: .utf8
        case .utf16LittleEndian: .utf16LittleEndian
        case .utf16BigEndian: .utf16BigEndian
        case .windows1252: .windowsCP1252
        case .windows1250: .windowsCP1250
        case .windows1251: .windowsCP1251
        case .windows1253: .windowsCP1253
        case .windows1254: .windowsCP1254
        case .isoLatin2: .isoLatin2
        case .shiftJIS: .shiftJIS
        }
    }

    /// `data` as text, and the encoding it was read in; nil for binary data (NUL and other
    /// control bytes), or when no encoding reads it.
    public static func decode(_ data: Data) -> (text: String, encoding: TextEncoding)? {
        let head = [UInt8](data.prefix(3))
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { return String(data: data.dropFirst(3), encoding: .utf8).map { ($0, .utf8) } }
        if head.starts(with: [0xFF, 0xFE]) { return String(data: data.dropFirst(2), encoding: .utf16LittleEndian).map { ($0, .utf16LittleEndian) } }
        if head.starts(with: [0xFE, 0xFF]) { return String(data: data.dropFirst(2), encoding: .utf16BigEndian).map { ($0, .utf16BigEndian) } }
        let sample = [UInt8](data.prefix(512))
        let zerosAtOdd = stride(from: 1, to: sample.count, by: 2).filter { sample[$0] == 0 }.count
        let zerosAtEven = stride(from: 0, to: sample.count, by: 2).filter { sample[$0] == 0 }.count
        if zerosAtOdd > sample.count / 4 { return String(data: data, encoding: .utf16LittleEndian).map { ($0, .utf16LittleEndian) } }
        if zerosAtEven > sample.count / 4 { return String(data: data, encoding: .utf16BigEndian).map { ($0, .utf16BigEndian) } }
        if let text = String(data: data, encoding: .utf8) { return (text, .utf8) }
        let controls = sample.filter { $0 < 0x20 && ![0x09, 0x0A, 0x0C, 0x0D].contains($0) }.count
        guard controls <= sample.count / 50 else { return nil }  // binary data, not text
        return legacy(data)
    }

    /// The code page and language that explain `data` best: each non-ASCII character in the
    /// language's alphabet counts one, one outside it (and not common punctuation) costs
    /// three, a C1 control or undecodable byte ten (`score`). Another code page must explain
    /// more than Windows-1252 by `prior` (the most common, and ISO-8859-1's superset: a few
    /// accents of a short Spanish file read as well in ISO-8859-2); ties go to the earlier.
    private static func legacy(_ data: Data) -> (text: String, encoding: TextEncoding)? {
        // Scored on a sample of the non-ASCII bytes' neighbourhoods: whole files are read once, after.
        let sample = data.count > 256 << 10 ? data.prefix(256 << 10) : data
        var best: (score: Int, encoding: TextEncoding)?
        for (encoding, alphabets) in candidates {
            guard let text = String(data: sample, encoding: encoding.foundation) ?? String(data: sample.dropLast(1), encoding: encoding.foundation) else {
                continue
            }
            let score = (alphabets.map { Self.score(text, alphabet: $0) }.max() ?? Int.min) - (encoding == .windows1252 ? 0 : Self.prior)
            if best == nil || score > best!.score { best = (score, encoding) }
        }
        guard let encoding = best?.encoding, let text = String(data: data, encoding: encoding.foundation) else {
            return String(data: data, encoding: .isoLatin1).map { ($0, .windows1252) }
        }
        return (text, encoding)
    }

    private static let prior = 3

    /// How well `alphabet` explains `text`'s non-ASCII characters. A letter of a non-Latin
    /// alphabet touching an ASCII letter, or a capital after a small letter, is a misreading.
    private static func score(_ text: String, alphabet: Alphabet) -> Int {
        var score = 0, previous: Character = " "
        var characters = text.makeIterator(), current = characters.next()
        while let character = current {
            let next = characters.next()
            defer { (previous, current) = (character, next) }
            guard !character.isASCII else { continue }
            if alphabet.letters.contains(Character(character.lowercased())) {
                let touchesLatin = !alphabet.isLatin && (previous.isASCII && previous.isLetter || next.map { $0.isASCII && $0.isLetter } ?? false)
                let capitalInWord = character.isUppercase && previous.isLowercase
                score += touchesLatin ? -3 : capitalInWord ? -2 : 1
            } else if character.unicodeScalars.first.map({ (0x80...0x9F).contains($0.value) || $0.value == 0xFFFD }) ?? true {
                score -= 10
            } else if !punctuation.contains(character) {
                score -= 3
            }
        }
        return score
    }

    /// A language's letters past ASCII (small letters), and whether it is written in Latin letters.
    private struct Alphabet {
        let letters: Set<Character>
        let isLatin: Bool
    }

    /// Non-ASCII characters any language's text may hold.
    private static let punctuation = Set("\u{00A0}¡¿«»°€£¥¢©®™–—‘’‚“”„…•·♪♫§¶×÷±").union(["\u{200B}"])

    /// Each legacy encoding with the alphabets of languages written in it.
    private static let candidates: [(TextEncoding, [Alphabet])] = {
        func latin(_ languages: String...) -> [Alphabet] { languages.map { Alphabet(letters: Set($0), isLatin: true) } }
        let western = latin("àâæçéèêëîïôœùûüÿ", "äöüß", "áéíñóúü", "áâãàçéêíóôõú", "àèéìíîòóùú", "æøåé", "åäöé",
                            "áðéíóúýþæö", "éëïóöüèáí")  // French, German, Spanish, Portuguese, Italian, Danish and Norwegian, Swedish and Finnish, Icelandic, Dutch
        let central = latin("ąćęłńóśźż", "áčďéěíňóřšťúůýž", "áäčďéíĺľňóôŕšťúýž", "áéíóöőúüű", "čćđšž", "ăâîşţșț")  // Polish, Czech, Slovak, Hungarian, Croatian and Slovene, Romanian
        let cyrillic = Alphabet(letters: Set("абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґђјљњћџўѓќѕ"), isLatin: false)
        let greek = Alphabet(letters: Set("αβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώϊϋΐΰ"), isLatin: false)
        var japanese = Set<Character>()
        for range in [0x3000...0x30FF, 0x4E00...0x9FFF, 0xFF01...0xFF9F] {
            for value in range { if let scalar = Unicode.Scalar(value) { japanese.insert(Character(scalar)) } }
        }
        return [(.windows1252, western), (.windows1250, central), (.isoLatin2, central), (.windows1251, [cyrillic]),
                (.windows1253, [greek]), (.windows1254, latin("çğıöşüâî")), (.shiftJIS, [Alphabet(letters: japanese, isLatin: false)])]
    }()
}
