import Foundation
import LibAV

/// One video rung: scales pictures to the rung's size (from the next larger rung's
/// pictures when it can), encodes them with capped VBR and segments them.
/// Not thread-safe: owned by the pipeline's thread.
final class RungEncoder {
    let rung: PlannedRung
    let codecString: String
    private var scaler: Scaler?
    private let encoder: Encoder
    private let segmenter: HLSSegmenter
    private let packet: Packet
    private(set) var framesEncoded = 0
    /// Frames every packet is moved later by (see `TranscodePipeline` lead-in).
    var leadIn: Int64 = 0
    /// Frames the encoder reorders by: its first dts is this far before its first pts.
    var reorderDelay: Int { encoder.reorderDelay }

    /// - Parameters:
    ///   - inputWidth/inputHeight: size of the pictures this rung will be given.
    ///   - frameRate/timeBase: the constant output rate and the frames' pts time base.
    ///   - encoderThreads: frame threads of this rung's encoder (see `threadsPerRung`).
    init(rung: PlannedRung, inputWidth: Int, inputHeight: Int, frameRate: Rational, timeBase: Rational,
         grid: KeyframeGrid, layout: SegmentLayout, segmentDuration: Double, encoderThreads: Int) throws {
        self.rung = rung
        if inputWidth != rung.width || inputHeight != rung.height {
            scaler = try Scaler(width: inputWidth, height: inputHeight, format: .yuv420p,
                                outputWidth: rung.width, outputHeight: rung.height, outputFormat: .yuv420p)
        }
        segmenter = try HLSSegmenter(folder: layout.rungFolder(rung.name), layout: layout)
        let isHEVC = rung.codec == "hevc"
        var options: [(String, String)] = [
            ("preset", rung.encoderPreset),
            ("profile", rung.profile),
            ("maxrate", String(rung.maxrate)),
            ("bufsize", String(rung.bufsize)),
            ("g", String(grid.maximumGap)),
            ("forced-idr", "1"),
        ]
        if isHEVC {
            options.append(("x265-params", "scenecut=0:open-gop=0:log-level=error"))
        } else {
            options.append(("sc_threshold", "0"))
        }
        encoder = try Encoder(
            codecName: isHEVC ? "libx265" : "libx264",
            input: .video(width: rung.width, height: rung.height, pixelFormat: .yuv420p, frameRate: frameRate, timeBase: timeBase),
            bitRate: rung.bitrate, options: options, globalHeader: segmenter.wantsGlobalHeader,
            threads: encoderThreads)
        let extradata = encoder.extradata
        let codec = isHEVC ? CodecString.hevc(extradata: extradata) : CodecString.h264(extradata: extradata)
        guard let codec else { throw PackagingError(file: rung.name, cause: .failed("encoder gave no parameter sets")) }
        codecString = codec
        try segmenter.addStream(for: encoder, codecTag: isHEVC ? "hvc1" : nil)
        packet = try Packet()
        self.segmentDuration = segmentDuration
    }

    private let segmentDuration: Double

    /// Frame threads for each of `rungs` encoders running side by side: x264's own default
    /// (1.5 per core) shared between the rungs, at least 2. All rungs together still keep
    /// every core busy, with fewer pictures in flight (less memory) than each at its default.
    static func threadsPerRung(rungs: Int, cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int {
        max(2, Int((1.5 * Double(cores) / Double(max(1, rungs))).rounded(.up)))
    }

    func start() throws { try segmenter.start(segmentDuration: segmentDuration) }

    /// Encodes `frame` (pts set, keyframe flag set by the caller) and returns the picture
    /// it encoded, the input of the next smaller rung.
    func encode(_ frame: Frame, keyframe: Bool) throws -> Frame {
        let picture = try scaler?.scale(frame) ?? Frame(referencing: frame)
        picture.forcesKeyframe = keyframe
        try encoder.send(picture)
        try writePackets()
        framesEncoded += 1
        return picture
    }

    /// Drains the encoder and closes the playlist of `duration` seconds.
    func finish(duration: Double) throws {
        try encoder.send(nil)
        try writePackets()
        try segmenter.finish(duration: duration)
    }

    var playlist: URL { segmenter.playlist }

    private func writePackets() throws {
        while try encoder.receive(into: packet) == .ready {
            packet.delay(by: leadIn)
            try segmenter.write(packet)
        }
    }
}
