import ArgumentParser
import Foundation
import LibAV
import Packager

struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a file's streams and the ladder the preset would make of it.")

    @Argument(help: "The media file.") var file: String
    @Option(help: "Preset name or path to a .json file.") var preset = "default"
    @OptionGroup var tracks: TrackOptions
    @OptionGroup var options: CommonOptions

    func run() throws {
        options.bootstrapLogging()
        let report: ProbeReport
        do {
            let preset = try options.presets.load(self.preset)
            report = ProbeReport(source: try MediaSource(path: file), preset: preset, sidecars: tracks.sidecars())
        } catch {
            throw OperationFailed(error)
        }
        if options.json { return try options.printJSON(report) }
        print(Self.describe(report))
    }

    /// Levels as people write them: H.264 31 → "3.1", HEVC 93 → "3.1".
    static func level(_ level: Int, codec: String) -> String {
        switch codec {
        case "h264": "\(level / 10).\(level % 10)"
        case "hevc": level % 30 == 0 ? "\(level / 30)" : "\(level / 30).\(level % 30 / 3)"
        default: String(level)
        }
    }

    static func describe(_ report: ProbeReport) -> String {
        var lines = [report.file]
        var container = "  container  \(report.containerName) (\(report.container))"
        if let duration = report.duration { container += String(format: ", %.3f s", duration) }
        if let bitRate = report.bitRate { container += ", \(bitRate / 1000) kb/s" }
        lines.append(container)
        if let title = report.title { lines.append("  title      \(title)") }
        for stream in report.streams {
            let info = stream.info
            var facts = [info.codec + (info.profile.map { " (\($0))" } ?? "")]
            if let level = info.level, info.kind == .video { facts.append("level \(Self.level(level, codec: info.codec))") }
            if let width = info.width, let height = info.height {
                var size = "\(width)x\(height)"
                if let sar = info.sampleAspectRatio { size += " SAR \(sar.numerator):\(sar.denominator)" }
                if let dar = stream.displayAspectRatio { size += " DAR \(dar)" }
                facts.append(size)
            }
            if let rate = info.frameRate { facts.append(String(format: "%.3f fps", rate.doubleValue)) }
            if let average = info.averageFrameRate, let rate = info.frameRate, average != rate {
                facts.append(String(format: "variable (average %.3f fps)", average.doubleValue))
            }
            if let format = info.pixelFormat {
                facts.append("\(format) \(info.bitDepth ?? 8)-bit \(info.chromaSubsampling ?? "")")
            }
            if let order = info.fieldOrder, order != .unknown { facts.append(order.rawValue) }
            if let rotation = info.rotation, rotation != 0 { facts.append("rotation \(rotation)°") }
            if info.isHDR { facts.append("HDR (\(info.colorTransfer ?? ""))") }
            if let channels = info.channels { facts.append("\(channels) ch" + (info.channelLayout.map { " (\($0))" } ?? "")) }
            if let rate = info.sampleRate { facts.append("\(rate) Hz") }
            if let bitRate = info.bitRate { facts.append("\(bitRate / 1000) kb/s") }
            if info.kind == .audio || info.kind == .subtitle { facts.append("language \(info.language ?? "und")") }
            if info.isDefault { facts.append("default") }
            if info.isForced { facts.append("forced") }
            if info.isHearingImpaired { facts.append("hearing impaired") }
            if info.isBitmapSubtitle == true { facts.append("bitmap") }
            let kind = info.kind.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
            lines.append("  #\(info.index) \(kind) \(facts.joined(separator: ", "))")
            lines.append("      → \(stream.plan)")
        }
        for use in report.sidecars {
            lines.append("  sidecar  \(use.sidecar.kind.rawValue) \(use.sidecar.path), language \(use.sidecar.language.tag)")
            lines.append("      → \(use.plan)")
        }
        if !report.videoProcessing.isEmpty {
            lines.append("  video processing: \(report.videoProcessing.joined(separator: ", "))")
        }
        lines.append("  ladder (preset \(report.preset)):" + (report.ladder.isEmpty ? " none (audio only)" : ""))
        let nameWidth = max(6, report.ladder.map(\.name.count).max() ?? 0)  // padding(toLength:) also cuts
        for rung in report.ladder {
            lines.append("    \(rung.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)) \(rung.width)x\(rung.height)  "
                + "\(rung.codec) \(rung.profile)\(rung.hdr.map { " HDR \($0.transfer.rawValue.uppercased())" } ?? "")  "
                + "\(rung.bitrate / 1000) kb/s (max \(rung.maxrate / 1000), buffer \(rung.bufsize / 1000))")
        }
        for note in report.ladderNotes { lines.append("    note: \(note)") }
        return lines.joined(separator: "\n")
    }
}
