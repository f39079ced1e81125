import ActivityModel
import EWSMailbox
import EWSTestServer
import Foundation
import Store
import SyncEngine
import SyncPlanning
import Testing

/// Issue 10's defects, each as found against an independent EWS and now over HTTP against the fake: single
/// faults and ordinary Outlook habits must not duplicate, lose an edit or stop a mailbox.
@Suite("single faults and Outlook habits over HTTP: no duplicate, no lost edit, no stuck mailbox")
struct SyncDefectRegressionTests {
    /// An Outlook task with the CRM category, for import.
    @discardableResult
    static func outlookTask(_ f: SyncFixture, _ subject: String) -> String {
        f.fake.userCreate(
            mailbox: SyncFixture.alice,
            folder: "tasks",
            kind: "Task",
            fields: ["Subject": subject, "DueDate": "2026-12-05T00:00:00Z", "Categories": "CRM"]
        )
    }

    static func expectOneEach(_ f: SyncFixture, _ comment: Comment? = nil) throws {
        let activities = try f.store.activities()
        #expect(activities.count == 1, comment)
        #expect(f.tasks.count == 1, comment)
        #expect(f.tasks.first?.extended["ActivityId"] == activities.first?.id, comment)
        #expect(try f.store.link(activityId: activities.first?.id ?? "")?.itemId == f.tasks.first?.id, comment)
    }

    @Test(
        "1. the import's stamp fails once: next pass, one activity and one item, stamped",
        arguments: [FakeExchange.Fault.httpStatus(500), .dropAfterApplying, .serverBusy(backOffMilliseconds: 10)]
    )
    func importStampFailsOnce(fault: FakeExchange.Fault) async throws {
        let f = try SyncFixture()
        Self.outlookTask(f, "Made in Outlook")
        f.fake.inject(fault, operation: "UpdateItem", times: 3)
        let first = try await f.pass()
        #expect(!first.failures.isEmpty || first.ambiguous > 0, "\(first)")
        f.fake.clearFaults()
        for _ in 0..<2 { _ = try await f.pass() }
        try Self.expectOneEach(f)
        #expect(try await f.pass().plan.isEmpty)
        #expect(f.fake.schemaViolations.isEmpty)
    }

    @Test(
        "2. the user edits the item while its import stamp is in flight: no duplicate, no failing pass, the edit kept"
    )
    func editDuringStamp() async throws {
        let f = try SyncFixture()
        let id = Self.outlookTask(f, "Made in Outlook")
        f.fake.inject(
            .userEdit(mailbox: SyncFixture.alice, itemId: id, fields: ["Subject": "Edited meanwhile"]),
            operation: "UpdateItem"
        )
        _ = try await f.pass()
        for _ in 0..<2 {
            let report = try await f.pass()
            #expect(report.failures.isEmpty, "\(report)")
        }
        try Self.expectOneEach(f)
        #expect(try f.store.activities().first?.subject == "Edited meanwhile")
        #expect(try await f.pass().plan.isEmpty)
    }

    @Test("3. one lost CreateItem answer: the next pass finds the item by its identity (a valid FindItem) and links it")
    func lostCreateAnswer() async throws {
        let f = try SyncFixture()
        try f.addTask("A1")
        f.fake.inject(.dropAfterApplying, operation: "CreateItem")
        let first = try await f.pass()
        #expect(first.ambiguous == 1, "\(first)")
        #expect(f.tasks.count == 1)
        let next = try await f.pass()
        #expect(next.failures.isEmpty, "\(next)")
        try Self.expectOneEach(f)
        #expect(f.fake.requestCount("CreateItem") == 1)
        #expect(try await f.pass().plan.isEmpty)
        #expect(f.fake.schemaViolations.isEmpty)
    }

    @Test(
        "4. an Outlook value the CRM refuses: the pass completes, the item's other edits and other items land, audited"
    )
    func refusedValue() async throws {
        let f = try SyncFixture()
        let one = try await f.syncedTask("A1")
        try f.addTask("A2", subject: "Other")
        _ = try await f.pass()
        f.outlookEdit(one, ["Subject": "", "Importance": "High"])
        _ = try f.store.updateActivity("A2") { $0.subject = "Other (CRM)" }
        let report = try await f.pass()
        #expect(report.failures.count == 1, "\(report)")
        #expect(try f.store.activity("A1")?.priority == .high)  // the acceptable edit landed
        #expect(try f.store.activity("A1")?.subject == "Call back")
        #expect(f.tasks.first { $0.extended["ActivityId"] == "A2" }?.fields["Subject"] == "Other (CRM)")
        #expect(try f.store.auditEntries(activityId: "A1").contains { $0.action == "update-local-refused" })
        // Retried only when the item changes again.
        #expect(try await f.pass().plan.isEmpty)
        f.outlookEdit(one, ["Subject": "Fixed in Outlook"])
        _ = try await f.pass()
        #expect(try f.store.activity("A1")?.subject == "Fixed in Outlook")
    }

    @Test("5a. the user restores an item after a pass tombstoned its activity: the activity comes back, audited")
    func restoreAfterTombstone() async throws {
        let f = try SyncFixture()
        let item = try await f.syncedTask("A1")
        f.fake.userDelete(mailbox: SyncFixture.alice, itemId: item.id)
        _ = try await f.pass()
        #expect(try f.store.activity("A1")?.deleted == true)
        let restored = try #require(f.fake.userRestore(mailbox: SyncFixture.alice, itemId: item.id))
        let report = try await f.pass()
        #expect(report.failures.isEmpty, "\(report)")
        #expect(try f.store.activity("A1")?.deleted == false)
        #expect(f.tasks.map(\.id) == [restored])
        #expect(try f.store.link(activityId: "A1")?.itemId == restored)
        #expect(try f.store.auditEntries(activityId: "A1").contains { $0.action == "restore-local" })
        #expect(try await f.pass().plan.isEmpty)
    }

    @Test("5b. an Outlook copy of a synced item loses the identity; CRM edits reach the original only")
    func outlookCopy() async throws {
        let f = try SyncFixture()
        let item = try await f.syncedTask("A1")
        let copy = try #require(f.fake.userCopy(mailbox: SyncFixture.alice, itemId: item.id))
        _ = try f.store.updateActivity("A1") { $0.subject = "Edited in the CRM" }
        let report = try await f.pass()
        #expect(report.failures.isEmpty, "\(report)")
        #expect(report.plan.description.contains("release-copy \(copy)"), "\(report.plan)")
        #expect(try f.store.link(activityId: "A1")?.itemId == item.id)
        let original = try #require(f.tasks.first { $0.id == item.id })
        #expect(original.fields["Subject"] == "Edited in the CRM")
        let copied = try #require(f.tasks.first { $0.id == copy })
        #expect(copied.extended["ActivityId"] == nil)
        #expect(copied.fields["Subject"] == "Call back")
        // The copy is the user's own item now: with the category it comes in as an activity of its own.
        _ = try await f.pass()
        let imported = try f.store.activities().filter { $0.id != "A1" }
        #expect(imported.map(\.subject) == ["Call back"])
        #expect(try await f.pass().plan.isEmpty)
        #expect(f.fake.schemaViolations.isEmpty)
    }

    @Test("5c. a task reassigned while the old owner has an unsynced Outlook edit: the edit moves with it")
    func reassignKeepsEdit() async throws {
        let f = try SyncFixture()
        let bob = "bob@contoso.test"
        f.fake.addMailbox(bob)
        try f.store.save(Employee(id: "E2", name: "Bob", mailbox: bob, sync: true, timeZone: "Europe/Amsterdam"))
        let item = try await f.syncedTask("A1")
        f.outlookEdit(item, ["Importance": "High"])
        _ = try f.store.updateActivity("A1") { $0.assignedTo = "E2" }
        let report = try await f.engine(for: try #require(try f.store.employee("E2"))).runPass()
        #expect(report.failures.isEmpty, "\(report)")
        #expect(try f.store.activity("A1")?.priority == .high)
        let bobs = f.fake.items(mailbox: bob, folder: "tasks")
        #expect(bobs.map { $0.fields["Importance"] } == ["High"])
        #expect(f.tasks.isEmpty)
        _ = try await f.pass()
        #expect(try await f.engine(for: try #require(try f.store.employee("E2"))).runPass().plan.isEmpty)
    }

    @Test("5e. after Outlook edits are pulled in, the CRM's next edits land in one pass, without a stale ChangeKey")
    func noStaleAfterPull() async throws {
        let f = try SyncFixture()
        for id in ["A1", "A2", "A3", "A4"] { try f.addTask(id) }
        _ = try await f.pass()
        for task in f.tasks { f.outlookEdit(task, ["Importance": "Low"]) }
        _ = try await f.pass()
        for id in ["A1", "A2", "A3", "A4"] { _ = try f.store.updateActivity(id) { $0.subject = "CRM \(id)" } }
        let updates = f.fake.requestCount("UpdateItem")
        let report = try await f.pass()
        #expect(report.failures.isEmpty, "\(report)")
        #expect(f.fake.requestCount("UpdateItem") == updates + 1, "one batch, no retries after stale versions")
        #expect(Set(f.tasks.compactMap { $0.fields["Subject"] }) == ["CRM A1", "CRM A2", "CRM A3", "CRM A4"])
    }

    @Test("6. a store damaged by an older version (a second import linked to the original's item) heals on upgrade")
    func damagedStoreHeals() async throws {
        let f = try SyncFixture()
        // The damage: item I carries A1's identity (its stamp landed late), yet the link on I is A2's, a second
        // import of the same item; A1 has no link. Every pass of the old version failed on the unique index.
        let item = f.fake.userCreate(
            mailbox: SyncFixture.alice,
            folder: "tasks",
            kind: "Task",
            fields: ["Subject": "Made in Outlook", "DueDate": "2026-12-05T00:00:00Z", "Categories": "CRM"],
            extended: ["ActivityId": "A1", "InstanceId": "test"],
            propertySet: ItemMapping.propertySet
        )
        for id in ["A1", "A2"] {
            var task = Activity(id: id, type: .task, subject: "Made in Outlook", owner: "E1")
            task.due = "2026-12-05T08:00:00Z"
            task.origin = .exchange
            _ = try f.store.addActivity(task)
        }
        _ = try f.store.updateActivity("A2") { $0.priority = .high }  // a CRM edit made on the duplicate
        let base = SyncFields(subject: "Made in Outlook", status: "not_started", percentComplete: 0, due: "2026-12-05")
        try f.store.transaction { tx in
            try tx.saveLink(
                SyncLink(
                    activityId: "A2",
                    mailbox: SyncFixture.alice,
                    folder: .tasks,
                    itemId: item,
                    changeKey: nil,
                    base: base,
                    syncedSeq: 0
                )
            )
        }
        let report = try await f.pass()
        #expect(report.failures.isEmpty, "\(report)")
        #expect(report.plan.description.contains("retire-duplicate A2 into A1"), "\(report.plan)")
        #expect(try f.store.activity("A2")?.deleted == true)
        #expect(try f.store.activity("A1")?.priority == .high)  // the duplicate's CRM edit went to the original
        #expect(try f.store.link(activityId: "A1")?.itemId == item)
        #expect(try f.store.link(activityId: "A2") == nil)
        #expect(try f.store.auditEntries(activityId: "A2").contains { $0.action == "retire-duplicate" })
        _ = try await f.pass()
        #expect(f.tasks.count == 1)
        #expect(f.tasks.first?.fields["Importance"] == "High")
        #expect(try await f.pass().plan.isEmpty)
    }
}
