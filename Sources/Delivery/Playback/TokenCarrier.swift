import Foundation
import VaultLayout

/// Carries a playback token into every URI of a playlist served under it (SPEC §12), so that
/// players which cannot add headers (Safari, TVs, `<video>`) keep it on every request, and
/// leaves out the variants a `maxHeight` token does not open. Works on the text our own
/// writers make: one tag or URI per line (HLS), one element per line (MPD), one image URI
/// per cue (the storyboard).
struct TokenCarrier {
    /// `token=<JWT>`, escaped for a query.
    let query: String
    let maxHeight: Int?

    init(_ grant: PlaybackGrant) {
        query = Self.query(grant.token)
        maxHeight = grant.maxHeight
    }

    /// `token=<token>`, percent-escaped but for the unreserved characters (a JWT's own).
    static func query(_ token: String) -> String {
        "token=" + (token.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "")
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// The file at `path` inside a title, as served under the token; nil for a file that
    /// holds no URI.
    func carry(_ text: String, path: String) -> String? {
        if path.hasSuffix(".m3u8") { return hls(text) }
        if path.hasSuffix(".mpd") { return dash(text) }
        if path.hasSuffix(TitleLayout.storyboardCuesName) { return storyboard(text) }
        return nil
    }

    /// `uri` with the token added to its query, before any fragment.
    func carried(_ uri: Substring) -> String {
        let fragment = uri.firstIndex(of: "#")
        let base = uri[..<(fragment ?? uri.endIndex)]
        return base + (base.contains("?") ? "&" : "?") + query + (fragment.map { String(uri[$0...]) } ?? "")
    }

    /// A master or media playlist: every URI line and `URI="…"` attribute carries the token;
    /// variants and I-frame streams taller than `maxHeight` are left out.
    func hls(_ text: String) -> String {
        var lines: [String] = []
        var skipNextURI = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("#") {
                if tooTall(line) {
                    skipNextURI = line.hasPrefix("#EXT-X-STREAM-INF:")
                } else {
                    lines.append(withURIAttribute(line))
                }
            } else if line.isEmpty {
                lines.append("")
            } else if skipNextURI {
                skipNextURI = false
            } else {
                lines.append(carried(line))
            }
        }
        return lines.joined(separator: "\n")
    }

    private func tooTall(_ line: Substring) -> Bool {
        guard let maxHeight, line.hasPrefix("#EXT-X-STREAM-INF:") || line.hasPrefix("#EXT-X-I-FRAME-STREAM-INF:"),
              let resolution = line.range(of: "RESOLUTION=") else { return false }
        let value = line[resolution.upperBound...].prefix { $0 != "," }
        guard let x = value.firstIndex(of: "x"), let height = Int(value[value.index(after: x)...]) else { return false }
        return height > maxHeight
    }

    private func withURIAttribute(_ line: Substring) -> String {
        guard let start = line.range(of: "URI=\"") else { return String(line) }
        guard let end = line[start.upperBound...].firstIndex(of: "\"") else { return String(line) }
        return line[..<start.upperBound] + carried(line[start.upperBound..<end]) + line[end...]
    }

    /// An MPD: the `initialization` and `media` templates and every `BaseURL` carry the
    /// token; video `Representation`s taller than `maxHeight` are left out.
    func dash(_ text: String) -> String {
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " }
            if let maxHeight, trimmed.hasPrefix("<Representation "), let height = Self.attribute("height", in: line).flatMap({ Int($0) }),
               height > maxHeight {
                continue
            }
            var line = String(line)
            for name in ["initialization", "media"] { line = withAttribute(name, in: line) }
            if trimmed.hasPrefix("<BaseURL>"), let open = line.range(of: "<BaseURL>"), let close = line.range(of: "</BaseURL>") {
                line = line[..<open.upperBound] + carried(line[open.upperBound..<close.lowerBound]).replacingOccurrences(of: "&", with: "&amp;")
                    + line[close.lowerBound...]
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    private func withAttribute(_ name: String, in line: String) -> String {
        guard let start = line.range(of: " \(name)=\"") else { return line }
        guard let end = line[start.upperBound...].firstIndex(of: "\"") else { return line }
        let value = line[start.upperBound..<end].replacingOccurrences(of: "&amp;", with: "&")
        return line[..<start.upperBound] + carried(Substring(value)).replacingOccurrences(of: "&", with: "&amp;") + line[end...]
    }

    private static func attribute(_ name: String, in line: Substring) -> Substring? {
        guard let start = line.range(of: " \(name)=\"") else { return nil }
        return line[start.upperBound...].prefix { $0 != "\"" }
    }

    /// The storyboard's WebVTT: each cue's image URI (`storyboard.jpg#xywh=…`) carries the token.
    func storyboard(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix(TitleLayout.storyboardImageName) ? carried(line) : String(line)
        }.joined(separator: "\n")
    }
}
