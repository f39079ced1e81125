import ActivityModel
import Foundation
import SyncPlanning
import Testing

@Suite("CRM activity ↔ synced values")
struct SyncFieldsMappingTests {
    static let amsterdam = TimeZone(identifier: "Europe/Amsterdam")!

    static func task(due: String) -> Activity {
        var task = Activity(id: "A1", type: .task, subject: "Call back", owner: "E1")
        task.due = due
        task.reminderMinutes = 15
        return task
    }

    @Test("a task's due counts by its date in the owner's zone")
    func dueDate() {
        // 23:30 UTC on the 3rd is already the 4th in Amsterdam.
        #expect(SyncFields(activity: Self.task(due: "2026-12-03T23:30:00Z"), zone: Self.amsterdam).due == "2026-12-04")
        #expect(SyncFields(activity: Self.task(due: "2026-12-03T16:00:00Z"), zone: Self.amsterdam).due == "2026-12-03")
        #expect(SyncFields(activity: Self.task(due: "2026-12-03T16:00:00Z"), zone: Self.amsterdam).percentComplete == 0)
    }

    @Test("an unchanged due date keeps the CRM's time of day; a moved one keeps the time on the new date")
    func dueApply() {
        var task = Self.task(due: "2026-12-03T16:00:00Z")
        var fields = SyncFields(activity: task, zone: Self.amsterdam)
        fields.apply(to: &task, zone: Self.amsterdam)
        #expect(task.due == "2026-12-03T16:00:00Z")
        fields.due = "2026-12-05"
        fields.apply(to: &task, zone: Self.amsterdam)
        #expect(task.due == "2026-12-05T16:00:00Z")
        fields.due = nil
        fields.apply(to: &task, zone: Self.amsterdam)
        #expect(task.due == nil)
    }

    @Test("a call's end is start plus duration, and an end from Outlook sets the duration")
    func callDuration() {
        var call = Activity(id: "C1", type: .call, subject: "Call", owner: "E1")
        call.start = "2026-12-03T09:00:00Z"
        call.durationMinutes = 30
        var fields = SyncFields(activity: call, zone: Self.amsterdam)
        #expect(fields.end == "2026-12-03T09:30:00Z")
        fields.end = "2026-12-03T09:45:00Z"
        fields.apply(to: &call, zone: Self.amsterdam)
        #expect(call.durationMinutes == 45)
        #expect(call.end == nil)
    }

    @Test(
        "attendees compare by address and attendance, the organizer and opted-out ones left out; applying keeps details"
    )
    func attendees() {
        var appointment = Activity(id: "AP1", type: .appointment, subject: "Visit", owner: "E1")
        appointment.start = "2026-12-04T09:00:00Z"
        appointment.end = "2026-12-04T10:00:00Z"
        appointment.attendees = [
            Attendee(email: "Pat@Fabrikam.test", name: "Pat", attendance: .optional, response: .accepted),
            Attendee(email: "me@contoso.test", attendance: .organizer),
            Attendee(email: "Room1@contoso.test", attendance: .resource),
        ]
        var fields = SyncFields(activity: appointment, zone: Self.amsterdam)
        // (The organizer is the mailbox's owner: never an attendee on the item, issue 12's 1.)
        #expect(fields.attendees == ["pat@fabrikam.test;optional", "room1@contoso.test;resource"])
        // Outlook: Pat made required, Sam added as optional, the room dropped; the organizer stays in the CRM.
        fields.attendees = ["pat@fabrikam.test", "sam@fabrikam.test;optional"]
        fields.apply(to: &appointment, zone: Self.amsterdam)
        #expect(appointment.attendees.map(\.email) == ["me@contoso.test", "Pat@Fabrikam.test", "sam@fabrikam.test"])
        #expect(appointment.attendees.map(\.attendance) == [.organizer, .required, .optional])
        #expect(appointment.attendees[1].name == "Pat" && appointment.attendees[1].response == .accepted)
        #expect(SyncFields(activity: appointment, zone: Self.amsterdam).attendees == fields.attendees)
    }

    @Test("mapping then applying the values gives the activity back, for every synchronised type")
    func roundTrip() {
        var appointment = Activity(id: "AP1", type: .appointment, subject: "Visit", owner: "E1")
        appointment.allDay = true
        appointment.start = "2026-12-04"
        appointment.end = "2026-12-05"
        appointment.location = "HQ"
        appointment.showAs = .oof
        var task = Self.task(due: "2026-12-03T16:00:00Z")
        task.percentComplete = 40
        task.status = "in_process"
        var call = Activity(id: "C1", type: .call, subject: "Call", owner: "E1")
        call.start = "2026-12-03T09:00:00Z"
        call.durationMinutes = 20
        for activity in [appointment, task, call] {
            var copy = activity
            SyncFields(activity: activity, zone: Self.amsterdam).apply(to: &copy, zone: Self.amsterdam)
            #expect(copy == activity, "\(activity.type)")
        }
    }
}
