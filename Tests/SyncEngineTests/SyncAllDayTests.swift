import ActivityModel
import EWSTestServer
import Foundation
import SyncEngine
import Testing

/// Issue 12's 2: all-day ends are calendar days in the owner's zone, on DST days too.
@Suite("all-day appointments on DST days keep their days, both ways")
struct SyncAllDayTests {
    @Test(
        "a CRM all-day appointment on Amsterdam's 23-hour day: one day in Exchange; an Outlook edit elsewhere moves no date"
    )
    func springForward() async throws {
        let f = try SyncFixture()
        var appointment = Activity(id: "A1", type: .appointment, subject: "Clocks go forward", owner: "E1")
        (appointment.start, appointment.end, appointment.allDay) = ("2027-03-28", "2027-03-28", true)
        _ = try f.store.addActivity(appointment)
        _ = try await f.pass()
        let item = try #require(f.calendar.first { $0.extended["ActivityId"] == "A1" })
        #expect(item.fields["Start"] == "2027-03-27T23:00:00Z")
        #expect(item.fields["End"] == "2027-03-28T22:00:00Z")
        f.fake.userUpdate(mailbox: SyncFixture.alice, itemId: item.id, fields: ["Location": "Home"])
        let report = try await f.pass()
        #expect(report.failures.isEmpty, "\(report.failures)")
        let activity = try #require(try f.store.activity("A1"))
        #expect(activity.location == "Home")
        #expect(activity.start == "2027-03-28" && activity.end == "2027-03-28")
        #expect(try await f.pass().executed.isEmpty)
        #expect(f.fake.schemaViolations == [])
    }

    @Test("an all-day item made in Outlook on the 25-hour day imports with the day the user saw")
    func fallBackImport() async throws {
        let f = try SyncFixture()
        f.fake.userCreate(
            mailbox: SyncFixture.alice,
            folder: "calendar",
            kind: "CalendarItem",
            fields: [
                "Subject": "Clocks go back", "Categories": "CRM", "IsAllDayEvent": "true",
                "Start": "2027-10-30T22:00:00Z", "End": "2027-10-31T23:00:00Z",
            ]
        )
        let report = try await f.pass()
        #expect(report.failures.isEmpty, "\(report.failures)")
        let imported = try #require(try f.store.activities(ofMailboxEmployee: "E1").first)
        #expect(imported.allDay && imported.start == "2027-10-31" && imported.end == "2027-10-31")
        #expect(try await f.pass().executed.isEmpty)
    }
}
