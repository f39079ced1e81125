import CLibXML2
import Foundation

/// Validates SOAP requests against an XSD (the official EWS schema), element by element.
///
/// The EWS schema has no SOAP envelope definition, so each child of `soap:Body` and each EWS header
/// element is validated on its own, as Microsoft's own validation does.
public final class XMLSchemaValidator: @unchecked Sendable {
    private let schema: xmlSchemaPtr
    // libxml2 allows sharing a compiled schema, but validation contexts are not thread-safe; one lock
    // keeps the fake's handful of concurrent requests simple.
    private let lock = NSLock()

    /// Compiled schemas by path, kept for the process: compiling the EWS schema is costly, and parallel
    /// compiles in one process were seen to fail now and then (libxml2's schema parser shares global
    /// state), so each path is compiled once, under a lock, and the result shared (libxml2 allows that).
    private final class Cache: @unchecked Sendable {
        let lock = NSLock()
        var schemas: [String: xmlSchemaPtr] = [:]
    }
    private static let cache = Cache()

    /// Compiles the schema at `path` (once per process); files it imports must lie in the same folder.
    public init(schemaPath: String) throws(XMLError) {
        XMLParser.prepare()
        let cache = Self.cache
        cache.lock.lock()
        defer { cache.lock.unlock() }
        if let compiled = cache.schemas[schemaPath] {
            schema = compiled
            return
        }
        let folder = (schemaPath as NSString).deletingLastPathComponent
        EntityLoaderGuard.allow(folder: folder)
        guard let context = xmlSchemaNewParserCtxt(schemaPath) else {
            throw XMLError(.internalFailure, "cannot open schema \(schemaPath)")
        }
        defer { xmlSchemaFreeParserCtxt(context) }
        guard let compiled = xmlSchemaParse(context) else {
            throw XMLError(.internalFailure, "schema \(schemaPath) does not compile")
        }
        cache.schemas[schemaPath] = compiled
        schema = compiled
    }

    /// Validates a SOAP envelope; returns one message per violation (empty when valid).
    public func validateEnvelope(_ bytes: [UInt8]) -> [String] {
        lock.lock()
        defer { lock.unlock() }
        guard !bytes.isEmpty else { return ["empty document"] }
        let doc = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                xmlReadMemory($0, Int32(buffer.count), nil, nil, cxml_safe_options)
            }
        }
        guard let doc else { return ["not well-formed XML"] }
        defer { xmlFreeDoc(doc) }
        if doc.pointee.intSubset != nil { return ["document has a DTD"] }
        guard let root = xmlDocGetRootElement(doc) else { return ["no root element"] }
        guard Self.localName(root) == "Envelope", Self.namespace(root) == SOAPNamespace.envelope else {
            return ["root is not a SOAP 1.1 Envelope"]
        }
        var messages: [String] = []
        var sawBody = false
        for part in Self.elementChildren(root) {
            let isBody = Self.localName(part) == "Body"
            sawBody = sawBody || isBody
            for element in Self.elementChildren(part) {
                let ns = Self.namespace(element)
                if !isBody && !SOAPNamespace.ews.contains(ns) { continue }
                messages += validate(element)
            }
        }
        if !sawBody { messages.append("envelope has no Body") }
        return messages
    }

    private func validate(_ element: xmlNodePtr) -> [String] {
        guard let context = xmlSchemaNewValidCtxt(schema) else { return ["cannot create validation context"] }
        defer { xmlSchemaFreeValidCtxt(context) }
        let sink = MessageSink()
        let handler: xmlStructuredErrorFunc = { userData, error in
            guard let userData, let error else { return }
            let sink = Unmanaged<MessageSink>.fromOpaque(userData).takeUnretainedValue()
            let text = error.pointee.message.map { String(cString: $0) } ?? "invalid"
            sink.messages.append("line \(error.pointee.line): \(text.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        xmlSchemaSetValidStructuredErrors(context, handler, Unmanaged.passUnretained(sink).toOpaque())
        let status = withExtendedLifetime(sink) { xmlSchemaValidateOneElement(context, element) }
        if status != 0 && sink.messages.isEmpty { sink.messages.append("invalid (libxml2 status \(status))") }
        return sink.messages
    }

    private static func elementChildren(_ node: xmlNodePtr) -> [xmlNodePtr] {
        var out: [xmlNodePtr] = []
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE { out.append(current) }
            child = current.pointee.next
        }
        return out
    }

    private static func localName(_ node: xmlNodePtr) -> String {
        node.pointee.name.map { String(cString: $0) } ?? ""
    }

    private static func namespace(_ node: xmlNodePtr) -> String {
        node.pointee.ns?.pointee.href.map { String(cString: $0) } ?? ""
    }
}

private final class MessageSink {
    var messages: [String] = []
}

/// The namespaces of SOAP 1.1 and EWS.
public enum SOAPNamespace {
    /// SOAP 1.1 envelope namespace, which EWS uses.
    public static let envelope = "http://schemas.xmlsoap.org/soap/envelope/"
    /// EWS messages (`m:`).
    public static let messages = "http://schemas.microsoft.com/exchange/services/2006/messages"
    /// EWS types (`t:`).
    public static let types = "http://schemas.microsoft.com/exchange/services/2006/types"
    /// EWS fault details (`e:`).
    public static let errors = "http://schemas.microsoft.com/exchange/services/2006/errors"
    /// The EWS namespaces whose header elements are validated.
    public static let ews: Set<String> = [messages, types]
}
