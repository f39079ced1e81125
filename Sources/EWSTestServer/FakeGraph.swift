import ActivityModel
import Crypto
import Foundation
import JWTKit
import X509

/// A fake Microsoft Graph v1.0 (and Entra ID token endpoint) on 127.0.0.1, as strict as the real one where the
/// adapter depends on it: every request body is checked against Graph's metadata (a violation is answered
/// 400 and recorded, so a test that caused one fails), client assertions are verified (signature, thumbprint,
/// audience, issuer, lifetime), a fifth request in flight for a mailbox is answered 429, and writes mail the
/// attendees of an event as Graph does — with no switch.
public final class FakeGraph: @unchecked Sendable {
    /// One app registration.
    struct Client {
        var secret: String?
        var publicKey: JWTKit.Insecure.RSA.PublicKey?
        var thumbprintSHA256: String?
        var thumbprintSHA1: String?
    }

    let lock = NSLock()
    let metadata: GraphMetadata
    var server: HTTPServer?
    var clients: [String: Client] = [:]
    var tokens: [String: Date] = [:]
    var mailboxes: [String: FakeGraphMailbox] = [:]
    var violationLog: [String] = []
    var log: [Recorded] = []
    var mail: [FakeMeetingMail] = []
    var throttles: [String: (times: Int, retryAfter: Int)] = [:]
    var inFlight: [String: Int] = [:]
    var peak: [String: Int] = [:]
    var transactions: [String: String] = [:]
    var denied: Set<String> = []
    var drops = 0
    var outage = false
    var raw: [(Int, [(String, String)], [UInt8])] = []
    var tokenCount = 0
    /// The token lifetime the endpoint grants.
    public var tokenLifetimeSeconds = 3599
    /// Requests in flight per mailbox before a 429 (Outlook's limit).
    public var concurrencyLimit = 4

    /// One request as the fake saw it.
    public struct Recorded: Sendable {
        public var method: String
        public var path: String
        public var mailbox: String?
        public var status: Int
        /// Inside a `$batch`.
        public var batched: Bool
        public var headers: [String: String]
    }

    /// The mailboxes' store Microsoft To Do is served from: the fake Exchange's, so a task made over EWS is the
    /// task seen over Graph (and back).
    public let exchange: FakeExchange
    var todoAllowed = true

    /// `exchange`: a fake Exchange whose mailboxes this Graph serves too (nil: one of its own, not listening).
    public init(metadata: GraphMetadata? = GraphMetadata.bundled, exchange: FakeExchange? = nil) throws {
        guard let metadata else { throw FakeExchangeError("the Graph metadata is not in the test server's resources") }
        self.metadata = metadata
        self.exchange = try exchange ?? FakeExchange(validateSchema: false)
    }

    /// Whether the app holds `Tasks.ReadWrite.All` (without it, To Do answers 403 for every mailbox).
    public var todoPermission: Bool {
        get { lock.withLock { todoAllowed } }
        set { lock.withLock { todoAllowed = newValue } }
    }

    public func start(port: Int = 0) throws {
        server = try HTTPServer(port: port) { [unowned self] request in self.handle(request) }
    }

    public func stop() {
        server?.stop()
        server = nil
    }

    public var port: Int { server?.port ?? 0 }
    /// The version root, as `graph.base_url` names it.
    public var baseURL: String { "http://127.0.0.1:\(port)/v1.0" }
    /// The token endpoint of the tenant.
    public var tokenURL: String { "http://127.0.0.1:\(port)/tenant-1/oauth2/v2.0/token" }

    /// Registers an app that proves itself with a secret.
    public func addClient(id: String, secret: String) {
        lock.withLock { clients[id] = Client(secret: secret) }
    }

    /// Registers an app with its certificate (PEM), as uploaded to the app registration.
    public func addClient(id: String, certificatePEM: String) throws {
        // (The file may hold the key too: only the certificate block is the app registration's.)
        guard let begin = certificatePEM.range(of: "-----BEGIN CERTIFICATE-----"),
            let end = certificatePEM.range(
                of: "-----END CERTIFICATE-----",
                range: begin.upperBound..<certificatePEM.endIndex
            ),
            let der = Data(
                base64Encoded: String(certificatePEM[begin.upperBound..<end.lowerBound]),
                options: .ignoreUnknownCharacters
            )
        else { throw FakeExchangeError("no certificate in the PEM") }
        let key = try JWTKit.Insecure.RSA.PublicKey(
            certificatePEM: String(certificatePEM[begin.lowerBound..<end.upperBound])
        )
        lock.withLock {
            clients[id] = Client(
                publicKey: key,
                thumbprintSHA256: Self.base64URL(Data(SHA256.hash(data: der))),
                thumbprintSHA1: Self.base64URL(Data(Crypto.Insecure.SHA1.hash(data: der)))
            )
        }
    }

    public func addMailbox(_ address: String) {
        lock.withLock { mailboxes[address.lowercased()] = FakeGraphMailbox(address: address.lowercased()) }
        exchange.addMailbox(address)
    }

    /// Every metadata violation a request caused (a test that caused one has a bug).
    public var violations: [String] { lock.withLock { violationLog } }
    public var requests: [Recorded] { lock.withLock { log } }
    public func resetLog() { lock.withLock { log = [] } }
    /// Meeting mail sent so far, one per recipient.
    public var meetingMail: [FakeMeetingMail] { lock.withLock { mail } }
    /// The most requests in flight at once for a mailbox.
    public func peakInFlight(_ mailbox: String) -> Int { lock.withLock { peak[mailbox.lowercased()] ?? 0 } }

    /// The next `times` requests for the mailbox (inside a batch too) are answered 429 with `Retry-After`.
    public func throttle(mailbox: String, times: Int, retryAfter: Int = 1) {
        lock.withLock { throttles[mailbox.lowercased()] = (times, retryAfter) }
    }

    /// Every delta token of the mailbox dies (`syncStateNotFound`, 410).
    public func expireDeltaTokens(mailbox: String) {
        lock.withLock { mailboxes[mailbox.lowercased()]?.generation += 1 }
    }

    /// The next request (not the token endpoint) is answered with this, whatever it asked: hostile and broken
    /// answers for the client's bounds.
    public func answerNext(status: Int, headers: [(String, String)] = [], body: [UInt8]) {
        lock.withLock { raw.append((status, headers, body)) }
    }

    /// The next `times` requests (a `$batch` counts as one) lose their answer: the connection closes before it,
    /// after the request was applied.
    public func dropAnswers(times: Int) { lock.withLock { drops = times } }

    /// The app may no longer open the mailbox (RBAC for Applications leaves it out): 403 `ErrorAccessDenied`.
    public func deny(mailbox: String) { _ = lock.withLock { denied.insert(mailbox.lowercased()) } }

    /// The token endpoint answers 503 (an Entra outage) until set back.
    public var tokenOutage: Bool {
        get { lock.withLock { outage } }
        set { lock.withLock { outage = newValue } }
    }

    /// Every access token issued so far stops being accepted (an auth outage, a revoked consent).
    public func revokeTokens() { lock.withLock { tokens = [:] } }

    // MARK: - HTTP

    func handle(_ request: HTTPServerRequest) -> HTTPServerReply {
        let (path, query) = Self.split(request.path)
        if request.method == "POST", path.hasSuffix("/oauth2/v2.0/token") { return token(request) }
        guard path.hasPrefix("/v1.0/") else { return Self.error(404, "ResourceNotFound", "unknown path") }
        guard authorized(request.headers["authorization"]) else {
            lock.withLock {
                log.append(
                    Recorded(
                        method: request.method,
                        path: path,
                        mailbox: nil,
                        status: 401,
                        batched: false,
                        headers: request.headers
                    )
                )
            }
            return Self.error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
        }
        if let answer = lock.withLock({ raw.isEmpty ? nil : raw.removeFirst() }) {
            return .respond(status: answer.0, headers: answer.1, body: answer.2)
        }
        let route = String(path.dropFirst("/v1.0".count))
        let mailbox = Self.mailbox(of: route) ?? (route == "/$batch" ? batchMailbox(request.body) : nil)
        if let mailbox {
            let admitted = lock.withLock { () -> Bool in
                let now = inFlight[mailbox, default: 0] + 1
                guard now <= concurrencyLimit else { return false }
                inFlight[mailbox] = now
                peak[mailbox] = max(peak[mailbox] ?? 0, now)
                return true
            }
            guard admitted else {
                return Self.reply(
                    Self.response(429, ["error": ["code": "ApplicationThrottled", "message": "MailboxConcurrency"]]),
                    extra: [("Retry-After", "1")]
                )
            }
        }
        defer { if let mailbox { lock.withLock { inFlight[mailbox, default: 1] -= 1 } } }
        let drop = lock.withLock { () -> Bool in
            guard drops > 0 else { return false }
            drops -= 1
            return true
        }
        if route == "/$batch", request.method == "POST" {
            let answer = batch(request)
            return drop ? .drop : Self.reply(answer)
        }
        let answer = dispatch(
            method: request.method,
            route: route,
            query: query,
            headers: request.headers,
            body: request.body,
            batched: false
        )
        return drop ? .drop : Self.reply(answer)
    }

    /// One answer, of a request or of a request inside a batch.
    struct Answer {
        var status: Int
        var headers: [(String, String)] = []
        var body: Any?
    }

    func dispatch(
        method: String,
        route: String,
        query: [String: String],
        headers: [String: String],
        body: [UInt8],
        batched: Bool
    ) -> Answer {
        let mailbox = Self.mailbox(of: route)
        let answer: Answer = {
            if let mailbox, lock.withLock({ denied.contains(mailbox) }) {
                return Answer(
                    status: 403,
                    body: Self.errorBody("ErrorAccessDenied", "Access is denied. Check credentials and try again.")
                )
            }
            if let mailbox, let wait = takeThrottle(mailbox) {
                return Answer(
                    status: 429,
                    headers: [("Retry-After", String(wait))],
                    body: [
                        "error": [
                            "code": "ApplicationThrottled",
                            "message": "Application is over its MailboxConcurrency limit.",
                        ]
                    ]
                )
            }
            if route.split(separator: "/").dropFirst(2).first == "todo" {
                return todo(method: method, route: route, query: query, headers: headers, body: body)
            }
            return events(method: method, route: route, query: query, headers: headers, body: body)
        }()
        lock.withLock {
            log.append(
                Recorded(
                    method: method,
                    path: route,
                    mailbox: mailbox,
                    status: answer.status,
                    batched: batched,
                    headers: headers
                )
            )
        }
        return answer
    }

    func takeThrottle(_ mailbox: String) -> Int? {
        lock.withLock {
            guard let throttle = throttles[mailbox], throttle.times > 0 else { return nil }
            throttles[mailbox] = (throttle.times - 1, throttle.retryAfter)
            return throttle.retryAfter
        }
    }

    // MARK: - $batch

    func batchMailbox(_ body: [UInt8]) -> String? {
        guard case .object(let root)? = JSONValue.parse(body), case .array(let requests)? = root["requests"],
            case .object(let first)? = requests.first, case .string(let url)? = first["url"]
        else { return nil }
        return Self.mailbox(of: Self.split(url).path)
    }

    func batch(_ request: HTTPServerRequest) -> Answer {
        guard let json = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any],
            let requests = json["requests"] as? [[String: Any]]
        else { return Answer(status: 400, body: Self.errorBody("BadRequest", "Invalid batch payload format.")) }
        guard requests.count <= 20 else {
            return Answer(
                status: 400,
                body: Self.errorBody("BadRequest", "Batch request contains more than 20 requests.")
            )
        }
        var responses: [[String: Any]] = []
        for inner in requests {
            guard let id = inner["id"] as? String, let method = inner["method"] as? String,
                let url = inner["url"] as? String
            else {
                return Answer(
                    status: 400,
                    body: Self.errorBody("BadRequest", "A batch request lacks id, method or url.")
                )
            }
            var headers: [String: String] = [:]
            for (name, value) in inner["headers"] as? [String: String] ?? [:] { headers[name.lowercased()] = value }
            var body: [UInt8] = []
            if let value = inner["body"] {
                body = Array((try? JSONSerialization.data(withJSONObject: value)) ?? Data())
            }
            let (path, query) = Self.split(url)
            let answer = dispatch(
                method: method,
                route: path,
                query: query,
                headers: headers,
                body: body,
                batched: true
            )
            var entry: [String: Any] = ["id": id, "status": answer.status]
            entry["headers"] = Dictionary(answer.headers, uniquingKeysWith: { _, last in last })
            if let body = answer.body { entry["body"] = body }
            responses.append(entry)
        }
        // Graph answers a batch's requests in any order: matched by id, never by position.
        return Answer(status: 200, body: ["responses": Array(responses.reversed())])
    }

    // MARK: - Tokens

    func authorized(_ header: String?) -> Bool {
        guard let header, header.hasPrefix("Bearer ") else { return false }
        let token = String(header.dropFirst("Bearer ".count))
        return lock.withLock { tokens[token].map { $0 > Date() } ?? false }
    }

    func token(_ request: HTTPServerRequest) -> HTTPServerReply {
        if tokenOutage {
            return Self.reply(
                Answer(status: 503, body: ["error": "temporarily_unavailable", "error_description": "AADSTS90033"])
            )
        }
        let form = Self.form(request.body)
        func refuse(_ status: Int, _ error: String, _ description: String) -> HTTPServerReply {
            Self.reply(Answer(status: status, body: ["error": error, "error_description": description]))
        }
        guard form["grant_type"] == "client_credentials" else {
            return refuse(400, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type.")
        }
        guard form["scope"] == "https://graph.microsoft.com/.default" else {
            return refuse(400, "invalid_scope", "AADSTS1002012: The provided value for scope is not valid.")
        }
        guard let clientId = form["client_id"], let client = lock.withLock({ clients[clientId] }) else {
            return refuse(400, "unauthorized_client", "AADSTS700016: Application not found in the directory.")
        }
        if let secret = form["client_secret"] {
            guard client.secret == secret else {
                return refuse(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
            }
        } else if let assertion = form["client_assertion"],
            form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        {
            if let problem = assertionProblem(assertion, client: client, clientId: clientId) {
                return refuse(401, "invalid_client", problem)
            }
        } else {
            return refuse(
                401,
                "invalid_client",
                "AADSTS7000218: The request body must contain client_assertion or client_secret."
            )
        }
        let token = lock.withLock { () -> String in
            tokenCount += 1
            let token = "graph-token-\(tokenCount)-\(UUID().uuidString)"
            tokens[token] = Date().addingTimeInterval(Double(tokenLifetimeSeconds))
            return token
        }
        return Self.reply(
            Answer(
                status: 200,
                body: ["token_type": "Bearer", "expires_in": tokenLifetimeSeconds, "access_token": token]
            )
        )
    }

    /// Why Entra would refuse the client assertion, or nil.
    func assertionProblem(_ assertion: String, client: Client, clientId: String) -> String? {
        guard let publicKey = client.publicKey else { return "AADSTS700027: No certificate is registered for the app." }
        let parts = assertion.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Self.base64URLDecode(String(parts[0])),
            let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any]
        else { return "AADSTS50027: The client assertion is not a JWT." }
        let keys = JWTKeyCollection()
        let semaphore = DispatchSemaphore(value: 0)
        let verified = LockedBox<ClientAssertionPayload?>(nil)
        let alg = header["alg"] as? String
        switch alg {
        case "PS256":
            guard header["x5t#S256"] as? String == client.thumbprintSHA256 else {
                return "AADSTS700027: The certificate thumbprint (x5t#S256) does not match a registered certificate."
            }
        case "RS256":
            guard
                header["x5t"] as? String == client.thumbprintSHA1
                    || header["x5t#S256"] as? String == client.thumbprintSHA256
            else { return "AADSTS700027: The certificate thumbprint (x5t) does not match a registered certificate." }
        default:
            return "AADSTS5002730: The client assertion's algorithm \(alg ?? "none") is not supported."
        }
        Task {
            if alg == "PS256" {
                await keys.add(pss: publicKey, digestAlgorithm: .sha256)
            } else {
                await keys.add(rsa: publicKey, digestAlgorithm: .sha256)
            }
            verified.value = try? await keys.verify(assertion, as: ClientAssertionPayload.self)
            semaphore.signal()
        }
        semaphore.wait()
        guard let claims = verified.value else {
            return "AADSTS700027: The client assertion's signature is invalid, or it has expired."
        }
        guard claims.aud.value == [tokenURL] else {
            return "AADSTS700212: The audience of the assertion is not the token endpoint."
        }
        guard claims.iss.value == clientId, claims.sub.value == clientId else {
            return "AADSTS700023: The assertion's issuer and subject must be the client id."
        }
        guard claims.exp.value.timeIntervalSince(claims.nbf.value) <= 600 else {
            return "AADSTS700024: The client assertion is valid for more than 10 minutes."
        }
        guard !claims.jti.value.isEmpty else { return "AADSTS700025: The client assertion has no jti." }
        return nil
    }

    // MARK: - Helpers

    static func split(_ target: String) -> (path: String, query: [String: String]) {
        guard let mark = target.firstIndex(of: "?") else { return (target, [:]) }
        var query: [String: String] = [:]
        for pair in target[target.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            let name = parts[0].removingPercentEncoding ?? parts[0]
            query[name] =
                parts.count > 1
                ? (parts[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? parts[1]) : ""
        }
        return (String(target[..<mark]), query)
    }

    static func form(_ body: [UInt8]) -> [String: String] { split("?" + String(decoding: body, as: UTF8.self)).query }

    /// The mailbox a route is for (`/users/{address}/…`).
    static func mailbox(of route: String) -> String? {
        let parts = route.split(separator: "/")
        guard parts.count >= 2, parts[0] == "users" else { return nil }
        return (String(parts[1]).removingPercentEncoding ?? String(parts[1])).lowercased()
    }

    /// `/users/{id}/…`: the mailbox (lower-cased, one the fake has) and the segments after it.
    func userRoute(_ route: String) -> (mailbox: String, rest: [String])? {
        let parts = route.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        guard parts.count >= 3, parts[0] == "users" else { return nil }
        let mailbox = parts[1].lowercased()
        guard lock.withLock({ mailboxes[mailbox] }) != nil else { return nil }
        return (mailbox, Array(parts[2...]))
    }

    /// What Graph answers a route `userRoute` does not take: an unknown user, or no route at all.
    static func unknownUser(_ route: String) -> Answer {
        let parts = route.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        guard parts.count >= 3, parts[0] == "users" else {
            return response(404, errorBody("ResourceNotFound", "Unknown route."))
        }
        return response(404, errorBody("ErrorInvalidUser", "The requested user '\(parts[1])' is invalid."))
    }

    static func errorBody(_ code: String, _ message: String) -> [String: Any] {
        ["error": ["code": code, "message": message]]
    }

    static func error(_ status: Int, _ code: String, _ message: String) -> HTTPServerReply {
        reply(Answer(status: status, body: errorBody(code, message)))
    }

    static func response(_ status: Int, _ body: [String: Any]) -> Answer { Answer(status: status, body: body) }

    static func reply(_ answer: Answer, extra: [(String, String)] = []) -> HTTPServerReply {
        var headers = answer.headers + extra
        var bytes: [UInt8] = []
        if let body = answer.body, let data = try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        {
            bytes = Array(data)
            headers.append(("Content-Type", "application/json"))
        }
        return .respond(status: answer.status, headers: headers, body: bytes)
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func base64URLDecode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}

/// The claims the fake reads from a client assertion (its own reading, not the client's type).
struct ClientAssertionPayload: JWTPayload {
    var aud: AudienceClaim
    var iss: IssuerClaim
    var sub: SubjectClaim
    var jti: IDClaim
    var nbf: NotBeforeClaim
    var exp: ExpirationClaim

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        try nbf.verifyNotBefore()
    }
}

/// A value handed from a task to the thread waiting for it.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
