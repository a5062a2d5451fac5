/// The styles and regions a TTML head defines, by `xml:id`, as the style properties we read;
/// a style's `style` references (chained, at most `maximumChain` deep, cycles cut) come
/// before its own attributes, a region's `<style>` children before its own attributes.
/// An element's style: what it inherits, then the styles it references in order, then its own
/// `tts:` attributes; a region's style is inherited under all of that.
struct TTMLStyling {
    /// By local name: `tts:fontStyle` and the rest.
    static let properties: Set<String> = ["fontStyle", "fontWeight", "textDecoration", "visibility", "display", "textAlign", "displayAlign", "origin", "extent"]
    static let maximumChain = 32

    private var styles: [String: [String: String]] = [:]
    private var regions: [String: [String: String]] = [:]

    init(head: XMLTree.Element?) {
        var definitions: [String: XMLTree.Element] = [:], order: [String] = [], regionElements: [XMLTree.Element] = []
        func collect(_ element: XMLTree.Element) {
            for child in element.elements {
                if child.name == "region" {
                    regionElements.append(child)
                } else if child.name == "style", let id = child["id"] {
                    definitions[id] = child
                    order.append(id)
                } else {
                    collect(child)
                }
            }
        }
        if let head { collect(head) }
        for id in order { _ = resolve(id, in: definitions, visiting: []) }
        for region in regionElements {
            guard let id = region["id"] else { continue }
            let nested = region.elements.filter { $0.name == "style" }.reduce(into: [String: String]()) { $0.merge(Self.own($1)) { $1 } }
            regions[id] = style(of: region, inherited: nested)
        }
    }

    func style(of element: XMLTree.Element, inherited: [String: String]) -> [String: String] {
        var style = inherited
        for reference in Self.references(element) { style.merge(styles[reference] ?? [:]) { $1 } }
        style.merge(Self.own(element)) { $1 }
        return style
    }

    /// The style of the region `id`; empty for none or one not defined.
    func region(_ id: String?) -> [String: String] {
        id.flatMap { regions[$0] } ?? [:]
    }

    private mutating func resolve(_ id: String, in definitions: [String: XMLTree.Element], visiting: Set<String>) -> [String: String] {
        if let style = styles[id] { return style }
        guard let definition = definitions[id], !visiting.contains(id), visiting.count < Self.maximumChain else { return [:] }
        var style: [String: String] = [:]
        for reference in Self.references(definition) { style.merge(resolve(reference, in: definitions, visiting: visiting.union([id]))) { $1 } }
        style.merge(Self.own(definition)) { $1 }
        styles[id] = style
        return style
    }

    private static func references(_ element: XMLTree.Element) -> [String] {
        element["style"]?.split(separator: " ").map(String.init) ?? []
    }

    private static func own(_ element: XMLTree.Element) -> [String: String] {
        Dictionary(element.attributes.filter { properties.contains($0.name) }.map { ($0.name, $0.value.trimmingWhitespace) }) { $1 }
    }
}
