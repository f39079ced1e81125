import Bounds
import EWS
import Foundation
import Logging

/// The Microsoft Graph client: JSON calls for many mailboxes on the process's libcurl event loop.
///
/// Every call goes through `send`: the mailbox's back-off, its in-flight limit, the bearer token (renewed once
/// on a 401, which is never taken for anything but an auth problem), and the decision between resending (a
/// 429 or 503: Graph applied nothing) and reporting a write as ambiguous (its answer was lost).
public final class GraphClient: Sendable {
    public let configuration: GraphConfiguration
    let loop: any HTTPTransport
    let tokens: OAuthTokenProvider
    let throttle: MailboxThrottle
    let inFlight: InFlightLimit
    let logger: Logger
    let observer: EWSObserver?

    /// Creates a client; `replacing` hands over the back-offs of the client this one replaces (a reload).
    public init(
        configuration: GraphConfiguration,
        loop: any HTTPTransport = CurlEventLoop.shared,
        logger: Logger = Logger(label: "graph"),
        observer: EWSObserver? = nil,
        replacing previous: GraphClient? = nil
    ) {
        self.configuration = configuration
        self.loop = loop
        self.logger = logger
        self.observer = observer
        throttle = previous?.throttle ?? MailboxThrottle(observer: observer)
        inFlight = previous?.inFlight ?? InFlightLimit(limit: configuration.maxInFlightPerMailbox)
        let credential = configuration.credential
        let clientId = configuration.clientId
        let tokenURL = configuration.tokenURL
        tokens = OAuthTokenProvider(
            tokenURL: tokenURL,
            clientId: clientId,
            scope: configuration.scope,
            loop: loop,
            tls: configuration.tls,
            backend: "Graph"
        ) {
            switch credential {
            case .secret(let secret): return [("client_secret", secret)]
            case .certificate(let certificate):
                return [
                    ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                    ("client_assertion", try await certificate.assertion(clientId: clientId, tokenURL: tokenURL)),
                ]
            }
        }
    }

    /// Remaining back-off of a mailbox, if Graph is throttling it.
    public func backOffRemaining(mailbox: String) async -> Duration? { await throttle.remaining(mailbox) }

    /// Holds requests for the mailbox back until `date` (a back-off recorded before a restart).
    public func holdOff(mailbox: String, until date: Date) async {
        let seconds = date.timeIntervalSinceNow
        if seconds > 0 { await throttle.backOff(mailbox, seconds: seconds) }
    }

    /// Ends every back-off wait now (the daemon is stopping).
    public func abandonWaits() async { await throttle.abandonWaits() }

    /// How many times Graph throttled the mailbox in the last `seconds`.
    public func throttledCount(mailbox: String, lastSeconds seconds: Double = 3600) async -> Int {
        await throttle.throttledCount(mailbox, lastSeconds: seconds)
    }

    /// A token now (for `check`: proves the credentials without touching a mailbox).
    public func token() async throws -> String { try await tokens.token() }

    // MARK: - One request

    /// Sends a request; answers every status but 401 (after one renewal), 429, 503 and 504 (retried), which
    /// are thrown when the retries are used up.
    public func send(_ request: GraphRequest) async throws -> GraphResponse {
        let retry = configuration.retry
        var attempt = 0
        var renewedToken = false
        while true {
            attempt += 1
            do { try await throttle.waitTurn(request.mailbox) } catch let error as EWSError { throw Self.graph(error) }
            let http = try await httpRequest(request)
            await inFlight.acquire(request.mailbox)
            let started = ContinuousClock.now
            let answer: HTTPResponse
            do {
                answer = try await loop.perform(http)
                await inFlight.release(request.mailbox)
            } catch let failure as TransportFailure {
                await inFlight.release(request.mailbox)
                record(request, "transport", since: started)
                if request.isWrite && failure.requestMayHaveBeenSent { throw Self.ambiguous(failure.error) }
                if failure.error.kind == .malformedResponse { throw Self.graph(failure.error) }
                guard attempt < retry.maxAttempts, !failure.isPermanent else { throw Self.graph(failure.error) }
                await throttle.backOff(request.mailbox, seconds: retry.delay(afterAttempt: attempt))
                continue
            } catch {
                await inFlight.release(request.mailbox)
                throw error
            }
            let response = GraphResponse(status: answer.status, headers: answer.headers, body: answer.body)
            record(request, "\(response.status)", since: started)
            switch response.status {
            case 401:
                // An expired or revoked token: one renewal. A second 401 is an auth problem — never a dead delta
                // token or a missing item (evolution-ews #313: an auth outage must not cause a resync).
                if !renewedToken {
                    await tokens.invalidate()
                    renewedToken = true
                    attempt -= 1
                    continue
                }
                throw response.error(.authentication, "Graph refused the app's token")
            case 429, 503, 504:
                // 429 and 503 apply nothing; a gateway timeout on a write may have been applied behind the gateway.
                if response.status == 504 && request.isWrite {
                    throw Self.ambiguous(response.error(.http, "gateway timeout"))
                }
                // (The wait is kept even when the retries are used up: the next call and the next pass honour it.)
                await backOff(request.mailbox, response, attempt: attempt)
                guard attempt < retry.maxAttempts else {
                    throw response.error(.throttled, "Graph is throttling the mailbox; retries used up")
                }
                continue
            default:
                return response
            }
        }
    }

    /// Waits as Graph asked (`Retry-After`, bounded by the throttle), else jittered exponential back-off.
    func backOff(_ mailbox: String, _ response: GraphResponse, attempt: Int) async {
        let hinted = response.headers["retry-after"].flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        let seconds = hinted.map { Bounded.seconds($0, atMost: MailboxThrottle.longestWait) }
        await throttle.backOff(
            mailbox,
            seconds: seconds ?? configuration.retry.delay(afterAttempt: attempt),
            throttled: response.status == 429 || response.status == 503
        )
        logger.notice(
            "Graph throttled; backing off",
            metadata: [
                "mailbox": "\(mailbox)", "status": "\(response.status)",
                "seconds": "\(seconds.map { Bounded.text($0) } ?? "jittered (no Retry-After)")",
            ]
        )
    }

    private func record(_ request: GraphRequest, _ outcome: String, since started: ContinuousClock.Instant) {
        guard let observer else { return }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        observer.request("Graph \(request.method)", request.mailbox, outcome, seconds)
    }

    private func httpRequest(_ request: GraphRequest) async throws -> HTTPRequest {
        let url: String
        if request.path.hasPrefix("https://") || request.path.hasPrefix("http://") {
            // A next or delta link: followed only on our own host, so the token never goes anywhere else.
            guard Self.origin(request.path) == Self.origin(configuration.baseURL) else {
                var error = EWSError(
                    .malformedResponse,
                    "a link to another host was refused: \(Self.origin(request.path))"
                )
                error.backend = "Graph"
                throw error
            }
            url = request.path
        } else {
            url = configuration.baseURL + request.path
        }
        var headers: [(String, String)] = [
            ("Authorization", "Bearer \(try await tokens.token())"), ("Accept", "application/json"),
            ("User-Agent", "activity-sync"),
        ]
        if request.body != nil { headers.append(("Content-Type", "application/json")) }
        headers += request.headers
        var http = HTTPRequest(
            url: url,
            headers: headers,
            body: request.body ?? [],
            tls: configuration.tls,
            timeoutSeconds: configuration.timeoutSeconds,
            connectTimeoutSeconds: configuration.connectTimeoutSeconds,
            maxResponseBytes: configuration.maxResponseBytes
        )
        http.method = request.method
        http.isNotIdempotent = request.isWrite
        return http
    }

    /// `scheme://host[:port]` of a URL.
    static func origin(_ url: String) -> String {
        guard let components = URLComponents(string: url) else { return "" }
        return "\(components.scheme ?? "")://\(components.host ?? "")" + (components.port.map { ":\($0)" } ?? "")
    }

    static func graph(_ error: EWSError) -> EWSError {
        var copy = error
        copy.backend = "Graph"
        return copy
    }

    static func ambiguous(_ error: EWSError) -> EWSError {
        var copy = graph(error)
        copy.kind = .ambiguous
        copy.message = "the write may have been applied (its answer was lost): \(error.message)"
        return copy
    }
}
