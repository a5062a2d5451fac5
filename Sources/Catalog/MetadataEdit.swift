import Foundation

/// A change to a title's metadata, as `PATCH /api/media/<id>` and `media edit` give it
/// (SPEC §15): each field given replaces what is stored, a field left out stays. Made only
/// through `init(json:)` or `validated()`, so a stored title never holds a value past the
/// limits below.
public struct MetadataEdit: Sendable, Equatable {
    public var title: String?
    public var originalTitle: String?
    public var description: String?
    public var genre: [String]?
    /// `.some(nil)` clears the year.
    public var year: Int??
    public var cast: [String]?
    public var director: String?
    public var studio: String?
    public var country: String?
    public var language: String?
    public var tags: [String]?

    public init() {}

    /// The fields a platform may set, as JSON names them.
    public enum Field: String, CaseIterable, Sendable {
        case title, originalTitle, description, genre, year, cast, director, studio, country, language, tags
    }

    /// Why an edit is refused, naming the field.
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public let field: String
        public let reason: String
        public var description: String { "\(field): \(reason)" }
    }

    /// The limits every stored value keeps (characters, items).
    public enum Limits {
        public static let title = 300
        public static let description = 10_000
        public static let name = 200
        public static let listItems = 200
        public static let years = 1878...2200
    }

    public var isEmpty: Bool { self == MetadataEdit() }

    /// Reads a JSON object of `Field`s: anything else (an unknown field, a value of the
    /// wrong type, one past the limits) is refused, naming the field.
    public init(json data: Data) throws(Invalid) {
        guard let object = try? JSONDecoder().decode([String: JSONValue].self, from: data) else {
            throw Invalid(field: "body", reason: "must be a JSON object of metadata fields (\(Field.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        if object.isEmpty { throw Invalid(field: "body", reason: "names no field to change") }
        for (name, value) in object.sorted(by: { $0.key < $1.key }) {
            guard let field = Field(rawValue: name) else {
                throw Invalid(field: name, reason: "is not a metadata field (\(Field.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            try set(field, to: value)
        }
        self = try validated()
    }

    private mutating func set(_ field: Field, to value: JSONValue) throws(Invalid) {
        func text() throws(Invalid) -> String {
            guard case .string(let text) = value else { throw Invalid(field: field.rawValue, reason: "must be a string") }
            return text
        }
        func list() throws(Invalid) -> [String] {
            guard case .array(let items) = value else { throw Invalid(field: field.rawValue, reason: "must be an array of strings") }
            var texts: [String] = []
            for item in items {
                guard case .string(let text) = item else { throw Invalid(field: field.rawValue, reason: "must be an array of strings") }
                texts.append(text)
            }
            return texts
        }
        switch field {
        case .title: title = try text()
        case .originalTitle: originalTitle = try text()
        case .description: description = try text()
        case .director: director = try text()
        case .studio: studio = try text()
        case .country: country = try text()
        case .language: language = try text()
        case .genre: genre = try list()
        case .cast: cast = try list()
        case .tags: tags = try list()
        case .year:
            switch value {
            case .null: year = .some(nil)
            case .number(let number) where number == number.rounded() && Double(Limits.years.lowerBound)...Double(Limits.years.upperBound) ~= number:
                year = Int(number)
            default: throw Invalid(field: "year", reason: "must be a whole number from \(Limits.years.lowerBound) to \(Limits.years.upperBound), or null")
            }
        }
    }

    /// The edit with its texts trimmed, lists without empty or repeated items; refused
    /// when a value is past its limit.
    public func validated() throws(Invalid) -> MetadataEdit {
        var edit = self
        edit.title = try Self.text(title, .title, limit: Limits.title, required: true)
        edit.originalTitle = try Self.text(originalTitle, .originalTitle, limit: Limits.title)
        edit.description = try Self.text(description, .description, limit: Limits.description)
        edit.director = try Self.text(director, .director, limit: Limits.name)
        edit.studio = try Self.text(studio, .studio, limit: Limits.name)
        edit.country = try Self.text(country, .country, limit: Limits.name)
        edit.language = try Self.text(language, .language, limit: 35)
        if let language = edit.language, !language.isEmpty,
           language.range(of: "^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$", options: .regularExpression) == nil {
            throw Invalid(field: "language", reason: "must be a BCP 47 language tag such as en, pt-BR or zh-Hant, not \"\(language)\"")
        }
        edit.genre = try Self.list(genre, .genre)
        edit.cast = try Self.list(cast, .cast)
        edit.tags = try Self.list(tags, .tags)
        if case .some(.some(let year)) = year, !Limits.years.contains(year) {
            throw Invalid(field: "year", reason: "must be from \(Limits.years.lowerBound) to \(Limits.years.upperBound), not \(year)")
        }
        return edit
    }

    private static func text(_ value: String?, _ field: Field, limit: Int, required: Bool = false) throws(Invalid) -> String? {
        guard let value else { return nil }
        let text = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if required, text.isEmpty { throw Invalid(field: field.rawValue, reason: "must not be empty") }
        if text.count > limit { throw Invalid(field: field.rawValue, reason: "is longer than \(limit) characters (\(text.count))") }
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\t" }) {
            throw Invalid(field: field.rawValue, reason: "holds a control character")
        }
        return text
    }

    private static func list(_ value: [String]?, _ field: Field) throws(Invalid) -> [String]? {
        guard let value else { return nil }
        if value.count > Limits.listItems { throw Invalid(field: field.rawValue, reason: "holds more than \(Limits.listItems) items (\(value.count))") }
        var seen = Set<String>(), items: [String] = []
        for item in value {
            guard let text = try Self.text(item, field, limit: Limits.name), !text.isEmpty else { continue }
            if seen.insert(text.lowercased()).inserted { items.append(text) }
        }
        return items
    }

    /// Applies the edit to a stored movie, episode or series.
    public func apply(to title: inout some DescribedTitle, at now: Date = Date()) {
        if let value = self.title { title.title = value }
        if let value = originalTitle { title.originalTitle = value }
        if let value = description { title.description = value }
        if let value = genre { title.genre = value }
        if let value = year { title.year = value }
        if let value = cast { title.details.cast = value }
        if let value = director { title.details.director = value }
        if let value = studio { title.details.studio = value }
        if let value = country { title.details.country = value }
        if let value = language { title.details.language = value }
        if let value = tags { title.details.tags = value }
        title.updatedAt = now
    }
}

/// Any JSON value, to read a body field by field and say which one is wrong.
enum JSONValue: Decodable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }
}
