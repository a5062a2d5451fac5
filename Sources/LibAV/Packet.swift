import CLibAV

/// An owning wrapper of `AVPacket`. Not thread-safe: it belongs to the thread of the job using it.
public final class Packet {
    let pointer: UnsafeMutablePointer<AVPacket>

    public init() throws(LibAVError) {
        pointer = try allocated(av_packet_alloc(), "allocate packet")
    }

    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&packet)
    }

    public var streamIndex: Int { Int(pointer.pointee.stream_index) }
    public var size: Int { Int(pointer.pointee.size) }
    public var isKeyframe: Bool { sv_packet_is_key(pointer) != 0 }
    /// Presentation time stamp in the owning stream's time base, if known.
    public var pts: Int64? { pointer.pointee.pts == SV_AV_NOPTS_VALUE ? nil : pointer.pointee.pts }
    /// Decoding time stamp in the owning stream's time base, if known.
    public var dts: Int64? { pointer.pointee.dts == SV_AV_NOPTS_VALUE ? nil : pointer.pointee.dts }
    public var duration: Int64 { pointer.pointee.duration }

    /// Moves the packet later by `ticks` of its time base (pts and dts alike).
    public func delay(by ticks: Int64) {
        if pointer.pointee.pts != SV_AV_NOPTS_VALUE { pointer.pointee.pts += ticks }
        if pointer.pointee.dts != SV_AV_NOPTS_VALUE { pointer.pointee.dts += ticks }
    }

    /// The payload's bytes, for the length of `body`.
    public func withBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        try body(UnsafeRawBufferPointer(start: pointer.pointee.data, count: size))
    }

    /// Drops the payload, keeping the allocation for the next read.
    public func unref() { av_packet_unref(pointer) }
}
