import Foundation

/// Where TTML puts a cue, as the WebVTT cue settings that say it: a region's `tts:origin` and
/// `tts:extent` (in `%`, in `px` of the root's `tts:extent`, in cells of
/// `ttp:cellResolution`) with `tts:displayAlign` as `line:` (before: the region's top;
/// center: its middle; after: its bottom), with `tts:textAlign` as `position:`, `size:` and
/// `align:`; each setting left out where it is WebVTT's default. With no region placed,
/// only `tts:textAlign` (other than center). Dropped: `tts:writingMode` (vertical text),
/// `tts:position`, padding, and TTML's rule that content outside any region is not shown.
struct TTMLLayout {
    private var width: Double?, height: Double?
    private var columns = 32.0, rows = 15.0

    init(root: XMLTree.Element) {
        let extent = root["extent"]?.split(separator: " ").map { $0.hasSuffix("px") ? Double($0.dropLast(2)) : nil }
        if let extent, extent.count == 2, let width = extent[0], let height = extent[1], width > 0, height > 0 {
            (self.width, self.height) = (width, height)
        }
        let cells = root["cellResolution"]?.split(separator: " ").compactMap { Double($0) }
        if let cells, cells.count == 2, cells[0] > 0, cells[1] > 0 { (columns, rows) = (cells[0], cells[1]) }
    }

    func settings(_ style: [String: String]) -> String? {
        var settings: [String] = []
        let align = style["textAlign"]
        if let origin = point(style["origin"]), let extent = point(style["extent"]) {
            switch style["displayAlign"] {
            case "after": if origin.y + extent.y < 100 { settings.append("line:\(Self.percent(origin.y + extent.y)),end") }
            case "center": settings.append("line:\(Self.percent(origin.y + extent.y / 2)),center")
            default: settings.append("line:\(Self.percent(origin.y))")
            }
            let anchor = Self.anchor(align ?? "start")
            let position = switch anchor {
            case "center": origin.x + extent.x / 2
            case "right", "end": origin.x + extent.x
            default: origin.x
            }
            if Self.percent(position) != Self.percent(Self.defaultPosition(anchor)) { settings.append("position:\(Self.percent(position))") }
            if extent.x < 100 { settings.append("size:\(Self.percent(extent.x))") }
            if anchor != "center" { settings.append("align:\(anchor)") }
        } else if let align, Self.anchor(align) != "center" {
            settings.append("align:\(Self.anchor(align))")
        }
        return settings.isEmpty ? nil : settings.joined(separator: " ")
    }

    /// `tts:textAlign` as WebVTT's `align:` (justify: start).
    private static func anchor(_ textAlign: String) -> String {
        ["left", "right", "center", "end"].contains(textAlign) ? textAlign : "start"
    }

    /// WebVTT's `position:auto` for an alignment.
    private static func defaultPosition(_ anchor: String) -> Double {
        switch anchor {
        case "center": 50
        case "right", "end": 100
        default: 0
        }
    }

    /// `x y` as percentages of the root container.
    private func point(_ value: String?) -> (x: Double, y: Double)? {
        guard let parts = value?.split(separator: " "), parts.count == 2,
              let x = length(parts[0], pixels: width, cells: columns), let y = length(parts[1], pixels: height, cells: rows) else { return nil }
        return (x, y)
    }

    /// `12.5%`, `192px` (of the root's extent), `2.5c` (cells) as a percentage.
    private func length(_ text: Substring, pixels: Double?, cells: Double) -> Double? {
        let (number, whole): (Substring, Double?) =
            if text.hasSuffix("%") { (text.dropLast(), 100) } else if text.hasSuffix("px") { (text.dropLast(2), pixels) } else if text.hasSuffix("c") { (text.dropLast(), cells) } else { ("", nil) }
        guard let whole, let value = Double(number).map({ $0 / whole * 100 }), value.isFinite else { return nil }
        return value
    }

    /// `12.5%`: two decimals at most, within 0 to 100.
    private static func percent(_ value: Double) -> String {
        String(format: "%g%%", (min(max(value, 0), 100) * 100).rounded() / 100)
    }
}
