import EWSMailbox
import EWSTestServer
import Foundation
import SyncEngine
import Testing

/// Issue 11: a server that always says "more pages" never holds a pass forever; the listing cut short counts
/// no unseen linked item as deleted, says so, and the next pass goes on from where it stopped.
@Suite("a listing that never ends: bounded pages, nothing taken for deleted")
struct SyncPageBoundTests {
    @Test("incremental and from-the-start listings stop at the bound; the linked task stays; the limit is reported")
    func endlessPages() async throws {
        let f = try SyncFixture()
        let item = try await f.syncedTask("A1")
        f.fake.inject(.endlessPages, operation: "SyncFolderItems", times: 10_000)
        let before = f.fake.requestCount("SyncFolderItems")
        let report = try await f.pass()
        #expect(report.limits.count == 2, "\(report.limits)")  // tasks and calendar
        #expect(report.limits.first?.contains("the next pass goes on") == true)
        let requests = f.fake.requestCount("SyncFolderItems") - before
        #expect(requests == 2 * 200, "\(requests) pages: 200 per folder")

        let resync = try await f.engine(for: try f.store.employee("E1")!).runPass(
            mode: .resync(allowDeletes: true, restoreDeletes: false)
        )
        #expect(!resync.limits.isEmpty)
        #expect(!resync.executed.contains { if case .tombstoneLocal = $0 { true } else { false } })
        #expect(try f.store.activity("A1")?.deleted == false, "not listed is not deleted")
        #expect(f.tasks.map(\.id) == [item.id])

        // The server ends its listing again: the pass is whole, nothing else changed.
        f.fake.clearFaults()
        let after = try await f.pass()
        #expect(after.limits.isEmpty && after.failures.isEmpty, "\(after.limits) \(after.failures)")
        #expect(try f.store.activity("A1")?.deleted == false)
    }

    @Test("a resync of a folder larger than the bound completes over several passes; nothing unseen is deleted")
    func resyncOverPasses() async throws {
        let f = try SyncFixture()
        for index in 1...12 { try f.addTask("A\(index)", subject: "Task \(index)") }
        _ = try await f.pass()
        #expect(f.tasks.count == 12)
        let employee = try f.store.employee("E1")!
        let small = MailboxSync.ews(
            store: f.store,
            client: f.client,
            settings: f.settings,
            employee: employee,
            clock: { [now = f.now] in now },
            listing: (pages: 2, changes: 5)
        )
        let first = try await small.runPass(mode: .resync(allowDeletes: true, restoreDeletes: false))
        #expect(first.limits.contains { $0.hasPrefix("tasks:") }, "10 of 12 listed: \(first.limits)")
        #expect(first.executed.isEmpty, "nothing unseen taken for deleted: \(first.executed)")
        let second = try await small.runPass()
        #expect(!second.limits.contains { $0.hasPrefix("tasks:") }, "the listing ended: \(second.limits)")
        #expect(second.executed.isEmpty && second.failures.isEmpty)
        #expect(try f.store.activities().filter { !$0.deleted }.count == 12)
        #expect(f.tasks.count == 12)
    }
}
