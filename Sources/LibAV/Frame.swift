import CLibAV

/// An owning wrapper of a reference-counted `AVFrame`. Not thread-safe.
public final class Frame {
    let pointer: UnsafeMutablePointer<AVFrame>

    public init() throws(LibAVError) {
        pointer = try allocated(av_frame_alloc(), "allocate frame")
    }

    /// A new frame referencing the same buffers as `other` (no pixel copy).
    public convenience init(referencing other: Frame) throws(LibAVError) {
        try self.init()
        try check(av_frame_ref(pointer, other.pointer), "reference frame")
    }

    /// A frame with its own buffers for video of the given size and pixel format.
    public convenience init(width: Int, height: Int, pixelFormat: PixelFormat) throws(LibAVError) {
        try self.init()
        pointer.pointee.width = Int32(width)
        pointer.pointee.height = Int32(height)
        pointer.pointee.format = pixelFormat.rawValue
        try check(av_frame_get_buffer(pointer, 0), "allocate \(width)x\(height) picture")
    }

    deinit {
        var frame: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&frame)
    }

    public var width: Int { Int(pointer.pointee.width) }
    public var height: Int { Int(pointer.pointee.height) }
    public var sampleCount: Int { Int(pointer.pointee.nb_samples) }
    public var pixelFormat: PixelFormat { PixelFormat(rawValue: pointer.pointee.format) }

    /// Presentation time stamp in the time base of whoever produced the frame.
    public var pts: Int64? {
        get { pointer.pointee.pts == SV_AV_NOPTS_VALUE ? nil : pointer.pointee.pts }
        set { pointer.pointee.pts = newValue ?? SV_AV_NOPTS_VALUE }
    }

    /// The decoder's best guess of the presentation time (falls back to pts or dts).
    public var bestEffortTimestamp: Int64? {
        let value = pointer.pointee.best_effort_timestamp
        return value == SV_AV_NOPTS_VALUE ? pts : value
    }

    /// Duration in the producer's time base, as the demuxer saw it (0 when unknown).
    public var duration: Int64 { pointer.pointee.pkt_duration }

    /// Asks the encoder to make this frame a keyframe (an IDR with closed GOPs), or not to.
    public var forcesKeyframe: Bool {
        get { pointer.pointee.pict_type == AV_PICTURE_TYPE_I }
        set { pointer.pointee.pict_type = newValue ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE }
    }

    /// Releases the buffers, keeping the allocation.
    public func unref() { av_frame_unref(pointer) }

    /// Paints the whole picture black. Only for 8-bit planar YUV 4:2:0 frames.
    public func fillBlack() {
        let frame = pointer.pointee
        let chromaRows = (height + 1) / 2
        for (plane, stride, value, rows) in [(frame.data.0, frame.linesize.0, UInt8(0), height),
                                              (frame.data.1, frame.linesize.1, 128, chromaRows),
                                              (frame.data.2, frame.linesize.2, 128, chromaRows)] {
            plane?.update(repeating: value, count: rows * Int(stride))
        }
    }

    /// Copies `picture` into this one with its top-left corner at (`x`, `y`), both even.
    /// Only for 8-bit planar YUV 4:2:0 frames; what falls outside is cut off.
    public func draw(_ picture: Frame, x: Int, y: Int) {
        let target = pointer.pointee, source = picture.pointer.pointee
        let planes = [(target.data.0, target.linesize.0, source.data.0, source.linesize.0, 1),
                      (target.data.1, target.linesize.1, source.data.1, source.linesize.1, 2),
                      (target.data.2, target.linesize.2, source.data.2, source.linesize.2, 2)]
        for (to, toStride, from, fromStride, divisor) in planes {
            guard let to, let from else { continue }
            let left = x / divisor, top = y / divisor
            let width = min(picture.width / divisor, self.width / divisor - left)
            let rows = min(picture.height / divisor, self.height / divisor - top)
            guard width > 0, rows > 0 else { continue }
            for row in 0..<rows {
                (to + (top + row) * Int(toStride) + left).update(from: from + row * Int(fromStride), count: width)
            }
        }
    }

    /// The picture's three planes packed without padding (Y, then U, then V). Only for
    /// 8-bit planar YUV 4:2:0 frames; `init(width:height:packedYUV420:)` reads it back.
    public var packedYUV420: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(width * height * 3 / 2)
        let frame = pointer.pointee
        for (plane, stride, divisor) in [(frame.data.0, frame.linesize.0, 1), (frame.data.1, frame.linesize.1, 2),
                                         (frame.data.2, frame.linesize.2, 2)] {
            guard let plane else { continue }
            let rowWidth = (width + divisor - 1) / divisor
            for row in 0..<(height + divisor - 1) / divisor {
                bytes.append(contentsOf: UnsafeBufferPointer(start: plane + row * Int(stride), count: rowWidth))
            }
        }
        return bytes
    }

    /// A YUV 4:2:0 picture from `packedYUV420` bytes; nil when their count does not fit the size.
    public convenience init?(width: Int, height: Int, packedYUV420 bytes: [UInt8]) throws(LibAVError) {
        let chromaWidth = (width + 1) / 2, chromaHeight = (height + 1) / 2
        guard bytes.count == width * height + 2 * chromaWidth * chromaHeight else { return nil }
        try self.init(width: width, height: height, pixelFormat: .yuv420p)
        let frame = pointer.pointee
        var offset = 0
        for (plane, stride, rowWidth, rows) in [(frame.data.0, frame.linesize.0, width, height),
                                                (frame.data.1, frame.linesize.1, chromaWidth, chromaHeight),
                                                (frame.data.2, frame.linesize.2, chromaWidth, chromaHeight)] {
            guard let plane else { continue }
            for row in 0..<rows {
                bytes.withUnsafeBufferPointer { source in
                    (plane + row * Int(stride)).update(from: source.baseAddress! + offset, count: rowWidth)
                }
                offset += rowWidth
            }
        }
    }

    /// Mean and standard deviation of the luma plane (0…255), sampled on a grid:
    /// how bright and how busy a picture is. Only for 8-bit planar YUV frames.
    public func lumaStatistics(step: Int = 4) -> (mean: Double, deviation: Double) {
        guard let plane = pointer.pointee.data.0, width > 0, height > 0 else { return (0, 0) }
        let stride = Int(pointer.pointee.linesize.0)
        var sum = 0.0, squares = 0.0, count = 0.0
        for y in Swift.stride(from: 0, to: height, by: step) {
            let row = plane + y * stride
            for x in Swift.stride(from: 0, to: width, by: step) {
                let value = Double(row[x])
                sum += value
                squares += value * value
                count += 1
            }
        }
        let mean = sum / count
        return (mean, (max(0, squares / count - mean * mean)).squareRoot())
    }
}

/// A libav pixel format (`AVPixelFormat`) by value.
public struct PixelFormat: Equatable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let yuv420p = PixelFormat(rawValue: AV_PIX_FMT_YUV420P.rawValue)
    public static let yuvj420p = PixelFormat(rawValue: AV_PIX_FMT_YUVJ420P.rawValue)
    public static let yuv420p10le = PixelFormat(rawValue: AV_PIX_FMT_YUV420P10LE.rawValue)

    public var description: String {
        guard let name = av_get_pix_fmt_name(AVPixelFormat(rawValue: rawValue)) else { return "none" }
        return String(cString: name)
    }

    /// Bits per component of the first component (8 for yuv420p, 10 for yuv420p10le).
    public var bitDepth: Int {
        guard let descriptor = av_pix_fmt_desc_get(AVPixelFormat(rawValue: rawValue)) else { return 8 }
        return Int(descriptor.pointee.comp.0.depth)
    }

    /// Chroma subsampling as a familiar name: "4:2:0", "4:2:2", "4:4:4".
    public var chromaSubsampling: String {
        guard let descriptor = av_pix_fmt_desc_get(AVPixelFormat(rawValue: rawValue)) else { return "?" }
        switch (descriptor.pointee.log2_chroma_w, descriptor.pointee.log2_chroma_h) {
        case (1, 1): return "4:2:0"
        case (1, 0): return "4:2:2"
        case (0, 0): return "4:4:4"
        default: return "other"
        }
    }
}
