import Foundation

/// One caption memory of CEA-608 (the displayed one or the one loaded behind it): 15 rows
/// of 32 cells, each empty or holding a character in a style, and what it shows as a
/// WebVTT cue.
struct CEA608Screen: Equatable {
    static let rows = 15, columns = 32

    /// Italics and underline, the two styles a WebVTT payload keeps (colours are not kept).
    struct Style: Equatable {
        var italic = false
        var underline = false
    }

    struct Cell: Equatable {
        var character: Character
        var style: Style
    }

    /// The text and settings of a cue showing the screen.
    struct Caption: Equatable {
        var text: String
        var settings: String?
    }

    private var cells = Array(repeating: [Cell?](repeating: nil, count: columns), count: rows)

    subscript(row: Int, column: Int) -> Cell? {
        get { cells[row][column] }
        set { cells[row][column] = newValue }
    }

    mutating func erase() {
        self = CEA608Screen()
    }

    /// Erases `row` from `column` to its end.
    mutating func erase(row: Int, from column: Int) {
        for index in column..<Self.columns { cells[row][index] = nil }
    }

    /// Keeps only the rows of `window`.
    mutating func erase(outside window: ClosedRange<Int>) {
        for row in 0..<Self.rows where !window.contains(row) { cells[row] = [Cell?](repeating: nil, count: Self.columns) }
    }

    /// The rows of `window` moved up one (its top row lost, its bottom row empty), the rows
    /// outside it erased: a roll-up carriage return.
    mutating func rollUp(_ window: ClosedRange<Int>) {
        erase(outside: window)
        for row in window.dropLast() { cells[row] = cells[row + 1] }
        erase(row: window.upperBound, from: 0)
    }

    /// The rows of `window` moved by `offset` rows, every other row erased: a roll-up
    /// window given a new base row.
    mutating func move(_ window: ClosedRange<Int>, by offset: Int) {
        let moved = window.map { cells[$0] }
        erase()
        for (index, row) in moved.enumerated() { cells[window.lowerBound + offset + index] = row }
    }

    /// Whether every character this screen shows is still shown in `later` (perhaps
    /// replaced): `later` only adds to it.
    func isKept(in later: CEA608Screen) -> Bool {
        (0..<Self.rows).allSatisfy { row in
            (0..<Self.columns).allSatisfy { column in !Self.shows(cells[row][column]) || Self.shows(later.cells[row][column]) }
        }
    }

    private static func shows(_ cell: Cell?) -> Bool {
        cell.map { !$0.character.isWhitespace } ?? false
    }

    /// The rows that show something, top to bottom, as WebVTT text (trimmed, `<i>` and
    /// `<u>` kept, `&`, `<`, `>` escaped) and settings placing it where the rows stand on
    /// the 608 grid (15 rows over 80 % of the height, 32 columns over 80 % of the width, as
    /// the W3C mapping has it): nil for rows ending at the bottom row and centred, as every
    /// player places a cue; else `line:` at the top row and, unless every row is centred,
    /// `position:` at the leftmost column with `align:start`. Nil when nothing shows.
    var caption: Caption? {
        let spans = (0..<Self.rows).compactMap { row -> (row: Int, columns: ClosedRange<Int>)? in
            guard let first = cells[row].firstIndex(where: Self.shows), let last = cells[row].lastIndex(where: Self.shows) else { return nil }
            return (row, first...last)
        }
        guard let top = spans.first, let bottom = spans.last else { return nil }
        let text = spans.map { Self.payload(cells[$0.row][$0.columns]) }.joined(separator: "\n")
        let centred = spans.allSatisfy { abs($0.columns.lowerBound + $0.columns.upperBound - (Self.columns - 1)) <= 2 }
        let left = spans.map(\.columns.lowerBound).min() ?? 0
        let line = bottom.row == Self.rows - 1 ? nil : "line:\(Self.percent(10 + Double(top.row) * 80 / Double(Self.rows)))"
        let position = centred ? nil : "position:\(Self.percent(10 + Double(left) * 80 / Double(Self.columns))) align:start"
        let settings = [line, position].compactMap { $0 }.joined(separator: " ")
        return Caption(text: text, settings: settings.isEmpty ? nil : settings)
    }

    /// A row's cells as a WebVTT payload line, an empty cell a space, each change of style
    /// closing only the tags it must.
    private static func payload(_ row: ArraySlice<Cell?>) -> String {
        var output = "", open: [String] = []
        for cell in row {
            let style = cell?.style ?? Style()
            let wanted = (style.italic ? ["i"] : []) + (style.underline ? ["u"] : [])
            let kept = zip(open, wanted).prefix(while: { $0.0 == $0.1 }).count
            for tag in open[kept...].reversed() { output += "</\(tag)>" }
            for tag in wanted[kept...] { output += "<\(tag)>" }
            open = wanted
            output += SubtitleText.escaped(cell?.character ?? " ")
        }
        for tag in open.reversed() { output += "</\(tag)>" }
        return output
    }

    /// `84.67%`: two decimals at most.
    private static func percent(_ value: Double) -> String {
        var text = String(format: "%.2f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + "%"
    }
}
