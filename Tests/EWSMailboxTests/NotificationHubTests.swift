import EWS
import EWSMailbox
import EWSTestServer
import Foundation
import Logging
import Testing

/// The mailboxes a hub woke, in order.
final class Wakes: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []

    func add(_ mailbox: String) { lock.withLock { list.append(mailbox) } }
    var all: [String] { lock.withLock { list } }
    func clear() { lock.withLock { list = [] } }
}

func waitFor(_ seconds: Double, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return condition()
}

@Suite("NotificationHub against the fake Exchange: groups, affinity, reconnects, resubscription")
struct NotificationHubTests {
    static let mailboxes = ["a@contoso.test", "b@contoso.test", "c@contoso.test"]

    func setUp(groupSize: Int, mode: NotificationHub.Mode = .streaming) throws -> (FakeExchange, NotificationHub, Wakes)
    {
        let fake = try FakeExchange()
        try fake.start()
        fake.addAccount(.init(username: "svc", password: "pw"))
        for mailbox in Self.mailboxes { fake.addMailbox(mailbox) }
        let client = EWSClient(
            configuration: EWSConfiguration(url: fake.url, credentials: .basic(username: "svc", password: "pw"))
        )
        let wakes = Wakes()
        let hub = NotificationHub(
            client: { client },
            mode: mode,
            groupSize: groupSize,
            pullInterval: 0.2,
            logger: Logger(label: "test"),
            onChange: { wakes.add($0) }
        )
        return (fake, hub, wakes)
    }

    @Test("three mailboxes in groups of two: two connections, each anchored on its first mailbox with its cookie")
    func groups() async throws {
        let (fake, hub, wakes) = try setUp(groupSize: 2)
        defer { fake.stop() }
        hub.watch(Self.mailboxes.reversed())
        #expect(await waitFor(10) { fake.requestCount("GetStreamingEvents") == 2 })
        let subscribes = fake.requests.filter { $0.operation == "Subscribe" }
        let anchors = Dictionary(subscribes.map { ($0.mailbox ?? "", $0.headers["x-anchormailbox"] ?? "") }) { a, _ in a
        }
        // The anchor subscribes first; the other members send its backend cookie along.
        let cookies = Dictionary(subscribes.map { ($0.mailbox ?? "", $0.headers["cookie"] ?? "-") }) { a, _ in a }
        #expect(
            cookies == [
                "a@contoso.test": "-", "b@contoso.test": "X-BackEndOverrideCookie=MBX01~a@contoso.test",
                "c@contoso.test": "-",
            ]
        )
        #expect(
            subscribes.firstIndex { $0.mailbox == "a@contoso.test" }! < subscribes.firstIndex {
                $0.mailbox == "b@contoso.test"
            }!
        )
        #expect(
            anchors == [
                "a@contoso.test": "a@contoso.test", "b@contoso.test": "a@contoso.test",
                "c@contoso.test": "c@contoso.test",
            ]
        )
        let streamCookies = Set(
            fake.requests.filter { $0.operation == "GetStreamingEvents" }.compactMap { $0.headers["cookie"] }
        )
        #expect(
            streamCookies == [
                "X-BackEndOverrideCookie=MBX01~a@contoso.test", "X-BackEndOverrideCookie=MBX01~c@contoso.test",
            ]
        )

        _ = fake.userCreate(mailbox: "c@contoso.test", folder: "tasks", kind: "Task", fields: ["Subject": "x"])
        _ = fake.userCreate(
            mailbox: "b@contoso.test",
            folder: "calendar",
            kind: "CalendarItem",
            fields: ["Subject": "y"]
        )
        #expect(await waitFor(5) { Set(wakes.all) == ["b@contoso.test", "c@contoso.test"] })
        #expect(fake.schemaViolations.isEmpty)
        await hub.stop()
    }

    @Test("a connection ending after its lifetime is reopened with the same subscriptions")
    func reconnect() async throws {
        let (fake, hub, wakes) = try setUp(groupSize: 200)
        defer { fake.stop() }
        fake.streamingLifetimeSeconds = 1.5
        hub.watch(Self.mailboxes)
        #expect(await waitFor(20) { fake.requestCount("GetStreamingEvents") >= 2 })
        #expect(fake.requestCount("Subscribe") == 3)  // reconnecting does not subscribe again
        _ = fake.userCreate(mailbox: "a@contoso.test", folder: "tasks", kind: "Task", fields: ["Subject": "x"])
        #expect(await waitFor(5) { wakes.all.contains("a@contoso.test") })
        await hub.stop()
    }

    @Test("failover: every subscription lost, subscribed again, every mailbox woken; then events flow again")
    func failover() async throws {
        let (fake, hub, wakes) = try setUp(groupSize: 200)
        defer { fake.stop() }
        hub.watch(Self.mailboxes)
        #expect(
            await waitFor(10) { fake.streamingSubscriptions.count == 3 && fake.requestCount("GetStreamingEvents") == 1 }
        )
        fake.failover()
        #expect(await waitFor(10) { fake.streamingSubscriptions.count == 3 })
        #expect(await waitFor(5) { Set(wakes.all) == Set(Self.mailboxes) })  // events may have been missed
        wakes.clear()
        #expect(await waitFor(10) { fake.requestCount("GetStreamingEvents") >= 2 })
        try await Task.sleep(for: .milliseconds(300))
        _ = fake.userCreate(mailbox: "b@contoso.test", folder: "tasks", kind: "Task", fields: ["Subject": "x"])
        #expect(await waitFor(5) { wakes.all.contains("b@contoso.test") })
        await hub.stop()
    }

    @Test("watch: a group whose members change is rebuilt; an unchanged one keeps its connection")
    func regroup() async throws {
        let (fake, hub, _) = try setUp(groupSize: 2)
        defer { fake.stop() }
        hub.watch(["a@contoso.test", "b@contoso.test"])
        #expect(await waitFor(10) { fake.requestCount("GetStreamingEvents") == 1 })
        hub.watch(Self.mailboxes)  // c joins a new group; a+b untouched
        #expect(await waitFor(10) { fake.requestCount("GetStreamingEvents") == 2 })
        #expect(fake.requestCount("Subscribe") == 3)
        hub.watch(["a@contoso.test", "c@contoso.test"])  // one new group of a+c: the old ones end
        #expect(await waitFor(10) { fake.requestCount("Subscribe") == 5 })
        #expect(await waitFor(10) { fake.streamingSubscriptions == ["a@contoso.test": 1, "c@contoso.test": 1] })
        // Stopping ends every subscription on the server instead of leaving them to expire.
        await hub.stop()
        #expect(fake.streamingSubscriptions.isEmpty)
    }

    @Test(
        "hanging-connection budget used up on the anchor: the connection impersonates the next member and events flow"
    )
    func connectionBudget() async throws {
        let (fake, hub, wakes) = try setUp(groupSize: 200)
        defer { fake.stop() }
        // Another application impersonating the anchor holds its ten connections.
        fake.occupyStreamingConnections(budget: "a@contoso.test", count: 10)
        hub.watch(Self.mailboxes)
        #expect(await waitFor(10) { fake.openStreamingConnections == ["a@contoso.test": 10, "b@contoso.test": 1] })
        let charged = fake.requests.filter { $0.operation == "GetStreamingEvents" }.map { $0.mailbox ?? "" }
        #expect(charged == ["a@contoso.test", "b@contoso.test"])
        // Still anchored on a (its server holds the group's subscriptions), with a's cookie.
        #expect(
            fake.requests.filter { $0.operation == "GetStreamingEvents" }.allSatisfy {
                $0.headers["x-anchormailbox"] == "a@contoso.test"
                    && $0.headers["cookie"] == "X-BackEndOverrideCookie=MBX01~a@contoso.test"
            }
        )
        _ = fake.userCreate(mailbox: "c@contoso.test", folder: "tasks", kind: "Task", fields: ["Subject": "x"])
        #expect(await waitFor(5) { wakes.all.contains("c@contoso.test") })
        #expect(fake.schemaViolations.isEmpty)
        await hub.stop()
    }

    @Test("a first member that cannot subscribe (not impersonable): the group anchors on the next, and events flow")
    func anchorFallback() async throws {
        let (fake, hub, wakes) = try setUp(groupSize: 200)
        defer { fake.stop() }
        fake.addAccount(.init(username: "svc", password: "pw", mayImpersonate: ["b@contoso.test", "c@contoso.test"]))
        hub.watch(Self.mailboxes)
        #expect(await waitFor(10) { fake.openStreamingConnections == ["b@contoso.test": 1] })
        let subscribes = fake.requests.filter { $0.operation == "Subscribe" && $0.mailbox == "c@contoso.test" }
        #expect(subscribes.first?.headers["x-anchormailbox"] == "b@contoso.test")
        #expect(subscribes.first?.headers["cookie"] == "X-BackEndOverrideCookie=MBX01~b@contoso.test")
        _ = fake.userCreate(mailbox: "c@contoso.test", folder: "tasks", kind: "Task", fields: ["Subject": "x"])
        #expect(await waitFor(5) { wakes.all.contains("c@contoso.test") })
        await hub.stop()
    }

    @Test("refused on the anchor, the connection skips a member that could not subscribe (not impersonable)")
    func connectionBudgetSkipsUnsubscribed() async throws {
        let (fake, hub, wakes) = try setUp(groupSize: 200)
        defer { fake.stop() }
        fake.addAccount(.init(username: "svc", password: "pw", mayImpersonate: ["a@contoso.test", "c@contoso.test"]))
        fake.occupyStreamingConnections(budget: "a@contoso.test", count: 10)
        hub.watch(Self.mailboxes)
        #expect(await waitFor(10) { fake.openStreamingConnections == ["a@contoso.test": 10, "c@contoso.test": 1] })
        #expect(!fake.requests.contains { $0.operation == "GetStreamingEvents" && $0.mailbox == "b@contoso.test" })
        _ = fake.userCreate(mailbox: "c@contoso.test", folder: "tasks", kind: "Task", fields: ["Subject": "x"])
        #expect(await waitFor(5) { wakes.all.contains("c@contoso.test") })
        await hub.stop()
    }

    @Test(
        "the fake counts open connections per budget: a second instance under a limit of one moves to the next member"
    )
    func connectionLimitCounted() async throws {
        let (fake, hub, _) = try setUp(groupSize: 200)
        defer { fake.stop() }
        fake.hangingConnectionLimit = 1
        hub.watch(Self.mailboxes)
        #expect(await waitFor(10) { fake.openStreamingConnections == ["a@contoso.test": 1] })
        let client = EWSClient(
            configuration: EWSConfiguration(url: fake.url, credentials: .basic(username: "svc", password: "pw"))
        )
        let second = NotificationHub(
            client: { client },
            mode: .streaming,
            logger: Logger(label: "test"),
            onChange: { _ in }
        )
        second.watch(Self.mailboxes)
        #expect(await waitFor(10) { fake.openStreamingConnections == ["a@contoso.test": 1, "b@contoso.test": 1] })
        await second.stop()
        #expect(await waitFor(10) { fake.openStreamingConnections == ["a@contoso.test": 1] })
        await hub.stop()
    }

    @Test("pull: GetEvents per mailbox; a lost subscription is made again and the mailbox woken")
    func pull() async throws {
        let (fake, hub, wakes) = try setUp(groupSize: 200, mode: .pull)
        defer { fake.stop() }
        hub.watch(["a@contoso.test"])
        #expect(await waitFor(10) { fake.requestCount("GetEvents") >= 2 })
        #expect(wakes.all.isEmpty)  // status events only
        _ = fake.userCreate(mailbox: "a@contoso.test", folder: "tasks", kind: "Task", fields: ["Subject": "x"])
        #expect(await waitFor(5) { wakes.all == ["a@contoso.test"] })
        fake.failover()
        #expect(await waitFor(5) { fake.requestCount("Subscribe") == 2 })
        #expect(wakes.all.count >= 2)
        #expect(fake.requestCount("GetStreamingEvents") == 0)
        await hub.stop()
    }
}
