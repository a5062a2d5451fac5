import Foundation
@testable import Packager
import Testing
import TestSupport

/// Our readers against independent ones (SPEC §16): `samples/subtitles/` holds the same
/// three cues in every format we read, written by hand; each reads to the same cues, and
/// pycaption (PyPI) or FFmpeg reads the same times and texts from each file.
@Suite struct SubtitleReferenceTests {
    static let cues = [
        "00:00:01.000 00:00:02.500 Good evening.",
        "00:00:03.000 00:00:04.250 <i>Tonight:</i> the weather\nand the news.",
        "00:00:05.100 00:00:06.900 Rain &amp; wind &lt; 5 mm.",
    ]

    static func ours(_ name: String) throws -> [SubtitleCue] {
        let contents = try SubtitleFile.read(at: Fixtures.sample("subtitles/\(name)").path)
        #expect(contents.reading.dropped.isEmpty, "\(name): \(contents.reading.dropped)")
        return contents.reading.cues.sorted { $0.start < $1.start }
    }

    /// A payload as plain text: tags out, the three escapes undone.
    static func plain(_ text: String) -> String {
        text.replacing(/<[^>]*>/, with: "").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }

    /// Cues as pycaption reads `file`.
    static func pycaption(_ file: URL) throws -> [(start: Double, end: Double, text: String)] {
        let script = Fixtures.repository.appendingPathComponent("Tests/EndToEndTests/Readers/subtitle_reference.py").path
        let output = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script, file.path])
        try #require(output.status == 0, "pycaption: \(output.stderr)")
        let cues = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]])
        return cues.map { ($0["start"] as? Double ?? -1, $0["end"] as? Double ?? -1, $0["text"] as? String ?? "") }
    }

    @Test(arguments: ["news.srt", "news.vtt", "news.dfxp", "news.smi", "news.ass"])
    func everyFormatReadsToTheSameCues(file: String) throws {
        let cues = try Self.ours(file)
        #expect(cues.map { "\(WebVTT.timestamp($0.start)) \(WebVTT.timestamp($0.end)) \($0.text)" } == Self.cues, "\(file)")
    }

    @Test(arguments: ["news.srt", "news.vtt", "news.dfxp", "news.smi"])
    func pycaptionReadsTheSameTimesAndTexts(file: String) throws {
        let ours = try Self.ours(file), theirs = try Self.pycaption(Fixtures.sample("subtitles/\(file)"))
        #expect(ours.count == theirs.count, "\(file): \(theirs)")
        for (cue, reference) in zip(ours, theirs) {
            #expect(abs(cue.start - reference.start) < 0.001 && abs(cue.end - reference.end) < 0.001, "\(file): \(cue) against \(reference)")
            #expect(Self.plain(cue.text) == reference.text, "\(file)")
        }
    }

    @Test func pycaptionReadsThePopOnCaptionsOfTheSCCAsWeDo() throws {
        // Its roll-up differs by design: it shows each line alone, where a TV shows the window.
        let ours = try SubtitleFile.read(at: Fixtures.sample("captions.scc").path).reading.cues
        let theirs = try Self.pycaption(Fixtures.sample("captions.scc"))
        for (cue, reference) in zip(ours.prefix(2), theirs.prefix(2)) {
            #expect(abs(cue.start - reference.start) < 0.001 && abs(cue.end - reference.end) < 0.001, "\(cue) against \(reference)")
            #expect(cue.text == reference.text)
        }
    }

    @Test func ffmpegReadsTheASSAsWeDo() throws {
        let output = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), [
            "-v", "error", "-i", Fixtures.sample("subtitles/news.ass").path, "-f", "webvtt", "-"])
        try #require(output.status == 0, "\(output.stderr)")
        let theirs = WebVTTReader.read(output.stdout).cues
        let ours = try Self.ours("news.ass")
        #expect(ours.map(\.start) == theirs.map(\.start) && ours.map(\.end) == theirs.map(\.end))
        #expect(ours.map { Self.plain($0.text) } == theirs.map { Self.plain($0.text) })
    }
}
