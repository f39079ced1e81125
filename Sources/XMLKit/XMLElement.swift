/// An XML element as a plain value: what the EWS client and the fake Exchange read and write.
///
/// Only elements and their text are kept; comments and processing instructions are dropped.
public struct XMLElement: Sendable, Equatable {
    /// Local name, without prefix.
    public var name: String
    /// Namespace URI ("" when none).
    public var namespace: String
    /// Attributes by local name (EWS attributes are unqualified).
    public var attributes: [String: String]
    /// Child elements in document order.
    public var children: [XMLElement]
    /// Concatenated text content directly inside this element.
    public var text: String

    /// Creates an element.
    public init(
        name: String,
        namespace: String = "",
        attributes: [String: String] = [:],
        children: [XMLElement] = [],
        text: String = ""
    ) {
        self.name = name
        self.namespace = namespace
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    /// The first child with this local name.
    public func child(_ name: String) -> XMLElement? {
        children.first { $0.name == name }
    }

    /// All children with this local name.
    public func children(_ name: String) -> [XMLElement] {
        children.filter { $0.name == name }
    }

    /// Follows a path of local names through first children.
    public func path(_ names: String...) -> XMLElement? {
        var current: XMLElement? = self
        for name in names { current = current?.child(name) }
        return current
    }

    /// The text of the first child with this name, if that child exists.
    public func childText(_ name: String) -> String? {
        child(name)?.text
    }

    /// The first element anywhere below (depth first) with this local name.
    public func descendant(_ name: String) -> XMLElement? {
        for child in children {
            if child.name == name { return child }
            if let found = child.descendant(name) { return found }
        }
        return nil
    }
}

extension XMLElement {
    /// Serialises the element with the given prefix for its namespace (children share it), e.g. `t`.
    public func xmlString(prefix: String) -> String {
        let tag = prefix.isEmpty ? name : "\(prefix):\(name)"
        let attrs = attributes.keys.sorted().map { " \($0)=\"\(XMLEscaping.escape(attributes[$0]!))\"" }.joined()
        if children.isEmpty && text.isEmpty { return "<\(tag)\(attrs)/>" }
        return "<\(tag)\(attrs)>\(XMLEscaping.escape(text))"
            + children.map { $0.xmlString(prefix: prefix) }.joined() + "</\(tag)>"
    }
}
