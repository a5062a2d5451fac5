import Foundation

/// A job's scratch folder (`work/<job>/`) as the pieces of a title's packaging leave
/// things there for each other: the plan, each chunk's staging folder and result, the
/// tracks task's staging folder and manifest, the storyboard tiles. Nothing here is served.
public struct PackagingFolder: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root }

    public var plan: URL { root.appendingPathComponent("plan.json") }
    public var trackManifest: URL { root.appendingPathComponent("tracks.json") }
    public var trackStaging: URL { root.appendingPathComponent("tracks", isDirectory: true) }
    public var tiles: URL { root.appendingPathComponent("tiles", isDirectory: true) }
    public func chunkStaging(_ index: Int) -> URL { root.appendingPathComponent("chunk-\(index)", isDirectory: true) }
    public func chunkResult(_ index: Int) -> URL { root.appendingPathComponent("chunk-\(index).json") }
}
