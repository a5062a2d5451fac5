import Foundation
import LibAV

/// An input file opened for packaging: its container, the streams worth using, and
/// what will be skipped and why.
public final class MediaSource {
    /// The widest or tallest picture taken (pixels a side): 8K UHD is 7680×4320.
    public static let maxPictureSide = 8192
    /// The longest source taken: 24 hours.
    public static let maxDuration: Double = 24 * 3600

    public let path: String
    let demuxer: Demuxer
    /// The picture stream that becomes the video ladder (cover art is never it).
    public let video: StreamInfo?
    /// Every audio stream, each becoming one AAC rendition.
    public let audio: [StreamInfo]
    /// Every text subtitle stream, each becoming one WebVTT rendition.
    public let subtitles: [StreamInfo]
    /// Streams left out, with the reason (bitmap subtitles, data, cover art…).
    public let skipped: [(stream: StreamInfo, reason: String)]

    /// Opens `path`, failing with an error that names the file and the cause.
    public init(path: String) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PackagingError(file: path, cause: .fileNotFound)
        }
        guard !isDirectory.boolValue, FileManager.default.isReadableFile(atPath: path) else {
            throw PackagingError(file: path, cause: .unreadable(isDirectory.boolValue ? "it is a folder" : "permission denied"))
        }
        if let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int, size == 0 {
            throw PackagingError(file: path, cause: .empty)
        }
        do {
            demuxer = try Demuxer(path: path)
        } catch {
            throw PackagingError(file: path, cause: .notMedia(error.reason))
        }
        let streams = demuxer.streams
        let preferredVideo = demuxer.bestStream(.video)
        let videoCandidates = streams.filter { $0.kind == .video && !$0.isAttachedPicture && ($0.width ?? 0) > 0 }
        video = videoCandidates.first { $0.index == preferredVideo } ?? videoCandidates.first
        audio = streams.filter { $0.kind == .audio && ($0.sampleRate ?? 0) > 0 && ($0.channels ?? 0) > 0 }
        subtitles = streams.filter { $0.kind == .subtitle && $0.isBitmapSubtitle != true }
        let used = Set([video?.index].compactMap { $0 } + (audio + subtitles).map(\.index))
        var skipped: [(StreamInfo, String)] = []
        for stream in streams where !used.contains(stream.index) {
            switch stream.kind {
            case .video: skipped.append((stream, stream.isAttachedPicture ? "cover art" : "second video stream"))
            case .subtitle: skipped.append((stream, "bitmap subtitles (\(stream.codec)) cannot become WebVTT"))
            case .audio: skipped.append((stream, "audio stream without a sample rate or channels"))
            default: skipped.append((stream, "\(stream.kind.rawValue) stream"))
            }
        }
        self.skipped = skipped
        guard video != nil || !audio.isEmpty else {
            throw PackagingError(file: path, cause: .noUsableStream)
        }
        try checkLimits()
    }

    /// Refuses, before anything is decoded or converted, a picture too large to encode
    /// (an image bomb) or a source longer than a day (timestamps that jump would make
    /// millions of frames).
    private func checkLimits() throws {
        if let video, let width = video.width, let height = video.height, max(width, height) > Self.maxPictureSide {
            throw PackagingError(file: path, cause: .beyondLimit(
                "the picture is \(width)×\(height) pixels; the limit is \(Self.maxPictureSide) pixels a side"))
        }
        let longest = ([duration] + streams.map(\.duration)).compactMap { $0 }.filter(\.isFinite).max() ?? 0
        if longest > Self.maxDuration {
            throw PackagingError(file: path, cause: .beyondLimit(
                "it lasts \(Int(longest / 3600)) hours; the limit is \(Int(Self.maxDuration / 3600)) hours"))
        }
    }

    public var formatName: String { demuxer.formatName }
    public var formatLongName: String { demuxer.formatLongName }
    public var duration: Double? { demuxer.duration }
    public var bitRate: Int? { demuxer.bitRate }
    public var streams: [StreamInfo] { demuxer.streams }
    public var title: String? { demuxer.metadata["title"] }

    /// Reads the next packet. Damaged data is read past, as the demuxer resynchronises
    /// (up to 1000 errors in a row); past that, or at a damaged tail, the input ends like
    /// an end of file (the truncation check then decides whether enough was read).
    func readPacket(into packet: Packet) throws -> Bool {
        var errors = 0
        while true {
            do {
                return try demuxer.read(into: packet)
            } catch where error.code == LibAVError.invalidData || error.code == LibAVError.permission {
                errors += 1
                if errors >= 1000 { return false }
            } catch {
                throw PackagingError(file: path, cause: .unreadable(error.reason))
            }
        }
    }

    /// Length the main track says it has: what a complete file decodes to.
    var expectedDuration: Double? { (video ?? audio.first)?.duration ?? duration }

    /// The audio stream players start with: the source's default, else the first.
    public var defaultAudio: StreamInfo? { audio.first { $0.isDefault } ?? audio.first }
}
