/// A value stored and sent as its text (`rawValue`), in SQLite, PostgreSQL's JSON and the
/// worker's assignment alike; a text that does not parse is refused when read.
public protocol StoredAsText: RawRepresentable, Codable, Sendable where RawValue == String {}

extension StoredAsText {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Self(rawValue: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a \(Self.self): \(text)")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
