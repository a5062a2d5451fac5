import LibAV
import Testing
import TestSupport

@Suite struct DemuxerTests {
    @Test func readsStreamsOfAnMP4() throws {
        let demuxer = try Demuxer(path: Fixtures.sample("testcard-720p30.mp4").path)
        #expect(demuxer.formatName.contains("mp4"))
        #expect(abs((demuxer.duration ?? 0) - 6) < 0.05)
        let video = try #require(demuxer.streams.first { $0.kind == .video })
        #expect(video.codec == "h264" && video.width == 1280 && video.height == 720)
        #expect(video.frameRate == Rational(30, 1) && video.fieldOrder == .progressive && video.rotation == 0)
        let audio = try #require(demuxer.streams.first { $0.kind == .audio })
        #expect(audio.codec == "aac" && audio.sampleRate == 44100 && audio.channels == 2)
    }

    @Test func seesRotationAndVariableFrameRateOfAPhoneClip() throws {
        let video = try #require(try Demuxer(path: Fixtures.sample("phone-portrait-vfr.mp4").path).streams.first { $0.kind == .video })
        #expect(video.rotation == 270)  // a display matrix of +90°: turn 90° counter-clockwise, as ffmpeg does
        #expect(video.averageFrameRate != video.frameRate)
    }

    @Test func seesInterlacingAnamorphicPixelsAnd422() throws {
        let video = try #require(try Demuxer(path: Fixtures.sample("interlaced-pal-anamorphic-422.ts").path).streams.first { $0.kind == .video })
        #expect(video.fieldOrder == .interlaced)
        #expect(video.sampleAspectRatio == Rational(64, 45) && video.displayAspectRatio == Rational(16, 9))
        #expect(video.chromaSubsampling == "4:2:2")
    }

    @Test func seesHDRTransferAnd10Bit() throws {
        let video = try #require(try Demuxer(path: Fixtures.sample("hdr10-pq-10bit.mp4").path).streams.first)
        #expect(video.isHDR && video.colorTransfer == "smpte2084" && video.bitDepth == 10)
    }

    @Test func refusesAFileThatIsNotMedia() throws {
        LibAVLog.silence()
        let folder = try Fixtures.temporaryFolder("libav")
        let file = folder.appendingPathComponent("notes.mp4")
        try "just text".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: LibAVError.self) { try Demuxer(path: file.path) }
    }
}

@Suite struct CodecTests {
    /// SVT-AV1 1.4 never returns from draining or closing an encoder that had no picture:
    /// `Encoder` answers that drain itself and feeds one picture before closing.
    @Test(.timeLimit(.minutes(1))) func anAV1EncoderThatNeverHadAPictureDrainsAndCloses() throws {
        var encoder: Encoder? = try Encoder(
            codecName: "libsvtav1",
            input: .video(width: 320, height: 180, pixelFormat: .yuv420p, frameRate: Rational(30, 1), timeBase: Rational(1, 30)),
            options: [("preset", "12"), ("crf", "40")], globalHeader: true, threads: 1)
        #expect(encoder?.extradata.isEmpty == false, "the sequence header, read at open")
        try encoder?.send(nil)
        #expect(try encoder?.receive(into: Packet()) == .finished)
        encoder = nil
    }

    @Test func decodesAndScalesPictures() throws {
        let demuxer = try Demuxer(path: Fixtures.sample("testcard-720p30.mp4").path)
        let decoder = try Decoder(demuxer: demuxer, streamIndex: 0)
        let packet = try Packet(), frame = try Frame()
        var decoded: Frame?
        while decoded == nil, try demuxer.read(into: packet) {
            guard packet.streamIndex == 0 else { continue }
            while try !decoder.send(packet) {}
            if try decoder.receive(into: frame) == .ready { decoded = frame }
        }
        let picture = try #require(decoded)
        #expect(picture.width == 1280 && picture.height == 720 && picture.pixelFormat == .yuv420p)
        let scaler = try Scaler(width: 1280, height: 720, format: .yuv420p, outputWidth: 640, outputHeight: 360, outputFormat: .yuv420p)
        let small = try scaler.scale(picture)
        #expect(small.width == 640 && small.height == 360 && small.pts == picture.pts)
    }

    @Test func unknownEncoderOptionIsAnErrorNamingIt() {
        #expect {
            try Encoder(codecName: "libx264",
                        input: .video(width: 64, height: 64, pixelFormat: .yuv420p, frameRate: Rational(25, 1), timeBase: Rational(1, 25)),
                        options: [("no-such-option", "1")])
        } throws: { error in
            String(describing: error).contains("no-such-option")
        }
    }
}
