import ActivityModel
import EWSTestServer
import Foundation
import SyncEngine
import SyncPlanning
import Testing

/// Issue 12's upgrade: the first pass after upgrading compares the stored bases in the new form — no mass
/// update, no false conflict — and corrects once what the release before wrote wrongly, without overriding
/// a user's own edit. The state that release left is made here field by field: its bases (a task's
/// reminder in the CRM's minutes, withheld attendees in the list) and its items (ReminderDueBy from the due
/// day's midnight, an all-day end 24 hours after the last day's midnight, the organizer and an opted-out
/// contact on the item), then the store's v6 migration (every folder listed from the start once).
@Suite("upgrade: a quiet first pass apart from the corrections")
struct SyncUpgradeTests {
    @Test("old reminders and all-day bounds corrected once; old attendee lists left alone; a user's edit comes in")
    func firstPassAfterUpgrade() async throws {
        let f = try SyncFixture()
        var reminder = Activity(id: "A1", type: .task, subject: "Call back", owner: "E1")
        (reminder.due, reminder.reminderMinutes) = ("2026-12-03T16:00:00Z", 15)
        var plain = Activity(id: "A2", type: .task, subject: "Send offer", owner: "E1")
        plain.due = "2026-12-05T10:00:00Z"
        var allDay = Activity(id: "AP1", type: .appointment, subject: "Clocks go forward", owner: "E1")
        (allDay.start, allDay.end, allDay.allDay) = ("2027-03-28", "2027-03-28", true)
        var meeting = Activity(id: "AP2", type: .appointment, subject: "Visit", owner: "E1")
        (meeting.start, meeting.end) = ("2026-12-04T09:00:00Z", "2026-12-04T10:00:00Z")
        meeting.attendees = [
            Attendee(email: SyncFixture.alice, attendance: .organizer), Attendee(email: "pat@fabrikam.test"),
            Attendee(email: "olga@fabrikam.test", attendance: .optional, invite: false),
        ]
        var edited = Activity(id: "AP3", type: .appointment, subject: "Lunch", owner: "E1")
        (edited.start, edited.end) = ("2026-12-08T11:00:00Z", "2026-12-08T12:00:00Z")
        for activity in [reminder, plain, allDay, meeting, edited] { _ = try f.store.addActivity(activity) }
        _ = try await f.pass()
        func item(_ id: String) throws -> FakeItemSnapshot {
            try #require((f.tasks + f.calendar).first { $0.extended["ActivityId"] == id })
        }

        // What the release before left: its bases, its items, and a user's edit it had not seen yet.
        try f.store.inSyncTransaction { tx in
            var a1 = try #require(try f.store.link(activityId: "A1"))
            (a1.base.reminderMinutes, a1.base.reminderDueBy) = (15, nil)
            try tx.saveLink(a1)
            var ap2 = try #require(try f.store.link(activityId: "AP2"))
            ap2.base.attendees = [SyncFixture.alice, "olga@fabrikam.test;optional", "pat@fabrikam.test"]
            try tx.saveLink(ap2)
            for folder in FolderKind.allCases {
                try tx.saveCursor(mailbox: SyncFixture.alice, folder: folder, cursor: nil)
            }
        }
        let update = { (id: String, fields: [String: String]) in
            f.fake.userUpdate(mailbox: SyncFixture.alice, itemId: try item(id).id, fields: fields.mapValues { $0 })
        }
        try update("A1", ["ReminderDueBy": "2026-12-02T22:45:00Z"])
        try update("AP1", ["End": "2027-03-28T23:00:00Z"])
        try update(
            "AP2",
            ["RequiredAttendees": "\(SyncFixture.alice),pat@fabrikam.test", "OptionalAttendees": "olga@fabrikam.test"]
        )
        try update("AP3", ["Location": "Canteen"])
        let requests = f.fake.requestCount("UpdateItem")

        let report = try await f.pass()
        #expect(report.failures.isEmpty, "\(report.failures)")
        let actions = report.executed.map { "\($0)" }.sorted()
        // (AP2's base is saved without its withheld attendees: bookkeeping, nothing written anywhere.)
        #expect(actions.count == 4 && actions.contains("set-base AP2"), "\(actions)")
        #expect(actions.contains { $0.hasPrefix("update-local AP3") && $0.hasSuffix("[location]") })
        #expect(actions.contains { $0.hasPrefix("update-remote A1") && $0.hasSuffix("[reminder_due_by]") })
        #expect(actions.contains { $0.hasPrefix("update-remote AP1") && $0.hasSuffix("[start,end]") })
        #expect(f.fake.requestCount("UpdateItem") - requests == 1)  // one batch: the two corrections
        #expect(try f.store.conflicts().isEmpty)
        #expect(try item("A1").fields["ReminderDueBy"] == "2026-12-03T15:45:00Z")
        #expect(try item("AP1").fields["End"] == "2027-03-28T22:00:00Z")
        #expect(try f.store.activity("AP3")?.location == "Canteen")
        #expect(try f.store.activity("A1")?.reminderMinutes == 15)
        #expect(try await f.pass().executed.isEmpty)
        #expect(f.fake.meetingMail.isEmpty)
    }
}
