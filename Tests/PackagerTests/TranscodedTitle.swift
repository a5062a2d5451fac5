import Foundation
import LibAV
import Packager
import TestSupport

/// A sample packaged once and shared by the tests that inspect it.
struct TranscodedTitle: Sendable {
    let folder: URL
    let preset: Preset
    let result: TranscodeResult

    /// `testcard-720p30.mp4` (6 s, flash and beep at 3.0 s) with 2 s segments and
    /// keyframes every second, so there are several segments to compare.
    static let testcard = Result { try make(sample: "testcard-720p30.mp4", presetJSON: #"{"name": "test", "segmentDuration": 2, "keyframeInterval": 1}"#) }

    /// `multilang.mkv` (English and French audio, French default, embedded English SubRip,
    /// all 1.5 s into the container's clock) with the Latin-1 Spanish sidecar and a 4 s
    /// German dub (shorter than the 6 s video).
    static let multilingual = Result {
        try make(sample: "multilang.mkv", presetJSON: #"{"name": "test", "segmentDuration": 2, "keyframeInterval": 1}"#,
                 sidecars: [Sidecar(argument: Fixtures.sample("testcard-720p30.es.srt").path, kind: .subtitle),
                            Sidecar(argument: Fixtures.sample("audio-only.m4a").path + ":deu", kind: .audio)])
    }

    static func make(sample: String, presetJSON: String, sidecars: [Sidecar] = []) throws -> TranscodedTitle {
        try make(source: Fixtures.sample(sample), presetJSON: presetJSON, sidecars: sidecars)
    }

    static func make(source file: URL, presetJSON: String, sidecars: [Sidecar] = []) throws -> TranscodedTitle {
        LibAVLog.silence()
        let folder = try Fixtures.temporaryFolder("title")
        let presetFile = folder.appendingPathComponent("preset.json")
        try Data(presetJSON.utf8).write(to: presetFile)
        let preset = try PresetLibrary(folders: [Fixtures.presetsFolder]).load(presetFile.path)
        let output = folder.appendingPathComponent("out", isDirectory: true)
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let source = try MediaSource(path: file.path)
        let result = try TranscodePipeline(source: source, preset: preset, sidecars: sidecars).run(into: output)
        return TranscodedTitle(folder: output, preset: preset, result: result)
    }

    func url(_ relative: String) -> URL { folder.appendingPathComponent(relative) }

    func mediaPlaylist(_ relative: String) throws -> MediaPlaylist {
        try MediaPlaylist(text: String(contentsOf: url(relative), encoding: .utf8)).unwrap(relative)
    }

    /// Each segment of a rendition as a stand-alone file (init segment + media segment),
    /// so a demuxer can open it alone as a player joining there would.
    func standaloneSegments(_ folder: String) throws -> [URL] {
        let playlist = try mediaPlaylist("\(folder)/index.m3u8")
        let header = try playlist.initSegment.map { try Data(contentsOf: url("\(folder)/\($0)")) } ?? Data()
        let scratch = try Fixtures.temporaryFolder("segments")
        return try playlist.segments.enumerated().map { index, segment in
            let file = scratch.appendingPathComponent("\(index).mp4")
            try (header + Data(contentsOf: url("\(folder)/\(segment.uri)"))).write(to: file)
            return file
        }
    }
}

struct Missing: Error, CustomStringConvertible {
    let what: String
    var description: String { "missing \(what)" }
}

extension Optional {
    func unwrap(_ what: String) throws -> Wrapped {
        guard let value = self else { throw Missing(what: what) }
        return value
    }
}
