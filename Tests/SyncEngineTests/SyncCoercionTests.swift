import ActivityModel
import EWSTestServer
import Foundation
import SyncEngine
import Testing

/// Issue 12's 7: values Exchange coerces are compared in the form Exchange keeps them (SPEC §3's base
/// rule): never written back, never rewriting the CRM. A task's 100 % is Completed (`[R:percentcomplete]`).
@Suite("coerced values: a completed task is at 100 % in Exchange, and that is no change")
struct SyncCoercionTests {
    static func task(_ f: SyncFixture, status: String, percent: Double) throws {
        var task = Activity(id: "A1", type: .task, subject: "Call back", owner: "E1")
        task.due = "2026-12-03T16:00:00Z"
        (task.status, task.percentComplete) = (status, percent)
        _ = try f.store.addActivity(task)
    }

    @Test(
        "completed at 30 %, or in process at 100 %: Completed at 100 % in Exchange; edits either way keep the CRM's own",
        arguments: [("completed", 30.0), ("in_process", 100.0)]
    )
    func completedAtAnyPercent(status: String, percent: Double) async throws {
        let f = try SyncFixture()
        try Self.task(f, status: status, percent: percent)
        _ = try await f.pass()
        let item = try #require(f.tasks.first)
        #expect(item.fields["Status"] == "Completed" && item.fields["PercentComplete"] == "100")
        #expect(try await f.pass().executed.isEmpty)
        _ = try f.store.updateActivity("A1") { $0.subject = "Called back" }
        let crmEdit = try await f.pass()
        // (The subject, and the body with our line: never the coerced status or percent.)
        #expect(
            crmEdit.executed.map { "\($0)" }.allSatisfy { !$0.contains("status") && !$0.contains("percent") },
            "\(crmEdit.executed)"
        )
        f.outlookEdit(item, ["Subject": "Called back, done"])
        _ = try await f.pass()
        let activity = try #require(try f.store.activity("A1"))
        #expect(activity.subject == "Called back, done")
        #expect(activity.status == status && activity.percentComplete == percent)
        #expect(try await f.pass().executed.isEmpty)
    }

    @Test("reopened in the CRM (completed → in process at 30 %): Exchange in progress at 30 %; quiet after")
    func reopened() async throws {
        let f = try SyncFixture()
        try Self.task(f, status: "completed", percent: 30)
        _ = try await f.pass()
        _ = try f.store.updateActivity("A1") { $0.status = "in_process" }
        _ = try await f.pass()
        let item = try #require(f.tasks.first)
        #expect(item.fields["Status"] == "InProgress" && item.fields["PercentComplete"] == "30")
        #expect(try await f.pass().executed.isEmpty)
        #expect(try f.store.activity("A1")?.status == "in_process")
    }
}
