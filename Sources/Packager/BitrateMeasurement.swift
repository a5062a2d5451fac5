import Foundation

/// Bit rates measured over the segments actually written, per RFC 8216 §4.3.4.2.
public struct BitrateMeasurement: Sendable, Equatable, Codable {
    /// Peak segment bit rate (bits per second): the highest rate of any run of contiguous
    /// segments lasting 0.5–1.5 × the target duration.
    public var peak: Int
    /// Total bits over total duration.
    public var average: Int
    /// Total bytes of the segments (init segment included).
    public var bytes: Int

    public static let zero = BitrateMeasurement(peak: 0, average: 0, bytes: 0)

    public init(peak: Int, average: Int, bytes: Int) {
        self.peak = peak
        self.average = average
        self.bytes = bytes
    }

    /// Measures the media playlist at `playlistURL` and the segment files beside it.
    public init(playlistAt playlistURL: URL) throws {
        let text = try String(contentsOf: playlistURL, encoding: .utf8)
        guard let playlist = MediaPlaylist(text: text) else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: playlistURL.path])
        }
        let folder = playlistURL.deletingLastPathComponent()
        func size(_ uri: String) throws -> Int {
            let attributes = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(uri).path)
            return (attributes[.size] as? Int) ?? 0
        }
        let sizes = try playlist.segments.map { try size($0.uri) }
        self = Self.measure(durations: playlist.segments.map(\.duration), sizes: sizes, target: Double(playlist.targetDuration))
        bytes += try playlist.initSegment.map(size) ?? 0
    }

    /// The measurement of segments with these durations (seconds) and sizes (bytes).
    public static func measure(durations: [Double], sizes: [Int], target: Double) -> BitrateMeasurement {
        let totalDuration = durations.reduce(0, +), totalBytes = sizes.reduce(0, +)
        guard totalDuration > 0 else { return .zero }
        let average = Double(totalBytes * 8) / totalDuration
        var peak = 0.0
        for start in durations.indices {
            var duration = 0.0, bytes = 0
            for index in start..<durations.count {
                duration += durations[index]
                bytes += sizes[index]
                if duration > 1.5 * target { break }
                if duration >= 0.5 * target { peak = max(peak, Double(bytes * 8) / duration) }
            }
        }
        if peak == 0 { peak = average }  // a title shorter than half a segment
        return BitrateMeasurement(peak: Int(peak.rounded(.up)), average: Int(average.rounded(.up)), bytes: totalBytes)
    }
}
