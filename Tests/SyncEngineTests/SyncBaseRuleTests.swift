import ActivityModel
import EWSTestServer
import Foundation
import Store
import SyncEngine
import Testing

/// SPEC §3's base rule over HTTP: a field's base moves only when the write that makes both sides hold its
/// value is confirmed, and links are read where they are written, never from the pass's start.
@Suite("the base rule and links read in the transaction, against the fake Exchange over HTTP")
struct SyncBaseRuleTests {
    @Test(
        "both sides change different fields, the UpdateItem fails: the Outlook edit is kept, the CRM edit follows next pass",
        arguments: [FakeExchange.Fault.httpStatus(500), .dropConnection, .serverBusy(backOffMilliseconds: 10)]
    )
    func failedUpdateKeepsBothEdits(fault: FakeExchange.Fault) async throws {
        let f = try SyncFixture()
        let item = try await f.syncedTask("A1")
        f.outlookEdit(item, ["Status": "Completed", "PercentComplete": "100"])
        _ = try f.store.updateActivity("A1") { $0.subject = "Call back (CRM)" }
        f.fake.inject(fault, operation: "UpdateItem", times: 3)
        let failed = try await f.pass()
        #expect(!failed.failures.isEmpty, "\(failed)")
        #expect(try f.store.activity("A1")?.status == "completed")  // Outlook's edit is in the CRM
        #expect(f.tasks.first?.fields["Subject"] == "Call back")  // the CRM's did not land
        let link = try #require(try f.store.link(activityId: "A1"))
        #expect(link.base.subject == "Call back", "the subject's base moved before Exchange held it")
        #expect(link.base.status == "completed", "both sides hold the new status: its base moves")

        f.fake.clearFaults()
        _ = try await f.pass()
        #expect(f.tasks.first?.fields["Subject"] == "Call back (CRM)")
        #expect(f.tasks.first?.fields["Status"] == "Completed")
        let task = try #require(try f.store.activity("A1"))
        #expect(task.subject == "Call back (CRM)" && task.status == "completed")
        #expect(try f.store.conflicts().isEmpty)
        #expect(try await f.pass().plan.isEmpty)
        #expect(f.fake.schemaViolations.isEmpty)
    }

    @Test("an Outlook edit plus a move to Deleted Items and back: re-linked to the new ItemId; later CRM edits land")
    func editAndRestore() async throws {
        let f = try SyncFixture()
        let item = try await f.syncedTask("A1")
        f.outlookEdit(item, ["Status": "InProgress", "PercentComplete": "50"])
        f.fake.userDelete(mailbox: SyncFixture.alice, itemId: item.id)
        let restored = try #require(f.fake.userRestore(mailbox: SyncFixture.alice, itemId: item.id))
        #expect(restored != item.id)
        let report = try await f.pass()
        #expect(report.failures.isEmpty, "\(report)")
        #expect(try f.store.activity("A1")?.status == "in_process")
        #expect(try f.store.link(activityId: "A1")?.itemId == restored)

        _ = try f.store.updateActivity("A1") { $0.subject = "After the restore" }
        let next = try await f.pass()
        #expect(next.failures.isEmpty, "\(next)")
        #expect(f.tasks.map(\.id) == [restored])
        #expect(f.tasks.first?.fields["Subject"] == "After the restore")
        #expect(try await f.pass().plan.isEmpty)
    }

    @Test("an Outlook edit plus a move to another synced folder: re-linked there; later CRM edits land")
    func editAndMove() async throws {
        let f = try SyncFixture()
        let item = try await f.syncedTask("A1")
        f.outlookEdit(item, ["Subject": "Edited, then moved"])
        let moved = try #require(f.fake.userMove(mailbox: SyncFixture.alice, itemId: item.id, to: "calendar"))
        _ = try await f.pass()
        let link = try #require(try f.store.link(activityId: "A1"))
        #expect(link.itemId == moved && link.folder == .calendar)
        #expect(try f.store.activity("A1")?.subject == "Edited, then moved")
        _ = try f.store.updateActivity("A1") { $0.priority = .high }
        let next = try await f.pass()
        #expect(next.failures.isEmpty, "\(next)")
        #expect(f.calendar.first?.fields["Importance"] == "High")
    }

    @Test("a ChangeKey moved by the server alone: read once, nothing written either way, the next pass is quiet")
    func serverTouch() async throws {
        let f = try SyncFixture()
        let item = try await f.syncedTask("A1")
        f.fake.serverTouch(mailbox: SyncFixture.alice, itemId: item.id)
        let touched = try await f.pass()
        #expect(touched.executed.allSatisfy { !$0.isRemoteWrite }, "\(touched.executed)")
        let mark = try f.store.changeSequence()
        #expect(try await f.pass().plan.isEmpty)
        #expect(try f.store.changes(since: mark).isEmpty)
    }

    @Test("a dry run shows every action a pass would take, the delete half of an ownership move included")
    func dryRunShowsMoves() async throws {
        let f = try SyncFixture()
        try f.store.save(Employee(id: "E2", name: "Bob", mailbox: "bob@contoso.test", sync: true))
        f.fake.addMailbox("bob@contoso.test")
        let item = try await f.syncedTask("A1")
        _ = try f.store.updateActivity("A1") { $0.assignedTo = "E2" }
        let bob = try #require(try f.store.employee("E2"))
        let plan = try await f.engine(for: bob).runPass(dryRun: true).plan
        #expect(
            plan.description
                == "delete-remote A1 \(item.id) in \(SyncFixture.alice) (owner changed)\ncreate-remote A1 (task)"
        )
        #expect(plan.actions.filter(\.isDelete).isEmpty, "the delete half of a move is not a delete for the breaker")
        #expect(f.tasks.count == 1 && f.fake.items(mailbox: "bob@contoso.test", folder: "tasks").isEmpty)
        let done = try await f.engine(for: bob).runPass()
        #expect(done.executed == done.plan.actions)
        #expect(f.tasks.isEmpty && f.fake.items(mailbox: "bob@contoso.test", folder: "tasks").count == 1)
    }
}
