/// How the transport authenticates at the HTTP layer.
public enum HTTPAuthentication: Sendable, Equatable {
    /// No credentials (the bearer header, if any, is in the request headers).
    case none
    /// HTTP Basic.
    case basic(username: String, password: String)
    /// NTLM: authenticates the connection, so connections are kept and reused.
    case ntlm(username: String, password: String)
    /// SPNEGO/Kerberos from the process's ticket cache (or the given credentials for NTLM fallback).
    case negotiate(username: String?, password: String?)
}

/// TLS settings of a transport.
public struct TLSOptions: Sendable, Equatable {
    /// Verify the server certificate and host name (on by default; off only for lab setups).
    public var verify: Bool
    /// A CA bundle to trust instead of the system store.
    public var caFile: String?

    /// Creates options.
    public init(verify: Bool = true, caFile: String? = nil) {
        self.verify = verify
        self.caFile = caFile
    }
}

/// One HTTP request the transport performs (EWS posts; Graph also gets, patches and deletes).
public struct HTTPRequest: Sendable {
    /// Absolute http(s) URL.
    public var url: String
    /// `POST` (EWS), or `GET`, `PATCH`, `DELETE` (Graph).
    public var method: String = "POST"
    /// Header lines, in order.
    public var headers: [(String, String)]
    /// The body (empty for GET and DELETE).
    public var body: [UInt8]
    /// Credentials at the HTTP layer.
    public var authentication: HTTPAuthentication
    /// TLS settings.
    public var tls: TLSOptions
    /// Total time for the request in seconds; 0 means no limit (streaming connections).
    public var timeoutSeconds: Double
    /// Time to establish the connection, in seconds.
    public var connectTimeoutSeconds: Double
    /// Answers larger than this are cut off and reported, so a hostile server cannot fill memory.
    public var maxResponseBytes: Int
    /// For streaming answers: called on the transport's thread with each piece of the body as it
    /// arrives; return false to end the transfer. The full body is not kept when this is set.
    public var onBodyChunk: (@Sendable ([UInt8]) -> Bool)?
    /// True for requests that must not be sent twice: they never ride on a reused connection, because
    /// curl resends transparently when a reused connection turns out dead.
    public var isNotIdempotent: Bool = false

    /// Creates a request.
    public init(
        url: String,
        headers: [(String, String)] = [],
        body: [UInt8],
        authentication: HTTPAuthentication = .none,
        tls: TLSOptions = TLSOptions(),
        timeoutSeconds: Double = 60,
        connectTimeoutSeconds: Double = 10,
        maxResponseBytes: Int = 64 << 20,
        onBodyChunk: (@Sendable ([UInt8]) -> Bool)? = nil
    ) {
        self.url = url
        self.headers = headers
        self.body = body
        self.authentication = authentication
        self.tls = tls
        self.timeoutSeconds = timeoutSeconds
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.maxResponseBytes = maxResponseBytes
        self.onBodyChunk = onBodyChunk
    }
}

/// An HTTP answer.
public struct HTTPResponse: Sendable {
    /// The final status (after any authentication legs).
    public var status: Int
    /// Header values by lower-cased name (the last value wins).
    public var headers: [String: String]
    /// The body (empty for streaming requests).
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// What sends a request and answers its response: the process's libcurl event loop. (The fuzzing harnesses answer
/// with their input instead, so the clients' whole decoding runs on it: `Fuzz/`.)
public protocol HTTPTransport: Sendable {
    func perform(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// A transport failure, with whether any byte of the request may have reached the server: that decides
/// whether a write is safe to resend or must be reported as ambiguous.
public struct TransportFailure: Error {
    public var error: EWSError
    public var requestMayHaveBeenSent: Bool

    public init(error: EWSError, requestMayHaveBeenSent: Bool) {
        self.error = error
        self.requestMayHaveBeenSent = requestMayHaveBeenSent
    }

    /// A failure every retry would meet again (an untrusted certificate, TLS to a plain-HTTP port).
    public var isPermanent: Bool { TransportDiagnosis.isPermanent(curlCode: error.curlCode, message: error.message) }
}
