import Bounds
import Foundation

/// Fetches, caches and renews an app-only bearer token with the client-credentials grant.
///
/// The flow has no refresh token, so the token is re-requested a margin before it expires; concurrent
/// callers share one request.
actor OAuthTokenProvider {
    private let grant: OAuth2ClientCredentials
    private let loop: CurlEventLoop
    private let tls: TLSOptions
    private var cached: (token: String, renewAt: ContinuousClock.Instant)?
    private var inFlight: Task<String, any Error>?
    private let clock = ContinuousClock()

    init(grant: OAuth2ClientCredentials, loop: CurlEventLoop, tls: TLSOptions) {
        self.grant = grant
        self.loop = loop
        self.tls = tls
    }

    /// A valid token, fetched when none is cached or the cached one is near expiry.
    func token() async throws -> String {
        if let cached, clock.now < cached.renewAt { return cached.token }
        if let inFlight { return try await inFlight.value }
        let task = Task { try await fetch() }
        inFlight = task
        defer { inFlight = nil }
        return try await task.value
    }

    /// Drops the cached token (after a 401: it was revoked or the clock drifted).
    func invalidate() { cached = nil }

    private func fetch() async throws -> String {
        let form = [
            ("grant_type", "client_credentials"), ("client_id", grant.clientId),
            ("client_secret", grant.clientSecret), ("scope", grant.scope),
        ].map { "\($0.0)=\(Self.formEncode($0.1))" }.joined(separator: "&")
        let request = HTTPRequest(
            url: grant.tokenURL,
            headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Array(form.utf8),
            tls: tls,
            timeoutSeconds: 30,
            maxResponseBytes: 1 << 20
        )
        let response: HTTPResponse
        do { response = try await loop.perform(request) } catch let failure as TransportFailure {
            throw EWSError(
                .authentication,
                "token endpoint unreachable: \(failure.error.message)",
                curlCode: failure.error.curlCode
            )
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        guard response.status == 200, let token = json?["access_token"] as? String else {
            let reason = (json?["error"] as? String) ?? "HTTP \(response.status)"
            throw EWSError(
                .authentication,
                "token endpoint refused the client credentials: \(reason)",
                httpStatus: response.status
            )
        }
        let lifetime = (json?["expires_in"] as? Double) ?? Double(json?["expires_in"] as? String ?? "") ?? 3600
        // Renew at the latest five minutes, and at least a tenth of the lifetime, before expiry.
        let margin = min(300, lifetime / 10)
        cached = (token, clock.now.advanced(by: Bounded.duration(seconds: lifetime - margin, atMost: 86_400)))
        return token
    }

    private static func formEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
