import ArgumentParser
import Packager

struct Presets: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the presets found, with their rungs.")

    @OptionGroup var options: CommonOptions

    func run() throws {
        let presets: [Preset]
        do { presets = try options.presets.all() } catch { throw OperationFailed(error) }
        if options.json { return try options.printJSON(presets) }
        for preset in presets {
            print("\(preset.name): \(preset.video.codec) \(preset.video.encoderPreset), \(preset.segmentFormat.rawValue) segments of "
                + "\(preset.segmentDuration) s, keyframes every \(preset.keyframeInterval) s, AAC \(preset.audio.bitrate / 1000) kb/s")
            for rung in preset.rungs.sorted(by: { $0.height < $1.height }) {
                print("  \(rung.name): \(rung.height) lines, \(rung.bitrate / 1000) kb/s (max \(rung.maxrate / 1000), buffer \(rung.bufsize / 1000))")
            }
        }
    }
}
