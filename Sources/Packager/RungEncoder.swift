import Foundation
import LibAV
import VaultLayout

/// One video rung: scales pictures to the rung's size (from the next larger rung's
/// pictures when it can), encodes them with capped VBR and, once given a writer, cuts
/// them into the title's segments. Not thread-safe: owned by the packaging thread.
final class RungEncoder {
    let rung: PlannedRung
    let codecString: String
    private var scaler: Scaler?
    private let encoder: Encoder
    private var writer: SegmentWriter?
    private var timeline: SegmentTimeline?
    private let packet: Packet
    /// Frames every packet is moved later by (the title's lead-in).
    var leadIn: Int64 = 0
    /// Frames the encoder reorders by: its first dts is this far before its first pts.
    var reorderDelay: Int { encoder.reorderDelay }

    /// - Parameters:
    ///   - inputWidth/inputHeight: size of the pictures this rung will be given.
    ///   - frameRate/timeBase: the constant output rate and the frames' pts time base.
    ///   - encoderThreads: frame threads of this rung's encoder (see `threadsPerRung`).
    init(rung: PlannedRung, inputWidth: Int, inputHeight: Int, frameRate: Rational, timeBase: Rational,
         grid: KeyframeGrid, encoderThreads: Int) throws {
        self.rung = rung
        if inputWidth != rung.width || inputHeight != rung.height {
            scaler = try Scaler(width: inputWidth, height: inputHeight, format: rung.pixelFormat,
                                outputWidth: rung.width, outputHeight: rung.height, outputFormat: rung.pixelFormat)
        }
        encoder = try Encoder(
            codecName: rung.codec.encoderName,
            input: .video(width: rung.width, height: rung.height, pixelFormat: rung.pixelFormat, frameRate: frameRate, timeBase: timeBase,
                          colours: rung.hdr?.colours ?? .bt709),
            bitRate: rung.codec == .av1 ? 0 : rung.bitrate, options: rung.codec.options(for: rung, gap: grid.maximumGap, threads: encoderThreads),
            globalHeader: SegmentWriter.wantsGlobalHeader, threads: encoderThreads)
        guard let codec = rung.codec.codecString(extradata: encoder.extradata) else { throw PackagingError(file: rung.name, cause: .failed("encoder gave no parameter sets")) }
        codecString = codec
        packet = try Packet()
    }

    /// Frame threads of each rung's encoder, for a task that is one of `tasks` on the
    /// machine. Every rung encodes on a thread of its own (`RungPipeline`); x264's own
    /// budget (1.5 threads per core) is shared between the rungs by their pixels, at least
    /// 1 each: on 2 cores a 1080p/720p/480p task gives its largest rung 2 frame threads (it
    /// is the slowest stage) and the others 1 — fewer pictures held in memory than each at
    /// its default, every core busy.
    static func threadsPerRung(_ rungs: [PlannedRung], tasks: Int = 1, cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> [Int] {
        let budget = 1.5 * Double(cores) / Double(max(1, tasks))
        let pixels = Double(rungs.reduce(0) { $0 + $1.width * $1.height })
        return rungs.map { max(1, Int((budget * Double($0.width * $0.height) / max(1, pixels)).rounded())) }
    }

    /// Sends the encoded packets into the title's segments, written under `layout`.
    func write(into layout: TitleLayout, timeline: SegmentTimeline, cipher: SegmentCipher? = nil) throws {
        writer = try SegmentWriter(folder: layout.rungFolder(rung.name), layout: layout, encoder: encoder,
                                   codecTag: rung.codec.sampleEntry, timescale: timeline.videoTimescale, cipher: cipher)
        self.timeline = timeline
    }

    /// Encodes `frame` (pts: its frame index; keyframe flag set by the caller) and returns
    /// the picture it encoded, the input of the next smaller rung.
    func encode(_ frame: Frame, keyframe: Bool) throws -> Frame {
        let picture = try scaler?.scale(frame) ?? Frame(referencing: frame)
        picture.forcesKeyframe = keyframe
        try encoder.send(picture)
        try writePackets()
        return picture
    }

    /// Drains the encoder and closes the last segment.
    func finish() throws {
        try encoder.send(nil)
        try writePackets()
        try writer?.close()
    }

    private func writePackets() throws {
        while try encoder.receive(into: packet) == .ready {
            guard let writer, let timeline else { continue }
            // A closed GOP opens every segment, so in decode order the segments never go back.
            let segment = max(writer.current ?? 0, timeline.segment(atFrame: Int(packet.pts ?? 0)))
            packet.delay(by: leadIn)
            try writer.write(packet, segment: segment)
        }
    }
}
