import Foundation
import LibAV
import VaultLayout

/// The shared clock of a title's tracks: where the title starts on the source's timeline,
/// so every track lines up with the first video frame.
final class Timeline {
    /// Seconds on the source clock of the title's first frame; nil until known.
    var start: Double?
    /// Seconds of video in the title (audio is cut there); nil without video.
    let videoSeconds: Double?

    init(start: Double?, videoSeconds: Double?) {
        self.start = start
        self.videoSeconds = videoSeconds
    }

    var hasVideo: Bool { videoSeconds != nil }
}

/// One audio rendition: decodes an audio stream (of the source, or of a dubbing sidecar),
/// resamples it to its format (the preset's AAC, or E-AC-3), lines it up with the video (silence or
/// trimming at the start, padding or trimming at the end) and segments it.
/// Not thread-safe: owned by the pipeline's thread.
final class AudioRenditionEncoder {
    let track: TrackPlan.AudioTrack
    let demuxer: Demuxer
    let streamIndex: Int
    let codecString: String
    let format: AudioFormat
    var channels: Int { format.channels }
    private let decoder: Decoder
    private let resampler: Resampler
    private let encoder: Encoder
    private let writer: SegmentWriter
    private let segmentation: AudioSegmentation
    private let segments: SegmentTimeline
    private let timeline: Timeline
    private let frame: Frame
    private let packet: Packet
    private var waiting: [Frame] = []
    private var aligned = false
    private var samplesToDrop = 0
    /// Samples every packet is moved later by (see `TranscodePipeline` lead-in).
    var leadIn: Int64 = 0
    /// Priming samples the encoder puts before the first real sample.
    var initialPadding: Int { encoder.initialPadding }

    /// A source stream starts where it stands on the source's clock; a sidecar's first
    /// sample is the title's first instant.
    private var followsSourceClock: Bool { if case .stream = track.origin { true } else { false } }

    /// - Parameters:
    ///   - layout: where its segments are written (`audio/<folder>/` under it).
    ///   - segments/segmentation: where each segment begins (the title's plan).
    init(track: TrackPlan.AudioTrack, demuxer: Demuxer, streamIndex: Int, format: AudioFormat,
         layout: TitleLayout, timeline: Timeline, segments: SegmentTimeline, segmentation: AudioSegmentation,
         cipher: SegmentCipher? = nil) throws {
        self.track = track
        self.demuxer = demuxer
        self.streamIndex = streamIndex
        self.timeline = timeline
        self.segments = segments
        self.segmentation = segmentation
        self.format = format
        decoder = try Decoder(demuxer: demuxer, streamIndex: streamIndex, threads: 1)
        encoder = try format.encoder()
        codecString = format.codecString(of: encoder)
        resampler = try Resampler(for: encoder)
        writer = try SegmentWriter(folder: layout.audioFolder(track.folder), layout: layout, encoder: encoder, cipher: cipher)
        frame = try Frame()
        packet = try Packet()
    }

    /// Called with each segment's number once its file is whole.
    var segmentCompleted: (Int) throws -> Void {
        get { writer.segmentCompleted }
        set { writer.segmentCompleted = newValue }
    }

    /// Seconds of the title this rendition has encoded.
    var seconds: Double { Double(resampler.samplesOut) / Double(resampler.outputRate) }

    /// Decodes one packet of this rendition's source stream.
    func decode(_ packet: Packet) throws {
        while try !decoder.send(packet) {
            try receiveFrames()
        }
        try receiveFrames()
    }

    /// Encodes what the video's pace allows: never past the video encoded so far (priming
    /// included), so a sound track longer than the picture is cut where the picture ends.
    func encodeAvailable() throws {
        let horizon = timeline.videoSeconds.map { Int64(($0 * Double(resampler.outputRate)).rounded()) - Int64(initialPadding) }
        try encodeBuffered(limit: horizon ?? .max)
    }

    /// Flushes everything; with video, pads with silence or trims so the rendition, priming
    /// included, lasts exactly as long as the video: the sound ends one AAC priming frame
    /// (21 ms) before the picture, and the last audio segment ends with the last video one.
    /// An encoder whose frames are all whole (E-AC-3) ends at its last whole frame before that.
    func finish() throws {
        let duration = timeline.videoSeconds
        _ = try decoder.send(nil)
        try receiveFrames()
        if !aligned, timeline.start == nil { timeline.start = 0 }
        try flushWaiting()
        try resampler.push(nil)
        applyDrop()
        if let duration {
            var target = Int64((duration * Double(resampler.outputRate)).rounded()) - Int64(initialPadding)
            if !encoder.takesShortLastFrame { target -= target % Int64(encoder.frameSize) }
            let missing = target - resampler.samplesOut - Int64(resampler.bufferedSamples)
            if missing > 0 { try resampler.pushSilence(count: Int(missing)) }
            try encodeBuffered(limit: target, allowShort: true)
        } else {
            try encodeBuffered(limit: .max, allowShort: encoder.takesShortLastFrame)
        }
        try encoder.send(nil)
        try writePackets()
        try writer.close()
    }

    var folder: URL { writer.folder }
    var samplesEncoded: Int64 { resampler.samplesOut }
    /// The title-clock sample where its last packet ends: `samplesEncoded` for AAC (whose
    /// flush gives its priming back), a priming less for E-AC-3 (which holds nothing back).
    private(set) var packetsEnd: Int64 = 0
    var sampleRate: Int { resampler.outputRate }

    private func receiveFrames() throws {
        while try decoder.receive(into: frame) == .ready {
            let decoded = try Frame(referencing: frame)
            frame.unref()
            if timeline.start == nil, !timeline.hasVideo, let pts = decoded.bestEffortTimestamp {
                timeline.start = decoder.timeBase.seconds(pts)
            }
            waiting.append(decoded)
            if timeline.start != nil { try flushWaiting() }
        }
    }

    private func flushWaiting() throws {
        for decoded in waiting {
            if !aligned { try align(to: decoded) }
            try resampler.push(decoded)
            applyDrop()
        }
        waiting.removeAll()
        try encodeAvailable()
    }

    /// Silence before audio that starts after the video, trimming of audio that starts before.
    private func align(to first: Frame) throws {
        aligned = true
        guard followsSourceClock, let start = timeline.start, let pts = first.bestEffortTimestamp else { return }
        let offset = Int(((decoder.timeBase.seconds(pts) - start) * Double(resampler.outputRate)).rounded())
        if offset > 0 { try resampler.pushSilence(count: offset) } else { samplesToDrop = -offset }
    }

    private func applyDrop() {
        guard samplesToDrop > 0 else { return }
        let dropped = min(samplesToDrop, resampler.bufferedSamples)
        resampler.drop(count: dropped)
        samplesToDrop -= dropped
    }

    private func encodeBuffered(limit: Int64, allowShort: Bool = false) throws {
        let size = encoder.frameSize
        while resampler.samplesOut < limit {
            let wanted = Int(min(Int64(size), limit - resampler.samplesOut))
            guard wanted == size || allowShort,
                  let next = try resampler.pop(size: wanted, allowShort: allowShort) else { break }
            try encoder.send(next)
            try writePackets()
        }
        if allowShort, limit != .max { resampler.drop(count: resampler.bufferedSamples) }
    }

    private func writePackets() throws {
        while try encoder.receive(into: packet) == .ready {
            let segment = max(writer.current ?? 0, segmentation.segment(atSample: packet.pts ?? 0, on: segments))
            packetsEnd = max(packetsEnd, (packet.pts ?? 0) + packet.duration)
            packet.delay(by: leadIn)
            try writer.write(packet, segment: segment)
        }
    }
}
