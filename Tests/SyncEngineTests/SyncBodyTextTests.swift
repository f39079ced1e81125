import ActivityModel
import EWSTestServer
import Foundation
import SyncEngine
import Testing

/// Issue 12's 6 (in part): the body's text — the CRM line follows the call it describes, and the CRM's line
/// ends survive an unrelated Outlook edit.
@Suite("body text: the CRM line follows the call; the CRM's CRLF is compared as LF and kept as written")
struct SyncBodyTextTests {
    @Test("a call lengthened in the CRM: its item's end and its CRM line's duration both change")
    func callDuration() async throws {
        let f = try SyncFixture()
        var call = Activity(id: "C1", type: .call, subject: "Follow-up call", owner: "E1")
        call.start = "2026-12-04T09:00:00Z"
        call.durationMinutes = 30
        call.direction = "outgoing"
        call.information = "Ask about the renewal"
        _ = try f.store.addActivity(call)
        _ = try await f.pass()
        let before = try #require(f.calendar.first { $0.extended["ActivityId"] == "C1" })
        #expect(before.fields["Body"]?.contains("30 min") == true, "\(before.fields["Body"] ?? "")")
        _ = try f.store.updateActivity("C1") { $0.durationMinutes = 45 }
        let report = try await f.pass()
        #expect(report.failures.isEmpty, "\(report.failures)")
        let after = try #require(f.calendar.first { $0.extended["ActivityId"] == "C1" })
        #expect(after.fields["End"] == "2026-12-04T09:45:00Z")
        #expect(after.fields["Body"]?.contains("45 min") == true, "\(after.fields["Body"] ?? "")")
        #expect(after.fields["Body"]?.hasPrefix("Ask about the renewal") == true)
        #expect(try f.store.activity("C1")?.information == "Ask about the renewal", "the CRM line never comes back in")
        #expect(try await f.pass().executed.isEmpty, "quiet afterwards")
    }

    @Test("CRLF information: synced, an Outlook subject edit comes in, the CRM text keeps its CRLF; quiet after")
    func crlfKept() async throws {
        let f = try SyncFixture()
        var task = Activity(id: "A1", type: .task, subject: "Call back", owner: "E1")
        task.partner = "BP1"
        task.due = "2026-12-03T16:00:00Z"
        task.information = "Line one\r\nLine two"
        _ = try f.store.addActivity(task)
        _ = try await f.pass()
        let item = try #require(f.tasks.first { $0.extended["ActivityId"] == "A1" })
        f.fake.userUpdate(mailbox: SyncFixture.alice, itemId: item.id, fields: ["Subject": "Call back today"])
        let report = try await f.pass()
        #expect(report.failures.isEmpty, "\(report.failures)")
        let after = try #require(try f.store.activity("A1"))
        #expect(after.subject == "Call back today")
        #expect(after.information == "Line one\r\nLine two")
        #expect(try await f.pass().executed.isEmpty, "quiet afterwards")
    }

    @Test("the user's own last line starting 'CRM: ' (no partner, so no line of ours) survives an Outlook edit")
    func usersOwnCRMLine() async throws {
        let f = try SyncFixture()
        var task = Activity(id: "A1", type: .task, subject: "Call back", owner: "E1")
        task.due = "2026-12-03T16:00:00Z"
        task.information = "Agenda\nCRM: update the lead score"
        _ = try f.store.addActivity(task)
        _ = try await f.pass()
        let item = try #require(f.tasks.first)
        f.outlookEdit(item, ["Subject": "Call back today"])
        let report = try await f.pass()
        #expect(report.executed.map { "\($0)" }.allSatisfy { !$0.contains("information") }, "\(report.executed)")
        let activity = try #require(try f.store.activity("A1"))
        #expect(activity.subject == "Call back today")
        #expect(activity.information == "Agenda\nCRM: update the lead score")
        #expect(try await f.pass().executed.isEmpty)
    }

    @Test("an Outlook item whose text ends with the user's own 'CRM: ' line imports with it, and keeps it")
    func importKeepsUsersLine() async throws {
        let f = try SyncFixture()
        f.fake.userCreate(
            mailbox: SyncFixture.alice,
            folder: "tasks",
            kind: "Task",
            fields: ["Subject": "Prepare offer", "Categories": "CRM", "Body": "Agenda\nCRM: bring the contract"]
        )
        _ = try await f.pass()
        let imported = try #require(try f.store.activities(ofMailboxEmployee: "E1").first)
        #expect(imported.information == "Agenda\nCRM: bring the contract")
        _ = try await f.pass()
        #expect(try f.store.activity(imported.id)?.information == "Agenda\nCRM: bring the contract")
        #expect(try await f.pass().executed.isEmpty)
    }

    @Test("another partner in the CRM, nothing else: the item's CRM line names it, no meeting mail; quiet after")
    func crmLineFollowsPartner() async throws {
        let f = try SyncFixture()
        f.settings.sendInvitations = true
        try f.store.save(BusinessPartner(id: "BP2", name: "Contoso Ltd"))
        var visit = Activity(id: "AP1", type: .appointment, subject: "Visit", owner: "E1")
        (visit.start, visit.end, visit.partner) = ("2026-12-04T09:00:00Z", "2026-12-04T10:00:00Z", "BP1")
        visit.information = "Bring the offer"
        visit.attendees = [Attendee(email: "pat@fabrikam.test")]
        _ = try f.store.addActivity(visit)
        _ = try await f.pass()
        #expect(f.calendar.first?.fields["Body"] == "Bring the offer\nCRM: Fabrikam")
        let mail = f.fake.meetingMail.count
        _ = try f.store.updateActivity("AP1") { $0.partner = "BP2" }
        let report = try await f.pass()
        #expect(
            report.executed.map { "\($0)" }.contains {
                $0.hasPrefix("update-remote AP1") && $0.hasSuffix("[information]")
            }
        )
        #expect(f.calendar.first?.fields["Body"] == "Bring the offer\nCRM: Contoso Ltd")
        #expect(f.fake.meetingMail.count == mail, "a new CRM line is no news for the attendees")
        #expect(try f.store.activity("AP1")?.information == "Bring the offer")
        #expect(try await f.pass().executed.isEmpty)
        #expect(f.fake.requestCount("GetItem") > 0)
    }

    @Test("a CRM change outside the synced fields leaves nothing pending once compared")
    func nothingPending() async throws {
        let f = try SyncFixture()
        try f.addTask("A1")
        _ = try await f.pass()
        let before = try #require(try f.store.activity("A1")?.changeSeq)
        try f.addTask("A0")
        _ = try f.store.updateActivity("A1") { $0.linkedActivity = "A0" }  // a follow-up now: not a synced field
        let activity = try #require(try f.store.activity("A1"))
        let synced = try #require(try f.store.link(activityId: "A1")?.syncedSeq)
        #expect(activity.changeSeq! > before && synced < activity.changeSeq!)
        _ = try await f.pass()
        #expect(try f.store.link(activityId: "A1")?.syncedSeq == activity.changeSeq)
        #expect(try await f.pass().executed.isEmpty)
    }

    @Test("a new contact set in the same CRM edit as the subject: the write carries the body with the new line")
    func crmLineWithSyncedEdit() async throws {
        let f = try SyncFixture()
        try f.addTask("A1")
        _ = try await f.pass()
        #expect(f.tasks.first?.fields["Body"] == "CRM: Fabrikam")
        _ = try f.store.updateActivity("A1") {
            $0.subject = "Call Pat back"
            $0.contact = "C1"
        }
        _ = try await f.pass()
        #expect(f.tasks.first?.fields["Subject"] == "Call Pat back")
        #expect(f.tasks.first?.fields["Body"] == "CRM: Fabrikam · Pat Doe")
        #expect(try await f.pass().executed.isEmpty)
    }
}
