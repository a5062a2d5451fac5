/// The fields of an AV1 sequence header OBU (AV1 §5.5) that `CODECS` names: profile, the
/// first operating point's level and tier, bit depth. Read bit by bit through the fields
/// before them; nil when no sequence header is found or it ends early.
struct AV1SequenceHeader: Equatable {
    var profile: Int
    var level: Int
    var tier: Int
    var bitDepth: Int

    /// From a run of OBUs (each with its size field), the first sequence header's.
    init?(obus: [UInt8]) {
        var position = 0
        while position < obus.count {
            let header = obus[position]
            let type = (header >> 3) & 0xF, hasExtension = header & 0x04 != 0, hasSize = header & 0x02 != 0
            position += hasExtension ? 2 : 1
            var size = obus.count - position
            if hasSize {
                guard let (value, length) = Self.leb128(obus, at: position) else { return nil }
                size = value
                position += length
            }
            guard size >= 0, position + size <= obus.count else { return nil }
            if type == 1 {
                guard let parsed = Self.parse(Array(obus[position..<position + size])) else { return nil }
                self = parsed
                return
            }
            position += size
        }
        return nil
    }

    private init(profile: Int, level: Int, tier: Int, bitDepth: Int) {
        (self.profile, self.level, self.tier, self.bitDepth) = (profile, level, tier, bitDepth)
    }

    private static func leb128(_ bytes: [UInt8], at start: Int) -> (Int, Int)? {
        var value = 0
        for index in 0..<8 where start + index < bytes.count {
            let byte = bytes[start + index]
            value |= Int(byte & 0x7F) << (7 * index)
            if byte & 0x80 == 0 { return (value, index + 1) }
        }
        return nil
    }

    private static func parse(_ payload: [UInt8]) -> AV1SequenceHeader? {
        var bits = BitReader(payload)
        guard let profile = bits.read(3), bits.read(1) != nil, let reduced = bits.read(1) else { return nil }
        var level = 0, tier = 0
        if reduced == 1 {
            guard let value = bits.read(5) else { return nil }
            level = value
        } else {
            guard let timing = bits.read(1) else { return nil }
            var decoderModel = 0, delayLength = 0
            if timing == 1 {
                guard bits.read(32) != nil, bits.read(32) != nil, let equal = bits.read(1) else { return nil }
                if equal == 1, bits.uvlc() == nil { return nil }
                guard let model = bits.read(1) else { return nil }
                decoderModel = model
                if model == 1 {
                    guard let length = bits.read(5), bits.read(32) != nil, bits.read(5) != nil, bits.read(5) != nil else { return nil }
                    delayLength = length + 1
                }
            }
            guard let displayDelay = bits.read(1), let count = bits.read(5) else { return nil }
            for point in 0...count {
                guard bits.read(12) != nil, let pointLevel = bits.read(5) else { return nil }
                let pointTier = pointLevel > 7 ? bits.read(1) : 0
                guard let pointTier else { return nil }
                if point == 0 { (level, tier) = (pointLevel, pointTier) }
                if decoderModel == 1 {
                    guard let present = bits.read(1) else { return nil }
                    if present == 1, bits.read(delayLength) == nil || bits.read(delayLength) == nil || bits.read(1) == nil { return nil }
                }
                if displayDelay == 1 {
                    guard let present = bits.read(1) else { return nil }
                    if present == 1, bits.read(4) == nil { return nil }
                }
            }
        }
        guard let widthBits = bits.read(4), let heightBits = bits.read(4),
              bits.read(widthBits + 1) != nil, bits.read(heightBits + 1) != nil else { return nil }
        if reduced == 0 {
            guard let frameIDs = bits.read(1) else { return nil }
            if frameIDs == 1, bits.read(4) == nil || bits.read(3) == nil { return nil }
        }
        guard bits.read(3) != nil else { return nil }  // 128x128 superblocks, filter intra, intra edge filter
        var orderHint = 0
        if reduced == 0 {
            guard bits.read(4) != nil, let hint = bits.read(1) else { return nil }  // inter-intra, masked, warped, dual filter
            orderHint = hint
            if hint == 1, bits.read(2) == nil { return nil }  // jnt comp, ref frame mvs
            guard let choose = bits.read(1) else { return nil }
            var screenContent = 2
            if choose == 0 {
                guard let forced = bits.read(1) else { return nil }
                screenContent = forced
            }
            if screenContent > 0 {
                guard let chooseMV = bits.read(1) else { return nil }
                if chooseMV == 0, bits.read(1) == nil { return nil }
            }
            if orderHint == 1, bits.read(3) == nil { return nil }
        }
        guard bits.read(3) != nil, let highBitDepth = bits.read(1) else { return nil }  // superres, cdef, restoration
        var bitDepth = highBitDepth == 1 ? 10 : 8
        if profile == 2, highBitDepth == 1 {
            guard let twelve = bits.read(1) else { return nil }
            if twelve == 1 { bitDepth = 12 }
        }
        return AV1SequenceHeader(profile: profile, level: level, tier: tier, bitDepth: bitDepth)
    }
}

/// Big-endian bits of a byte array.
private struct BitReader {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The next `count` bits (at most 32) as a number; nil past the end.
    mutating func read(_ count: Int) -> Int? {
        guard count <= 32, position + count <= bytes.count * 8 else { return nil }
        var value = 0
        for _ in 0..<count {
            value = value << 1 | Int(bytes[position >> 3] >> (7 - UInt8(position & 7)) & 1)
            position += 1
        }
        return value
    }

    /// An unsigned exp-Golomb-like `uvlc()` (AV1 §4.10.3).
    mutating func uvlc() -> Int? {
        var zeros = 0
        while true {
            guard let bit = read(1) else { return nil }
            if bit == 1 { break }
            zeros += 1
            if zeros >= 32 { return nil }
        }
        return zeros == 0 ? 0 : read(zeros).map { $0 + (1 << zeros) - 1 }
    }
}
