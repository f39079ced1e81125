import Foundation
import XMLKit

/// A fake Exchange server on 127.0.0.1 for tests, the demo and benchmarks.
///
/// It keeps per-mailbox calendar and tasks folders with opaque ItemIds and ChangeKeys that change on
/// every write, serves the EWS operations activity-sync uses over real HTTP, checks Basic/Bearer
/// credentials and impersonation rights, validates every request against the official EWS schema
/// (answering an invalid one with `ErrorSchemaValidation`, as Exchange does), injects faults on
/// demand, and lets tests act "as a user in Outlook".
public final class FakeExchange: @unchecked Sendable {
    /// A service account the fake accepts.
    public struct Account: Sendable {
        /// Basic user name.
        public var username: String
        /// Basic password.
        public var password: String
        /// Mailboxes it may impersonate (`*`: all).
        public var mayImpersonate: Set<String>
        /// Creates an account.
        public init(username: String, password: String, mayImpersonate: Set<String> = ["*"]) {
            self.username = username
            self.password = password
            self.mayImpersonate = Set(mayImpersonate.map { $0.lowercased() })
        }
    }

    /// A fault the fake can inject instead of (or around) a normal answer.
    public enum Fault: Sendable, Equatable {
        /// SOAP fault `ErrorServerBusy` with `BackOffMilliseconds`, HTTP 500; nothing applied.
        case serverBusy(backOffMilliseconds: Int)
        /// A bare HTTP status (503, 429, 500) with no SOAP body; nothing applied.
        case httpStatus(Int)
        /// HTTP 503 with this `Retry-After` header text (a number of seconds, or anything a broken or hostile
        /// server sends); nothing applied.
        case retryAfter(String)
        /// The connection is closed before the request is applied.
        case dropConnection
        /// The request is applied, then the connection is closed without an answer (a lost answer).
        case dropAfterApplying
        /// The answer is delayed by this many seconds (the request is applied first).
        case delay(seconds: Double)
        /// A 200 answer whose body is cut in the middle of an element.
        case malformedXML
        /// HTTP 401, as for a wrong password.
        case unauthorized
        /// A 200 answer with exactly these bytes.
        case rawBody([UInt8])
        /// A user edits the item (as in Outlook) just before the request is applied: the client's
        /// ChangeKey goes stale under it (`ErrorIrresolvableConflict` for an UpdateItem).
        case userEdit(mailbox: String, itemId: String, fields: [String: String])
        /// SIGKILL the client process (crash tests), before or after applying the request; the
        /// connection is then dropped. The hook lives here, in the fake, not in the product.
        case killClient(pid: Int32, afterApplying: Bool)
        /// A 200 answer streaming this many megabytes of valid-looking XML (a hostile or broken server).
        case hugeBody(megabytes: Int)
        /// A 200 answer of this many megabytes of tiny elements, well-formed (within byte limits, a bomb for a
        /// parser that keeps them all).
        case tinyElements(megabytes: Int)
        /// A 200 answer of this many megabytes of text, 1 MiB per element (within the text limit per element:
        /// the most text a parser keeps).
        case bigText(megabytes: Int)
        /// HTTP 200 whose every response message is `ErrorInternalServerError` wrapping an inner
        /// `ErrorServerBusy` with `BackOffMilliseconds` in MessageXml, as Exchange answers under load
        /// (EWS-NOTES §9); nothing applied.
        case inBandInternalBusy(backOffMilliseconds: Int)
        /// A SyncFolderItems answer with no changes, a new state and `IncludesLastItemInRange` false: a server
        /// that always has "more" (injected for many requests, it never ends a listing).
        case endlessPages
        /// The request is read and never answered; the connection closes after this many seconds (nothing
        /// applied).
        case silence(seconds: Double)
        /// A 200 answer whose well-formed beginning comes one byte per this many seconds, and never ends (nothing
        /// applied).
        case slowDrip(secondsPerByte: Double)
        /// An answer with this status and body (nothing applied).
        case answer(status: Int, body: [UInt8])
        /// The request is applied and its answer rewritten: every element of these local names holds this text
        /// (a rewriting proxy in front of a good server).
        case rewrite([String: String])
    }

    /// One request as the fake saw it.
    public struct RecordedRequest: Sendable {
        /// EWS operation (`CreateItem`) or `token` for the OAuth endpoint.
        public var operation: String
        /// The mailbox addressed (impersonated or delegate), when there is one.
        public var mailbox: String?
        /// When it arrived.
        public var at: Date
        /// Schema violations of the request (empty when valid).
        public var violations: [String]
        /// The fault injected, if any.
        public var fault: Fault?
        /// The number of items in the request (CreateItem, GetItem, UpdateItem, DeleteItem).
        public var itemCount: Int
        /// The operation element's attributes (`SendMeetingInvitations`, `ConflictResolution`…).
        public var attributes: [String: String] = [:]
        /// The routing headers sent (`x-anchormailbox`, `x-preferserveraffinity`, `cookie`), lower-cased names.
        public var headers: [String: String] = [:]
    }

    struct FaultRule {
        var operation: String?
        var mailbox: String?
        var fault: Fault
        var remaining: Int
        /// Matching requests to let through before the fault applies.
        var skip: Int
    }

    let lock = NSLock()
    let condition = NSCondition()
    var accounts: [String: Account] = [:]
    var mailboxes: [String: FakeMailbox] = [:]
    var itemIndex: [String: String] = [:]  // item id → mailbox
    var tokens: [String: (clientId: String, expires: Date)] = [:]
    var clients: [String: String] = [:]  // OAuth client id → secret
    var subscriptions: [String: FakeSubscription] = [:]
    var faults: [FaultRule] = []
    var log: [RecordedRequest] = []
    var mail: [FakeMeetingMail] = []
    var counter = 0
    /// Guarded by `condition`: bumped on every event, and set when the fake stops.
    var eventGeneration = 0
    var isStopped = false
    /// Requests being answered per mailbox, and the peaks seen (notification calls not counted: they
    /// run beside passes by design). Lets tests prove "at most N mailboxes at once, one pass each".
    var inFlight: [String: Int] = [:]
    var _peakMailboxesInFlight = 0
    var _peakPerMailboxInFlight = 0
    let validator: XMLSchemaValidator?
    private var server: HTTPServer?

    /// Lifetime of the tokens the fake's OAuth endpoint issues.
    public var tokenLifetimeSeconds: Int {
        get { lock.withLock { _tokenLifetime } }
        set { lock.withLock { _tokenLifetime = newValue } }
    }
    var _tokenLifetime = 3600
    /// When set, the JSON text the token endpoint sends as `expires_in` (a broken or hostile endpoint:
    /// `1e300`, `-1`, `"NaN"`); tokens still last `tokenLifetimeSeconds` here.
    public var tokenExpiresInText: String? {
        get { lock.withLock { _tokenExpiresInText } }
        set { lock.withLock { _tokenExpiresInText = newValue } }
    }
    var _tokenExpiresInText: String?
    /// Caps FindItem pages below what the client asks, as Exchange 2010 SP1+ may do.
    public var findPageLimit: Int? {
        get { lock.withLock { _findPageLimit } }
        set { lock.withLock { _findPageLimit = newValue } }
    }
    var _findPageLimit: Int?
    /// The most mailboxes that had a request in progress at once, and the most requests one mailbox had
    /// in progress at once (notification calls not counted).
    public var peakInFlight: (mailboxes: Int, perMailbox: Int) {
        lock.withLock { (_peakMailboxesInFlight, _peakPerMailboxInFlight) }
    }

    /// HangingConnectionLimit: the GetStreamingEvents connections one budget may hold open — the budget of the
    /// impersonated mailbox (a copy every service account impersonating it shares), or the account's own without
    /// impersonation ("How to maintain affinity between a group of subscriptions and the Mailbox server",
    /// learn.microsoft.com: 10 for Exchange Online, 3 for Exchange 2013). One more is refused with
    /// ErrorExceededConnectionCount.
    public var hangingConnectionLimit: Int {
        get { lock.withLock { _hangingConnectionLimit } }
        set { lock.withLock { _hangingConnectionLimit = newValue } }
    }
    var _hangingConnectionLimit = 10
    var _controlEnabled = false
    /// Told of every item a client's CreateItem or UpdateItem wrote (mailbox, Subject), under the fake's lock: keep
    /// it short.
    public var onClientWrite: (@Sendable (_ mailbox: String, _ subject: String) -> Void)? {
        get { lock.withLock { _onClientWrite } }
        set { lock.withLock { _onClientWrite = newValue } }
    }
    var _onClientWrite: (@Sendable (_ mailbox: String, _ subject: String) -> Void)?
    /// Open streaming connections by budget (lower-cased address or account), including those other applications
    /// hold (`occupyStreamingConnections`).
    var openStreams: [String: Int] = [:]

    /// Another application impersonating `budget` holds `count` streaming connections from now on.
    public func occupyStreamingConnections(budget: String, count: Int) {
        lock.withLock { openStreams[budget.lowercased(), default: 0] += count }
    }

    /// The streaming connections open now, by budget (tests check how connections are charged).
    public var openStreamingConnections: [String: Int] { lock.withLock { openStreams.filter { $0.value > 0 } } }

    /// Overrides GetStreamingEvents' ConnectionTimeout (minutes) with seconds, so tests see reconnects.
    public var streamingLifetimeSeconds: Double? {
        get { lock.withLock { _streamingLifetime } }
        set { lock.withLock { _streamingLifetime = newValue } }
    }
    var _streamingLifetime: Double?

    /// The folder of the official EWS schema files bundled with the fake.
    public static var bundledSchemaFolder: String? { Bundle.module.path(forResource: "ews-schema", ofType: nil) }

    /// Creates a fake; `validateSchema` compiles the bundled official EWS schema (about 0.3 s).
    public init(validateSchema: Bool = true) throws {
        if validateSchema {
            guard let folder = Self.bundledSchemaFolder else {
                throw FakeExchangeError("the bundled EWS schema is missing from the EWSTestServer resources")
            }
            validator = try XMLSchemaValidator(schemaPath: folder + "/ews-validate.xsd")
        } else {
            validator = nil
        }
    }

    /// Starts listening on 127.0.0.1 (port 0: any free port).
    public func start(port: Int = 0) throws {
        server = try HTTPServer(port: port) { [unowned self] request in self.handle(request) }
    }

    /// Stops the server and ends streaming connections.
    public func stop() {
        server?.stop()
        condition.lock()
        isStopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Stops serving and serves again on the same port, the mailboxes kept (a server restart: connections
    /// and streaming subscriptions end; sync states stay valid).
    public func restart() throws {
        let port = self.port
        stop()
        condition.lock()
        isStopped = false
        condition.unlock()
        // (The old listener closes on its own thread: the port may take a moment to be free.)
        for attempt in 1...100 {
            do {
                return try start(port: port)
            } catch  where attempt < 100 {
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
    }

    /// The port, once started.
    public var port: Int { server?.port ?? 0 }
    /// The EWS endpoint URL, once started.
    public var url: String { "http://127.0.0.1:\(port)/EWS/Exchange.asmx" }

    /// Connections that sent no HTTP request (a TLS handshake to this plain-HTTP port), each answered 400 as IIS
    /// does.
    public var notHTTPConnections: Int { server?.notHTTPConnections ?? 0 }
    /// The OAuth token endpoint URL.
    public var tokenURL: String { "http://127.0.0.1:\(port)/oauth2/v2.0/token" }

    /// Adds a service account.
    public func addAccount(_ account: Account) {
        lock.withLock { accounts[account.username] = account }
    }

    /// Registers an OAuth client (client-credentials grant).
    public func addOAuthClient(id: String, secret: String) {
        lock.withLock { clients[id] = secret }
    }

    /// Adds a mailbox with empty calendar and tasks folders.
    public func addMailbox(_ address: String) {
        lock.withLock {
            mailboxes[address.lowercased()] = mailboxes[address.lowercased()] ?? FakeMailbox(address: address)
        }
    }

    /// Injects a fault for the next `times` requests matching the operation and mailbox (nil: any).
    /// `skip` lets that many matching requests through first (to hit, say, the third CreateItem).
    public func inject(_ fault: Fault, operation: String? = nil, mailbox: String? = nil, times: Int = 1, skip: Int = 0)
    {
        lock.withLock {
            faults.append(
                FaultRule(
                    operation: operation,
                    mailbox: mailbox?.lowercased(),
                    fault: fault,
                    remaining: times,
                    skip: skip
                )
            )
        }
    }

    /// Removes every pending fault.
    public func clearFaults() { lock.withLock { faults = [] } }

    /// Every request received so far, in order.
    public var requests: [RecordedRequest] { lock.withLock { log } }

    /// Every schema violation of every request received so far.
    public var schemaViolations: [String] {
        lock.withLock { log.flatMap { request in request.violations.map { "\(request.operation): \($0)" } } }
    }

    /// How many requests of an operation arrived (all operations when nil).
    public func requestCount(_ operation: String? = nil, mailbox: String? = nil) -> Int {
        lock.withLock {
            log.filter {
                ($0.operation == operation || operation == nil)
                    && (mailbox == nil || $0.mailbox == mailbox?.lowercased())
            }.count
        }
    }

    /// Forgets the request log (not the items).
    public func resetLog() { lock.withLock { log = [] } }

    /// Makes every SyncState handed out so far for the mailbox invalid (`ErrorInvalidSyncStateData`).
    public func invalidateSyncStates(mailbox: String) {
        lock.withLock { mailboxes[mailbox.lowercased()]?.folders.values.forEach { $0.epoch += 1 } }
    }

    func nextId(_ prefix: String) -> String {
        counter += 1
        // Opaque, case-sensitive, and long like real ids; never reused.
        let raw = Data("\(prefix)\(counter)-\(UUID().uuidString)".utf8).base64EncodedString()
        return "AAMk" + raw.replacingOccurrences(of: "=", with: "")
    }

    func nextChangeKey() -> String {
        counter += 1
        return "CQAAABYA" + String(counter, radix: 36)
    }
}
