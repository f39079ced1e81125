import CLibXML2

/// libxml2 needs one process-wide initialisation before threads use it; the guarded entity loader is
/// installed at the same moment so that no parse ever runs with the default (file-reading) loader.
private let libxmlReady: Void = {
    xmlInitParser()
    EntityLoaderGuard.install()
}()

/// The hardened XML parser every response and request goes through.
///
/// It streams with `xmlTextReader`, never expands entities, never loads anything from the network or
/// disk, refuses any document with a DTD before reading its content, and enforces `XMLLimits`.
/// Callers that read large pages name the elements whose children they want one at a time
/// (`splittingChildrenOf`): those children are handed to `onElement` as they close and are not kept in
/// the returned tree, so memory follows one item, not the page.
public enum XMLParser {
    /// Makes sure libxml2 is initialised; cheap after the first call.
    public static func prepare() { _ = libxmlReady }

    /// Parses a document into a tree of values.
    public static func parse(_ bytes: [UInt8], limits: XMLLimits = .ews) throws(XMLError) -> XMLElement {
        try parse(bytes, limits: limits, splittingChildrenOf: [], onElement: { _ in })
    }

    /// Parses a document, handing each child of the named elements to `onElement` instead of keeping it.
    public static func parse(
        _ bytes: [UInt8],
        limits: XMLLimits = .ews,
        splittingChildrenOf split: Set<String>,
        onElement: (XMLElement) throws -> Void
    ) throws(XMLError) -> XMLElement {
        prepare()
        // libxml2's error printer is per thread, and prints to stderr what a hostile answer's bad encoding provokes
        // (`input conversion failed`: a log line per answer, found by `scripts/fuzz soap`); errors are read from the
        // reader instead, so this thread's printer is silenced before each parse.
        cxml_silence_generic_errors()
        guard bytes.count <= limits.maxDocumentBytes else {
            throw XMLError(
                .tooLarge,
                "document of \(bytes.count) bytes exceeds \(limits.maxDocumentBytes)",
                limit: "answer_bytes"
            )
        }
        guard !bytes.isEmpty else { throw XMLError(.malformed, "empty document") }
        var result: Result<XMLElement, XMLError> = .failure(XMLError(.internalFailure, "not parsed"))
        // xmlReaderForMemory does not copy its input: all reading stays inside this closure.
        bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { base in
                guard let reader = xmlReaderForMemory(base, Int32(buffer.count), nil, nil, cxml_safe_options) else {
                    result = .failure(XMLError(.internalFailure, "xmlReaderForMemory failed"))
                    return
                }
                defer { xmlFreeTextReader(reader) }
                var walker = TreeWalker(reader: reader, limits: limits, split: split)
                do {
                    result = .success(try walker.run(onElement: onElement))
                } catch let error as XMLError {
                    result = .failure(error)
                } catch {
                    result = .failure(XMLError(.malformed, "\(error)"))
                }
            }
        }
        return try result.get()
    }
}

/// Builds the tree from reader events; one instance per parse.
private struct TreeWalker {
    let reader: xmlTextReaderPtr
    let limits: XMLLimits
    let split: Set<String>
    var stack: [XMLElement] = []
    var root: XMLElement?
    var elements = 0

    init(reader: xmlTextReaderPtr, limits: XMLLimits, split: Set<String>) {
        self.reader = reader
        self.limits = limits
        self.split = split
    }

    mutating func run(onElement: (XMLElement) throws -> Void) throws -> XMLElement {
        xmlResetLastError()
        while true {
            let status = xmlTextReaderRead(reader)
            if status == 0 { break }
            if status < 0 { throw Self.lastError() }
            switch xmlTextReaderNodeType(reader) {
            case Int32(XML_READER_TYPE_DOCUMENT_TYPE.rawValue):
                throw XMLError(.dtdRefused, "document type declarations are not accepted")
            case Int32(XML_READER_TYPE_ENTITY_REFERENCE.rawValue), Int32(XML_READER_TYPE_ENTITY.rawValue):
                throw XMLError(.dtdRefused, "entity references are not accepted")
            case Int32(XML_READER_TYPE_ELEMENT.rawValue):
                try openElement(onElement: onElement)
            case Int32(XML_READER_TYPE_END_ELEMENT.rawValue):
                try closeElement(onElement: onElement)
            case Int32(XML_READER_TYPE_TEXT.rawValue), Int32(XML_READER_TYPE_CDATA.rawValue),
                Int32(XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue):
                try appendText()
            default:
                continue
            }
        }
        guard let root, stack.isEmpty else { throw XMLError(.malformed, "document ended inside an element") }
        return root
    }

    private mutating func openElement(onElement: (XMLElement) throws -> Void) throws {
        guard stack.count < limits.maxDepth else {
            throw XMLError(.tooLarge, "nesting deeper than \(limits.maxDepth)", limit: "answer_depth")
        }
        elements += 1
        guard elements <= limits.maxElements else {
            throw XMLError(.tooLarge, "more than \(limits.maxElements) elements", limit: "answer_elements")
        }
        var element = XMLElement(
            name: Self.string(xmlTextReaderConstLocalName(reader)),
            namespace: Self.string(xmlTextReaderConstNamespaceUri(reader))
        )
        let isEmpty = xmlTextReaderIsEmptyElement(reader) == 1
        while xmlTextReaderMoveToNextAttribute(reader) == 1 {
            if xmlTextReaderIsNamespaceDecl(reader) == 1 { continue }
            element.attributes[Self.string(xmlTextReaderConstLocalName(reader))] =
                Self.string(xmlTextReaderConstValue(reader))
        }
        xmlTextReaderMoveToElement(reader)
        stack.append(element)
        if isEmpty { try closeElement(onElement: onElement) }
    }

    private mutating func closeElement(onElement: (XMLElement) throws -> Void) throws {
        guard let element = stack.popLast() else { throw XMLError(.malformed, "unbalanced end tag") }
        guard var parent = stack.popLast() else {
            root = element
            return
        }
        if split.contains(parent.name) {
            try onElement(element)
        } else {
            parent.children.append(element)
        }
        stack.append(parent)
    }

    private mutating func appendText() throws {
        guard !stack.isEmpty else { return }
        let text = Self.string(xmlTextReaderConstValue(reader))
        guard stack[stack.count - 1].text.utf8.count + text.utf8.count <= limits.maxTextBytes else {
            throw XMLError(
                .tooLarge,
                "text of <\(stack[stack.count - 1].name)> exceeds \(limits.maxTextBytes) bytes",
                limit: "element_text"
            )
        }
        stack[stack.count - 1].text += text
    }

    private static func string(_ pointer: UnsafePointer<xmlChar>?) -> String {
        guard let pointer else { return "" }
        return String(cString: pointer)
    }

    private static func lastError() -> XMLError {
        guard let error = xmlGetLastError() else { return XMLError(.malformed, "parse error") }
        let message = error.pointee.message.map { String(cString: $0) } ?? "parse error"
        let trimmed = message.trimmingSuffix()
        // libxml2 reports an entity loop or amplification as XML_ERR_ENTITY_LOOP (89) and friends.
        let code: XMLError.Code = error.pointee.code == 89 ? .dtdRefused : .malformed
        return XMLError(code, "line \(error.pointee.line): \(trimmed) (libxml2 code \(error.pointee.code))")
    }
}

extension String {
    fileprivate func trimmingSuffix() -> String {
        var copy = self
        while let last = copy.last, last.isWhitespace { copy.removeLast() }
        return copy
    }
}
