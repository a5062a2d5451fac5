import CLibAV

/// Converts decoded audio to the encoder's sample format, rate and channel layout with
/// libswresample, and cuts it into frames of the encoder's size (an `AVAudioFifo` behind).
/// Not thread-safe: owned by the job's thread.
public final class Resampler {
    private var context: OpaquePointer?
    private let fifo: OpaquePointer
    private let outputFormat: AVSampleFormat
    private var outputLayout: AVChannelLayout
    public let outputRate: Int
    /// Samples handed out so far: the pts (in 1/outputRate) of the next frame.
    public private(set) var samplesOut: Int64 = 0

    /// A resampler producing what `encoder` takes.
    public init(for encoder: Encoder) throws(LibAVError) {
        outputFormat = encoder.context.pointee.sample_fmt
        outputLayout = AVChannelLayout()
        try check(av_channel_layout_copy(&outputLayout, &encoder.context.pointee.ch_layout), "copy channel layout")
        outputRate = encoder.sampleRate
        fifo = try allocated(av_audio_fifo_alloc(outputFormat, outputLayout.nb_channels, 4096), "allocate audio buffer")
    }

    deinit {
        swr_free(&context)
        av_audio_fifo_free(fifo)
        av_channel_layout_uninit(&outputLayout)
    }

    /// Samples waiting to be taken.
    public var bufferedSamples: Int { Int(av_audio_fifo_size(fifo)) }

    /// Converts `frame` (or drains the resampler when `nil`) into the buffer. A frame whose
    /// rate or channels are not the stream's (damaged data) is skipped.
    public func push(_ frame: Frame?) throws(LibAVError) {
        if let frame, context == nil { try open(for: frame) }
        guard context != nil else { return }
        let output = try Frame()
        output.pointer.pointee.format = outputFormat.rawValue
        output.pointer.pointee.sample_rate = Int32(outputRate)
        try check(av_channel_layout_copy(&output.pointer.pointee.ch_layout, &outputLayout), "copy channel layout")
        let pending = Int(swr_get_delay(context, Int64(outputRate)))
        output.pointer.pointee.nb_samples = Int32(pending + (frame.map { $0.sampleCount * outputRate / max(1, Int($0.pointer.pointee.sample_rate)) } ?? 0) + 32)
        try check(av_frame_get_buffer(output.pointer, 0), "allocate audio frame")
        let code = swr_convert_frame(context, output.pointer, frame?.pointer)
        if code == SV_AVERROR_INPUT_CHANGED { return }
        try check(code, "resample audio")
        try write(output)
    }

    /// Appends `count` samples of silence (to line audio up with a later-starting video).
    public func pushSilence(count: Int) throws(LibAVError) {
        guard count > 0 else { return }
        let silence = try Frame()
        silence.pointer.pointee.format = outputFormat.rawValue
        silence.pointer.pointee.nb_samples = Int32(count)
        try check(av_channel_layout_copy(&silence.pointer.pointee.ch_layout, &outputLayout), "copy channel layout")
        try check(av_frame_get_buffer(silence.pointer, 0), "allocate silence")
        av_samples_set_silence(silence.pointer.pointee.extended_data, 0, Int32(count), outputLayout.nb_channels, outputFormat)
        try write(silence)
    }

    /// Drops up to `count` buffered samples (audio that starts before the video).
    public func drop(count: Int) {
        av_audio_fifo_drain(fifo, Int32(min(count, bufferedSamples)))
    }

    /// Takes one frame of `size` samples, or the remainder when `allowShort` (at the end).
    public func pop(size: Int, allowShort: Bool = false) throws(LibAVError) -> Frame? {
        let available = bufferedSamples
        guard available >= size || (allowShort && available > 0) else { return nil }
        let count = min(size, available)
        let frame = try Frame()
        frame.pointer.pointee.format = outputFormat.rawValue
        frame.pointer.pointee.sample_rate = Int32(outputRate)
        frame.pointer.pointee.nb_samples = Int32(count)
        try check(av_channel_layout_copy(&frame.pointer.pointee.ch_layout, &outputLayout), "copy channel layout")
        try check(av_frame_get_buffer(frame.pointer, 0), "allocate audio frame")
        let read = frame.pointer.pointee.extended_data.withMemoryRebound(to: UnsafeMutableRawPointer?.self, capacity: 8) {
            av_audio_fifo_read(fifo, $0, Int32(count))
        }
        try check(read, "read audio buffer")
        frame.pts = samplesOut
        samplesOut += Int64(count)
        return frame
    }

    private func open(for frame: Frame) throws(LibAVError) {
        var inputLayout = frame.pointer.pointee.ch_layout
        if inputLayout.order == AV_CHANNEL_ORDER_UNSPEC {
            av_channel_layout_default(&inputLayout, inputLayout.nb_channels)
        }
        try check(
            swr_alloc_set_opts2(
                &context, &outputLayout, outputFormat, Int32(outputRate),
                &inputLayout, AVSampleFormat(rawValue: frame.pointer.pointee.format), frame.pointer.pointee.sample_rate, 0, nil),
            "configure resampler")
        try check(swr_init(context), "open resampler")
    }

    private func write(_ frame: Frame) throws(LibAVError) {
        guard frame.sampleCount > 0 else { return }
        let written = frame.pointer.pointee.extended_data.withMemoryRebound(to: UnsafeMutableRawPointer?.self, capacity: 8) {
            av_audio_fifo_write(fifo, $0, frame.pointer.pointee.nb_samples)
        }
        try check(written, "buffer audio")
    }
}
