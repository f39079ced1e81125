/// Every failure the EWS client reports, as values the caller can decide on.
///
/// One type for all failures, carrying the foreign codes as they came: the HTTP status, libcurl's
/// `CURLcode`, the SOAP fault's response code, or a per-item `ResponseCode` with its `MessageText`.
public struct EWSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The decision the caller has to make.
    public enum Kind: String, Sendable {
        /// The network or TLS failed before a usable answer (see `curlCode`).
        case transport
        /// The server refused the credentials (HTTP 401 or 403).
        case authentication
        /// The server answered with an HTTP status that is not a SOAP answer (see `httpStatus`).
        case http
        /// The request as a whole failed (SOAP fault: impersonation, schema, throttling).
        case fault
        /// One item of a batch failed (see `responseCode`); the others are unaffected.
        case item
        /// The answer could not be read: malformed, hostile, too large, or not EWS.
        case malformedResponse
        /// Throttled and the retry budget was used up; try the mailbox later.
        case throttled
        /// A write may or may not have been applied (its answer was lost); reconcile, do not resend.
        case ambiguous
        /// The configuration is unusable (bad URL, unreadable secret, token endpoint refused us).
        case configuration
    }

    /// The decision the caller has to make.
    public var kind: Kind
    /// A readable explanation; never contains a secret.
    public var message: String
    /// HTTP status, when an HTTP answer arrived.
    public var httpStatus: Int?
    /// libcurl's code, for transport failures.
    public var curlCode: Int?
    /// EWS `ResponseCode` (item) or fault code, e.g. `ErrorItemNotFound`.
    public var responseCode: String?
    /// Server-requested wait for `ErrorServerBusy`, in milliseconds.
    public var backOffMilliseconds: Int?
    /// The bound an answer met, when that is why it was refused (`answer_bytes`, `answer_elements`,
    /// `element_text`, `answer_depth`, `find_pages`): the `limit` label of `activity_sync_limits_hit_total`.
    public var limit: String?
    /// Which protocol failed ("EWS", or "Graph": the Graph client reports in the same terms, so the engine and
    /// the daemon decide alike whatever a mailbox speaks).
    public var backend = "EWS"

    /// Creates an error.
    public init(
        _ kind: Kind,
        _ message: String,
        httpStatus: Int? = nil,
        curlCode: Int? = nil,
        responseCode: String? = nil,
        backOffMilliseconds: Int? = nil,
        limit: String? = nil
    ) {
        self.limit = limit
        self.kind = kind
        self.message = message
        self.httpStatus = httpStatus
        self.curlCode = curlCode
        self.responseCode = responseCode
        self.backOffMilliseconds = backOffMilliseconds
    }

    public var description: String {
        var parts = ["\(backend) \(kind.rawValue)"]
        if let responseCode { parts.append(responseCode) }
        if let httpStatus { parts.append("HTTP \(httpStatus)") }
        if let curlCode { parts.append("curl \(curlCode)") }
        return parts.joined(separator: " ") + ": " + message
    }

    /// Throttling answers the server documents (`ErrorServerBusy` and its relatives).
    static let throttlingCodes: Set<String> = [
        "ErrorServerBusy", "ErrorExceededConnectionCount", "ErrorTooManyObjectsOpened",
        "ErrorExceededFindCountLimit", "ErrorInternalServerTransientError",
    ]

    /// Whether an answer came from the service the URL names: false when the network, TLS or the URL failed (no
    /// server, a wrong port, a page that is no EWS) — `check` reports those under ENDPOINT, not AUTH.
    public var reachedService: Bool { ![.transport, .http, .malformedResponse, .configuration].contains(kind) }

    /// Whether the server told us to slow down.
    public var isThrottling: Bool {
        if kind == .throttled { return true }
        if let responseCode, Self.throttlingCodes.contains(responseCode) { return true }
        return httpStatus == 503 || httpStatus == 429
    }
}

/// The outcome of one item of a batch.
public typealias EWSResult<Value: Sendable> = Result<Value, EWSError>
