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
    static func entries(of folder: URL) -> [[UInt8]] { entries(atPath: Array(folder.path.utf8)) }

    /// Everything below the folder at `path`, depth first: each entry's path relative to it,
    /// every name escaped (`Subs/n\xE9te.txt`), and its full path by bytes.
    static func tree(at path: [UInt8]) -> [(name: String, path: [UInt8])] {
        var found: [(name: String, path: [UInt8])] = []
        walk(path) { relative, full, _ in
            found.append((relative, full))
            return full
        }
        return found
    }

    /// Visits everything below the folder at `path`, depth first, a folder before what it
    /// holds: `visit` gets an entry's relative path (names escaped), its full path and its
    /// name (bytes), and returns where the entry is now (it may rename it), or nil to leave
    /// a folder unvisited.
    private static func walk(_ path: [UInt8], prefix: String = "",
                             _ visit: (_ relative: String, _ full: [UInt8], _ name: [UInt8]) -> [UInt8]?) {
        for name in entries(atPath: path) {
            let relative = prefix + escaped(name)
            guard let now = visit(relative, path + [0x2F] + name, name) else { continue }
            var info = stat()
            if lstat(cString(now), &info) == 0, info.st_mode & S_IFMT == S_IFDIR { walk(now, prefix: relative + "/", visit) }
        }
    }

    /// `path` as a C string.
    static func cString(_ path: [UInt8]) -> [CChar] { (path + [0]).map { CChar(bitPattern: $0) } }

    private static func entries(atPath path: [UInt8]) -> [[UInt8]] {
        guard let directory = opendir(cString(path)) else { return [] }
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
    static func path(_ folder: URL, _ name: [UInt8]) -> [CChar] { cString(Array(folder.path.utf8) + [0x2F] + name) }

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

    /// Gives every name below `folder` (a bundle folder just taken) that is not UTF-8 its
    /// escaped name, depth first; returns their original bytes by path, `prefix` first
    /// (`Film (2020)/caf\xE9.mkv`). A name whose escaped form is taken stays as it is.
    static func escapeNames(below folder: URL, prefix: String) -> [String: [UInt8]] {
        var originals: [String: [UInt8]] = [:]
        walk(Array(folder.path.utf8), prefix: prefix) { relative, full, bytes in
            let name = Array(escaped(bytes).utf8)
            guard name != bytes else { return full }
            let target = Array(full.dropLast(bytes.count) + name)
            var info = stat()
            guard lstat(cString(target), &info) != 0, Glibc.rename(cString(full), cString(target)) == 0 else { return nil }
            originals[relative] = bytes
            return target
        }
        return originals
    }

    /// Gives `name`, just moved into `folder` as `target`, and the names inside it back the
    /// bytes they came with (inner names deepest first, while the folders above them still
    /// have their escaped names), each unless that name is taken there.
    static func restore(_ name: String, as target: String, in folder: URL, originals: [String: [UInt8]]) {
        for path in originals.keys.filter({ $0.hasPrefix(name + "/") }).sorted(by: { $0.count > $1.count }) {
            let inner = path.dropFirst(name.count)  // "/…/caf\xE9.mkv"
            let slash = inner.lastIndex(of: "/")!
            let parent = folder.appendingPathComponent(target + inner[..<slash])
            let bytes = originals[path]!
            if !exists(bytes, in: parent) { _ = rename(Array(inner[inner.index(after: slash)...].utf8), in: parent, to: bytes, in: parent) }
        }
        guard target == name, let bytes = originals[name], !exists(bytes, in: folder) else { return }
        _ = rename(Array(name.utf8), in: folder, to: bytes, in: folder)
    }
}
