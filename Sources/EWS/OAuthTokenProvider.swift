import Bounds
import Foundation

/// Fetches, caches and renews an app-only bearer token with the client-credentials grant.
///
/// The flow has no refresh token, so the token is re-requested a margin before it expires; concurrent
/// callers share one request. EWS proves the app with a secret; Graph with a secret or a signed client
/// assertion made fresh for each request (`proof`).
public actor OAuthTokenProvider {
    private let tokenURL: String
    private let clientId: String
    private let scope: String
    private let proof: @Sendable () async throws -> [(String, String)]
    private let loop: any HTTPTransport
    private let tls: TLSOptions
    private let backend: String
    private var cached: (token: String, renewAt: ContinuousClock.Instant)?
    private var inFlight: Task<String, any Error>?
    private let clock = ContinuousClock()

    init(grant: OAuth2ClientCredentials, loop: any HTTPTransport, tls: TLSOptions) {
        self.init(
            tokenURL: grant.tokenURL,
            clientId: grant.clientId,
            scope: grant.scope,
            loop: loop,
            tls: tls,
            backend: "EWS"
        ) { [("client_secret", grant.clientSecret)] }
    }

    /// A provider whose app proves itself with the form fields `proof` gives (`client_secret`, or
    /// `client_assertion_type` and `client_assertion`).
    public init(
        tokenURL: String,
        clientId: String,
        scope: String,
        loop: any HTTPTransport,
        tls: TLSOptions,
        backend: String,
        proof: @escaping @Sendable () async throws -> [(String, String)]
    ) {
        self.tokenURL = tokenURL
        self.clientId = clientId
        self.scope = scope
        self.proof = proof
        self.loop = loop
        self.tls = tls
        self.backend = backend
    }

    /// A valid token, fetched when none is cached or the cached one is near expiry.
    public func token() async throws -> String {
        if let cached, clock.now < cached.renewAt { return cached.token }
        if let inFlight { return try await inFlight.value }
        let task = Task { try await fetch() }
        inFlight = task
        defer { inFlight = nil }
        return try await task.value
    }

    /// Drops the cached token (after a 401: it was revoked or the clock drifted).
    public func invalidate() { cached = nil }

    private func fetch() async throws -> String {
        let fields =
            [("grant_type", "client_credentials"), ("client_id", clientId)] + (try await proof()) + [
                ("scope", scope)
            ]
        let form = fields.map { "\($0.0)=\(Self.formEncode($0.1))" }.joined(separator: "&")
        let request = HTTPRequest(
            url: tokenURL,
            headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Array(form.utf8),
            tls: tls,
            timeoutSeconds: 30,
            maxResponseBytes: 1 << 20
        )
        let response: HTTPResponse
        do { response = try await loop.perform(request) } catch let failure as TransportFailure {
            // Unreachable is a network problem, not refused credentials: the person on call looks elsewhere.
            var error = EWSError(
                .transport,
                "token endpoint unreachable: \(failure.error.message)",
                curlCode: failure.error.curlCode
            )
            error.backend = backend
            throw error
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        guard response.status == 200, let token = json?["access_token"] as? String else {
            // Entra's AADSTS code names the cause (7000215 a wrong secret, 700027 an unknown certificate…).
            let reason = [json?["error"] as? String, Self.aadsts(json?["error_description"] as? String)]
                .compactMap { $0 }.joined(separator: " ")
            var error = EWSError(
                .authentication,
                "token endpoint refused the client credentials: \(reason.isEmpty ? "HTTP \(response.status)" : reason)",
                httpStatus: response.status
            )
            error.backend = backend
            throw error
        }
        let lifetime = (json?["expires_in"] as? Double) ?? Double(json?["expires_in"] as? String ?? "") ?? 3600
        // Renew at the latest five minutes, and at least a tenth of the lifetime, before expiry.
        let margin = min(300, lifetime / 10)
        cached = (token, clock.now.advanced(by: Bounded.duration(seconds: lifetime - margin, atMost: 86_400)))
        return token
    }

    /// The `AADSTS…` code at the start of Entra's description (the rest may quote the request; not logged).
    private static func aadsts(_ description: String?) -> String? {
        guard let description, description.hasPrefix("AADSTS") else { return nil }
        return String(description.prefix { $0 != ":" }.prefix(16))
    }

    private static func formEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
