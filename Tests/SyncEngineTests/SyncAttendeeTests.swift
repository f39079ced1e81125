import ActivityModel
import EWSTestServer
import Foundation
import SyncEngine
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Issue 12's 1 and part of 6: under `send_invitations: all`, an opted-out contact (`invite: false`) and the
/// organizer are never on the item, so Exchange sends them nothing; the others get their names.
@Suite("attendees: who is on the item, who gets mail, and the names Outlook shows")
struct SyncAttendeeTests {
    static func meeting(_ f: SyncFixture) throws {
        var appointment = Activity(id: "AP1", type: .appointment, subject: "Visit", owner: "E1")
        appointment.start = "2026-12-04T09:00:00Z"
        appointment.end = "2026-12-04T10:00:00Z"
        appointment.attendees = [
            Attendee(email: SyncFixture.alice, name: "Alice", attendance: .organizer),
            Attendee(email: "pat@fabrikam.test", name: "Pat Doe"),
            Attendee(email: "olga@fabrikam.test", name: "Olga Opted-Out", attendance: .optional, invite: false),
        ]
        _ = try f.store.addActivity(appointment)
    }

    static func mail(_ f: SyncFixture) -> [String] { f.fake.meetingMail.map { "\($0.kind.rawValue) \($0.to)" } }

    @Test(
        "create, reschedule, delete: only the invited contact gets mail; the item shows her name; the others stay in the CRM"
    )
    func onlyInvited() async throws {
        let f = try SyncFixture()
        f.settings.sendInvitations = true
        try Self.meeting(f)
        _ = try await f.pass()
        let item = try #require(f.calendar.first)
        #expect(Self.mail(f) == ["request pat@fabrikam.test"])
        #expect(item.fields["RequiredAttendees"]?.contains("<t:Name>Pat Doe</t:Name>") == true)
        #expect(item.fields["OptionalAttendees"] == nil && item.fields["RequiredAttendees"]?.contains("alice") == false)
        #expect(try await f.pass().executed.isEmpty)  // the withheld two are no difference

        _ = try f.store.updateActivity("AP1") {
            $0.start = "2026-12-04T11:00:00Z"
            $0.end = "2026-12-04T12:00:00Z"
        }
        _ = try await f.pass()
        #expect(Self.mail(f) == ["request pat@fabrikam.test", "update pat@fabrikam.test"])

        // An Outlook user adds a colleague: the CRM gets her, and keeps its withheld two as they were.
        f.fake.userUpdate(
            mailbox: SyncFixture.alice,
            itemId: item.id,
            fields: ["RequiredAttendees": "pat@fabrikam.test,sam@contoso.test"]
        )
        _ = try await f.pass()
        let activity = try #require(try f.store.activity("AP1"))
        #expect(
            Set(activity.attendees.map(\.email)) == [
                SyncFixture.alice, "pat@fabrikam.test", "olga@fabrikam.test", "sam@contoso.test",
            ]
        )
        #expect(activity.attendees.first { $0.email == "olga@fabrikam.test" }?.invite == false)
        #expect(activity.attendees.first { $0.email == SyncFixture.alice }?.attendance == .organizer)

        try f.store.deleteActivity("AP1")
        _ = try await f.pass()
        #expect(Set(Self.mail(f).suffix(2)) == ["cancellation pat@fabrikam.test", "cancellation sam@contoso.test"])
        #expect(!Self.mail(f).contains { $0.contains("olga") || $0.contains("alice") })
        #expect(f.fake.schemaViolations == [])
    }

    @Test("an item an older release wrote with the opted-out contact on it shows no change and sends nothing")
    func olderItem() async throws {
        let f = try SyncFixture()
        f.settings.sendInvitations = true
        try Self.meeting(f)
        _ = try await f.pass()
        let item = try #require(f.calendar.first)
        f.fake.userUpdate(
            mailbox: SyncFixture.alice,
            itemId: item.id,
            fields: ["RequiredAttendees": "pat@fabrikam.test", "OptionalAttendees": "olga@fabrikam.test"]
        )
        var link = try #require(try f.store.link(activityId: "AP1"))
        link.base.attendees = ["olga@fabrikam.test;optional", "pat@fabrikam.test"]
        try f.store.inSyncTransaction { try $0.saveLink(link) }
        let sent = f.fake.meetingMail.count
        let report = try await f.pass()
        #expect(!report.executed.contains { "\($0)".hasPrefix("update") }, "\(report.executed)")
        #expect(f.fake.meetingMail.count == sent)
    }

    @Test("the fake refuses a calendar write without its meeting attribute, as Exchange does")
    func fakeRequiresAttribute() async throws {
        let f = try SyncFixture()
        let envelope = """
            <?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" \
            xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" \
            xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><s:Header>\
            <t:RequestServerVersion Version="Exchange2016"/></s:Header><s:Body><m:CreateItem><m:SavedItemFolderId>\
            <t:DistinguishedFolderId Id="calendar"><t:Mailbox><t:EmailAddress>\(SyncFixture.alice)</t:EmailAddress>\
            </t:Mailbox></t:DistinguishedFolderId></m:SavedItemFolderId><m:Items><t:CalendarItem><t:Subject>x\
            </t:Subject></t:CalendarItem></m:Items></m:CreateItem></s:Body></s:Envelope>
            """
        var request = URLRequest(url: URL(string: f.fake.url)!)
        request.httpMethod = "POST"
        request.httpBody = Data(envelope.utf8)
        request.setValue("text/xml; charset=utf-8", forHTTPHeaderField: "Content-Type")
        request.setValue("Basic " + Data("svc:pw".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        let (data, _) = try await URLSession.shared.data(for: request)
        let answer = String(decoding: data, as: UTF8.self)
        #expect(answer.contains("ErrorSendMeetingInvitationsRequired"), "\(answer)")
        #expect(f.calendar.isEmpty)
    }
}
