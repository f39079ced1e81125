import ActivityModel
import EWSTestServer
import Foundation
import SyncEngine
import SyncPlanning
import Testing

/// Issue 12's 3: a task's reminder is `ReminderDueBy = due − minutes` on the wire, and back. Outlook keeps no
/// due time, so what is compared is the reminder as Exchange keeps it (`SyncFields.reminderDueBy`).
@Suite("task reminders: ReminderDueBy = due − minutes, and back")
struct SyncReminderTests {
    /// The task's item after the fixture's due of 16:00Z on 3 December, with a reminder.
    static func synced(_ f: SyncFixture, minutes: Int? = 15) async throws -> FakeItemSnapshot {
        var task = Activity(id: "A1", type: .task, subject: "Call back", owner: "E1")
        task.due = "2026-12-03T16:00:00Z"
        task.reminderMinutes = minutes
        _ = try f.store.addActivity(task)
        let report = try await f.pass()
        #expect(report.failures.isEmpty, "\(report.failures)")
        return try #require(f.tasks.first { $0.extended["ActivityId"] == "A1" })
    }

    static func actions(_ report: PassReport) -> [String] { report.executed.map { "\($0)" } }

    @Test("a task due 16:00Z with a 15-minute reminder gets ReminderDueBy 15:45Z; a quiet pass after")
    func written() async throws {
        let f = try SyncFixture()
        let item = try await Self.synced(f)
        #expect(item.fields["ReminderDueBy"] == "2026-12-03T15:45:00Z")
        #expect(item.fields["ReminderIsSet"] == "true")
        #expect(Self.actions(try await f.pass()).isEmpty)
        #expect(f.fake.schemaViolations == [])
    }

    @Test("an Outlook reminder at 09:00 on the due day reads back as the minutes before the CRM's due time")
    func outlookOnTheDay() async throws {
        let f = try SyncFixture()
        let item = try await Self.synced(f)
        f.outlookEdit(item, ["ReminderDueBy": "2026-12-03T08:00:00Z"])  // 09:00 in Amsterdam
        let report = try await f.pass()
        #expect(Self.actions(report).contains { $0.hasPrefix("update-local A1") }, "\(Self.actions(report))")
        let activity = try #require(try f.store.activity("A1"))
        #expect(activity.reminderMinutes == 480)
        #expect(activity.due == "2026-12-03T16:00:00Z")
        #expect(Self.actions(try await f.pass()).isEmpty)
        // The CRM's due time moves (Outlook shows none); the reminder moves with it, as minutes before it.
        _ = try f.store.updateActivity("A1") { $0.due = "2026-12-03T17:00:00Z" }
        _ = try await f.pass()
        let moved = try #require(f.tasks.first { $0.extended["ActivityId"] == "A1" })
        #expect(moved.fields["ReminderDueBy"] == "2026-12-03T09:00:00Z")
    }

    @Test("an Outlook reminder after the CRM's due time on the due day moves the due time there; never written back")
    func outlookAfterDueTime() async throws {
        let f = try SyncFixture()
        let item = try await Self.synced(f)
        f.outlookEdit(item, ["ReminderDueBy": "2026-12-03T17:30:00Z"])  // 18:30 in Amsterdam, after 16:00Z
        _ = try await f.pass()
        let activity = try #require(try f.store.activity("A1"))
        #expect(activity.due == "2026-12-03T17:30:00Z")
        #expect(activity.reminderMinutes == 0)
        #expect(Self.actions(try await f.pass()).isEmpty)
        let after = try #require(f.tasks.first { $0.extended["ActivityId"] == "A1" })
        #expect(after.fields["ReminderDueBy"] == "2026-12-03T17:30:00Z")
    }

    @Test("an Outlook reminder days after the due date: the CRM holds the end of the due day; Outlook keeps its own")
    func outlookAfterDueDay() async throws {
        let f = try SyncFixture()
        let item = try await Self.synced(f)
        f.outlookEdit(item, ["ReminderDueBy": "2026-12-05T08:00:00Z"])
        _ = try await f.pass()
        let activity = try #require(try f.store.activity("A1"))
        #expect(activity.due == "2026-12-03T22:59:00Z")  // 23:59 in Amsterdam, the due day's last minute
        #expect(activity.reminderMinutes == 0)
        #expect(Self.actions(try await f.pass()).isEmpty)
        let after = try #require(f.tasks.first { $0.extended["ActivityId"] == "A1" })
        #expect(after.fields["ReminderDueBy"] == "2026-12-05T08:00:00Z")  // coerced in the CRM, never written back
    }

    @Test("a reminder switched off in Outlook clears the CRM's; one set in the CRM on a task without due is kept")
    func offAndWithoutDue() async throws {
        let f = try SyncFixture()
        let item = try await Self.synced(f)
        f.outlookEdit(item, ["ReminderIsSet": "false"])
        _ = try await f.pass()
        #expect(try f.store.activity("A1")?.reminderMinutes == nil)
        _ = try f.store.updateActivity("A1") {
            $0.due = nil
            $0.reminderMinutes = 30
        }
        _ = try await f.pass()
        #expect(try f.store.activity("A1")?.reminderMinutes == 30)
        #expect(Self.actions(try await f.pass()).isEmpty)
    }

    /// A store written by the release before: the task's base holds the CRM's minutes, and the item the
    /// `ReminderDueBy` that release wrote (the due day's start − minutes).
    static func upgraded(_ f: SyncFixture) async throws -> FakeItemSnapshot {
        let item = try await Self.synced(f)
        var link = try #require(try f.store.link(activityId: "A1"))
        (link.base.reminderMinutes, link.base.reminderDueBy) = (15, nil)
        try f.store.inSyncTransaction { try $0.saveLink(link) }  // (nil is left out: the JSON the old release wrote)
        f.outlookEdit(item, ["ReminderDueBy": "2026-12-02T22:45:00Z"])  // midnight in Amsterdam − 15 min
        // (The Outlook edit stands for the old write: the pass is told of it, as of any change since its cursor.)
        return try #require(f.tasks.first { $0.extended["ActivityId"] == "A1" })
    }

    @Test("upgrade: an item the old release wrote wrongly is corrected once with the CRM's value, no conflict")
    func upgradeCorrects() async throws {
        let f = try SyncFixture()
        _ = try await Self.upgraded(f)
        let report = try await f.pass()
        let actions = Self.actions(report)
        #expect(
            actions.count == 1 && actions[0].hasPrefix("update-remote A1") && actions[0].hasSuffix("[reminder_due_by]")
        )
        #expect(try f.store.conflicts().isEmpty)
        let item = try #require(f.tasks.first { $0.extended["ActivityId"] == "A1" })
        #expect(item.fields["ReminderDueBy"] == "2026-12-03T15:45:00Z")
        #expect(try f.store.activity("A1")?.reminderMinutes == 15)
        #expect(Self.actions(try await f.pass()).isEmpty)
    }

    @Test("upgrade: a reminder the user changed in Outlook meanwhile comes into the CRM, no conflict")
    func upgradeKeepsUserEdit() async throws {
        let f = try SyncFixture()
        let item = try await Self.upgraded(f)
        f.outlookEdit(item, ["ReminderDueBy": "2026-12-03T08:00:00Z"])
        let report = try await f.pass()
        #expect(Self.actions(report).contains { $0.hasPrefix("update-local A1") }, "\(Self.actions(report))")
        #expect(try f.store.conflicts().isEmpty)
        #expect(try f.store.activity("A1")?.reminderMinutes == 480)
        #expect(Self.actions(try await f.pass()).isEmpty)
    }
}
