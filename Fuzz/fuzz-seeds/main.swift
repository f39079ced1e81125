import EWS
import EWSMailbox
import EWSTestServer
import Foundation
import FuzzHarness
import Graph
import GraphMailbox
import SyncEngine

// Writes the SOAP, splitter and Graph targets' seed corpora (Fuzz/corpus/TARGET/) from real answers: every
// operation the harnesses drive, run against the project's fakes on loopback, its first answer recorded with the
// selector byte that names the operation and status byte 0 (HTTP 200). `scripts/fuzz seeds` runs it.
//   fuzz-seeds CORPUS_FOLDER

let corpus = CommandLine.arguments.dropFirst().first ?? "Fuzz/corpus"

/// The loopback transport, recording each answer's body (streamed ones as their chunks arrive).
final class RecordingTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var bodies: [[UInt8]] = []

    func perform(_ request: HTTPRequest) async throws -> HTTPResponse {
        var request = request
        let record = !request.url.contains("/oauth2/")
        if let forward = request.onBodyChunk {
            let index = lock.withLock {
                bodies.append([])
                return bodies.count - 1
            }
            request.onBodyChunk = { [self] chunk in
                lock.withLock { bodies[index] += chunk }
                return forward(chunk)
            }
        }
        let response = try await CurlEventLoop.shared.perform(request)
        if record && request.onBodyChunk == nil { lock.withLock { bodies.append(response.body) } }
        return response
    }

    /// The answers recorded since the last call, as one input's answers (nil: none).
    func take() -> [UInt8]? {
        lock.withLock {
            defer { bodies = [] }
            guard !bodies.isEmpty else { return nil }
            return Array(bodies.joined(separator: FuzzInput.separator))
        }
    }
}

func write(_ target: String, _ name: String, selector: UInt8, _ body: [UInt8]?) {
    guard let body, !body.isEmpty else { return }
    let folder = "\(corpus)/\(target)"
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: "\(folder)/\(name)", contents: Data([selector, 0] + body))
}

func ids(_ service: any MailboxService, _ folder: FolderKind) async -> [(id: String, version: String?)] {
    let pages = (try? await service.changes(in: folder, from: nil)) ?? []
    let found: [(id: String, version: String?)] = pages.flatMap(\.changes).compactMap {
        if case .changed(let header) = $0 { return (header.id, header.version) }
        return nil
    }
    return found.isEmpty ? [("AAMkAGZ1enoAAA=", nil)] : found
}

let mapping = FuzzHarness.mapping
let alice = FuzzHarness.alice
/// Creates first (so reads find items), removals last (so the others find them).
let order = [5, 0, 1, 2, 3, 4, 6, 8, 9, 7]

// EWS: the fake Exchange.
let exchange = try FakeExchange()
try exchange.start()
exchange.addAccount(.init(username: "svc", password: "pw"))
exchange.addMailbox(alice)
let soap = RecordingTransport()
let client = EWSClient(
    configuration: EWSConfiguration(url: exchange.url, credentials: .basic(username: "svc", password: "pw")),
    loop: soap
)
let ews = EWSMailboxService(client: client, mailbox: alice, mapping: mapping)
for folder in FolderKind.allCases {
    for operation in order {
        let known = await ids(ews, folder)
        _ = soap.take()
        _ = await MailboxServiceDriver.run(ews, operation: operation, folder: folder, ids: known)
        let selector = MailboxServiceDriver.selector(operation, folder)
        write("soap", "ews-\(operation)-\(folder.rawValue)", selector: selector, soap.take())
    }
}
let extras: [(String, () async throws -> Void)] = [
    ("getfolder", { _ = try await client.getFolders([.calendar, .tasks], mailbox: alice) }),
    (
        "getevents",
        {
            let subscription = try await client.subscribePull(folders: [.calendar], mailbox: alice)
            _ = soap.take()
            _ = try await client.getEvents(
                subscription: subscription.id,
                watermark: subscription.watermark ?? "",
                mailbox: alice
            )
        }
    ),
    ("subscribe", { _ = try await client.subscribePull(folders: [.calendar, .tasks], mailbox: alice) }),
    ("timezone", { _ = try await client.mailboxTimeZone(mailbox: alice) }),
]
for (index, (name, call)) in extras.enumerated() {
    _ = soap.take()
    try? await call()
    write("soap", "ews-\(name)", selector: UInt8(MailboxServiceDriver.operations + index), soap.take())
}

// The streaming answer: a subscription, an item created, the first notification read.
let streaming = try await client.subscribeStreaming(folders: [.calendar, .tasks], mailbox: alice)
_ = soap.take()
let events = Task {
    for try await _ in client.streamEvents(subscriptions: [streaming.id], anchorMailbox: alice) { break }
}
try await Task.sleep(for: .milliseconds(300))
_ = await MailboxServiceDriver.run(ews, operation: 5, folder: .calendar)
_ = try? await events.value
if let body = soap.take() {
    for chunking in 0..<6 { write("splitter", "stream-\(chunking)", selector: UInt8(chunking), body) }
}

// Graph: the fake Graph, events and To Do.
let graph = try FakeGraph()
try graph.start()
graph.addClient(id: "fuzz", secret: "secret")
graph.addMailbox(alice)
let json = RecordingTransport()
let graphClient = GraphClient(
    configuration: GraphConfiguration(
        baseURL: graph.baseURL,
        tokenURL: graph.tokenURL,
        clientId: "fuzz",
        credential: .secret("secret")
    ),
    loop: json
)
for (modeBits, mode) in [(0, GraphTaskMode.todo(list: nil)), (2, .calendar)] {
    let service = GraphMailboxService(
        client: graphClient,
        mailbox: alice,
        mapping: mapping,
        window: (pastDays: 30, futureDays: 365),
        attendeesOnEvents: false,
        tasks: mode
    )
    for folder in FolderKind.allCases {
        for operation in order {
            let known = await ids(service, folder)
            _ = json.take()
            _ = await MailboxServiceDriver.run(service, operation: operation, folder: folder, ids: known)
            let selector = MailboxServiceDriver.selector(operation, folder) | UInt8(modeBits << 6)
            write("graph", "graph-\(modeBits)-\(operation)-\(folder.rawValue)", selector: selector, json.take())
        }
    }
}
exchange.stop()
graph.stop()
print("seeds written under \(corpus)")
