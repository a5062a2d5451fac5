import ArgumentParser
import Foundation
import Packager
import Synchronization
import VaultLayout

/// Set by SIGINT/SIGTERM; the pipeline polls it between packets.
let interruptRequested = Atomic<Bool>(false)

/// SIGINT and SIGTERM set `interruptRequested`, even when the parent started us with
/// them blocked (as some supervisors and test runners do).
func requestInterruptOnSignals() {
    var signals = sigset_t()
    sigemptyset(&signals)
    for signalNumber in [SIGINT, SIGTERM] {
        sigaddset(&signals, signalNumber)
        signal(signalNumber) { _ in interruptRequested.store(true, ordering: .relaxed) }
    }
    pthread_sigmask(SIG_UNBLOCK, &signals, nil)
}

struct Transcode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Package one file into an HLS folder, without the daemon or catalog.")

    @Argument(help: "The media file.") var file: String
    @Option(help: "Output folder: receives master.m3u8, the rung folders and the poster.") var out: String
    @Option(help: "Preset name or path to a .json file.") var preset = "default"
    @OptionGroup var tracks: TrackOptions
    @OptionGroup var options: CommonOptions

    func run() throws {
        options.bootstrapLogging()
        let result: TranscodeResult
        do {
            let preset = try options.presets.load(self.preset)
            let source = try MediaSource(path: file)
            requestInterruptOnSignals()
            let display = ProgressDisplay(label: URL(fileURLWithPath: file).lastPathComponent)
            defer { display.finish() }
            result = try TranscodePipeline(source: source, preset: preset, sidecars: tracks.sidecars()).publish(
                to: URL(fileURLWithPath: out),
                progress: display.show,
                isCancelled: { interruptRequested.load(ordering: .relaxed) })
        } catch {
            throw OperationFailed(error)
        }
        for warning in result.warnings { warn(warning) }
        if options.json { return try options.printJSON(result) }
        print(Self.describe(result))
    }

    static func describe(_ result: TranscodeResult) -> String {
        var lines = [String(format: "%@ → %@/%@  (%.2f s of media in %.2f s, %.2f× realtime)",
                            result.input, result.output, TitleLayout.masterPlaylistName,
                            result.duration, result.elapsed, result.speed)]
        for rung in result.video {
            lines.append(String(format: "  %-6@ %5dx%-5d %8.1f kb/s peak %8.1f kb/s avg  %@  %@",
                                rung.name, rung.width, rung.height, Double(rung.bandwidth) / 1000,
                                Double(rung.averageBandwidth) / 1000, rung.codecs, ByteCountFormatter.string(fromByteCount: Int64(rung.size), countStyle: .file)))
        }
        for audio in result.audio {
            lines.append(String(format: "  audio  %@ (%@)%@ %d ch  %.1f kb/s peak  %@%@", audio.language, audio.name,
                                audio.isDefault ? " default" : "", audio.channels, Double(audio.bandwidth) / 1000, audio.codecs,
                                audio.sidecar.map { "  from \($0)" } ?? ""))
        }
        for subtitle in result.subtitles {
            lines.append("  subs   \(subtitle.language) (\(subtitle.name))\(subtitle.isForced ? " forced" : "")  \(subtitle.cues) cues  \(subtitle.playlist)")
        }
        if let poster = result.poster { lines.append("  poster \(poster)") }
        if let storyboard = result.storyboard {
            lines.append(String(format: "  storyboard %@ + %@ (%d tiles %dx%d, every %.1f s)", storyboard.image, storyboard.cues,
                                storyboard.tiles, storyboard.tileWidth, storyboard.tileHeight, storyboard.interval))
        }
        return lines.joined(separator: "\n")
    }
}
