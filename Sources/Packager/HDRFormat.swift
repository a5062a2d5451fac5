import LibAV

/// An HDR source's range as its HDR rungs keep it (SPEC §13): BT.2020 with the PQ transfer
/// (HDR10, with the source's mastering-display and light-level metadata when it has them)
/// or the HLG transfer. Never made from an SDR source (no inverse tone map).
public struct HDRFormat: Sendable, Equatable, Codable {
    public enum Transfer: String, Sendable, Codable {
        /// SMPTE ST 2084 (HDR10).
        case pq
        /// ARIB STD-B67 (broadcast HDR).
        case hlg
    }

    public var transfer: Transfer
    /// The mastering display and light levels (PQ only), from the container or the first picture.
    public var metadata: HDRMetadata?

    public init(transfer: Transfer, metadata: HDRMetadata? = nil) {
        self.transfer = transfer
        self.metadata = metadata
    }

    /// Whether a source gets HDR rungs, and what `probe` and the job's log say of it.
    public struct Assessment: Sendable, Equatable {
        /// nil: SDR rungs only.
        public var format: HDRFormat?
        /// Why, in words: what is kept, what is not, what is missing.
        public var notes: [String]
    }

    /// What video `stream` offers HDR rungs; `firstPicture` is the metadata its first
    /// decoded picture carries (HEVC SEI), used where the container says nothing. Primaries
    /// left unsaid are taken for BT.2020, as players take them.
    public static func assess(_ stream: StreamInfo, firstPicture: HDRMetadata? = nil) -> Assessment {
        var notes: [String] = []
        if let vision = stream.dolbyVision {
            guard let base = vision.baseLayer else {
                // Its pictures are IPT, whatever the transfer says: only a tone map of them is made.
                return Assessment(format: nil, notes: [
                    "Dolby Vision profile \(vision.profile) has no base layer that shows without its Dolby Vision layer: SDR rungs only"])
            }
            notes.append("Dolby Vision profile \(vision.profile): its \(base) base layer is kept, the Dolby Vision layer (RPU) is not")
        }
        let transfer: Transfer
        switch stream.colorTransfer {
        case "smpte2084": transfer = .pq
        case "arib-std-b67": transfer = .hlg
        case let other:
            return Assessment(format: nil, notes: notes + ["SDR source (transfer \(other ?? "unknown")): no HDR rung"])
        }
        if let primaries = stream.colorPrimaries, !["bt2020", "unknown", "reserved"].contains(primaries) {
            return Assessment(format: nil, notes: notes + [
                "transfer \(stream.colorTransfer ?? "") with \(primaries) primaries is contradictory: SDR rungs only (tone-mapped)"])
        }
        guard transfer == .pq else { return Assessment(format: HDRFormat(transfer: .hlg), notes: notes + ["HLG: HDR rungs keep it"]) }
        let metadata = stream.hdrMetadata?.filled(from: firstPicture) ?? firstPicture
        if metadata?.masteringDisplay == nil { notes.append("no mastering-display metadata: the HDR10 rungs carry none") }
        if metadata?.contentLight == nil { notes.append("no content light levels (MaxCLL/MaxFALL): the HDR10 rungs carry none") }
        return Assessment(format: HDRFormat(transfer: .pq, metadata: metadata), notes: ["PQ (HDR10): HDR rungs keep it"] + notes)
    }

    /// The HDR metadata of the first picture `stream` decodes to, read from the demuxer's
    /// position (for `probe`: packaging reads it as it plans); nil when there is none.
    static func firstPicture(of source: MediaSource, stream: StreamInfo) -> HDRMetadata? {
        guard let decoder = try? Decoder(demuxer: source.demuxer, streamIndex: stream.index),
              let packet = try? Packet(), let frame = try? Frame() else { return nil }
        var packets = 0
        while packets < 100, (try? source.demuxer.read(into: packet)) == true {
            guard packet.streamIndex == stream.index else { continue }
            packets += 1
            guard (try? decoder.send(packet)) != nil else { return nil }
            if (try? decoder.receive(into: frame)) == .ready { return frame.hdrMetadata }
        }
        return nil
    }

    /// The colours the HDR rungs are coded in.
    var colours: PictureColours { transfer == .pq ? .bt2020PQ : .bt2020HLG }

    /// HLS `VIDEO-RANGE`.
    var videoRange: MasterPlaylist.VideoRange { transfer == .pq ? .pq : .hlg }

    /// x265's HDR10 parameters (`master-display` in 0.00002 and 0.0001 cd/m² units, `max-cll`);
    /// none for HLG.
    var x265Parameters: [String] {
        guard transfer == .pq else { return [] }
        var parameters = ["hdr10=1", "hdr10-opt=1"]
        if let display = metadata?.masteringDisplay {
            func xy(_ point: [Double]) -> String { "(\(Int((point[0] * 50000).rounded())),\(Int((point[1] * 50000).rounded())))" }
            parameters.append("master-display=G\(xy(display.green))B\(xy(display.blue))R\(xy(display.red))WP\(xy(display.whitePoint))"
                + "L(\(Int((display.maxLuminance * 10000).rounded())),\(Int((display.minLuminance * 10000).rounded())))")
        }
        if let light = metadata?.contentLight { parameters.append("max-cll=\(light.maxCLL),\(light.maxFALL)") }
        return parameters
    }
}
