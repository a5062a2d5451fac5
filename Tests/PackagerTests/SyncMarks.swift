import Foundation
import TestSupport

/// The sync marks of the test sources that flash white and beep at the same instant,
/// found by ffprobe's filters in what we wrote.
enum SyncMarks {
    /// When the picture first turns white (mean luma above 200), seconds.
    static func flash(in media: URL) throws -> Double {
        let video = try FFprobe.filteredFrames("movie=\(media.path),signalstats", entries: "frame=pts_time:frame_tags=lavfi.signalstats.YAVG")
        return try video.first { (($0["tags"] as? [String: Any])?.number("lavfi.signalstats.YAVG") ?? 0) > 200 }
            .flatMap { $0.number("pts_time") }.unwrap("flash")
    }

    /// When the sound first rises above −20 dBFS (in 1 ms steps at 48 kHz), seconds.
    static func beep(in media: URL) throws -> Double {
        let audio = try FFprobe.filteredFrames("amovie=\(media.path),asetnsamples=n=48,astats=metadata=1:reset=1",
                                               entries: "frame=pts_time:frame_tags=lavfi.astats.Overall.Peak_level")
        return try audio.first { (($0["tags"] as? [String: Any])?.number("lavfi.astats.Overall.Peak_level") ?? -100) > -20 }
            .flatMap { $0.number("pts_time") }.unwrap("beep")
    }
}
