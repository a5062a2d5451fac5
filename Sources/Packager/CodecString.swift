/// RFC 6381 `CODECS` strings, read from the encoded streams' own headers.
public enum CodecString {
    /// `avc1.PPCCLL` from H.264 extradata: an `avcC` record or Annex B SPS/PPS.
    public static func h264(extradata: [UInt8]) -> String? {
        let sps: ArraySlice<UInt8>
        if extradata.first == 1, extradata.count >= 4 {
            sps = extradata[1...3]  // avcC: configurationVersion, profile, compatibility, level
        } else if let start = annexBNAL(in: extradata, type: 7, typeMask: 0x1F), extradata.count >= start + 4 {
            sps = extradata[(start + 1)...(start + 3)]
        } else {
            return nil
        }
        return "avc1." + sps.map { hex($0) }.joined()
    }

    /// `hvc1.P.C.TL.B` from HEVC Annex B extradata (VPS/SPS/PPS), as Apple players expect.
    public static func hevc(extradata: [UInt8]) -> String? {
        guard let start = annexBNAL(in: extradata, type: 33 << 1, typeMask: 0x7E) else { return nil }
        var ptl = removeEmulationPrevention(Array(extradata[(start + 2)...]))
        guard ptl.count >= 13 else { return nil }
        ptl.removeFirst()  // sps_video_parameter_set_id, max_sub_layers, temporal_id_nesting
        let profileSpace = ptl[0] >> 6, tier = (ptl[0] >> 5) & 1, profile = ptl[0] & 0x1F
        let compatibility = UInt32(ptl[1]) << 24 | UInt32(ptl[2]) << 16 | UInt32(ptl[3]) << 8 | UInt32(ptl[4])
        var reversed: UInt32 = 0
        for bit in 0..<32 where compatibility & (1 << bit) != 0 { reversed |= 1 << (31 - bit) }
        let level = ptl[11]
        var constraints = Array(ptl[5...10])
        while constraints.last == 0 { constraints.removeLast() }
        var parts = ["hvc1", (profileSpace > 0 ? String(UnicodeScalar(64 + profileSpace)) : "") + "\(profile)",
                     String(reversed, radix: 16, uppercase: true), (tier == 1 ? "H" : "L") + "\(level)"]
        parts += constraints.map { String($0, radix: 16, uppercase: true) }
        return parts.joined(separator: ".")
    }

    /// `av01.P.LLT.DD` from AV1 extradata: an `av1C` record (its config OBUs after four
    /// bytes) or the sequence header OBU itself, as SVT-AV1 gives it.
    public static func av1(extradata: [UInt8]) -> String? {
        let obus = extradata.first == 0x81 ? Array(extradata.dropFirst(4)) : extradata
        guard let header = AV1SequenceHeader(obus: obus) else { return nil }
        let level = header.level < 10 ? "0\(header.level)" : "\(header.level)"
        return "av01.\(header.profile).\(level)\(header.tier == 1 ? "H" : "M").\(header.bitDepth < 10 ? "0" : "")\(header.bitDepth)"
    }

    /// `mp4a.40.N` for AAC, N the audio object type (2 = LC); `profile` is libav's (LC = 1).
    public static func aac(profile: Int) -> String { "mp4a.40.\(max(profile, 1) + 1)" }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }

    /// Index of the NAL header byte of the first NAL whose masked type matches.
    private static func annexBNAL(in bytes: [UInt8], type: UInt8, typeMask: UInt8) -> Int? {
        var index = 0
        while index + 3 < bytes.count {
            if bytes[index] == 0, bytes[index + 1] == 0, bytes[index + 2] == 1 {
                if bytes[index + 3] & typeMask == type { return index + 3 }
                index += 3
            } else {
                index += 1
            }
        }
        return nil
    }

    private static func removeEmulationPrevention(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var zeros = 0
        for byte in bytes {
            if zeros >= 2, byte == 3 { zeros = 0; continue }
            zeros = byte == 0 ? zeros + 1 : 0
            output.append(byte)
        }
        return output
    }
}
