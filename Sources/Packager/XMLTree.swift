/// An XML document as its root element and the elements and text in it, built from
/// `XMLTokens` as leniently as browsers build tag soup: an end tag closes the open element
/// it names and every element opened inside it, an end tag naming no open element is ignored,
/// `<br>` never holds content, a `<p>` closes an open `p` (they never nest), elements still
/// open at the end are closed. Refused: elements nested deeper than `maximumDepth`, more than
/// `maximumElements` of them.
struct XMLTree {
    struct Attribute {
        /// The local name: `tts:origin` is `origin`, `xml:id` is `id`.
        var name: String
        var value: String
    }

    struct Element {
        /// The local name.
        var name: String
        var attributes: [Attribute]
        var children: [Node] = []
        var line: Int

        subscript(attribute: String) -> String? {
            attributes.first { $0.name == attribute }?.value
        }

        var elements: [Element] {
            children.compactMap { if case .element(let element) = $0 { element } else { nil } }
        }
    }

    enum Node {
        case element(Element)
        case text(String)
    }

    struct Refusal: Error {
        var line: Int
        var reason: String
    }

    static let maximumDepth = 64
    static let maximumElements = 1_000_000

    let root: Element?
    /// The line of a `<!DOCTYPE` that declares entities, which were not expanded.
    let entityDeclarationLine: Int?

    init(_ text: String) throws(Refusal) {
        var tokens = XMLTokens(text)
        var open: [Element] = [], root: Element?, count = 0
        var pending = ""  // text since the last tag, for the element open at the next one
        func flush() {
            if !pending.isEmpty, !open.isEmpty { open[open.count - 1].children.append(.text(pending)) }
            pending = ""
        }
        func close(to depth: Int) {
            flush()
            while open.count > depth {
                let element = open.removeLast()
                if open.isEmpty { root = element } else { open[open.count - 1].children.append(.element(element)) }
            }
        }
        while root == nil, let next = tokens.next() {
            switch next.token {
            case .start(let qualified, let attributes, let closed):
                let name = XMLTokens.localName(qualified)
                flush()
                if name == "p", let paragraph = open.lastIndex(where: { $0.name == "p" }) { close(to: paragraph) }
                count += 1
                if count > Self.maximumElements { throw Refusal(line: next.line, reason: "holds more than \(Self.maximumElements) elements") }
                if open.count >= Self.maximumDepth { throw Refusal(line: next.line, reason: "nests elements deeper than \(Self.maximumDepth) levels") }
                open.append(Element(name: name, attributes: attributes, line: next.line))
                if closed || name == "br" { close(to: open.count - 1) }
            case .end(let qualified):
                let name = XMLTokens.localName(qualified)
                if let element = open.lastIndex(where: { $0.name == name }) { close(to: element) }
            case .text(let more):
                pending += more
            }
        }
        close(to: 0)
        self.root = root
        entityDeclarationLine = tokens.entityDeclarationLine
    }
}
