import ActivityModel
import EWS
import EWSMailbox
import EWSTestServer
import Foundation
import SyncPlanning
import Testing
import XMLKit

@Suite("SPEC §2 mapping, round-tripped through the fake Exchange over HTTP")
struct ItemMappingTests {
    static let zone = TimeZone(identifier: "Europe/Amsterdam")!
    static let mapping = ItemMapping(instance: "prod", category: "CRM", zone: zone)

    /// Writes the values as an item, reads the item back with the sync shape, maps it again.
    static func roundTrip(_ fields: SyncFields, kind: ItemKind) async throws -> (SyncFields, EWSItem) {
        let fake = try FakeExchange()
        try fake.start()
        defer { fake.stop() }
        fake.addAccount(.init(username: "svc", password: "pw"))
        fake.addMailbox("alice@contoso.test")
        let client = EWSClient(
            configuration: EWSConfiguration(url: fake.url, credentials: .basic(username: "svc", password: "pw"))
        )
        let item = mapping.item(kind: kind, activityId: "A1", fields: fields, crmLine: "Fabrikam · Pat Doe · Renewal")
        let folder: EWSFolder = kind == .task ? .tasks : .calendar
        let id = try await client.createItems(
            [item],
            in: folder,
            mailbox: "alice@contoso.test",
            timeZoneId: "W. Europe Standard Time"
        )[0].get()
        let read = try await client.getItems([id], mailbox: "alice@contoso.test", shape: ItemMapping.shape(for: kind))[
            0
        ].get()
        #expect(fake.schemaViolations == [])
        return (mapping.fields(of: read, carrying: fields), read)
    }

    @Test("a task: status, percent, due date in the owner's zone, reminder, priority, sensitivity")
    func task() async throws {
        let fields = SyncFields(
            subject: "Call back",
            information: "Prefers mornings",
            priority: .high,
            sensitivity: .private,
            status: "in_process",
            percentComplete: 40,
            due: "2026-12-04",
            reminderDueBy: -540  // 09:00 on the due day
        )
        let (back, item) = try await Self.roundTrip(fields, kind: .task)
        #expect(back == fields)
        #expect(item.body == "Prefers mornings\nCRM: Fabrikam · Pat Doe · Renewal")
        #expect(item.categories == ["CRM"])
        #expect(item.status == .inProgress)
        // Midnight of 4 December in Amsterdam is 23:00 UTC the day before.
        #expect(item.dueDate.map { XSDateTime.format($0) } == "2026-12-03T23:00:00Z")
        #expect(item.reminderDueBy.map { XSDateTime.format($0) } == "2026-12-04T08:00:00Z")
        #expect(Self.mapping.identity(of: item) == "A1")
    }

    @Test("a timed appointment with required, optional and resource attendees and show-as; its status stays the CRM's")
    func appointment() async throws {
        let fields = SyncFields(
            subject: "Visit",
            status: "held",
            start: "2026-12-04T09:00:00Z",
            end: "2026-12-04T10:30:00Z",
            location: "HQ",
            showAs: .tentative,
            reminderMinutes: 15,
            attendees: ["pat@fabrikam.test", "room1@contoso.test;resource", "sam@fabrikam.test;optional"]
        )
        let (back, item) = try await Self.roundTrip(fields, kind: .calendarItem)
        #expect(back == fields)
        #expect(item.startTimeZone == nil || item.startTimeZone == "W. Europe Standard Time")
        // Each attendee in its own list, as Outlook shows them (a room is booked as a resource).
        #expect(item.requiredAttendees?.map(\.email) == ["pat@fabrikam.test"])
        #expect(item.optionalAttendees?.map(\.email) == ["sam@fabrikam.test"])
        #expect(item.resources?.map(\.email) == ["room1@contoso.test"])
    }

    @Test("an all-day appointment keeps its dates: midnight to midnight in the owner's zone, end exclusive")
    func allDay() async throws {
        let fields = SyncFields(
            subject: "Trade fair",
            status: "planned",
            start: "2026-12-07",
            end: "2026-12-09",
            allDay: true,
            showAs: .busy  // calendar values always carry one: unset compares as busy, as Outlook shows it
        )
        let (back, item) = try await Self.roundTrip(fields, kind: .calendarItem)
        #expect(back == fields)
        #expect(item.start.map { XSDateTime.format($0) } == "2026-12-06T23:00:00Z")
        #expect(item.end.map { XSDateTime.format($0) } == "2026-12-09T23:00:00Z")
    }

    @Test("an all-day appointment on a 23-hour DST day (Amsterdam, 28 March 2027) stays on that one day")
    func allDayOnDSTDay() async throws {
        let fields = SyncFields(
            subject: "Clocks go forward",
            status: "planned",
            start: "2027-03-28",
            end: "2027-03-28",
            allDay: true,
            showAs: .busy
        )
        let (back, item) = try await Self.roundTrip(fields, kind: .calendarItem)
        #expect(back == fields)
        #expect(item.start.map { XSDateTime.format($0) } == "2027-03-27T23:00:00Z")  // midnight, winter time
        #expect(item.end.map { XSDateTime.format($0) } == "2027-03-28T22:00:00Z")  // the next midnight, summer time
        // One Outlook made on that day (midnight to midnight) imports with the day the user saw.
        var outlook = EWSItem(kind: .calendarItem)
        outlook.isAllDayEvent = true
        outlook.start = XSDateTime.parse("2027-03-27T23:00:00Z")
        outlook.end = XSDateTime.parse("2027-03-28T22:00:00Z")
        let read = Self.mapping.fields(of: outlook, carrying: nil)
        #expect(read.start == "2027-03-28" && read.end == "2027-03-28")
        // And on the 25-hour day in October.
        outlook.start = XSDateTime.parse("2027-10-30T22:00:00Z")
        outlook.end = XSDateTime.parse("2027-10-31T23:00:00Z")
        let autumn = Self.mapping.fields(of: outlook, carrying: nil)
        #expect(autumn.start == "2027-10-31" && autumn.end == "2027-10-31")
    }

    @Test("the CRM line is ours: stripped on the way back, and only when it is the last line")
    func crmLine() {
        #expect(ItemMapping.strippingCRMLine("Notes\nCRM: Fabrikam") == "Notes")
        #expect(ItemMapping.strippingCRMLine("CRM: Fabrikam") == "")
        #expect(
            ItemMapping.strippingCRMLine("CRM: quoted by the user\nmore text") == "CRM: quoted by the user\nmore text"
        )
        #expect(ItemMapping.strippingCRMLine("Notes\r\nCRM: x\r\n") == "Notes")
    }

    @Test("items of another instance are recognised and never claimed; Outlook's own have no identity")
    func instances() {
        var item = EWSItem(kind: .task)
        item.extendedProperties = [ItemMapping.activityId: "A1", ItemMapping.instanceId: "test"]
        #expect(Self.mapping.identity(of: item) == nil)
        #expect(Self.mapping.belongsToOtherInstance(item))
        item.extendedProperties = [:]
        #expect(Self.mapping.identity(of: item) == nil && !Self.mapping.belongsToOtherInstance(item))
        item.categories = ["crm"]
        #expect(Self.mapping.hasCategory(item))
    }

    @Test("WorkingElsewhere and NoData read as busy; Personal reads as private")
    func readRules() {
        var item = EWSItem(kind: .calendarItem)
        item.legacyFreeBusyStatus = .workingElsewhere
        item.sensitivity = .personal
        let fields = Self.mapping.fields(of: item, carrying: nil)
        #expect(fields.showAs == .busy)
        #expect(fields.sensitivity == .private)
    }
}
