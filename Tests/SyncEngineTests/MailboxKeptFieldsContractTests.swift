import ActivityModel
import Foundation
import SyncEngine
import SyncPlanning
import Testing

/// What each item class keeps of the values written: the double keeps what the adapters' items keep, so the
/// simulator meets the values Exchange drops (a task's place, a call's time on a task) as the product does.
@Suite("MailboxService contract: an item keeps what its class holds, alike in the double and over HTTP")
struct MailboxKeptFieldsContractTests {
    /// Every field set, the calendar's and the task's.
    static let everything = SyncFields(
        subject: "Both",
        information: "Notes",
        priority: .low,
        sensitivity: .private,
        status: "in_process",
        percentComplete: 40,
        start: "2026-12-04T09:00:00Z",
        end: "2026-12-04T10:00:00Z",
        due: "2026-12-04",
        location: "Room 5",
        showAs: .oof,
        reminderMinutes: 10,
        reminderDueBy: -540,
        attendees: ["pat@fabrikam.test"]
    )

    @Test(
        "a task keeps no place, free/busy, times, calendar reminder or attendees (To Do: no sensitivity, no percentage)",
        arguments: Backend.allCases
    )
    func task(backend: Backend) async throws {
        let box = try backend.mailbox()
        let created = try await MailboxServiceContractTests.create(box.service, "A1", Self.everything, .task)
        let read = try #require(try await box.service.read([created.id], in: .tasks).first)
        var expected = Self.everything
        (expected.start, expected.end, expected.location, expected.showAs) = (nil, nil, nil, nil)
        (expected.reminderMinutes, expected.attendees) = (nil, [])
        #expect(read.unkept == backend.unkept(.tasks))
        if read.unkept.contains(.sensitivity) { (expected.sensitivity, expected.percentComplete) = (.normal, 0) }
        #expect(read.fields == expected)
    }

    @Test(
        "a calendar item keeps no due date, percentage or task reminder (its status is unkept)",
        arguments: Backend.allCases
    )
    func calendarItem(backend: Backend) async throws {
        let box = try backend.mailbox()
        let created = try await MailboxServiceContractTests.create(box.service, "A1", Self.everything, .calendarItem)
        let read = try #require(try await box.service.read([created.id], in: .calendar).first)
        var expected = Self.everything
        (expected.percentComplete, expected.due, expected.reminderDueBy) = (nil, nil, nil)
        expected.status = read.fields.status
        #expect(read.unkept.contains(.status))
        #expect(read.fields == expected)
    }

    @Test(
        "a call kept as a task reads back as a task: its status as the task's, its day as the due date",
        arguments: Backend.allCases
    )
    func callAsTask(backend: Backend) async throws {
        let box = try backend.mailbox()
        var call = Activity(id: "K1", type: .call, subject: "Ring Pat", owner: "E1")
        call.status = "held"
        call.start = "2026-12-04T09:00:00Z"
        call.durationMinutes = 15
        call.reminderMinutes = 10
        let zone = TimeZone(identifier: "Europe/Amsterdam")!
        let form = SyncFields(call: call, zone: zone)
        let created = try await MailboxServiceContractTests.create(box.service, "K1", form, .task)
        let read = try #require(try await box.service.read([created.id], in: .tasks).first)
        #expect(read.fields.status == "completed" && read.fields.percentComplete == 100)
        #expect(read.fields.due == "2026-12-04" && read.fields.start == nil && read.fields.end == nil)
        // In the call's terms again, with what the task cannot hold taken from the base: the values written.
        #expect(read.fields.asCall(carrying: form, zone: zone) == form)
    }
}
