import Foundation

/// Reads a subtitle sidecar (SPEC §16) in whatever text encoding it was saved in
/// (`TextEncoding`), by the reader of its format: every cue a lenient player shows, nothing
/// shown that is not a cue, and each piece that could not be read said with its line.
enum SubtitleFile {
    /// What a sidecar holds, on its own clock (a sidecar's zero is the video's first frame).
    struct Contents: Sendable, Equatable {
        var reading: SubtitleReading
        var encoding: TextEncoding
    }

    /// The formats, by file extension (and a WebVTT signature, whatever the name).
    enum Format: Equatable {
        case webVTT, subRip, ass, ttml, scc, sami

        static let byExtension: [String: Format] = [
            "vtt": .webVTT, "srt": .subRip, "ass": .ass, "ssa": .ass, "ttml": .ttml, "dfxp": .ttml, "xml": .ttml, "itt": .ttml,
            "scc": .scc, "smi": .sami, "sami": .sami,
        ]

        init?(path: String, text: String) {
            let kind = URL(fileURLWithPath: path).pathExtension.lowercased()
            if kind != "srt", text.drop(while: { $0 == "\u{FEFF}" }).hasPrefix("WEBVTT") {
                self = .webVTT
            } else if let format = Self.byExtension[kind] {
                self = format
            } else {
                return nil
            }
        }
    }

    /// The largest sidecar read: a feature film's subtitles are well under 1 MiB.
    static let maximumBytes = 64 << 20

    /// - Parameter language: the track's language, which picks a SAMI file's class.
    static func read(at path: String, language: Language? = nil) throws -> Contents {
        let data: Data
        do {
            let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
            guard size <= maximumBytes else {
                throw PackagingError(file: path, cause: .beyondLimit("is larger than \(maximumBytes >> 20) MiB (\(size >> 20) MiB), the limit for a subtitle file"))
            }
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch let error as PackagingError {
            throw error
        } catch {
            throw PackagingError(file: path, cause: .unreadable((error as NSError).localizedDescription))
        }
        guard let (text, encoding) = TextEncoding.decode(data) else {
            throw PackagingError(file: path, cause: .failed("is not text (binary data, or an encoding that cannot be told)"))
        }
        guard let format = Format(path: path, text: text) else {
            throw PackagingError(file: path, cause: .failed("is not a subtitle format StreamVault reads"))
        }
        let reading = switch format {
        case .webVTT: WebVTTReader.read(text)
        case .subRip: SubRipReader.read(text)
        case .ass: ASSReader.read(text)
        case .ttml: TTMLReader.read(text)
        case .scc: SCCReader.read(text)
        case .sami: SAMIReader.read(text, language: language.flatMap { $0 == .undetermined ? nil : $0.tag })
        }
        return Contents(reading: reading, encoding: encoding)
    }
}
