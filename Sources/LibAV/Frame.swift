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
