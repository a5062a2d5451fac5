/// XML read by a tokenizer of our own, not libxml2 (whose entity handling is the attack
/// surface of XML): start and end tags with their attributes, text with the five predefined
/// entities and numeric character references decoded, CDATA as text; comments, processing
/// instructions and declarations skipped. Entities a `<!DOCTYPE` declares are never expanded
/// (a reference to one reads as nothing); that it declared some is noted. As lenient as
/// browsers are with tag soup: an unquoted or valueless attribute, a `<` that starts no tag
/// (text), a `&` that starts no reference (text), a tag cut short by the next `<` or the end.
/// One pass over the bytes, each token with the 1-based line it starts on.
struct XMLTokens: IteratorProtocol {
    enum Token {
        /// `closed`: written `<name/>`.
        case start(name: String, attributes: [XMLTree.Attribute], closed: Bool)
        case end(name: String)
        case text(String)
    }

    private let bytes: [UInt8]
    private var position = 0
    private var line = 1, lineCountedTo = 0
    /// The line of a `<!DOCTYPE` that declares entities (`<!ENTITY`), if one does.
    private(set) var entityDeclarationLine: Int?

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    mutating func next() -> (token: Token, line: Int)? {
        while position < bytes.count {
            let start = position, line = lineNumber(at: start)
            guard bytes[start] == UInt8(ascii: "<") else {
                position = bytes[start...].firstIndex(of: UInt8(ascii: "<")) ?? bytes.count
                return (.text(Self.decoded(bytes[start..<position])), line)
            }
            if starts(with: "<!--") {
                position = end(of: "-->", from: start + 4)
            } else if starts(with: "<![CDATA[") {
                let close = find("]]>", from: start + 9) ?? bytes.count
                position = min(close + 3, bytes.count)
                return (.text(String(decoding: bytes[(start + 9)..<close], as: UTF8.self)), line)
            } else if starts(with: "<!") {
                skipDeclaration(line: line)
            } else if starts(with: "<?") {
                position = end(of: "?>", from: start + 2)
            } else if starts(with: "</") {
                let close = bytes[start...].firstIndex(of: UInt8(ascii: ">")) ?? bytes.count
                position = min(close + 1, bytes.count)
                let name = bytes[(start + 2)..<close].prefix { !Self.isSpace($0) }
                return (.end(name: String(decoding: name, as: UTF8.self)), line)
            } else if start + 1 < bytes.count, Self.startsName(bytes[start + 1]) {
                return (startTag(), line)
            } else {
                position += 1
                return (.text("<"), line)
            }
        }
        return nil
    }

    /// `<name attribute="value" …>` or `…/>`, from `position`; ends at `>` outside quotes, or
    /// before a `<` (a tag never closed).
    private mutating func startTag() -> Token {
        position += 1
        let name = scan { !Self.isSpace($0) && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: ">") && $0 != UInt8(ascii: "<") }
        var attributes: [XMLTree.Attribute] = []
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: ">") {
                position += 1
                return .start(name: name, attributes: attributes, closed: false)
            }
            if byte == UInt8(ascii: "<") { break }
            if byte == UInt8(ascii: "/"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: ">") {
                position += 2
                return .start(name: name, attributes: attributes, closed: true)
            }
            if Self.isSpace(byte) || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=") {
                position += 1
                continue
            }
            let attributeName = scan { !Self.isSpace($0) && !"=/><".utf8.contains($0) }
            let value = attributeValue()
            if !attributeName.hasPrefix("xmlns") { attributes.append(XMLTree.Attribute(name: Self.localName(attributeName), value: value)) }
        }
        return .start(name: name, attributes: attributes, closed: false)
    }

    /// `= "value"`, `= 'value'`, `= value` or nothing, entities decoded and white space
    /// normalized to spaces (XML 1.0 §3.3.3).
    private mutating func attributeValue() -> String {
        var next = position
        while next < bytes.count, Self.isSpace(bytes[next]) { next += 1 }
        guard next < bytes.count, bytes[next] == UInt8(ascii: "=") else { return "" }
        position = next + 1
        while position < bytes.count, Self.isSpace(bytes[position]) { position += 1 }
        guard position < bytes.count else { return "" }
        let quote = bytes[position]
        let raw: ArraySlice<UInt8>
        if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
            let close = bytes[(position + 1)...].firstIndex(of: quote) ?? bytes.count
            raw = bytes[(position + 1)..<close]
            position = min(close + 1, bytes.count)
        } else {
            let start = position
            _ = scan { !Self.isSpace($0) && $0 != UInt8(ascii: ">") && $0 != UInt8(ascii: "<") }
            raw = bytes[start..<position]
        }
        return String(Self.decoded(raw).map { $0 == "\t" || $0.isNewline ? " " : $0 })
    }

    /// `<!DOCTYPE …>` and other declarations, with an internal subset in `[…]`; notes
    /// `<!ENTITY` declarations, which are never read.
    private mutating func skipDeclaration(line: Int) {
        var depth = 0, quote: UInt8?
        position += 2
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: "[") {
                depth += 1
            } else if byte == UInt8(ascii: "]") {
                depth = max(0, depth - 1)
            } else if byte == UInt8(ascii: ">"), depth == 0 {
                return
            } else if byte == UInt8(ascii: "<"), depth > 0, starts(with: "!ENTITY") {
                entityDeclarationLine = entityDeclarationLine ?? line
            }
        }
    }

    private func starts(with prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        return (0..<count).allSatisfy { bytes[position + $0] == prefix.utf8Start[$0] }
    }

    /// Where `pattern` next starts, at or after `start`.
    private func find(_ pattern: StaticString, from start: Int) -> Int? {
        let count = pattern.utf8CodeUnitCount
        var index = start
        while index + count <= bytes.count {
            if (0..<count).allSatisfy({ bytes[index + $0] == pattern.utf8Start[$0] }) { return index }
            index += 1
        }
        return nil
    }

    /// Just past the next `pattern`, or the end of the text.
    private func end(of pattern: StaticString, from start: Int) -> Int {
        find(pattern, from: start).map { $0 + pattern.utf8CodeUnitCount } ?? bytes.count
    }

    private mutating func scan(while accepted: (UInt8) -> Bool) -> String {
        let start = position
        while position < bytes.count, accepted(bytes[position]) { position += 1 }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// The line `index` is on (indexes asked for never go back: one pass in all).
    private mutating func lineNumber(at index: Int) -> Int {
        while lineCountedTo < index {
            let byte = bytes[lineCountedTo]
            if byte == UInt8(ascii: "\n") || (byte == UInt8(ascii: "\r") && (lineCountedTo + 1 == bytes.count || bytes[lineCountedTo + 1] != UInt8(ascii: "\n"))) { line += 1 }
            lineCountedTo += 1
        }
        return line
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private static func startsName(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || byte >= 0x80
    }

    /// `tt:p`, `ttml:p` and `p` are all `p`: real files bind TTML to any prefix, or none, or
    /// to a wrong namespace.
    static func localName(_ name: String) -> String {
        name.lastIndex(of: ":").map { String(name[name.index(after: $0)...]) } ?? name
    }

    /// Text with `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&#…;` and `&#x…;` decoded; a
    /// reference to any other entity reads as nothing, a `&` that starts no reference as `&`.
    static func decoded(_ raw: ArraySlice<UInt8>) -> String {
        guard raw.contains(UInt8(ascii: "&")) else { return String(decoding: raw, as: UTF8.self) }
        var output: [UInt8] = [], index = raw.startIndex
        output.reserveCapacity(raw.count)
        while index < raw.endIndex {
            if raw[index] == UInt8(ascii: "&"), let (text, next) = reference(in: raw, at: index) {
                output += text.utf8
                index = next
            } else {
                output.append(raw[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The text of the reference `&name;` at `index`, and the index past it.
    private static func reference(in raw: ArraySlice<UInt8>, at index: Int) -> (String, Int)? {
        guard let semicolon = raw[index..<min(index + 34, raw.endIndex)].firstIndex(of: UInt8(ascii: ";")) else { return nil }
        let name = raw[(index + 1)..<semicolon]
        guard !name.isEmpty, !name.contains(where: { isSpace($0) || $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") }) else { return nil }
        return (text(of: String(decoding: name, as: UTF8.self)), semicolon + 1)
    }

    private static func text(of name: String) -> String {
        switch name {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default:
            guard name.hasPrefix("#") else { return "" }
            let digits = name.dropFirst()
            let hex = digits.first == "x" || digits.first == "X"
            let value = UInt32(hex ? digits.dropFirst() : digits, radix: hex ? 16 : 10)
            return String(Character(value.flatMap { $0 == 0 ? nil : Unicode.Scalar($0) } ?? "\u{FFFD}"))
        }
    }
}
