import Foundation
import Testing
import TestSupport

/// The real players the end-to-end tests drive: the browser scripts of `Browser/` (headless
/// Chromium) and GStreamer's playbin.
enum Players {
    /// Runs `Browser/<script>` with `arguments` (and `environment`, `NAME=value`) and returns
    /// the JSON report it prints.
    static func report(_ script: String, _ arguments: String..., environment: [String] = []) throws -> [String: Any] {
        let path = Fixtures.repository.appendingPathComponent("Tests/EndToEndTests/Browser/\(script)").path
        let output = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), environment + ["/usr/bin/python3", path] + arguments)
        try #require(output.status == 0, "\(script): \(output.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any], "\(output.stdout)")
    }

    /// Video.js as PyPI's js.videojs ships it (`make test` installs it).
    static let videoJS = Result { () throws -> URL in
        let found = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), [
            "python3", "-c", "import js.videojs, os; print(os.path.join(os.path.dirname(js.videojs.__file__), 'resources'))"])
        guard found.status == 0 else { throw TestPatternError(description: "js.videojs is not installed: \(found.stderr)") }
        return URL(fileURLWithPath: found.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// GStreamer's playbin on `uri` with fake sinks, unsynchronised, for at most two minutes:
    /// whether it reached the end of the stream, and what it printed.
    static func gstreamer(_ uri: String) throws -> (ended: Bool, output: String) {
        let played = try runProcess(URL(fileURLWithPath: "/usr/bin/timeout"), [
            "120", "gst-launch-1.0", "playbin", "uri=\(uri)",
            "video-sink=fakesink sync=false", "audio-sink=fakesink sync=false", "text-sink=fakesink sync=false"])
        return (played.status == 0 && played.stdout.contains("Got EOS from element"), played.stdout + "\n" + played.stderr)
    }
}
