import Foundation
import Glibc

/// File names that are not UTF-8 (`caf\xE9.mp4`, common from old Windows shares), which
/// Foundation cannot name: a job works on such a file under its escaped name (each byte
/// that is not UTF-8 as `\xHH`) and records the original bytes beside its input, so the
/// file leaves for `originals/` or `failed/` under the name it came with.
enum RawName {
    /// The record of original names in a job's input folder (hidden: not an input).
    static let record = ".original-names.json"

    /// The names in `folder`, by their bytes (not `.` and `..`).
    static func entries(of folder: URL) -> [[UInt8]] {
        guard let directory = opendir(folder.path) else { return [] }
        defer { closedir(directory) }
        var names: [[UInt8]] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name != [0x2E], name != [0x2E, 0x2E] { names.append(name) }
        }
        return names
    }

    /// The name as text: itself when it is UTF-8, else with each stray byte as `\xHH`.
    static func escaped(_ bytes: [UInt8]) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        var text = "", index = 0
        while index < bytes.count {
            // The longest valid UTF-8 sequence starting here (1–4 bytes), else one stray byte.
            if let length = (1...4).reversed().first(where: { index + $0 <= bytes.count
                && String(validating: bytes[index..<index + $0], as: UTF8.self) != nil }) {
                text += String(decoding: bytes[index..<index + length], as: UTF8.self)
                index += length
            } else {
                text += String(format: "\\x%02X", bytes[index])
                index += 1
            }
        }
        return text
    }

    /// `folder/name` as a C path of bytes.
    static func path(_ folder: URL, _ name: [UInt8]) -> [CChar] {
        (Array(folder.path.utf8) + [0x2F] + name + [0]).map { CChar(bitPattern: $0) }
    }

    /// Whether anything has this name in `folder`.
    static func exists(_ name: [UInt8], in folder: URL) -> Bool {
        var info = stat()
        return lstat(path(folder, name), &info) == 0
    }

    /// Renames `folder/from` to `destination/to` (rename(2): on one file system, at once).
    static func rename(_ from: [UInt8], in folder: URL, to name: [UInt8], in destination: URL) -> Bool {
        Glibc.rename(path(folder, from), path(destination, name)) == 0
    }

    /// Records the original bytes of escaped names in `folder`.
    static func remember(_ originals: [String: [UInt8]], in folder: URL) throws {
        guard !originals.isEmpty else { return }
        try JSONEncoder().encode(originals).write(to: folder.appendingPathComponent(record))
    }

    /// The original bytes of the escaped names in `folder`.
    static func originals(in folder: URL) -> [String: [UInt8]] {
        (try? JSONDecoder().decode([String: [UInt8]].self, from: Data(contentsOf: folder.appendingPathComponent(record)))) ?? [:]
    }

    /// Gives `name` (just moved into `folder`) back the bytes it came with, unless that name
    /// is taken there.
    static func restore(_ name: String, in folder: URL, originals: [String: [UInt8]]) {
        guard let bytes = originals[name], !exists(bytes, in: folder) else { return }
        _ = rename(Array(name.utf8), in: folder, to: bytes, in: folder)
    }
}
