import ActivityModel
import EWS
import EWSMailbox
import EWSTestServer
import Foundation
import Store
import SyncEngine
import Testing

@Suite("the sync engine against the fake Exchange over HTTP")
struct SyncEngineTests {
    @Test(
        "create in the CRM → items in Outlook with identity, category and CRM line; a quiet pass sends one sync per folder"
    )
    func createRemote() async throws {
        let f = try SyncFixture()
        try f.addTask("A1")
        try f.addAppointment("A2")
        let report = try await f.pass()
        #expect(report.failures == [])
        #expect(f.tasks.count == 1 && f.calendar.count == 1)
        let task = try #require(f.tasks.first)
        #expect(task.extended["ActivityId"] == "A1" && task.extended["InstanceId"] == "test")
        #expect(task.fields["Categories"] == "CRM")
        #expect(task.fields["Body"] == "CRM: Fabrikam")
        #expect(f.calendar.first?.fields["Body"] == "CRM: Pat Doe")
        f.fake.resetLog()
        let quiet = try await f.pass()
        #expect(quiet.plan.isEmpty, "\(quiet.plan)")
        #expect(f.fake.requests.map(\.operation) == ["SyncFolderItems", "SyncFolderItems"])
        #expect(f.fake.schemaViolations == [])
    }

    @Test("request economy: N creates take ⌈N/batch⌉ CreateItem, no FindItem, no GetItem", arguments: [1, 250])
    func requestEconomy(count: Int) async throws {
        let f = try SyncFixture()
        for index in 0..<count { try f.addTask("T\(index)") }
        _ = try await f.pass()
        #expect(f.fake.requestCount("CreateItem") == (count + 99) / 100)
        #expect(f.fake.requestCount("FindItem") == 0)
        #expect(f.fake.requestCount("GetItem") == 0)
        // Our creates come back as changes on the next pass and are recognised by their ChangeKey.
        _ = try await f.pass()
        #expect(f.fake.requestCount("GetItem") == 0)
        #expect(f.fake.requestCount("SyncFolderItems") <= 2 * ((count + 511) / 512 + 2))
        #expect(f.tasks.count == count)
    }

    @Test("an Outlook edit reaches the CRM as the engine's own write; nothing is sent back")
    func outlookEdit() async throws {
        let f = try SyncFixture()
        let item = try await f.syncedTask("A1")
        f.outlookEdit(item, ["Status": "InProgress", "PercentComplete": "50"])
        let mark = try f.store.changeSequence()
        _ = try await f.pass()
        let task = try #require(try f.store.activity("A1"))
        #expect(task.status == "in_process" && task.percentComplete == 50)
        #expect(try f.store.changes(since: mark).map(\.origin) == [.sync])
        f.fake.resetLog()
        let quiet = try await f.pass()
        #expect(quiet.plan.isEmpty, "\(quiet.plan)")
        #expect(f.fake.requestCount("UpdateItem") == 0)
    }

    @Test("different fields edited on both sides are both kept; the same field follows the policy and is recorded")
    func bothSides() async throws {
        let f = try SyncFixture()
        let item = try await f.syncedTask("A1")
        f.outlookEdit(item, ["Status": "Completed", "PercentComplete": "100"])
        _ = try f.store.updateActivity("A1") { $0.subject = "Call back (CRM)" }
        _ = try await f.pass()
        #expect(f.tasks.first?.fields["Subject"] == "Call back (CRM)")
        #expect(try f.store.activity("A1")?.status == "completed")
        #expect(try f.store.conflicts().isEmpty)

        f.outlookEdit(item, ["Subject": "Outlook subject"])
        _ = try f.store.updateActivity("A1") { $0.subject = "CRM subject" }
        _ = try await f.pass()
        #expect(f.tasks.first?.fields["Subject"] == "CRM subject")  // crm-wins
        let conflict = try #require(try f.store.conflicts().first)
        #expect(
            conflict.crmValue == "CRM subject" && conflict.exchangeValue == "Outlook subject"
                && conflict.winner == "crm"
        )
        #expect(try await f.pass().plan.isEmpty)
    }

    @Test("a CRM delete deletes the item (into Deleted Items); an Outlook delete tombstones the activity")
    func deletes() async throws {
        let f = try SyncFixture()
        try f.addTask("A1")
        try f.addTask("A2")
        _ = try await f.pass()
        try f.store.deleteActivity("A1")
        let outlook = try #require(f.tasks.first { $0.extended["ActivityId"] == "A2" })
        f.fake.userDelete(mailbox: SyncFixture.alice, itemId: outlook.id)
        _ = try await f.pass()
        #expect(f.tasks.isEmpty)
        #expect(f.fake.deletedItems(mailbox: SyncFixture.alice).count == 2)
        #expect(try f.store.activity("A2")?.deleted == true)
        #expect(try f.store.activity("A1")?.deleted == true)
        #expect(try await f.pass().plan.isEmpty)
    }

    @Test("an Outlook move (new ItemId, same identity) re-links; nothing is deleted or created")
    func move() async throws {
        let f = try SyncFixture()
        let item = try await f.syncedTask("A1")
        let moved = try #require(f.fake.userMove(mailbox: SyncFixture.alice, itemId: item.id, to: "calendar"))
        let report = try await f.pass()
        #expect(report.plan.description.contains("relink A1 \(moved)"))
        #expect(try f.store.link(activityId: "A1")?.itemId == moved)
        #expect(try f.store.activity("A1")?.deleted == false)
        #expect(f.fake.requestCount("CreateItem") == 1)
    }

    @Test("an Outlook item with the category becomes a CRM activity, stamped with its identity; others are left alone")
    func importFromOutlook() async throws {
        let f = try SyncFixture()
        f.fake.userCreate(
            mailbox: SyncFixture.alice,
            folder: "calendar",
            kind: "CalendarItem",
            fields: [
                "Subject": "Lunch with Pat", "Start": "2026-12-05T11:00:00Z", "End": "2026-12-05T12:00:00Z",
                "Categories": "CRM",
                "RequiredAttendees": "",
            ]
        )
        f.fake.userCreate(
            mailbox: SyncFixture.alice,
            folder: "calendar",
            kind: "CalendarItem",
            fields: [
                "Subject": "Dentist", "Start": "2026-12-05T15:00:00Z", "End": "2026-12-05T16:00:00Z",
            ]
        )
        _ = try await f.pass()
        let imported = try f.store.activities()
        #expect(imported.map(\.subject) == ["Lunch with Pat"])
        #expect(imported.first?.origin == .exchange)
        let item = try #require(f.calendar.first { $0.fields["Subject"] == "Lunch with Pat" })
        #expect(item.extended["ActivityId"] == imported.first?.id)
        #expect(try await f.pass().plan.isEmpty)
        #expect(try f.store.activities().count == 1)
    }

    @Test(
        "attendance both ways: optional in the CRM is optional in Outlook; a room made a resource in Outlook comes back"
    )
    func attendance() async throws {
        let f = try SyncFixture()
        try f.addAppointment("AP1")
        _ = try await f.pass()
        #expect(f.calendar.first?.fields["RequiredAttendees"]?.contains("pat@fabrikam.test") == true)
        _ = try f.store.updateActivity("AP1") { $0.attendees[0].attendance = .optional }
        _ = try await f.pass()
        let moved = try #require(f.calendar.first)
        #expect(moved.fields["RequiredAttendees"] == nil)
        #expect(moved.fields["OptionalAttendees"]?.contains("pat@fabrikam.test") == true)
        #expect(try await f.pass().plan.isEmpty)

        f.fake.userUpdate(mailbox: SyncFixture.alice, itemId: moved.id, fields: ["Resources": "room1@contoso.test"])
        _ = try await f.pass()
        let attendees = try f.store.activity("AP1")?.attendees ?? []
        #expect(attendees.map(\.email) == ["pat@fabrikam.test", "room1@contoso.test"])
        #expect(attendees.map(\.attendance) == [.optional, .resource])
        #expect(try await f.pass().plan.isEmpty)

        // Answers arrive in the organizer's copy: the CRM shows them; nothing goes back, nothing conflicts.
        f.fake.userUpdate(
            mailbox: SyncFixture.alice,
            itemId: moved.id,
            fields: ["OptionalAttendees": "pat@fabrikam.test=Accept", "Resources": "room1@contoso.test=Decline"]
        )
        let answered = try await f.pass()
        // The copy is a decision like any other: in the plan, executed, and nothing else.
        #expect(answered.plan.description == "copy-responses AP1 [pat@fabrikam.test,room1@contoso.test]")
        #expect(answered.executed == answered.plan.actions && answered.failures.isEmpty)
        #expect(try f.store.activity("AP1")?.attendees.map(\.response) == [.accepted, .declined])
        #expect(try f.store.conflicts().isEmpty)
        #expect(try await f.pass().plan.isEmpty)
        #expect(f.fake.schemaViolations.isEmpty)
    }

    @Test("an Outlook item the CRM's rules refuse is reported once and audited, never half-imported")
    func importRefused() async throws {
        let f = try SyncFixture()
        let id = f.fake.userCreate(
            mailbox: SyncFixture.alice,
            folder: "calendar",
            kind: "CalendarItem",
            fields: ["Subject": "No end", "Start": "2026-12-05T11:00:00Z", "Categories": "CRM"]
        )
        let first = try await f.pass()
        #expect(first.failures.count == 1 && first.failures[0].hasPrefix("import \(id)"))
        #expect(try f.store.activities().isEmpty)
        #expect(f.calendar.first?.extended["ActivityId"] == nil)  // not stamped: still the user's alone
        let audited = try f.store.auditEntries(mailbox: SyncFixture.alice).filter { $0.action == "import-refused" }
        #expect(audited.map(\.itemId) == [id])
        #expect(try await f.pass().failures.isEmpty)  // the folder moved past it; the trace stays
    }

    @Test("a create whose answer was lost is found again by its identity: no duplicate")
    func lostAnswer() async throws {
        let f = try SyncFixture()
        try f.addTask("A1")
        f.fake.inject(.dropAfterApplying, operation: "CreateItem")
        let first = try await f.pass()
        #expect(first.ambiguous == 1)
        #expect(f.tasks.count == 1)
        _ = try await f.pass()
        #expect(f.tasks.count == 1)
        #expect(f.fake.requestCount("CreateItem") == 1)
        #expect(f.fake.requestCount("FindItem") >= 1)
        #expect(try f.store.link(activityId: "A1")?.itemId == f.tasks.first?.id)
        #expect(try await f.pass().plan.isEmpty)
    }

    @Test("all sync bookkeeping lost (export, new store, import): every item re-linked, none created twice")
    func bookkeepingLost() async throws {
        let f = try SyncFixture()
        for index in 0..<5 { try f.addTask("T\(index)") }
        try f.addAppointment("AP1")
        _ = try await f.pass()
        let exported = try f.store.exportDocument()
        let fresh = try Store(path: NSTemporaryDirectory() + "sync-\(UUID().uuidString)/s.sqlite")
        _ = try fresh.importDocument(exported)
        let employee = try #require(try fresh.employee("E1"))
        let report = try await f.engine(for: employee, store: fresh).runPass()
        #expect(report.plan.actions.filter { if case .relink = $0 { true } else { false } }.count == 6)
        #expect(f.tasks.count == 5 && f.calendar.count == 1)
        #expect(f.fake.requestCount("CreateItem") == 2)
        let again = try await f.engine(for: employee, store: fresh).runPass()
        #expect(again.plan.isEmpty, "\(again.plan)")
    }

    @Test("the circuit breaker pauses a pass with too many deletes and executes nothing")
    func breaker() async throws {
        let f = try SyncFixture()
        f.settings.policy.maxDeletes = 3
        for index in 0..<5 { try f.addTask("T\(index)") }
        _ = try await f.pass()
        for index in 0..<5 { try f.store.deleteActivity("T\(index)") }
        let report = try await f.pass()
        #expect(report.paused == "5 deletes exceed sync.max_deletes (3)")
        #expect(f.tasks.count == 5)
    }

    @Test("a stale ChangeKey (Outlook edit between read and write): re-read, merged again, retried — never overwritten")
    func staleChangeKey() async throws {
        let f = try SyncFixture()
        let item = try await f.syncedTask("A1")
        _ = try f.store.updateActivity("A1") { $0.subject = "Subject from the CRM" }
        f.fake.inject(
            .userEdit(mailbox: SyncFixture.alice, itemId: item.id, fields: ["Status": "InProgress"]),
            operation: "UpdateItem"
        )
        let report = try await f.pass()
        #expect(report.failures == [])
        let now = try #require(f.tasks.first)
        #expect(now.fields["Subject"] == "Subject from the CRM")
        #expect(now.fields["Status"] == "InProgress")  // the concurrent Outlook edit survived
        #expect(try f.store.activity("A1")?.status == "in_process")
        #expect(f.fake.requestCount("UpdateItem") == 2)
        #expect(try f.store.conflicts().isEmpty)
        #expect(try await f.pass().plan.isEmpty)
    }

    @Test(
        "send_invitations: none sends no meeting mail; all invites on create, on attendee-visible updates only, and cancels",
        arguments: [false, true]
    )
    func meetingMail(all: Bool) async throws {
        let f = try SyncFixture()
        f.settings.sendInvitations = all
        try f.addAppointment("AP1")
        _ = try await f.pass()
        func last(_ operation: String, _ attribute: String) -> String? {
            f.fake.requests.last { $0.operation == operation }?.attributes[attribute]
        }
        #expect(last("CreateItem", "SendMeetingInvitations") == (all ? "SendToAllAndSaveCopy" : "SendToNone"))
        _ = try f.store.updateActivity("AP1") { $0.reminderMinutes = 30 }  // not attendee-visible
        _ = try await f.pass()
        #expect(last("UpdateItem", "SendMeetingInvitationsOrCancellations") == "SendToNone")
        _ = try f.store.updateActivity("AP1") { $0.location = "Room 4" }
        _ = try await f.pass()
        #expect(
            last("UpdateItem", "SendMeetingInvitationsOrCancellations")
                == (all ? "SendToChangedAndSaveCopy" : "SendToNone")
        )
        try f.store.deleteActivity("AP1")
        _ = try await f.pass()
        #expect(last("DeleteItem", "SendMeetingCancellations") == (all ? "SendToAllAndSaveCopy" : "SendToNone"))
    }
}
