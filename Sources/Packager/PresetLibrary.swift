import Foundation

/// Finds presets by name or path: `<root>/presets/NAME.json` first, then the repository's
/// `presets/` folder; missing keys are filled from the repository's `default.json`.
public struct PresetLibrary: Sendable {
    /// Folders searched in order for `NAME.json`.
    public let folders: [URL]

    public init(folders: [URL]) { self.folders = folders }

    /// The vault's own presets (if `root` is given) before the repository's.
    public init(root: URL?) {
        var folders: [URL] = []
        if let root { folders.append(root.appendingPathComponent("presets")) }
        if let repository = Self.repositoryPresets() { folders.append(repository) }
        self.init(folders: folders)
    }

    /// The repository's `presets/` folder: found from the executable's location upwards
    /// (a build in `.build/…` of a checkout), else from the working directory.
    static func repositoryPresets() -> URL? {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var candidates = [executable.deletingLastPathComponent()]
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        for start in candidates {
            var folder = start
            for _ in 0..<6 {
                let presets = folder.appendingPathComponent("presets")
                if FileManager.default.fileExists(atPath: presets.appendingPathComponent("default.json").path) { return presets }
                folder.deleteLastPathComponent()
            }
        }
        return nil
    }

    /// Loads `nameOrPath`: a path if it ends in `.json` or contains a `/`, else a name.
    public func load(_ nameOrPath: String = "default") throws -> Preset {
        let file: URL
        if nameOrPath.hasSuffix(".json") || nameOrPath.contains("/") {
            file = URL(fileURLWithPath: nameOrPath)
            guard FileManager.default.fileExists(atPath: file.path) else {
                throw PresetError(source: nameOrPath, reason: "no such file")
            }
        } else {
            guard let found = locate(nameOrPath) else {
                throw PresetError(source: nameOrPath, reason: "not found in \(folders.map(\.path).joined(separator: ", "))")
            }
            file = found
        }
        let data = try Data(contentsOf: file)
        let defaults = try defaultObject()
        return try Preset.parse(data, source: file.path, defaults: defaults)
    }

    /// Every preset found, by name (the first folder wins for a name found twice).
    public func all() throws -> [Preset] {
        var names: [String] = []
        for folder in folders {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for file in files.sorted() where file.hasSuffix(".json") {
                let name = String(file.dropLast(5))
                if !names.contains(name) { names.append(name) }
            }
        }
        return try names.map { try load($0) }
    }

    private func locate(_ name: String) -> URL? {
        folders.map { $0.appendingPathComponent("\(name).json") }.first { FileManager.default.fileExists(atPath: $0.path) }
    }

    private func defaultObject() throws -> [String: Any]? {
        guard let file = folders.reversed().map({ $0.appendingPathComponent("default.json") })
            .first(where: { FileManager.default.fileExists(atPath: $0.path) }) else { return nil }
        return try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any]
    }
}
