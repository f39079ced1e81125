/// How the service account proves itself to Exchange.
public enum EWSCredentials: Sendable, Equatable {
    /// HTTP Basic (only where on-premises admins still allow it).
    case basic(username: String, password: String)
    /// NTLM (on-premises): the connection is authenticated, so it is reused.
    case ntlm(username: String, password: String)
    /// Kerberos/SPNEGO from the process's ticket cache.
    case negotiate(username: String?, password: String?)
    /// OAuth2 client credentials (Exchange Online app-only): a bearer token fetched from `tokenURL`.
    case oauth2(OAuth2ClientCredentials)
}

/// The client-credentials grant of an app registration.
public struct OAuth2ClientCredentials: Sendable, Equatable {
    /// Token endpoint, e.g. `https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token`.
    public var tokenURL: String
    /// Application (client) id.
    public var clientId: String
    /// Client secret.
    public var clientSecret: String
    /// Scope, e.g. `https://outlook.office365.com/.default`.
    public var scope: String

    /// Creates credentials.
    public init(tokenURL: String, clientId: String, clientSecret: String, scope: String) {
        self.tokenURL = tokenURL
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.scope = scope
    }
}

/// Bounded exponential back-off with jitter for transient failures (503, 429, network errors).
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, including the first.
    public var maxAttempts: Int
    /// Delay after the first failure, in seconds; doubled after each further one.
    public var baseDelaySeconds: Double
    /// Upper bound of one delay, in seconds.
    public var maxDelaySeconds: Double

    /// Creates a policy.
    public init(maxAttempts: Int = 5, baseDelaySeconds: Double = 0.5, maxDelaySeconds: Double = 30) {
        self.maxAttempts = maxAttempts
        self.baseDelaySeconds = baseDelaySeconds
        self.maxDelaySeconds = maxDelaySeconds
    }

    /// The delay before attempt `attempt + 1` (attempt counts from 1): exponential, then "equal
    /// jitter" so that many mailboxes throttled at once do not come back in step.
    public func delay(afterAttempt attempt: Int, random: Double = Double.random(in: 0...1)) -> Double {
        let exponential = min(maxDelaySeconds, baseDelaySeconds * Double(1 << min(attempt - 1, 20)))
        return exponential / 2 + exponential / 2 * random
    }
}

/// Everything the EWS client needs to reach a server.
public struct EWSConfiguration: Sendable, CustomStringConvertible {
    /// `https://host/EWS/Exchange.asmx`.
    public var url: String
    /// `RequestServerVersion` (never echoed from the server's answer).
    public var serverVersion: String
    /// The service account.
    public var credentials: EWSCredentials
    /// ExchangeImpersonation + X-AnchorMailbox per mailbox; false: delegate access.
    public var impersonation: Bool
    /// TLS settings.
    public var tls: TLSOptions
    /// One request's total time.
    public var timeoutSeconds: Double
    /// Connection set-up time.
    public var connectTimeoutSeconds: Double
    /// Largest answer accepted. 16 MiB: the largest legitimate answer is a GetItem batch of ten items with
    /// bodies cut at `maximumBodyKilobytes`; four passes at once each holding the worst answer the limits let
    /// through stay within the unit's memory (README "Limits").
    public var maxResponseBytes: Int
    /// Retries of transient failures.
    public var retry: RetryPolicy
    /// Bodies longer than this come back cut (`MaximumBodySize`, Exchange 2013 and later), marked
    /// `IsTruncated`: one past the CRM's 1 MiB information limit, so a longer body is refused by its rules
    /// (the item's other fields still sync) instead of an answer too large for the batch it is in.
    public var maximumBodyKilobytes = 1025

    /// Creates a configuration.
    public init(
        url: String,
        serverVersion: String = "Exchange2016",
        credentials: EWSCredentials,
        impersonation: Bool = true,
        tls: TLSOptions = TLSOptions(),
        timeoutSeconds: Double = 60,
        connectTimeoutSeconds: Double = 10,
        maxResponseBytes: Int = 16 << 20,
        retry: RetryPolicy = RetryPolicy()
    ) {
        self.url = url
        self.serverVersion = serverVersion
        self.credentials = credentials
        self.impersonation = impersonation
        self.tls = tls
        self.timeoutSeconds = timeoutSeconds
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.maxResponseBytes = maxResponseBytes
        self.retry = retry
    }

    /// Whether the server version takes `MaximumBodySize` (Exchange 2013 and later; older schemas refuse it).
    public var cutsBodies: Bool {
        !serverVersion.hasPrefix("Exchange2007") && !serverVersion.hasPrefix("Exchange2010")
    }

    /// A description safe for logs: no password, no client secret.
    public var description: String {
        let method: String
        switch credentials {
        case .basic(let user, _): method = "basic(\(user))"
        case .ntlm(let user, _): method = "ntlm(\(user))"
        case .negotiate(let user, _): method = "negotiate(\(user ?? "ticket cache"))"
        case .oauth2(let grant): method = "oauth2(\(grant.clientId))"
        }
        return "EWS \(url) \(serverVersion) \(method) impersonation=\(impersonation) verify_tls=\(tls.verify)"
    }
}
