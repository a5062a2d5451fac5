/// The cues of a TTML body, timed and styled by what its root and head say.
struct TTMLCues {
    /// What an element's content inherits from it.
    struct Context {
        var begin: Double
        /// Nil: indefinite (the element ends as its content does, or never).
        var end: Double?
        /// Whether the element's own `end` or `dur` set `end`.
        var explicit = false
        var sequential = false
        var style: [String: String] = [:]
        var region: String?
        var preserve = false
    }

    let clock: TTMLClock
    let styling: TTMLStyling
    let layout: TTMLLayout
    private(set) var reading: SubtitleReading
    /// `p` elements with text and a time, and the lines of those with text and no end.
    private var timed = 0, endless: [Int] = []

    init(root: XMLTree.Element, reading: SubtitleReading) {
        clock = TTMLClock(root: root)
        styling = TTMLStyling(head: root.elements.first { $0.name == "head" })
        layout = TTMLLayout(root: root)
        self.reading = reading
    }

    /// Reads `body`; a body with no `p` that has text and a time is one drop saying why.
    mutating func read(_ body: XMLTree.Element) {
        _ = container(body, base: 0, in: Context(begin: 0))
        if timed == 0 {
            reading.note(body.line, Self.holdsImages(body) ? "holds only images (SMPTE-TT smpte:image, smpte:backgroundImage), which are not read" : "holds no p element with text and a time")
        } else {
            for line in endless { reading.drop(line, "has no end time (nor has any element it is in)") }
        }
        reading.cues.sort { ($0.start, $0.end) < ($1.start, $1.end) }
        reading.dropped.sort { $0.line < $1.line }
    }

    /// A body or div and the divs and `p`s in it; returns its end, where a `seq` sibling after
    /// it begins (nil: indefinite).
    private mutating func container(_ element: XMLTree.Element, base: Double, in parent: Context) -> Double? {
        guard let context = enter(element, base: base, in: parent) else { return nil }
        var ends: [Double?] = [], base = context.begin
        for child in element.elements where child.name == "div" || child.name == "p" {
            let end = child.name == "div" ? container(child, base: base, in: context) : paragraph(child, base: base, in: context)
            ends.append(end)
            if context.sequential {
                guard let end else { break }
                base = end
            }
        }
        if context.explicit || ends.contains(nil) { return context.end }
        return ends.compactMap { $0 }.max() ?? context.begin
    }

    /// A `p` as cues; returns its end (nil: indefinite).
    private mutating func paragraph(_ element: XMLTree.Element, base: Double, in parent: Context) -> Double? {
        guard var context = enter(element, base: base, in: parent) else { return nil }
        context.style = styling.region(context.region).merging(context.style) { $1 }
        let limit = context.end
        if !context.explicit { context.end = nil }
        var pieces: [TTMLText.Piece] = []
        flatten(element, in: context, into: &pieces)
        let shown = pieces.filter { !$0.isBlank }
        guard !shown.isEmpty else { return limit }
        let implicit = shown.contains { $0.end == nil } ? nil : shown.compactMap(\.end).max()
        guard let end = context.explicit ? limit : implicit.map({ min($0, limit ?? $0) }) ?? limit else {
            endless.append(element.line)
            return nil
        }
        timed += 1
        if let parentEnd = parent.end, parentEnd <= context.begin {
            reading.drop(element.line, "starts (\(WebVTT.timestamp(context.begin))) after the element it is in ends (\(WebVTT.timestamp(parentEnd)))")
            return end
        }
        guard let segments = TTMLText.segments(pieces, from: context.begin, to: end) else {
            reading.drop(element.line, "changes its text more than \(TTMLText.maximumChanges) times")
            return end
        }
        let settings = layout.settings(context.style)
        for segment in segments {
            reading.keep(SubtitleCue(start: segment.start, end: segment.end, text: segment.text, settings: settings), line: element.line)
        }
        return end
    }

    /// The text and line breaks of a `p` or span and the spans in it, each with its time and
    /// style; other elements (metadata, animation, images) are left out.
    private mutating func flatten(_ element: XMLTree.Element, in context: Context, into pieces: inout [TTMLText.Piece]) {
        var base = context.begin
        children: for child in element.children {
            switch child {
            case .text(let text):
                guard context.style["visibility"] != "hidden" else { continue }
                pieces.append(TTMLText.Piece(text: text, emphasis: TTMLText.Emphasis(context.style), preserve: context.preserve, begin: context.begin, end: context.end))
            case .element(let br) where br.name == "br":
                pieces.append(TTMLText.Piece(text: nil, emphasis: [], preserve: false, begin: context.begin, end: context.end))
            case .element(let span) where span.name == "span":
                let inner = enter(span, base: base, in: context)
                if let inner { flatten(span, in: inner, into: &pieces) }
                if context.sequential {
                    guard let end = inner?.end else { break children }
                    base = end
                }
            case .element:
                continue
            }
        }
    }

    /// How `element` times and styles its content within `parent`; nil (the element left out
    /// with what it holds) when its times cannot be read, dropped with why, or its
    /// `tts:display` is `none`.
    private mutating func enter(_ element: XMLTree.Element, base: Double, in parent: Context) -> Context? {
        let interval: (begin: Double, end: Double?)
        do throws(TTMLClock.Unreadable) {
            interval = try clock.interval(of: element, from: base)
        } catch {
            reading.drop(element.line, error.reason)
            return nil
        }
        var context = parent
        context.begin = interval.begin
        context.explicit = interval.end != nil
        context.end = [interval.end, parent.end].compactMap { $0 }.min()
        context.sequential = element["timeContainer"] == "seq"
        context.style = styling.style(of: element, inherited: parent.style)
        context.region = element["region"] ?? parent.region
        context.preserve = element["space"].map { $0 == "preserve" } ?? parent.preserve
        return context.style["display"] == "none" ? nil : context
    }

    /// Whether `element` or any element in it is a SMPTE-TT image.
    private static func holdsImages(_ element: XMLTree.Element) -> Bool {
        element.name == "image" || element["backgroundImage"] != nil || element.elements.contains(where: holdsImages)
    }
}
