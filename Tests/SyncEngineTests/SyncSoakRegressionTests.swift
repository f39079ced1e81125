import ActivityModel
import EWSTestServer
import Foundation
import Testing

/// What the soak (`scripts/soak`) found against the daemon binary, replayed on the engine over HTTP: a pass that
/// keeps its folder cursors (Exchange throttled it) links items the saved cursors never knew; deleted before the
/// next listing, Exchange never reports them (it leaves out what was created and deleted since a sync state), and
/// the link pointed at nothing for ever — the user's delete lost, or every pass failing on "the item is gone".
@Suite("soak findings: links to items no saved cursor knows")
struct SyncSoakRegressionTests {
    /// A first pass saves the cursors; then Outlook makes an item with the category and the CRM a task, and the
    /// pass that imports the item is throttled on the task's CreateItem (its cursors stay where they were).
    static func importInThrottledPass(_ f: SyncFixture) async throws -> (item: String, activity: String) {
        _ = try await f.pass()
        try f.addTask("A1")
        let mine = f.fake.userCreate(
            mailbox: SyncFixture.alice,
            folder: "tasks",
            kind: "Task",
            fields: ["Subject": "Mine", "Categories": "CRM"]
        )
        f.fake.inject(.inBandInternalBusy(backOffMilliseconds: 200), operation: "CreateItem", times: 3)
        let throttled = try await f.pass()
        #expect(throttled.throttledUntil != nil, "the pass was throttled: \(throttled.failures)")
        let imported = try #require(try f.store.activities().first { $0.id != "A1" })
        #expect(f.tasks.contains { $0.id == mine && $0.extended["ActivityId"] == imported.id })
        try await Task.sleep(for: .milliseconds(250))
        return (mine, imported.id)
    }

    @Test("an import by a throttled pass, deleted in Outlook before the next: the activity is tombstoned")
    func importThenDeleted() async throws {
        let f = try SyncFixture()
        let (item, activity) = try await Self.importInThrottledPass(f)
        f.fake.userDelete(mailbox: SyncFixture.alice, itemId: item)
        let report = try await f.pass()
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(try f.store.activity(activity)?.deleted == true, "the user's delete reaches the CRM")
        #expect(try await f.pass().executed.isEmpty)
    }

    @Test("an import by a throttled pass, edited in the CRM and deleted in Outlook: re-created, no pass fails")
    func importEditedThenDeleted() async throws {
        let f = try SyncFixture()
        let (item, activity) = try await Self.importInThrottledPass(f)
        _ = try f.store.updateActivity(activity) { $0.subject = "CRM edit" }
        f.fake.userDelete(mailbox: SyncFixture.alice, itemId: item)
        let report = try await f.pass()
        #expect(report.failures.isEmpty, "\(report.failures)")
        let carrying = f.tasks.filter { $0.extended["ActivityId"] == activity }
        #expect(carrying.count == 1 && carrying.first?.fields["Subject"] == "CRM edit", "edit beats delete")
        #expect(try await f.pass().failures.isEmpty)
    }

    @Test("an item we created in a throttled pass, deleted in Outlook before the next: the activity is tombstoned")
    func createThenDeleted() async throws {
        let f = try SyncFixture()
        _ = try await f.pass()
        try f.addTask("A1")
        try f.addTask("A2")
        // A1's CreateItem lands; A2's is throttled: the pass ends with the cursors where they were.
        f.fake.inject(.inBandInternalBusy(backOffMilliseconds: 200), operation: "CreateItem", times: 3, skip: 1)
        f.settings.batchSize = 1
        let throttled = try await f.pass()
        #expect(throttled.throttledUntil != nil, "\(throttled.failures)")
        let created = try #require(f.tasks.first { $0.extended["ActivityId"] == "A1" })
        try await Task.sleep(for: .milliseconds(250))
        f.fake.userDelete(mailbox: SyncFixture.alice, itemId: created.id)
        let report = try await f.pass()
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(try f.store.activity("A1")?.deleted == true, "the user's delete reaches the CRM")
        #expect(f.tasks.filter { $0.extended["ActivityId"] == "A2" }.count == 1)
    }
}
