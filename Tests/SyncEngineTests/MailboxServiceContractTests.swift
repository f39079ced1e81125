import ActivityModel
import EWS
import EWSMailbox
import EWSTestServer
import Foundation
import SyncEngine
import SyncPlanning
import SyncTestKit
import Testing

/// One mailbox behind the engine's protocol, with the user's and the server's hands on it.
protocol MailboxHarness {
    var service: any MailboxService { get }
    /// A task a user made in Outlook (no identity).
    func userCreateTask(subject: String) -> String
    func userMove(_ id: String, to folder: FolderKind) -> String?
    func expireCursors()
}

/// The in-memory double.
struct MemoryMailboxHarness: MailboxHarness {
    let mailbox = InMemoryMailbox(address: SyncFixture.alice, instance: "test")
    var service: any MailboxService { mailbox }
    func userCreateTask(subject: String) -> String {
        mailbox.userCreate(kind: .task, fields: SyncFields(subject: subject, status: "not_started", percentComplete: 0))
    }
    func userMove(_ id: String, to folder: FolderKind) -> String? { mailbox.userMove(id, to: folder) }
    func expireCursors() { mailbox.expireCursors() }
}

/// The EWS adapter against the fake Exchange over HTTP (every request schema-validated).
final class EWSMailboxHarness: MailboxHarness {
    let fixture: SyncFixture
    let service: any MailboxService

    init() throws {
        fixture = try SyncFixture()
        service = EWSMailboxService(
            client: fixture.client,
            mailbox: SyncFixture.alice,
            mapping: ItemMapping(instance: "test", category: "CRM", zone: TimeZone(identifier: "Europe/Amsterdam")!)
        )
    }

    func userCreateTask(subject: String) -> String {
        fixture.fake.userCreate(mailbox: SyncFixture.alice, folder: "tasks", kind: "Task", fields: ["Subject": subject])
    }
    func userMove(_ id: String, to folder: FolderKind) -> String? {
        fixture.fake.userMove(mailbox: SyncFixture.alice, itemId: id, to: folder.rawValue)
    }
    func expireCursors() { fixture.fake.invalidateSyncStates(mailbox: SyncFixture.alice) }
}

enum Backend: String, CaseIterable, CustomTestStringConvertible {
    case memory, ews
    var testDescription: String { rawValue }

    func mailbox() throws -> any MailboxHarness {
        switch self {
        case .memory: return MemoryMailboxHarness()
        case .ews: return try EWSMailboxHarness()
        }
    }
}

/// The contract of `MailboxService`: the in-memory double and the EWS adapter answer alike.
@Suite("MailboxService contract: the in-memory mailbox and EWS over HTTP answer alike")
struct MailboxServiceContractTests {
    static let task = SyncFields(
        subject: "Call back",
        information: "Prefers mornings",
        priority: .high,
        status: "in_process",
        percentComplete: 50,
        due: "2026-12-03"
    )
    static let meeting = SyncFields(
        subject: "Visit",
        status: "planned",
        start: "2026-12-04T09:00:00Z",
        end: "2026-12-04T10:00:00Z",
        location: "Fabrikam",
        showAs: .tentative,
        reminderMinutes: 15,
        attendees: ["pat@fabrikam.test"]
    )

    static func create(
        _ service: any MailboxService,
        _ id: String,
        _ fields: SyncFields,
        _ kind: ItemKind
    ) async throws
        -> (id: String, version: String?)
    {
        let new = NewItem(activityId: id, kind: kind, fields: fields, crmLine: "Fabrikam", invitations: false)
        let outcome = try await service.create([new], in: FolderKind(kind)).first
        guard case .done(let item, let version) = outcome else {
            throw ContractFailure("create answered \(String(describing: outcome))")
        }
        return (item, version)
    }

    static func headers(_ pages: [ChangePage]) -> [RemoteChange] { pages.flatMap(\.changes) }

    /// The cursor after everything the folder holds now.
    static func cursor(_ service: any MailboxService, _ folder: FolderKind) async throws -> String {
        try #require(try await service.changes(in: folder, from: nil).last?.cursor)
    }

    @Test(
        "a created item is listed from nothing with its identity and version, and reads back as written",
        arguments: Backend.allCases
    )
    func createListRead(backend: Backend) async throws {
        let box = try backend.mailbox()
        let task = try await Self.create(box.service, "A1", Self.task, .task)
        let meeting = try await Self.create(box.service, "A2", Self.meeting, .calendarItem)
        let listed = Self.headers(try await box.service.changes(in: .tasks, from: nil))
        let readTask = try #require(try await box.service.read([task.id], in: .tasks).first)
        // (The header says when the item was made, as the read does: a move keeps it, so links remember it.)
        #expect(!readTask.created.isEmpty)
        #expect(
            listed == [
                .changed(RemoteHeader(id: task.id, version: task.version, activityId: "A1", created: readTask.created))
            ]
        )
        #expect(readTask.fields == Self.task && readTask.activityId == "A1" && readTask.hasCategory)
        #expect(readTask.version == task.version && readTask.kind == .task && readTask.unkept.isEmpty)
        let readMeeting = try #require(try await box.service.read([meeting.id], in: .calendar).first)
        var expected = Self.meeting
        expected.status = readMeeting.fields.status
        #expect(readMeeting.fields == expected && readMeeting.unkept == [.status])
    }

    @Test(
        "updates are conditional on the version; each write gives a new version, listed as a change",
        arguments: Backend.allCases
    )
    func conditionalUpdates(backend: Backend) async throws {
        let box = try backend.mailbox()
        let created = try await Self.create(box.service, "A1", Self.task, .task)
        let cursor = try await Self.cursor(box.service, .tasks)
        var fields = Self.task
        fields.subject = "Changed"
        let update = ItemUpdate(
            id: created.id,
            version: created.version,
            activityId: "A1",
            kind: .task,
            fields: fields,
            changed: [.subject],
            crmLine: nil,
            meetingMail: false
        )
        let first = try await box.service.update([update])
        guard case .done(let id, let version) = first.first else { throw ContractFailure("update answered \(first)") }
        #expect(id == created.id && version != created.version)
        #expect(try await box.service.update([update]) == [.stale])
        let listed = Self.headers(try await box.service.changes(in: .tasks, from: cursor))
        let read = try #require(try await box.service.read([id], in: .tasks).first)
        #expect(listed == [.changed(RemoteHeader(id: id, version: version, activityId: "A1", created: read.created))])
        #expect(read.fields.subject == "Changed")
    }

    @Test("a removed item is listed as removed, not read, and writes to it find nothing", arguments: Backend.allCases)
    func removal(backend: Backend) async throws {
        let box = try backend.mailbox()
        let created = try await Self.create(box.service, "A1", Self.task, .task)
        let cursor = try await Self.cursor(box.service, .tasks)
        #expect(try await box.service.remove([ItemRemoval(id: created.id, cancellations: false)]).first?.isDone == true)
        #expect(Self.headers(try await box.service.changes(in: .tasks, from: cursor)) == [.removed(created.id)])
        #expect(try await box.service.read([created.id], in: .tasks).isEmpty)
        #expect(try await box.service.remove([ItemRemoval(id: created.id, cancellations: false)]) == [.notFound])
    }

    @Test(
        "find and listOwn see this instance's identity only; a stamp gives a user's item ours",
        arguments: Backend.allCases
    )
    func identity(backend: Backend) async throws {
        let box = try backend.mailbox()
        let created = try await Self.create(box.service, "A1", Self.task, .task)
        let users = box.userCreateTask(subject: "Mine")
        #expect(try await box.service.find(activityIds: ["A1", "A9"], in: .tasks).map(\.id) == [created.id])
        #expect(try await box.service.listOwn(in: .tasks).map(\.id) == [created.id])
        let read = try #require(try await box.service.read([users], in: .tasks).first)
        #expect(read.activityId == nil && !read.hasCategory)
        let stamped = try await box.service.stamp([
            IdentityStamp(id: users, version: read.version, kind: .task, activityId: "A2")
        ])
        guard case .done(_, let version) = stamped.first else { throw ContractFailure("stamp answered \(stamped)") }
        #expect(version != read.version)
        #expect(try await box.service.find(activityIds: ["A2"], in: .tasks).map(\.id) == [users])
    }

    @Test(
        "a move gives the item a new id with its identity kept: removed here, changed there",
        arguments: Backend.allCases
    )
    func move(backend: Backend) async throws {
        let box = try backend.mailbox()
        let created = try await Self.create(box.service, "A1", Self.task, .task)
        let tasks = try await Self.cursor(box.service, .tasks)
        let calendar = try await Self.cursor(box.service, .calendar)
        let moved = try #require(box.userMove(created.id, to: .calendar))
        #expect(moved != created.id)
        #expect(Self.headers(try await box.service.changes(in: .tasks, from: tasks)) == [.removed(created.id)])
        let there = Self.headers(try await box.service.changes(in: .calendar, from: calendar))
        guard case .changed(let header) = there.first, there.count == 1 else { throw ContractFailure("\(there)") }
        #expect(header.id == moved && header.activityId == "A1")
        #expect(try await box.service.read([moved], in: .calendar).first?.kind == .task)
    }

    @Test("an expired cursor is CursorExpired; from nothing, everything is listed again", arguments: Backend.allCases)
    func expiredCursor(backend: Backend) async throws {
        let box = try backend.mailbox()
        let created = try await Self.create(box.service, "A1", Self.task, .task)
        let cursor = try await Self.cursor(box.service, .tasks)
        box.expireCursors()
        await #expect(throws: CursorExpired.self) { try await box.service.changes(in: .tasks, from: cursor) }
        let again = Self.headers(try await box.service.changes(in: .tasks, from: nil))
        #expect(again.map { if case .changed(let h) = $0 { h.id } else { "" } } == [created.id])
    }
}

struct ContractFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
