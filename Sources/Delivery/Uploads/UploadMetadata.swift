import Catalog
import Foundation

/// `Upload-Metadata: filename <base64>,title <base64>,type <base64>,preset <base64>` (tus
/// creation): `filename` required and safe as one name in a folder; the rest optional.
struct UploadMetadata: Equatable {
    var filename: String
    var title: String?
    var type: Catalog.MediaType?
    var preset: String?

    /// Why a header is refused (a 400 naming it).
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    init(header: String?) throws(Invalid) {
        var pairs: [String: String] = [:]
        for item in (header ?? "").split(separator: ",") {
            let parts = item.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true)
            guard let key = parts.first, parts.count <= 2, !key.isEmpty else {
                throw Invalid(description: "Upload-Metadata must be comma-separated \"key base64\" pairs")
            }
            guard pairs[String(key)] == nil else { throw Invalid(description: "Upload-Metadata names \(key) twice") }
            guard let data = Data(base64Encoded: parts.count == 2 ? String(parts[1]) : ""),
                  let value = String(data: data, encoding: .utf8) else {
                throw Invalid(description: "Upload-Metadata \(key): its value is not base64 of UTF-8 text")
            }
            pairs[String(key)] = value
        }
        guard let filename = pairs["filename"] else {
            throw Invalid(description: "Upload-Metadata must give the file's name: filename <base64>")
        }
        self.filename = try Self.checked(filename)
        title = pairs["title"].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        if let title, title.count > MetadataEdit.Limits.title { throw Invalid(description: "Upload-Metadata title: longer than \(MetadataEdit.Limits.title) characters") }
        if let text = pairs["type"] {
            guard let type = Catalog.MediaType(rawValue: text) else {
                throw Invalid(description: "Upload-Metadata type must be one of \(Catalog.MediaType.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(text)\"")
            }
            self.type = type
        }
        preset = pairs["preset"].flatMap { $0.isEmpty ? nil : $0 }
        if let preset, !Self.isPresetName(preset) {
            throw Invalid(description: "Upload-Metadata preset: \"\(preset)\" is not a preset's name (letters, digits, . _ -; not a path)")
        }
    }

    /// A preset's name, never a path (a client must not make the daemon read a file of its choosing).
    static func isPresetName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && !name.hasSuffix(".json") && !name.hasPrefix(".")
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }

    /// A name that stays one file in one folder: no `/`, not `.` or `..`, no control
    /// character, at most 255 bytes.
    static func checked(_ name: String) throws(Invalid) -> String {
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/"), name.utf8.count <= 255,
              !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw Invalid(description: "Upload-Metadata filename \"\(name)\" is not a file name (no /, not . or .., no control characters, at most 255 bytes)")
        }
        return name
    }
}
