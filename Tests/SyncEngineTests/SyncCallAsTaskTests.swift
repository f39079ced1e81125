import ActivityModel
import EWSTestServer
import Foundation
import Store
import SyncEngine
import SyncPlanning
import Testing

/// `sync.calls_as: task` and the fields a task does not hold, over EWS against the fake (issue 14: before it, an
/// Outlook edit of a call kept as a task was refused for "a call needs a start" and took the CRM's reminder off,
/// and an Outlook edit of any task took the CRM's place and free/busy off the activity).
@Suite("sync: a call kept as a task, and what a task does not hold")
struct SyncCallAsTaskTests {
    func call(_ fixture: SyncFixture) throws {
        var call = Activity(id: "K1", type: .call, subject: "Ring Pat", owner: "E1")
        call.start = "2026-12-04T09:00:00Z"  // 10:00 in Amsterdam
        call.durationMinutes = 15
        call.direction = "outgoing"
        call.reminderMinutes = 10
        call.partner = "BP1"
        _ = try fixture.store.addActivity(call)
    }

    @Test("the task is due on the call's day, names its time and duration, and reminds before its start")
    func created() async throws {
        let fixture = try SyncFixture()
        fixture.settings.callsAsTasks = true
        try call(fixture)
        _ = try await fixture.pass()
        let task = try #require(fixture.tasks.first)
        #expect(task.fields["DueDate"] == "2026-12-03T23:00:00Z")  // midnight of Dec 4 in Amsterdam
        #expect(task.fields["Body"] == "CRM: Fabrikam · outgoing, 10:00, 15 min")
        #expect(task.fields["ReminderDueBy"] == "2026-12-04T08:50:00Z" && task.fields["Status"] == "NotStarted")
        #expect(fixture.calendar.isEmpty)
        #expect(try await fixture.pass().plan.actions.isEmpty)
    }

    @Test("Outlook's subject, completion and new day come back; the time, duration and reminder stay the call's")
    func outlookEdits() async throws {
        let fixture = try SyncFixture()
        fixture.settings.callsAsTasks = true
        try call(fixture)
        _ = try await fixture.pass()
        var task = try #require(fixture.tasks.first)
        fixture.outlookEdit(task, ["Subject": "Ring Pat now", "Status": "Completed", "PercentComplete": "100"])
        let first = try await fixture.pass()
        #expect(first.failures.isEmpty)
        var call = try #require(try fixture.store.activity("K1"))
        #expect(call.subject == "Ring Pat now" && call.status == "held")
        #expect(call.start == "2026-12-04T09:00:00Z" && call.durationMinutes == 15 && call.reminderMinutes == 10)
        task = try #require(fixture.tasks.first)
        fixture.outlookEdit(task, ["DueDate": "2026-12-08T23:00:00Z", "ReminderDueBy": "2026-12-09T08:50:00Z"])
        _ = try await fixture.pass()
        call = try #require(try fixture.store.activity("K1"))
        #expect(call.start == "2026-12-09T09:00:00Z" && call.reminderMinutes == 10)
        #expect(try await fixture.pass().plan.actions.isEmpty)
        #expect(try await fixture.pass().plan.actions.isEmpty)
    }

    @Test("a CRM task's place and free/busy are the CRM's: an Outlook edit of the task leaves them")
    func taskPlace() async throws {
        let fixture = try SyncFixture()
        var task = Activity(id: "T1", type: .task, subject: "Visit", owner: "E1")
        task.due = "2026-12-04T09:00:00Z"
        task.location = "Room 5"
        task.showAs = .oof
        _ = try fixture.store.addActivity(task)
        _ = try await fixture.pass()
        fixture.outlookEdit(try #require(fixture.tasks.first), ["Subject": "Visit now"])
        let report = try await fixture.pass()
        let kept = try #require(try fixture.store.activity("T1"))
        #expect(kept.subject == "Visit now" && kept.location == "Room 5" && kept.showAs == .oof)
        #expect(report.plan.description.contains("location") == false)
    }
}
