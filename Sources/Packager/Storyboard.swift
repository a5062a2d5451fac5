import Foundation
import LibAV
import VaultLayout

/// Scrubbing previews: small pictures taken at a fixed interval, tiled into one sprite
/// JPEG, with a WebVTT file whose cues point at each tile (`storyboard.jpg#xywh=x,y,w,h`),
/// the form Video.js thumbnails and Mux storyboards use.
final class Storyboard {
    static let columns = 10
    /// The tiles' long side, in pixels.
    static let tileSize = 160
    /// At most this many tiles: long titles get a longer interval.
    static let maximumTiles = 300

    /// Frames between two tiles.
    let spacing: Int
    let interval: Double
    private let frameRate: Double
    private var scaler: Scaler?
    /// Tiles taken, with their number (frame index / spacing).
    private var tiles: [(Int, Frame)] = []

    /// Plans tiles every 2 s, or more sparsely so that `expectedDuration` fits in `maximumTiles`.
    init(frameRate: Rational, expectedDuration: Double?) {
        self.frameRate = frameRate.doubleValue
        let seconds = max(2, ((expectedDuration ?? 0) / Double(Self.maximumTiles)).rounded(.up))
        spacing = max(1, Int((seconds * self.frameRate).rounded()))
        interval = Double(spacing) / self.frameRate
    }

    /// Offers the picture of frame `index` (8-bit 4:2:0); every `spacing`-th becomes a tile.
    func consider(_ picture: Frame, index: Int) throws {
        guard index % spacing == 0, index / spacing < Self.maximumTiles else { return }
        if scaler == nil {
            let landscape = picture.width >= picture.height
            let long = Double(Self.tileSize), ratio = Double(picture.width) / Double(picture.height)
            let width = landscape ? Self.tileSize : Int((long * ratio / 2).rounded()) * 2
            let height = landscape ? Int((long / ratio / 2).rounded()) * 2 : Self.tileSize
            scaler = try Scaler(width: picture.width, height: picture.height, format: picture.pixelFormat,
                                outputWidth: max(2, width), outputHeight: max(2, height), outputFormat: .yuv420p)
        }
        tiles.append((index / spacing, try scaler!.scale(picture)))
    }

    /// Writes the tiles taken so far into `folder`, one raw picture each
    /// (`<number>_<width>x<height>.yuv`), where the tiles of every chunk of the title meet.
    func writeTiles(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (number, tile) in tiles {
            try Data(tile.packedYUV420).write(
                to: folder.appendingPathComponent("\(number)_\(tile.width)x\(tile.height).yuv"), options: .atomic)
        }
    }

    /// What `compose` produced: the tiles' geometry and count.
    struct Written {
        var tileWidth: Int
        var tileHeight: Int
        var tiles: Int
    }

    /// Writes the sprite of the tiles in `tiles` and its cues into `folder`; the last cue
    /// ends at `duration`. Nil when there is no tile.
    func compose(tiles folder: URL, into output: URL, duration: Double) throws -> Written? {
        var pictures: [Int: Frame] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
            let parts = name.replacingOccurrences(of: ".yuv", with: "").split(whereSeparator: { $0 == "_" || $0 == "x" })
            guard parts.count == 3, let number = Int(parts[0]), let width = Int(parts[1]), let height = Int(parts[2]),
                  let picture = try Frame(width: width, height: height,
                                          packedYUV420: [UInt8](Data(contentsOf: folder.appendingPathComponent(name))))
            else { continue }
            pictures[number] = picture
        }
        let count = (0...).prefix { pictures[$0] != nil }.count  // consecutive from the first
        guard count > 0, let first = pictures[0] else { return nil }
        let width = first.width, height = first.height
        let columns = min(Self.columns, count), rows = (count + Self.columns - 1) / Self.columns
        let sprite = try Frame(width: width * columns, height: height * rows, pixelFormat: .yuv420p)
        sprite.fillBlack()
        var cues = "WEBVTT\n"
        for number in 0..<count {
            let x = number % Self.columns * width, y = number / Self.columns * height
            sprite.draw(pictures[number]!, x: x, y: y)
            let start = Double(number) * interval
            let end = min(duration, start + interval)
            guard end > start else { break }
            cues += "\n\(WebVTT.timestamp(start)) --> \(WebVTT.timestamp(end))\n\(TitleLayout.storyboardImageName)#xywh=\(x),\(y),\(width),\(height)\n"
        }
        try JPEGWriter.write(sprite, width: sprite.width, height: sprite.height, to: output.appendingPathComponent(TitleLayout.storyboardImageName))
        try cues.write(to: output.appendingPathComponent(TitleLayout.storyboardCuesName), atomically: true, encoding: .utf8)
        return Written(tileWidth: width, tileHeight: height, tiles: count)
    }
}
