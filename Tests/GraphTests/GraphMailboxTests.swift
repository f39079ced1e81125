import ActivityModel
import EWS
import EWSTestServer
import Foundation
import Graph
import GraphMailbox
import SyncEngine
import SyncPlanning
import Testing

/// The Graph adapter against the fake Graph over HTTP: every body checked against Graph's metadata.
@Suite("Graph events: the adapter against the fake Graph over HTTP")
struct GraphMailboxTests {
    static func meeting(_ day: Int = 4, attendees: [String] = ["pat@fabrikam.test"]) -> SyncFields {
        SyncFields(
            subject: "Visit",
            information: "Bring the offer",
            priority: .high,
            status: "planned",
            start: "2026-12-0\(day)T09:00:00Z",
            end: "2026-12-0\(day)T10:00:00Z",
            location: "Fabrikam",
            showAs: .tentative,
            reminderMinutes: 15,
            attendees: attendees
        )
    }

    /// A fixed "now" inside the events' window.
    static let now: @Sendable () -> Date = { Date(timeIntervalSince1970: 1_796_000_000) }  // 2026-11-30

    static func create(
        _ service: GraphMailboxService,
        _ id: String,
        _ fields: SyncFields
    ) async throws -> (id: String, version: String?) {
        var new = NewItem(activityId: id, kind: .calendarItem, fields: fields, crmLine: "Fabrikam", invitations: false)
        new.transaction = "\(id)-1"
        let outcome = try await service.create([new], in: .calendar).first
        guard case .done(let item, let version) = outcome else {
            throw GraphTestFailure("create answered \(String(describing: outcome))")
        }
        return (item, version)
    }

    @Test("created, listed from nothing by delta, read back as written; attendees off the event and no mail under none")
    func createListRead() async throws {
        let fixture = try GraphFixture()
        let service = fixture.service(clock: Self.now)
        let created = try await Self.create(service, "A1", Self.meeting())
        let listed = try await service.changes(in: .calendar, from: nil).flatMap(\.changes)
        guard case .changed(let header) = listed.first, listed.count == 1 else { throw GraphTestFailure("\(listed)") }
        #expect(header.id == created.id && header.version == created.version && !header.created.isEmpty)
        let read = try #require(try await service.read([created.id], in: .calendar).first)
        var expected = Self.meeting()
        expected.attendees = []
        expected.status = read.fields.status
        #expect(read.fields == expected)
        #expect(read.activityId == "A1" && read.hasCategory && read.unkept == [.status, .attendees])
        #expect(read.crmLine == "Fabrikam" && read.version == created.version)
        // Graph mails whoever an event lists: under none the attendee is named in our line, never on the event.
        #expect(fixture.fake.meetingMail.isEmpty)
        let event = try #require(fixture.fake.events(mailbox: GraphFixture.alice).first)
        #expect((event["attendees"] as? [Any])?.isEmpty == true)
        #expect(
            ((event["body"] as? [String: Any])?["content"] as? String)?.hasSuffix(
                "CRM: Fabrikam · Attendees: pat@fabrikam.test"
            ) == true
        )
        #expect(fixture.fake.violations.isEmpty)
    }

    @Test("under send_invitations: all the attendees are on the event and Graph mails them (create, update, delete)")
    func attendeesWhenAllowed() async throws {
        let fixture = try GraphFixture()
        let service = fixture.service(attendees: true, clock: Self.now)
        let created = try await Self.create(service, "A1", Self.meeting())
        let read = try #require(try await service.read([created.id], in: .calendar).first)
        #expect(read.fields.attendees == ["pat@fabrikam.test"] && read.unkept == [.status])
        #expect(read.responses == ["pat@fabrikam.test": AttendeeResponse.none])
        #expect(fixture.fake.meetingMail.map(\.kind) == [.request])
        _ = try await service.remove([ItemRemoval(id: created.id, cancellations: true)])
        #expect(fixture.fake.meetingMail.map(\.kind) == [.request, .cancellation])
        #expect(fixture.fake.violations.isEmpty)
    }

    @Test("updates carry the version (If-Match): a stale one is .stale (412); each write moves the version")
    func conditionalUpdate() async throws {
        let fixture = try GraphFixture()
        let service = fixture.service(clock: Self.now)
        let created = try await Self.create(service, "A1", Self.meeting())
        let cursor = try #require(try await service.changes(in: .calendar, from: nil).last?.cursor)
        var fields = Self.meeting()
        fields.subject = "Changed"
        let update = ItemUpdate(
            id: created.id,
            version: created.version,
            activityId: "A1",
            kind: .calendarItem,
            fields: fields,
            changed: [.subject],
            crmLine: "Fabrikam",
            meetingMail: false
        )
        guard case .done(let id, let version) = try await service.update([update]).first else {
            throw GraphTestFailure("update failed")
        }
        #expect(id == created.id && version != created.version)
        #expect(try await service.update([update]) == [.stale])
        let listed = try await service.changes(in: .calendar, from: cursor).flatMap(\.changes)
        #expect(listed.map { if case .changed(let h) = $0 { h.version } else { nil } } == [version])
        #expect(try await service.read([id], in: .calendar).first?.fields.subject == "Changed")
        // Only the changed property went out (the user's categories and the rest untouched).
        let patch = fixture.fake.requests.first { $0.method == "PATCH" }
        #expect(patch?.headers["if-match"] == "W/\"\(created.version ?? "")\"")
        #expect(fixture.fake.violations.isEmpty)
    }

    @Test("a removal is listed as removed; writes to it find nothing")
    func removal() async throws {
        let fixture = try GraphFixture()
        let service = fixture.service(clock: Self.now)
        let created = try await Self.create(service, "A1", Self.meeting())
        let cursor = try #require(try await service.changes(in: .calendar, from: nil).last?.cursor)
        #expect(try await service.remove([ItemRemoval(id: created.id, cancellations: false)]).first?.isDone == true)
        #expect(try await service.changes(in: .calendar, from: cursor).flatMap(\.changes) == [.removed(created.id)])
        #expect(try await service.read([created.id], in: .calendar).isEmpty)
        #expect(try await service.remove([ItemRemoval(id: created.id, cancellations: false)]) == [.notFound])
    }

    @Test("find and listOwn see this instance's identity; a stamp gives a user's event ours, a release takes it off")
    func identity() async throws {
        let fixture = try GraphFixture()
        let service = fixture.service(clock: Self.now)
        let created = try await Self.create(service, "A1", Self.meeting())
        let users = fixture.fake.userCreateEvent(
            mailbox: GraphFixture.alice,
            subject: "Mine",
            start: Self.now().addingTimeInterval(86_400),
            end: Self.now().addingTimeInterval(90_000)
        )
        #expect(try await service.find(activityIds: ["A1", "A9"], in: .calendar).map(\.id) == [created.id])
        #expect(try await service.listOwn(in: .calendar).map(\.id) == [created.id])
        let read = try #require(try await service.read([users], in: .calendar).first)
        #expect(read.activityId == nil && !read.hasCategory)
        let stamped = try await service.stamp([
            IdentityStamp(id: users, version: read.version, kind: .calendarItem, activityId: "A2")
        ])
        guard case .done(_, let version) = stamped.first else { throw GraphTestFailure("stamp answered \(stamped)") }
        #expect(version != read.version)
        #expect(try await service.find(activityIds: ["A2"], in: .calendar).map(\.id) == [users])
        let released = try await service.stamp([
            IdentityStamp(id: users, version: version, kind: .calendarItem, activityId: nil)
        ])
        #expect(released.first?.isDone == true)
        #expect(try await service.read([users], in: .calendar).first?.activityId == nil)
        #expect(fixture.fake.violations.isEmpty)
    }

    @Test("a dead delta token is CursorExpired; a listing from nothing lists the window again")
    func deadToken() async throws {
        let fixture = try GraphFixture()
        let service = fixture.service(clock: Self.now)
        let created = try await Self.create(service, "A1", Self.meeting())
        let cursor = try #require(try await service.changes(in: .calendar, from: nil).last?.cursor)
        fixture.fake.expireDeltaTokens(mailbox: GraphFixture.alice)
        await #expect(throws: CursorExpired.self) { try await service.changes(in: .calendar, from: cursor) }
        let again = try await service.changes(in: .calendar, from: nil).flatMap(\.changes)
        #expect(again.map { if case .changed(let h) = $0 { h.id } else { "" } } == [created.id])
    }

    @Test("a window that moved past the chain's margin restarts the chain (CursorExpired), at most once a margin")
    func windowMoved() async throws {
        let fixture = try GraphFixture()
        let early = fixture.service(clock: Self.now)
        let cursor = try #require(try await early.changes(in: .calendar, from: nil).last?.cursor)
        let sixDaysOn = fixture.service(clock: { Self.now().addingTimeInterval(6 * 86_400) })
        _ = try await sixDaysOn.changes(in: .calendar, from: cursor)
        let eightDaysOn = fixture.service(clock: { Self.now().addingTimeInterval(8 * 86_400) })
        await #expect(throws: CursorExpired.self) { try await eightDaysOn.changes(in: .calendar, from: cursor) }
    }

    @Test("an event moved out of the window comes as @removed, is looked up, and is a change — not a removal")
    func leftTheWindow() async throws {
        let fixture = try GraphFixture()
        let service = fixture.service(clock: Self.now)
        let created = try await Self.create(service, "A1", Self.meeting())
        let cursor = try #require(try await service.changes(in: .calendar, from: nil).last?.cursor)
        let farOut = Self.now().addingTimeInterval(800 * 86_400)
        fixture.fake.userUpdateEvent(
            mailbox: GraphFixture.alice,
            id: created.id,
            start: farOut,
            end: farOut.addingTimeInterval(3600)
        )
        let listed = try await service.changes(in: .calendar, from: cursor).flatMap(\.changes)
        guard case .changed(let header) = listed.first, listed.count == 1 else { throw GraphTestFailure("\(listed)") }
        #expect(header.id == created.id && header.version != created.version)
        // (Looked up by id: delta alone would have said "deleted".)
        #expect(
            fixture.fake.requests.contains { $0.method == "GET" && $0.path.hasSuffix("/calendar/events/\(created.id)") }
        )
    }

    @Test("429 inside a batch is retried alone after Retry-After; no mailbox ever has more than 4 requests in flight")
    func throttling() async throws {
        let fixture = try GraphFixture()
        let service = fixture.service(clock: Self.now)
        var ids: [String] = []
        for index in 0..<6 { ids.append(try await Self.create(service, "A\(index)", Self.meeting()).id) }
        fixture.fake.resetLog()
        fixture.fake.throttle(mailbox: GraphFixture.alice, times: 3, retryAfter: 1)
        let read = try await service.read(ids, in: .calendar)
        #expect(Set(read.map(\.id)) == Set(ids))
        let requests = fixture.fake.requests
        #expect(requests.filter { $0.status == 429 }.count == 3)
        #expect(requests.filter { $0.batched && $0.status == 200 }.count == ids.count)
        #expect(fixture.fake.peakInFlight(GraphFixture.alice) <= 4)
        #expect(await fixture.client.throttledCount(mailbox: GraphFixture.alice) >= 1)
    }

    @Test("a lost answer: a batch of reads is sent again; a batch of writes is ambiguous, never resent")
    func lostAnswers() async throws {
        let fixture = try GraphFixture()
        let service = fixture.service(clock: Self.now)
        let first = try await Self.create(service, "A1", Self.meeting())
        let second = try await Self.create(service, "A2", Self.meeting(5))
        fixture.fake.dropAnswers(times: 1)
        #expect(try await service.read([first.id, second.id], in: .calendar).count == 2)
        fixture.fake.dropAnswers(times: 1)
        let creates = [Self.meeting(6), Self.meeting(7)].enumerated().map {
            NewItem(
                activityId: "B\($0.offset)",
                kind: .calendarItem,
                fields: $0.element,
                crmLine: nil,
                invitations: false
            )
        }
        #expect(try await service.create(creates, in: .calendar) == [.ambiguous, .ambiguous])
        // Applied once, never twice: the journal's lookup by identity finds them next pass.
        #expect(fixture.fake.events(mailbox: GraphFixture.alice).count == 4)
        #expect(try await service.find(activityIds: ["B0", "B1"], in: .calendar).count == 2)
    }

    @Test("a resent create with the same transactionId gives the first event, not a second")
    func transactionId() async throws {
        let fixture = try GraphFixture()
        let service = fixture.service(clock: Self.now)
        let first = try await Self.create(service, "A1", Self.meeting())
        let again = try await Self.create(service, "A1", Self.meeting())
        #expect(first.id == again.id && fixture.fake.events(mailbox: GraphFixture.alice).count == 1)
    }

    @Test("all-day events start and end at the owner's midnights, in the owner's zone; read back as the same days")
    func allDay() async throws {
        let fixture = try GraphFixture()
        let service = fixture.service(clock: Self.now)
        let fields = SyncFields(
            subject: "Fair",
            status: "planned",
            start: "2026-12-07",
            end: "2026-12-08",
            allDay: true,
            showAs: .free
        )
        let created = try await Self.create(service, "A1", fields)
        let read = try #require(try await service.read([created.id], in: .calendar).first)
        #expect(read.fields.start == "2026-12-07" && read.fields.end == "2026-12-08" && read.fields.allDay)
        #expect(read.misaligned.isEmpty)
        let event = try #require(fixture.fake.events(mailbox: GraphFixture.alice).first)
        #expect((event["start"] as? [String: String])?["dateTime"] == "2026-12-06T23:00:00.0000000")
        #expect(event["originalStartTimeZone"] as? String == "W. Europe Standard Time")
        #expect(fixture.fake.violations.isEmpty)
    }

    @Test("a body Graph's metadata refuses is answered 400 and recorded (the fake is as strict as Graph)")
    func strictFake() async throws {
        let fixture = try GraphFixture()
        let response = try await fixture.client.send(
            GraphRequest(
                "POST",
                "/users/\(GraphFixture.alice)/calendar/events",
                mailbox: GraphFixture.alice,
                body: Array(#"{"subject": "x", "showAs": "away", "colour": 1}"#.utf8)
            )
        )
        #expect(response.status == 400 && response.errorCode == "RequestBodyRead")
        #expect(fixture.fake.violations.count == 2)
    }
}

struct GraphTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
