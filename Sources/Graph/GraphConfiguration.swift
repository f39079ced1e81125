import EWS

/// How the app proves itself to Microsoft Entra ID (app-only, client credentials).
public enum GraphCredential: Sendable {
    /// A certificate: a client assertion signed with its private key (Microsoft's recommendation).
    case certificate(ClientCertificate)
    /// A client secret.
    case secret(String)
}

/// Everything the Graph client needs to reach Microsoft Graph for many mailboxes.
public struct GraphConfiguration: Sendable, CustomStringConvertible {
    /// `https://graph.microsoft.com/v1.0` (no trailing slash).
    public var baseURL: String
    /// `https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token`.
    public var tokenURL: String
    /// The app registration's application (client) id.
    public var clientId: String
    /// The certificate or the secret.
    public var credential: GraphCredential
    /// `https://graph.microsoft.com/.default`: the application permissions granted to the app.
    public var scope: String
    /// TLS settings (verification on by default).
    public var tls: TLSOptions
    /// One request's total time.
    public var timeoutSeconds: Double
    /// Connection set-up time.
    public var connectTimeoutSeconds: Double
    /// Largest answer accepted (a page of 50 events with bodies, or a batch of 20).
    public var maxResponseBytes: Int
    /// Retries of transient failures and throttling.
    public var retry: RetryPolicy
    /// Requests in flight per mailbox: Outlook's limit is 4 per app and mailbox ("Microsoft Graph
    /// service-specific throttling limits"); a fifth is answered 429.
    public var maxInFlightPerMailbox = 4
    /// Requests per `$batch` (Graph's maximum is 20).
    public var batchSize = 20

    /// Creates a configuration.
    public init(
        baseURL: String = "https://graph.microsoft.com/v1.0",
        tokenURL: String,
        clientId: String,
        credential: GraphCredential,
        scope: String = "https://graph.microsoft.com/.default",
        tls: TLSOptions = TLSOptions(),
        timeoutSeconds: Double = 60,
        connectTimeoutSeconds: Double = 10,
        maxResponseBytes: Int = 16 << 20,
        retry: RetryPolicy = RetryPolicy()
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.tokenURL = tokenURL
        self.clientId = clientId
        self.credential = credential
        self.scope = scope
        self.tls = tls
        self.timeoutSeconds = timeoutSeconds
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.maxResponseBytes = maxResponseBytes
        self.retry = retry
    }

    /// A description safe for logs: no secret, no key.
    public var description: String {
        let method: String
        switch credential {
        case .certificate(let certificate): method = "certificate(\(certificate.thumbprintSHA1Hex))"
        case .secret: method = "secret"
        }
        return "Graph \(baseURL) client \(clientId) \(method) verify_tls=\(tls.verify)"
    }
}
