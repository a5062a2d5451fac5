import Foundation
import LibAV

/// Writes a picture as a JPEG file (MJPEG, full-range 4:2:0, quality scale 3).
enum JPEGWriter {
    /// Scales `frame` to `width`×`height` and writes it to `url`.
    static func write(_ frame: Frame, width: Int, height: Int, to url: URL) throws {
        let scaler = try Scaler(width: frame.width, height: frame.height, format: frame.pixelFormat,
                                outputWidth: width, outputHeight: height, outputFormat: .yuvj420p)
        let picture = try scaler.scale(frame)
        picture.pts = 0
        let encoder = try Encoder(
            codecName: "mjpeg",
            input: .video(width: width, height: height, pixelFormat: .yuvj420p, frameRate: Rational(1, 1), timeBase: Rational(1, 1)),
            qualityScale: 3)
        try Data(try encoder.encodePicture(picture)).write(to: url)
    }
}
