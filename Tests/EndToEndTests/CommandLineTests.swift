import Foundation
import Testing
import TestSupport

/// The built `streamvault` binary, run as a user would.
@Suite struct CommandLineTests {
    func streamvault(_ arguments: String...) throws -> ProcessOutput {
        try runProcess(Fixtures.binary, arguments, currentDirectory: Fixtures.repository)
    }

    @Test func probePrintsStreamsAndTheLadderAsJSON() throws {
        let output = try streamvault("probe", Fixtures.sample("testcard-720p30.mp4").path, "--json")
        #expect(output.status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let ladder = try #require(report["ladder"] as? [[String: Any]])
        #expect(ladder.compactMap { $0["name"] as? String } == ["720p", "480p"])
        let streams = try #require(report["streams"] as? [[String: Any]])
        #expect(streams.count == 2)
        let video = try #require(streams.first?["info"] as? [String: Any])
        for key in ["codec", "profile", "width", "height", "sampleAspectRatio", "frameRate", "fieldOrder", "rotation", "bitRate"] {
            #expect(video[key] != nil, "probe lacks \(key)")
        }
    }

    @Test func probeShowsWhatHappensToEachStream() throws {
        let output = try streamvault("probe", Fixtures.sample("interlaced-pal-anamorphic-422.ts").path)
        #expect(output.status == 0)
        #expect(output.stdout.contains("deinterlace") && output.stdout.contains("DAR 16:9"))
        #expect(output.stdout.contains("480p") && output.stdout.contains("854x480"))
    }

    @Test(arguments: [
        ("missing.mp4", "no such file"),
        ("notes.mp4", "not a media file"),
        ("truncated.mp4", "truncated"),
        ("empty.mp4", "empty file"),
        ("subtitles-only.srt", "no usable video or audio stream"),
    ])
    func badInputFailsWithOneClearLineAndLeavesNothing(name: String, cause: String) throws {
        let folder = try Fixtures.temporaryFolder("bad")
        let input = folder.appendingPathComponent(name)
        switch name {
        case "notes.mp4": try "not a video".write(to: input, atomically: true, encoding: .utf8)
        case "truncated.mp4": try Data(contentsOf: Fixtures.sample("testcard-720p30.mp4")).prefix(300_000).write(to: input)
        case "empty.mp4": try Data().write(to: input)
        case "subtitles-only.srt": try "1\n00:00:01,000 --> 00:00:02,000\nHello\n".write(to: input, atomically: true, encoding: .utf8)
        default: break
        }
        let before = try? Data(contentsOf: input)
        let output = try streamvault("transcode", input.path, "--out", folder.appendingPathComponent("out").path)
        #expect(output.status == 1)
        let lines = output.stderr.split(separator: "\n").filter { !$0.hasPrefix("progress ") }
        #expect(lines.count == 1, "stderr: \(output.stderr)")
        #expect(lines.first?.contains(input.path) == true && lines.first?.contains(cause) == true, "stderr: \(output.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0 != name }
        #expect(left.isEmpty, "left behind: \(left)")
        #expect((try? Data(contentsOf: input)) == before, "the input was modified")
    }

    @Test func usageErrorsExitWithTwo() throws {
        #expect(try streamvault("transcode").status == 2)
        #expect(try streamvault("probe", "a", "--no-such-flag").status == 2)
    }

    @Test func presetsListsTheRepositoryPresets() throws {
        let output = try streamvault("presets")
        #expect(output.status == 0)
        for name in ["default", "preview", "broadcast-ts"] { #expect(output.stdout.contains("\(name):")) }
    }
}
