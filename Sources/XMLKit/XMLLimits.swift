/// Bounds the hardened parser enforces so a hostile document cannot exhaust memory.
public struct XMLLimits: Sendable {
    /// Largest document accepted, in bytes.
    public var maxDocumentBytes: Int
    /// Largest text content of one element, in bytes (an item body is the largest legitimate one).
    public var maxTextBytes: Int
    /// Deepest element nesting accepted.
    public var maxDepth: Int

    /// Creates limits.
    public init(maxDocumentBytes: Int = 64 << 20, maxTextBytes: Int = 8 << 20, maxDepth: Int = 64) {
        self.maxDocumentBytes = maxDocumentBytes
        self.maxTextBytes = maxTextBytes
        self.maxDepth = maxDepth
    }

    /// The defaults used for EWS responses.
    public static let ews = XMLLimits()
}
