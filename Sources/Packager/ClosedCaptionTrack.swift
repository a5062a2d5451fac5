import LibAV

/// The CEA-608 captions (CC1) of the source's video as a subtitle track (`subs/cc1`), read
/// from its packets' A/53 SEI as the tracks task reads the source — no picture decoded.
/// Packets come in decoding order; their caption pairs are put back in presentation order
/// before the decoder sees them (a pair is final once a packet decodes after its time).
struct ClosedCaptionTrack {
    private let data: CaptionData
    private let timeBase: Rational
    /// Pairs not yet decoded, by presentation time (seconds on the source's clock).
    private var pending: [(time: Double, pairs: [(UInt8, UInt8)])] = []
    private var decoder = CEA608Decoder()
    private var last = 0.0

    init?(source: MediaSource, stream: StreamInfo) {
        guard let data = CaptionData(source: source, stream: stream) else { return nil }
        self.data = data
        timeBase = stream.timeBase
    }

    /// The caption pairs of one video packet.
    mutating func read(_ packet: Packet) {
        guard let pts = packet.pts ?? packet.dts else { return }
        let pairs = packet.withBytes { data.fieldOnePairs(in: $0) }
        let time = timeBase.seconds(pts)
        last = max(last, time)
        if !pairs.isEmpty {
            let position = pending.firstIndex { $0.time > time } ?? pending.endIndex
            pending.insert((time, pairs), at: position)
        }
        // No later packet shows before this one decodes.
        decode(through: packet.dts.map(timeBase.seconds) ?? time)
    }

    /// Decodes what is left, the last caption ending with the video.
    mutating func finish() {
        decode(through: .infinity)
        decoder.finish(at: last)
    }

    /// The cues so far, on the source's clock.
    var cues: [SubtitleCue] { decoder.cues }

    /// The earliest time (source clock) a cue not in `cues` yet may start at: the caption on
    /// screen, or the first pair not decoded; nil when neither.
    var undecidedSince: Double? {
        [decoder.showingSince, pending.first?.time].compactMap { $0 }.min()
    }

    private mutating func decode(through time: Double) {
        let ready = pending.prefix { $0.time <= time }
        for entry in ready {
            for (first, second) in entry.pairs { decoder.feed(first, second, at: entry.time) }
        }
        pending.removeFirst(ready.count)
    }
}
