import LibAV

/// CEA-608 caption byte pairs carried in the video (ATSC A/53 Part 4 `cc_data` after "GA94":
/// in H.264 SEI `user_data_registered_itu_t_t35` and HEVC prefix SEI, country 0xB5, provider
/// 0x0031; in MPEG-2 picture user data), read from the packets without decoding a picture.
/// Pure, fuzzed (`make fuzz`).
struct CaptionData: Sendable {
    /// How the codec's NAL units are framed in its packets.
    enum Framing: Equatable, Sendable {
        /// Each NAL unit after a big-endian length of this many bytes (MP4, Matroska).
        case lengthPrefixed(Int)
        /// Start codes (MPEG-TS, raw streams).
        case annexB
    }

    enum Codec: Sendable { case h264, hevc, mpeg2 }

    let codec: Codec
    let framing: Framing

    /// For video `stream` of `source`; nil for codecs that carry no A/53 SEI.
    init?(source: MediaSource, stream: StreamInfo) {
        self.init(codec: stream.codec, extradata: source.demuxer.extradata(of: stream.index))
    }

    /// For a stream of `codec` (libav's name) with `extradata`; nil for codecs that carry no A/53 SEI.
    init?(codec name: String, extradata: [UInt8]) {
        switch name {
        case "h264":
            codec = .h264
            // avcC: configurationVersion 1, …, lengthSizeMinusOne in the low bits of byte 4.
            framing = extradata.count > 4 && extradata[0] == 1 ? .lengthPrefixed(Int(extradata[4] & 3) + 1) : .annexB
        case "hevc":
            codec = .hevc
            // hvcC: configurationVersion 1, lengthSizeMinusOne in the low bits of byte 21.
            framing = extradata.count > 22 && extradata[0] == 1 ? .lengthPrefixed(Int(extradata[21] & 3) + 1) : .annexB
        case "mpeg2video":
            codec = .mpeg2
            framing = .annexB
        default:
            return nil
        }
    }

    /// The CEA-608 pairs of field 1 (`cc_type` 0: channels CC1 and CC2) in one packet, in
    /// order. Only the SEI (or user data) units are copied out of the packet.
    func fieldOnePairs(in packet: UnsafeRawBufferPointer) -> [(UInt8, UInt8)] {
        var pairs: [(UInt8, UInt8)] = []
        for unit in nalUnits(packet) {
            switch codec {
            case .mpeg2:
                // A start code's unit: user data (0xB2), then the ATSC identifier.
                if packet[unit.lowerBound] == 0xB2 { pairs += Self.ccPairs(ArraySlice(packet[(unit.lowerBound + 1)..<unit.upperBound])) }
            case .h264, .hevc:
                guard isSEI(packet, unit) else { continue }
                let payload = packet[(unit.lowerBound + (codec == .h264 ? 1 : 2))..<unit.upperBound]
                for message in Self.registeredUserData(in: Self.unescaped(payload)) {
                    // country 0xB5 (USA), provider 0x0031 (ATSC), then the identifier.
                    if message.starts(with: [0xB5, 0x00, 0x31]) { pairs += Self.ccPairs(message.dropFirst(3)) }
                }
            }
        }
        return pairs
    }

    private func isSEI(_ packet: UnsafeRawBufferPointer, _ unit: Range<Int>) -> Bool {
        let header = packet[unit.lowerBound]
        return codec == .h264 ? header & 0x1F == 6 : (header >> 1) & 0x3F == 39 && unit.count > 2
    }

    /// Where the packet's NAL units (or MPEG-2 start code units) are, none empty.
    private func nalUnits(_ bytes: UnsafeRawBufferPointer) -> [Range<Int>] {
        var units: [Range<Int>] = []
        switch framing {
        case let .lengthPrefixed(size):
            var position = 0
            while position + size <= bytes.count {
                let length = bytes[position..<position + size].reduce(0) { $0 << 8 | Int($1) }
                position += size
                guard length > 0, length <= bytes.count - position else { break }
                units.append(position..<position + length)
                position += length
            }
        case .annexB:
            var start: Int?, index = 0
            while index + 2 < bytes.count {
                if bytes[index] == 0, bytes[index + 1] == 0, bytes[index + 2] == 1 {
                    if let start {
                        var end = index  // back over the zero that begins a four-byte start code
                        while end > start, bytes[end - 1] == 0 { end -= 1 }
                        if end > start { units.append(start..<end) }
                    }
                    index += 3
                    start = index
                } else {
                    index += 1
                }
            }
            if let start, start < bytes.count { units.append(start..<bytes.count) }
        }
        return units
    }

    /// The RBSP: each emulation prevention byte (0x03 after two zero bytes) removed.
    private static func unescaped(_ unit: Slice<UnsafeRawBufferPointer>) -> [UInt8] {
        var output: [UInt8] = [], zeros = 0
        output.reserveCapacity(unit.count)
        for byte in unit {
            if zeros >= 2, byte == 3 {
                zeros = 0
                continue
            }
            output.append(byte)
            zeros = byte == 0 ? zeros + 1 : 0
        }
        return output
    }

    /// The payloads of the SEI messages of type 4 (`user_data_registered_itu_t_t35`).
    private static func registeredUserData(in rbsp: [UInt8]) -> [ArraySlice<UInt8>] {
        var messages: [ArraySlice<UInt8>] = [], position = 0
        func number() -> Int? {
            var value = 0
            while position < rbsp.count {
                let byte = rbsp[position]
                position += 1
                value += Int(byte)
                if byte != 0xFF { return value }
            }
            return nil
        }
        // A message needs at least its two header bytes; the last byte is the RBSP's stop bit.
        while position + 2 < rbsp.count, let type = number(), let size = number() {
            guard position + size <= rbsp.count else { break }
            if type == 4 { messages.append(rbsp[position..<position + size]) }
            position += size
        }
        return messages
    }

    /// The field-1 CEA-608 pairs of A/53 user data from its identifier on ("GA94", type 3,
    /// `cc_data`); none for other user data.
    private static func ccPairs(_ data: ArraySlice<UInt8>) -> [(UInt8, UInt8)] {
        let bytes = Array(data)
        guard bytes.count >= 7, bytes[0...3].elementsEqual("GA94".utf8), bytes[4] == 0x03, bytes[5] & 0x40 != 0 else { return [] }
        let count = Int(bytes[5] & 0x1F)
        var pairs: [(UInt8, UInt8)] = []
        // After the flags: em_data, then `count` triplets (marker bits, cc_valid, cc_type; two bytes).
        for index in 0..<count {
            let base = 7 + index * 3
            guard base + 2 < bytes.count else { break }
            let header = bytes[base]
            if header & 0x04 != 0, header & 0x03 == 0 { pairs.append((bytes[base + 1], bytes[base + 2])) }
        }
        return pairs
    }
}
