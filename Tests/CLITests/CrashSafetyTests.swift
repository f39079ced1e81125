import ActivityModel
import EWSTestServer
import Foundation
import Store
import Testing

/// The sync process killed with SIGKILL at each kind of step of an initial sync of 300 activities (the
/// fake Exchange kills the client at a chosen request, before or after applying it), then restarted:
/// no duplicate items in Exchange, no lost change on either side.
@Suite("crash safety of `activity-sync run --once`")
struct CrashSafetyTests {
    static let count = 300
    static let mailbox = "alice@contoso.test"

    /// Where the process is killed: the n-th request of an operation (any operation when nil).
    struct KillPoint: Sendable, CustomTestStringConvertible {
        var operation: String?
        var skip: Int
        var afterApplying: Bool
        var testDescription: String {
            "\(operation ?? "request") #\(skip + 1) \(afterApplying ? "after applying" : "before applying")"
        }
    }

    /// Journal written and request sent (before), answer received and lost (after), in the first, a
    /// middle and the last CreateItem batch; after every commit (the closing SyncFolderItems).
    static let steps: [KillPoint] =
        [0, 1, 2].flatMap { batch in
            [false, true].map { KillPoint(operation: "CreateItem", skip: batch, afterApplying: $0) }
        } + [false, true].map { KillPoint(operation: "SyncFolderItems", skip: 2, afterApplying: $0) }

    /// Twenty random points among the pass's requests (fixed seed).
    static let randomPoints: [KillPoint] = {
        var state: UInt64 = 20_261_201
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        return (0..<20).map { _ in KillPoint(operation: nil, skip: next(7), afterApplying: next(2) == 1) }
    }()

    static func setUp() throws -> (FakeExchange, CLIRunner) {
        let (fake, cli) = try SyncCLIFixture.make(
            extraConfig: "crm:\n  instance_id: crash-test\nsync:\n  batch_size: 100\n"
        )
        let store = try Store(path: cli.path("crm.sqlite"))
        try store.save(Employee(id: "E1", name: "Alice", mailbox: mailbox, sync: true))
        var document = CRMDocument()
        for index in 0..<count {
            var task = Activity(id: "T\(index)", type: .task, subject: "Task \(index)", owner: "E1")
            task.due = "2026-12-\(String(format: "%02d", index % 28 + 1))T16:00:00Z"
            document.activities.append(task)
        }
        _ = try store.importDocument(document)
        return (fake, cli)
    }

    func crashAndRecover(_ point: KillPoint, mustKill: Bool) async throws {
        let (fake, cli) = try Self.setUp()
        defer { fake.stop() }
        let process = try cli.start(["run", "--once"])
        fake.inject(
            .killClient(pid: process.processIdentifier, afterApplying: point.afterApplying),
            operation: point.operation,
            skip: point.skip
        )
        while process.isRunning { usleep(2000) }
        let killed = process.terminationReason == .uncaughtSignal
        if mustKill { #expect(killed, "the pass was not killed at \(point.testDescription)") }
        fake.clearFaults()
        // Restart until a pass completes (the first restart normally suffices).
        var status: Int32 = -1
        for _ in 0..<3 where status != 0 { status = try cli.run("run", "--once").status }
        #expect(status == 0)
        let items = fake.items(mailbox: Self.mailbox, folder: "tasks")
        let identities = items.compactMap { $0.extended["ActivityId"] }
        #expect(items.count == Self.count, "\(point.testDescription), killed: \(killed)")
        #expect(Set(identities).count == identities.count, "duplicates after \(point.testDescription)")
        #expect(Set(identities) == Set((0..<Self.count).map { "T\($0)" }))
        // Nothing lost on the CRM side, and every activity is linked to its item.
        let store = try Store(path: cli.path("crm.sqlite"))
        let activities = try store.activities()
        #expect(activities.count == Self.count)
        #expect(activities.allSatisfy { $0.subject == "Task \($0.id.dropFirst())" && !$0.deleted })
        let links = try store.links(mailbox: Self.mailbox)
        #expect(Set(links.map(\.itemId)) == Set(items.map(\.id)))
        // A further pass has nothing to do.
        let quiet = try cli.run("run", "--once")
        #expect(quiet.stdout.contains("did 0 actions"), "\(quiet.stdout)")
        #expect(fake.schemaViolations == [])
    }

    @Test("killed at each kind of step in the first, a middle and the last batch", arguments: steps)
    func eachStep(point: KillPoint) async throws { try await crashAndRecover(point, mustKill: true) }

    @Test("killed at 20 random points", arguments: randomPoints)
    func randomPoint(point: KillPoint) async throws {
        // A point past the pass's last request lets it finish: that must be fine too.
        try await crashAndRecover(point, mustKill: false)
    }

    @Test(
        "all sync bookkeeping lost (export, delete the SQLite file, import, resync): every item re-linked, none twice"
    )
    func bookkeepingLost() async throws {
        let (fake, cli) = try Self.setUp()
        defer { fake.stop() }
        #expect(try cli.run("run", "--once").status == 0)
        let exported = try cli.ok("export")
        for suffix in ["", "-wal", "-shm", ".lock"] {
            try? FileManager.default.removeItem(atPath: cli.path("crm.sqlite" + suffix))
        }
        #expect(try cli.run(["import", "-"], stdin: exported).status == 0)
        let resync = try cli.run("resync")
        #expect(resync.status == 0, "\(resync.stdout)\(resync.stderr)")
        #expect(resync.stdout.components(separatedBy: "  linked again: ").count - 1 == Self.count)
        #expect(
            resync.stdout.contains("totals: Outlook 0 create, 0 update, 0 delete; CRM 0 create, 0 update, 0 delete;")
        )
        let items = fake.items(mailbox: Self.mailbox, folder: "tasks")
        #expect(items.count == Self.count)
        #expect(fake.requestCount("CreateItem") == (Self.count + 99) / 100)
        #expect(try cli.ok("run", "--once").contains("did 0 actions"))
    }
}
