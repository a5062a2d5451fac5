import Foundation

/// Sources made for the tests by the `ffmpeg` CLI (an independent writer): FFmpeg's
/// `testsrc2` pattern with a continuous tone, H.264 (ultrafast) and AAC.
public enum TestPattern {
    public static let ffmpeg = URL(fileURLWithPath: "/usr/bin/ffmpeg")

    /// The arguments that make `seconds` of pattern at `size` and `rate` with a keyframe
    /// every `gop` frames and a tone of `tone` Hz (output options follow).
    public static func arguments(seconds: Double, size: String, rate: Int = 30, gop: Int, tone: Int = 440) -> [String] {
        ["-f", "lavfi", "-i", "testsrc2=size=\(size):rate=\(rate)", "-f", "lavfi", "-i", "sine=frequency=\(tone):sample_rate=48000",
         "-t", String(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", String(gop), "-c:a", "aac", "-shortest"]
    }

    /// Writes such a source to `file`; throws with ffmpeg's words if it fails.
    public static func make(_ file: URL, seconds: Double, size: String, rate: Int = 30, gop: Int, tone: Int = 440,
                            extra: [String] = []) throws {
        let made = try runProcess(ffmpeg, ["-v", "error", "-y"] + arguments(seconds: seconds, size: size, rate: rate, gop: gop, tone: tone)
            + extra + [file.path])
        guard made.status == 0 else { throw TestPatternError(description: "ffmpeg could not make \(file.lastPathComponent): \(made.stderr)") }
    }
}

public struct TestPatternError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) { self.description = description }
}

/// Puts a file into an ingest folder the way a user's `mv` does: copied under a hidden
/// name beside it (same file system), then renamed in, so it is complete at once.
public func dropIntoIngest(_ file: URL, ingest: URL, as name: String? = nil) throws {
    let name = name ?? file.lastPathComponent
    let staged = ingest.deletingLastPathComponent().appendingPathComponent(".\(name).copy")
    try FileManager.default.copyItem(at: file, to: staged)
    try FileManager.default.moveItem(at: staged, to: ingest.appendingPathComponent(name))
}

/// Sources past the limits of SPEC §11, made by the `ffmpeg` CLI.
public enum OverLimitSource {
    /// A 9000×16 PNG picture (any name): wider than the 8192 pixels a side we take.
    public static func wideImage(_ file: URL) throws {
        try ffmpeg(file, ["-f", "lavfi", "-i", "color=s=9000x16", "-frames:v", "1", "-c:v", "png", "-f", "image2"])
    }

    /// Two H.264 frames 25 hours apart: frame-rate conversion would make millions of frames.
    public static func framesADayApart(_ file: URL) throws {
        try ffmpeg(file, ["-f", "lavfi", "-i", "testsrc=size=64x64:rate=1", "-frames:v", "2",
                          "-vf", "setpts=N*90000/TB", "-fps_mode", "passthrough", "-c:v", "libx264"])
    }

    private static func ffmpeg(_ file: URL, _ arguments: [String]) throws {
        let made = try runProcess(TestPattern.ffmpeg, ["-v", "error", "-y"] + arguments + [file.path])
        guard made.status == 0 else { throw TestPatternError(description: "ffmpeg could not make \(file.lastPathComponent): \(made.stderr)") }
    }
}
