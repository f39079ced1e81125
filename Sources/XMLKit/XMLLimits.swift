/// Bounds the hardened parser enforces so a hostile document cannot exhaust memory.
public struct XMLLimits: Sendable {
    /// Largest document accepted, in bytes.
    public var maxDocumentBytes: Int
    /// Largest text content of one element, in bytes (an item body is the largest legitimate one, and comes
    /// cut at just over 1 MiB).
    public var maxTextBytes: Int
    /// Deepest element nesting accepted.
    public var maxDepth: Int
    /// Most elements in one document, those handed off one at a time included: a tree costs a few hundred
    /// bytes per element, so 60 MB of tiny elements (within the byte limit) would take gigabytes. The largest
    /// legitimate EWS answer (a SyncFolderItems page of 512 changes, a FindItem page of 1000 ids) has some
    /// thousands.
    public var maxElements: Int

    /// Creates limits.
    public init(
        maxDocumentBytes: Int = 64 << 20,
        maxTextBytes: Int = 2 << 20,
        maxDepth: Int = 64,
        maxElements: Int = 50_000
    ) {
        self.maxDocumentBytes = maxDocumentBytes
        self.maxTextBytes = maxTextBytes
        self.maxDepth = maxDepth
        self.maxElements = maxElements
    }

    /// The defaults used for EWS responses.
    public static let ews = XMLLimits()
}
