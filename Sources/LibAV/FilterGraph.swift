import CLibAV

/// A libavfilter chain with one video input and one video output, for what libswscale
/// alone cannot do: deinterlacing, constant frame rate, rotation, tone mapping.
/// Not thread-safe: owned by the job's thread (libavfilter may slice-thread behind it).
public final class FilterGraph {
    private var graph: UnsafeMutablePointer<AVFilterGraph>?
    private let source: UnsafeMutablePointer<AVFilterContext>
    private let sink: UnsafeMutablePointer<AVFilterContext>
    /// What the input takes: pictures of another size or format (damaged data) are not
    /// for this graph.
    public let inputFormat: PixelFormat
    public let inputSize: (width: Int, height: Int)

    /// Whether `frame` fits the input as configured.
    public func accepts(_ frame: Frame) -> Bool {
        frame.pixelFormat == inputFormat && frame.width == inputSize.width && frame.height == inputSize.height
    }

    /// Builds `description` (filter syntax, e.g. `"bwdif,fps=30,format=yuv420p"`) fed by
    /// frames like those `decoder` produces.
    public init(description: String, decoder: Decoder, frameRate: Rational?, threads: Int = 0) throws(LibAVError) {
        graph = try allocated(avfilter_graph_alloc(), "allocate filter graph")
        do throws(LibAVError) {
            graph!.pointee.nb_threads = Int32(threads)
            let sar = decoder.sampleAspectRatio.isValid ? decoder.sampleAspectRatio : Rational(1, 1)
            inputFormat = decoder.pixelFormat.rawValue >= 0 ? decoder.pixelFormat : PixelFormat(rawValue: AV_PIX_FMT_YUV420P.rawValue)
            inputSize = (decoder.width, decoder.height)
            var arguments = "video_size=\(decoder.width)x\(decoder.height):pix_fmt=\(inputFormat.rawValue)"
                + ":time_base=\(decoder.timeBase):pixel_aspect=\(sar)"
            if let frameRate, frameRate.isValid { arguments += ":frame_rate=\(frameRate)" }
            var source: UnsafeMutablePointer<AVFilterContext>? = nil
            try check(avfilter_graph_create_filter(&source, avfilter_get_by_name("buffer"), "in", arguments, nil, graph),
                      "create filter input (\(arguments))")
            var sink: UnsafeMutablePointer<AVFilterContext>? = nil
            try check(avfilter_graph_create_filter(&sink, avfilter_get_by_name("buffersink"), "out", nil, nil, graph),
                      "create filter output")
            // The parser consumes these lists and leaves in them what it did not link.
            var outputs = avfilter_inout_alloc()
            var inputs = avfilter_inout_alloc()
            defer {
                avfilter_inout_free(&outputs)
                avfilter_inout_free(&inputs)
            }
            guard let output = outputs, let input = inputs else { throw LibAVError.outOfMemory("allocate filter links") }
            output.pointee.name = av_strdup("in")
            output.pointee.filter_ctx = source
            input.pointee.name = av_strdup("out")
            input.pointee.filter_ctx = sink
            try check(avfilter_graph_parse_ptr(graph, description, &inputs, &outputs, nil), "parse filters \"\(description)\"")
            try check(avfilter_graph_config(graph, nil), "configure filters \"\(description)\"")
            self.source = source!
            self.sink = sink!
        } catch {
            avfilter_graph_free(&graph)
            throw error
        }
    }

    deinit { avfilter_graph_free(&graph) }

    /// Feeds one decoded frame (its buffers are referenced, not taken); `nil` ends the input.
    public func push(_ frame: Frame?) throws(LibAVError) {
        try check(av_buffersrc_write_frame(source, frame?.pointer), "filter frame")
    }

    /// Ends the input at `pts` (input time base): the end of the last frame, so rate
    /// conversion keeps it.
    public func close(at pts: Int64) throws(LibAVError) {
        try check(av_buffersrc_close(source, pts, UInt32(AV_BUFFERSRC_FLAG_PUSH)), "end filter input")
    }

    /// Takes the next filtered frame, if there is one.
    public func pull(into frame: Frame) throws(LibAVError) -> Pull {
        try pullState(av_buffersink_get_frame(sink, frame.pointer), "filter frame")
    }

    public var outputTimeBase: Rational { Rational(av_buffersink_get_time_base(sink)) }
    public var outputFrameRate: Rational { Rational(av_buffersink_get_frame_rate(sink)) }
    public var outputWidth: Int { Int(av_buffersink_get_w(sink)) }
    public var outputHeight: Int { Int(av_buffersink_get_h(sink)) }
    public var outputPixelFormat: PixelFormat { PixelFormat(rawValue: av_buffersink_get_format(sink)) }
}
