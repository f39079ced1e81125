/// Why a document was refused by the hardened parser.
public struct XMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of refusal.
    public enum Code: String, Sendable {
        /// Not well-formed (truncated, bad syntax, undeclared entity).
        case malformed
        /// The document carries a DTD; EWS never sends one, and DTDs are how entity attacks start.
        case dtdRefused
        /// Larger than the configured limit (document, text node or nesting depth).
        case tooLarge
        /// A libxml2 resource could not be created.
        case internalFailure
    }

    /// The kind of refusal.
    public var code: Code
    /// What libxml2 or the limit check said, with a line number where known.
    public var message: String
    /// For `tooLarge`: the limit met (`answer_bytes`, `answer_depth`, `answer_elements`, `element_text`), as
    /// the `limit` label of `activity_sync_limits_hit_total`.
    public var limit: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, limit: String? = nil) {
        self.code = code
        self.message = message
        self.limit = limit
    }

    public var description: String { "XML \(code.rawValue): \(message)" }
}
