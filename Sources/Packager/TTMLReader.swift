/// TTML subtitles (TTML1 and TTML2, DFXP, SMPTE-TT, EBU-TT-D, Apple's iTT) as players show
/// them, read with our own XML tokenizer (`XMLTree`). Elements are matched by local name,
/// whatever their prefix or namespace. Each `p` is a cue, or, when spans in it carry times of
/// their own, one cue for each stretch of time its text stays the same; times in every form
/// TTML writes (`TTMLClock`), counted from the parent's begin (`par`) or the previous
/// sibling's end (`timeContainer="seq"`) and cut at the parent's end; `<br/>` a line break,
/// white space as `xml:space` says; italic, bold and underline (inline, from chained styles,
/// from the region) as `<i>`, `<b>`, `<u>`, other styling dropped; the region's place as cue
/// settings (`TTMLLayout`). Not read: SMPTE-TT images (`smpte:image`, `smpte:data`,
/// `smpte:backgroundImage`), metadata, animation (`set`). An element whose times cannot be
/// read is left out alone, with what it holds; a `<!DOCTYPE` declaring entities is noted and
/// its entities read as nothing (the rest of the file is read); a file nested deeper than
/// `XMLTree.maximumDepth`, or with more than `XMLTree.maximumElements`, is refused.
enum TTMLReader {
    static func read(_ text: String) -> SubtitleReading {
        var reading = SubtitleReading()
        let tree: XMLTree
        do throws(XMLTree.Refusal) {
            tree = try XMLTree(text)
        } catch {
            reading.note(error.line, error.reason)
            return reading
        }
        if let line = tree.entityDeclarationLine { reading.note(line, "declares XML entities, which are not read (entity-expansion attack)") }
        guard let root = tree.root, root.name == "tt" else {
            reading.note(tree.root?.line ?? 1, "has no tt root element: not TTML")
            return reading
        }
        guard let body = root.elements.first(where: { $0.name == "body" }) else {
            reading.note(root.line, "has no body")
            return reading
        }
        var cues = TTMLCues(root: root, reading: reading)
        cues.read(body)
        return cues.reading
    }
}
