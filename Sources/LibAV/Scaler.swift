import CLibAV

/// Resizes and converts pictures with libswscale (`SwsContext`) between fixed formats.
/// Not thread-safe: each rung owns its scaler.
public final class Scaler {
    let context: OpaquePointer
    public let outputWidth: Int
    public let outputHeight: Int
    public let outputFormat: PixelFormat

    /// A scaler from `width`×`height` `format` pictures to `outputWidth`×`outputHeight`
    /// `outputFormat` pictures, bicubic (the `ffmpeg` CLI's default).
    public init(
        width: Int, height: Int, format: PixelFormat,
        outputWidth: Int, outputHeight: Int, outputFormat: PixelFormat
    ) throws(LibAVError) {
        context = try allocated(
            sws_getContext(
                Int32(width), Int32(height), AVPixelFormat(rawValue: format.rawValue),
                Int32(outputWidth), Int32(outputHeight), AVPixelFormat(rawValue: outputFormat.rawValue),
                SV_SWS_BICUBIC, nil, nil, nil),
            "create scaler \(width)x\(height) → \(outputWidth)x\(outputHeight)")
        self.outputWidth = outputWidth
        self.outputHeight = outputHeight
        self.outputFormat = outputFormat
    }

    deinit { sws_freeContext(context) }

    /// Returns a new frame holding `source` scaled, with its timestamps and properties.
    public func scale(_ source: Frame) throws(LibAVError) -> Frame {
        let output = try Frame(width: outputWidth, height: outputHeight, pixelFormat: outputFormat)
        try check(av_frame_copy_props(output.pointer, source.pointer), "copy frame properties")
        output.pointer.pointee.sample_aspect_ratio = AVRational(num: 1, den: 1)
        try check(sws_scale_frame(context, output.pointer, source.pointer), "scale picture")
        return output
    }
}
