import Foundation
import Logging
import XMLKit

/// The EWS client: typed operations on one server for many mailboxes.
///
/// Every request goes through `send`, which applies the mailbox's back-off, authenticates, parses the
/// answer with the hardened parser, and decides between retrying (the server certainly did not apply
/// the request), failing, and reporting a write as ambiguous (it may have been applied).
public final class EWSClient: Sendable {
    /// The settings this client was made with.
    public let configuration: EWSConfiguration
    let loop: any HTTPTransport
    let throttle: MailboxThrottle
    let tokens: OAuthTokenProvider?
    let logger: Logger
    let observer: EWSObserver?

    /// Creates a client; all clients of a process share the event loop unless given another.
    /// `replacing` hands over the per-mailbox back-off state of the client this one replaces.
    public init(
        configuration: EWSConfiguration,
        loop: any HTTPTransport = CurlEventLoop.shared,
        logger: Logger = Logger(label: "ews"),
        observer: EWSObserver? = nil,
        replacing previous: EWSClient? = nil
    ) {
        self.configuration = configuration
        self.loop = loop
        self.logger = logger
        self.observer = observer
        // A client made on reload keeps the back-offs Exchange asked for: forgetting them would hammer
        // a throttled mailbox right after every SIGHUP.
        throttle = previous?.throttle ?? MailboxThrottle(observer: observer)
        if case .oauth2(let grant) = configuration.credentials {
            tokens = OAuthTokenProvider(grant: grant, loop: loop, tls: configuration.tls)
        } else {
            tokens = nil
        }
        XMLParser.prepare()
    }

    /// One request as the operations describe it.
    struct Call {
        var operation: String
        var body: String
        var mailbox: String
        var timeZoneId: String? = nil
        /// Writes are never resent once they may have reached the server.
        var isWrite: Bool = false
        /// Elements whose children are decoded one at a time (large pages).
        var split: Set<String> = []
        /// Extra HTTP headers (streaming affinity).
        var extraHeaders: [(String, String)] = []
        var timeoutSeconds: Double? = nil
        /// X-AnchorMailbox when it is not the mailbox itself (a streaming group's anchor).
        var anchorMailbox: String? = nil
        var onBodyChunk: (@Sendable ([UInt8]) -> Bool)? = nil
        /// False: the service account speaks for itself (no impersonation header, no anchor).
        var impersonate = true
    }

    /// The parsed answer of a call: response messages plus items decoded from split elements.
    struct Answer<Item> {
        var messages: [ResponseMessage]
        var items: [Item]
        var headers: [String: String]
    }

    /// Remaining back-off of a mailbox, if it is being throttled.
    public func backOffRemaining(mailbox: String) async -> Duration? {
        await throttle.remaining(mailbox)
    }

    /// Holds requests for the mailbox back until `date` (a back-off recorded before a restart).
    public func holdOff(mailbox: String, until date: Date) async {
        let seconds = date.timeIntervalSinceNow
        if seconds > 0 { await throttle.backOff(mailbox, seconds: seconds) }
    }

    /// Ends every back-off wait now and refuses new ones (the daemon is stopping): calls waiting for
    /// their turn throw `CancellationError`; calls in flight are not touched.
    public func abandonWaits() async {
        await throttle.abandonWaits()
    }

    /// How many times Exchange throttled the mailbox in the last `seconds` (for `status`).
    public func throttledCount(mailbox: String, lastSeconds seconds: Double = 3600) async -> Int {
        await throttle.throttledCount(mailbox, lastSeconds: seconds)
    }

    func send<Item>(_ call: Call, decode: (XMLElement) -> Item? = { _ in nil }) async throws -> Answer<Item> {
        guard let observer else { return try await attempts(call, decode: decode) }
        let started = ContinuousClock.now
        func seconds() -> Double {
            let elapsed = ContinuousClock.now - started
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        }
        do {
            let answer = try await attempts(call, decode: decode)
            let outcome = answer.messages.contains { $0.error != nil } ? "item_error" : "success"
            observer.request(call.operation, call.mailbox, outcome, seconds())
            return answer
        } catch let error as EWSError {
            observer.request(call.operation, call.mailbox, error.kind.rawValue, seconds())
            throw error
        } catch {
            observer.request(call.operation, call.mailbox, "cancelled", seconds())
            throw error
        }
    }

    /// libcurl's CURLE_OPERATION_TIMEDOUT.
    static let curlTimedOut = 28

    /// The attempts of one call: back-off, retries, and the decision between resending and failing.
    private func attempts<Item>(_ call: Call, decode: (XMLElement) -> Item?) async throws -> Answer<Item> {
        let retry = configuration.retry
        var attempt = 0
        var renewedToken = false
        var timedOut = 0
        while true {
            attempt += 1
            try await throttle.waitTurn(call.mailbox)
            let request = try await httpRequest(for: call)
            logger.debug(
                "EWS request",
                metadata: [
                    "operation": "\(call.operation)", "mailbox": "\(call.mailbox)",
                    "attempt": "\(attempt)",
                ]
            )
            let response: HTTPResponse
            do {
                response = try await loop.perform(request)
            } catch let failure as TransportFailure {
                if call.isWrite && failure.requestMayHaveBeenSent { throw Self.ambiguous(failure.error) }
                // An oversized answer will be oversized again: resending only costs the server.
                if failure.error.kind == .malformedResponse { throw failure.error }
                // A hung server costs a mailbox two timeouts per call at most, not one per attempt.
                if failure.error.curlCode == Self.curlTimedOut { timedOut += 1 }
                guard attempt < retry.maxAttempts, timedOut < 2, !failure.isPermanent else { throw failure.error }
                await throttle.backOff(call.mailbox, seconds: retry.delay(afterAttempt: attempt))
                continue
            }
            switch response.status {
            case 401, 403:
                if let tokens, !renewedToken {
                    await tokens.invalidate()
                    renewedToken = true
                    attempt -= 1
                    continue
                }
                throw EWSError(
                    .authentication,
                    AuthenticationDiagnosis.explain(
                        offered: response.headers["www-authenticate"],
                        configured: configuration.credentials,
                        status: response.status
                    ),
                    httpStatus: response.status
                )
            case 429, 503:
                // IIS queues or refuses before EWS runs the request: nothing was applied, so resending is safe.
                // The wait is kept even when the retries are used up: the next call (and pass) honours it too.
                let hinted = response.headers["retry-after"].flatMap(Double.init)
                await throttle.backOff(
                    call.mailbox,
                    seconds: hinted ?? retry.delay(afterAttempt: attempt),
                    throttled: true
                )
                guard attempt < retry.maxAttempts else {
                    throw EWSError(.throttled, "server busy; retries used up", httpStatus: response.status)
                }
                continue
            case 200, 500:
                break
            default:
                let error = EWSError(
                    .http,
                    response.status == 404
                        ? "no EWS endpoint at \(configuration.url) — exchange.url ends in /EWS/Exchange.asmx"
                        : "unexpected HTTP status",
                    httpStatus: response.status
                )
                if call.isWrite && response.status >= 500 { throw Self.ambiguous(error) }
                throw error
            }
            if call.onBodyChunk != nil { return Answer(messages: [], items: [], headers: response.headers) }
            do {
                let answer = try parse(response, call: call, decode: decode)
                // Some messages throttled: the server wants no request for the mailbox meanwhile, this pass's next
                // included (it is recorded before the answer is handed on).
                if let wait = answer.messages.compactMap({ $0.error?.backOffMilliseconds }).max() {
                    await throttle.backOff(call.mailbox, seconds: Double(wait) / 1000, throttled: true)
                }
                return answer
            } catch let error as EWSError where error.kind == .throttled {
                let wait = error.backOffMilliseconds.map { Double($0) / 1000 } ?? retry.delay(afterAttempt: attempt)
                // (Kept even when the retries are used up: the next call and the next pass honour it too.)
                await throttle.backOff(call.mailbox, seconds: wait, throttled: true)
                guard attempt < retry.maxAttempts else { throw error }
                logger.notice(
                    "EWS throttled; backing off",
                    metadata: [
                        "mailbox": "\(call.mailbox)",
                        "seconds": "\(wait)",
                    ]
                )
                continue
            } catch let error as EWSError where error.kind == .malformedResponse && call.isWrite {
                throw Self.ambiguous(error)
            }
        }
    }

    private func parse<Item>(_ response: HTTPResponse, call: Call, decode: (XMLElement) -> Item?) throws -> Answer<Item>
    {
        var items: [Item] = []
        let root: XMLElement
        do {
            root = try XMLParser.parse(response.body, splittingChildrenOf: call.split) { element in
                if let item = decode(element) { items.append(item) }
            }
        } catch {
            throw EWSError(
                .malformedResponse,
                "\(call.operation) answer refused: \(error)",
                httpStatus: response.status,
                limit: error.limit
            )
        }
        let messages = try SOAPResponse.messages(in: root)
        // Every message throttled means the server processed none of them: the whole request is retried.
        if !messages.isEmpty, messages.allSatisfy({ $0.error?.kind == .throttled }), let first = messages[0].error {
            throw first
        }
        return Answer(messages: messages, items: items, headers: response.headers)
    }

    private func httpRequest(for call: Call) async throws -> HTTPRequest {
        let impersonate = configuration.impersonation && call.impersonate ? call.mailbox : nil
        let envelope = SOAPEnvelope.build(
            body: call.body,
            serverVersion: configuration.serverVersion,
            impersonate: impersonate,
            timeZoneId: call.timeZoneId
        )
        var headers: [(String, String)] = [
            ("Content-Type", "text/xml; charset=utf-8"),
            ("SOAPAction", "\"\(SOAPNamespace.messages)/\(call.operation)\""),
            ("User-Agent", "activity-sync"),
        ]
        // Exchange Online routes by this header; on-premises it is harmless.
        if let anchor = call.anchorMailbox {
            headers.append(("X-AnchorMailbox", anchor))
        } else if impersonate != nil {
            headers.append(("X-AnchorMailbox", call.mailbox))
        }
        headers += call.extraHeaders
        let authentication: HTTPAuthentication
        switch configuration.credentials {
        case .basic(let user, let password): authentication = .basic(username: user, password: password)
        case .ntlm(let user, let password): authentication = .ntlm(username: user, password: password)
        case .negotiate(let user, let password): authentication = .negotiate(username: user, password: password)
        case .oauth2:
            authentication = .none
            headers.append(("Authorization", "Bearer \(try await tokens!.token())"))
        }
        var request = HTTPRequest(
            url: configuration.url,
            headers: headers,
            body: Array(envelope.utf8),
            authentication: authentication,
            tls: configuration.tls,
            timeoutSeconds: call.timeoutSeconds ?? configuration.timeoutSeconds,
            connectTimeoutSeconds: configuration.connectTimeoutSeconds,
            maxResponseBytes: configuration.maxResponseBytes,
            onBodyChunk: call.onBodyChunk
        )
        request.isNotIdempotent = call.isWrite
        return request
    }

    static func ambiguous(_ error: EWSError) -> EWSError {
        var copy = error
        copy.kind = .ambiguous
        copy.message = "the write may have been applied (its answer was lost): \(error.message)"
        return copy
    }

    /// A folder reference as XML, with the mailbox for delegate access.
    func folderXML(_ folder: EWSFolder, mailbox: String) -> String {
        switch folder {
        case .distinguished(let name):
            if configuration.impersonation { return "<t:DistinguishedFolderId Id=\"\(name)\"/>" }
            return "<t:DistinguishedFolderId Id=\"\(name)\"><t:Mailbox><t:EmailAddress>"
                + XMLEscaping.escape(mailbox) + "</t:EmailAddress></t:Mailbox></t:DistinguishedFolderId>"
        case .id(let id):
            return "<t:FolderId Id=\"\(XMLEscaping.escape(id))\"/>"
        }
    }
}

/// A folder to read or write.
public enum EWSFolder: Sendable, Hashable {
    /// A well-known folder (`calendar`, `tasks`).
    case distinguished(String)
    /// A folder by its (immutable) id.
    case id(String)

    /// The mailbox's default calendar.
    public static let calendar = EWSFolder.distinguished("calendar")
    /// The mailbox's default tasks folder.
    public static let tasks = EWSFolder.distinguished("tasks")
}
