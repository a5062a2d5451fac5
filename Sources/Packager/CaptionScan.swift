import LibAV

/// Whether a source's video carries CEA-608 closed captions (SPEC §16): its packets are read
/// (not decoded) for the first `seconds`, looking for a CC1/CC2 byte pair in A/53 user data
/// that is not padding.
enum CaptionScan {
    /// How far into the video captions are looked for: broadcast and disc sources carry
    /// `cc_data` in every frame, captions or silence.
    static let seconds = 10.0

    /// The captions' language (the video stream's, else the default audio's); nil when the
    /// packets read from the demuxer's position for `seconds` of video hold no caption pair.
    static func language(of source: MediaSource, video stream: StreamInfo, packet: Packet) throws -> Language? {
        guard let reader = CaptionData(source: source, stream: stream) else { return nil }
        var first: Double?
        while try source.demuxer.read(into: packet) {
            guard packet.streamIndex == stream.index else { continue }
            let time = source.demuxer.seconds(of: packet) ?? 0
            if time - (first ?? time) > seconds { break }
            first = first ?? time
            // A pair that is not padding (0x80 0x80, sent when nothing is captioned).
            if packet.withBytes({ reader.fieldOnePairs(in: $0).contains { $0.0 & 0x7F != 0 || $0.1 & 0x7F != 0 } }) {
                let video = Language(streamTag: stream.language)
                return video != .undetermined ? video : Language(streamTag: source.defaultAudio?.language)
            }
        }
        return nil
    }
}
