import ActivityModel
import EWS
import EWSMailbox
import EWSTestServer
import Foundation
import Graph
import GraphMailbox
import SyncEngine
import SyncPlanning
import SyncTestKit
import Testing

/// One mailbox behind the engine's protocol, with the user's and the server's hands on it.
protocol MailboxHarness {
    var service: any MailboxService { get }
    /// An item a user made in Outlook (no identity).
    func userCreate(subject: String, in folder: FolderKind) -> String
    func userMove(_ id: String, to folder: FolderKind) -> String?
    func expireCursors()
    /// Change listings name each item's identity (EWS; Graph's delta carries no extended properties).
    var listsIdentity: Bool { get }
}

extension MailboxHarness {
    var listsIdentity: Bool { true }
}

/// The in-memory double.
struct MemoryMailboxHarness: MailboxHarness {
    let mailbox = InMemoryMailbox(address: SyncFixture.alice, instance: "test")
    var service: any MailboxService { mailbox }
    /// (Playing Graph, its listings name no identity either.)
    var listsIdentity: Bool { mailbox.window == nil }
    func userCreate(subject: String, in folder: FolderKind) -> String {
        folder == .tasks
            ? mailbox.userCreate(
                kind: .task,
                fields: SyncFields(subject: subject, status: "not_started", percentComplete: 0)
            )
            : mailbox.userCreate(kind: .calendarItem, fields: MailboxServiceContractTests.userMeeting(subject))
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

    func userCreate(subject: String, in folder: FolderKind) -> String {
        folder == .tasks
            ? fixture.fake.userCreate(
                mailbox: SyncFixture.alice,
                folder: "tasks",
                kind: "Task",
                fields: ["Subject": subject]
            )
            : fixture.fake.userCreate(
                mailbox: SyncFixture.alice,
                folder: "calendar",
                kind: "CalendarItem",
                fields: ["Subject": subject, "Start": "2026-12-05T09:00:00Z", "End": "2026-12-05T10:00:00Z"]
            )
    }
    func userMove(_ id: String, to folder: FolderKind) -> String? {
        fixture.fake.userMove(mailbox: SyncFixture.alice, itemId: id, to: folder.rawValue)
    }
    func expireCursors() { fixture.fake.invalidateSyncStates(mailbox: SyncFixture.alice) }
}

/// The Graph adapter against the fake Graph over HTTP (every body checked against Graph's metadata); the
/// calendar only (tasks come with Microsoft To Do). Attendees on events, so values round-trip whole.
final class GraphMailboxHarness: MailboxHarness {
    let fake: FakeGraph
    let service: any MailboxService
    var listsIdentity: Bool { false }

    init() throws {
        fake = try FakeGraph()
        try fake.start()
        fake.addClient(id: "contract-app", secret: "contract-secret")
        fake.addMailbox(SyncFixture.alice)
        let client = GraphClient(
            configuration: GraphConfiguration(
                baseURL: fake.baseURL,
                tokenURL: fake.tokenURL,
                clientId: "contract-app",
                credential: .secret("contract-secret")
            )
        )
        service = GraphMailboxService(
            client: client,
            mailbox: SyncFixture.alice,
            mapping: ItemMapping(instance: "test", category: "CRM", zone: TimeZone(identifier: "Europe/Amsterdam")!),
            window: (30, 365),
            attendeesOnEvents: true,
            clock: { Date(timeIntervalSince1970: 1_796_000_000) }  // 2026-11-30
        )
    }

    deinit {
        fake.stop()
    }

    func userCreate(subject: String, in folder: FolderKind) -> String {
        if folder == .tasks {
            // (The engine's id of a To Do task: its list's and its own.)
            let id = fake.userCreateTodoTask(mailbox: SyncFixture.alice, title: subject)
            return fake.todoRef(mailbox: SyncFixture.alice, id: id) ?? id
        }
        return fake.userCreateEvent(
            mailbox: SyncFixture.alice,
            subject: subject,
            start: Date(timeIntervalSince1970: 1_796_461_200),  // 2026-12-05T09:00Z
            end: Date(timeIntervalSince1970: 1_796_464_800)
        )
    }
    func userMove(_ id: String, to folder: FolderKind) -> String? { nil }
    func expireCursors() { fake.expireDeltaTokens(mailbox: SyncFixture.alice) }
}

enum Backend: String, CaseIterable, CustomTestStringConvertible {
    /// `memoryGraph`: the double playing Graph (windowed listings, To Do tasks), as the simulator runs it.
    case memory
    case memoryGraph = "memory-graph"
    case ews, graph
    var testDescription: String { rawValue }

    func mailbox() throws -> any MailboxHarness {
        switch self {
        case .memory: return MemoryMailboxHarness()
        case .memoryGraph:
            let harness = MemoryMailboxHarness()
            harness.mailbox.window = (30, 365)
            harness.mailbox.todo = true
            return harness
        case .ews: return try EWSMailboxHarness()
        case .graph: return try GraphMailboxHarness()
        }
    }

    /// The folders the backend serves (Graph: the calendar and Microsoft To Do).
    var folders: [FolderKind] { FolderKind.allCases }

    /// What the backend's items of a folder do not keep (Exchange: a calendar item's status; To Do: a task's
    /// sensitivity, and its percentage unless completed).
    func unkept(_ folder: FolderKind) -> Set<SyncFields.Field> {
        switch (self, folder) {
        case (_, .calendar): return [.status]
        case (.graph, .tasks), (.memoryGraph, .tasks): return [.sensitivity, .percentComplete]
        default: return []
        }
    }
}

/// A backend and one of its folders.
struct ContractCase: CustomTestStringConvertible, Sendable {
    var backend: Backend
    var folder: FolderKind
    var testDescription: String { "\(backend.rawValue) \(folder.rawValue)" }

    static let all: [ContractCase] = Backend.allCases.flatMap { backend in
        backend.folders.map { ContractCase(backend: backend, folder: $0) }
    }
}

/// The contract of `MailboxService`: the in-memory double, the EWS adapter and the Graph adapter answer alike.
@Suite("MailboxService contract: the in-memory mailbox, EWS and Graph over HTTP answer alike")
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

    /// A meeting a user made (the double's values; the fakes' are their own).
    static func userMeeting(_ subject: String) -> SyncFields {
        SyncFields(subject: subject, status: "planned", start: "2026-12-05T09:00:00Z", end: "2026-12-05T10:00:00Z")
    }

    static func fields(_ folder: FolderKind) -> SyncFields { folder == .tasks ? task : meeting }

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

    static func create(
        _ service: any MailboxService,
        _ id: String,
        in folder: FolderKind
    ) async throws
        -> (id: String, version: String?)
    {
        try await create(service, id, fields(folder), folder.itemKind)
    }

    static func headers(_ pages: [ChangePage]) -> [RemoteChange] { pages.flatMap(\.changes) }

    /// The cursor after everything the folder holds now.
    static func cursor(_ service: any MailboxService, _ folder: FolderKind) async throws -> String {
        try #require(try await service.changes(in: folder, from: nil).last?.cursor)
    }

    /// A header as the backend lists it (Graph's delta names no identity: the read does).
    static func header(
        _ box: any MailboxHarness,
        id: String,
        version: String?,
        activityId: String,
        created: String
    )
        -> RemoteChange
    {
        .changed(
            RemoteHeader(id: id, version: version, activityId: box.listsIdentity ? activityId : nil, created: created)
        )
    }

    @Test(
        "a created item is listed from nothing with its version (and identity), and reads back as written",
        arguments: ContractCase.all
    )
    func createListRead(_ test: ContractCase) async throws {
        let box = try test.backend.mailbox()
        let folder = test.folder
        let created = try await Self.create(box.service, "A1", in: folder)
        let listed = Self.headers(try await box.service.changes(in: folder, from: nil))
        let read = try #require(try await box.service.read([created.id], in: folder).first)
        // (The header says when the item was made, as the read does: a move keeps it, so links remember it.)
        #expect(!read.created.isEmpty)
        #expect(
            listed == [
                Self.header(box, id: created.id, version: created.version, activityId: "A1", created: read.created)
            ]
        )
        let expected = Self.fields(folder)
        var held = read.fields
        for field in read.unkept { held.take(field, from: expected) }
        #expect(held == expected && read.activityId == "A1" && read.hasCategory)
        #expect(read.version == created.version && read.kind == folder.itemKind)
        #expect(read.unkept == test.backend.unkept(folder))
    }

    @Test(
        "updates are conditional on the version; each write gives a new version, listed as a change",
        arguments: ContractCase.all
    )
    func conditionalUpdates(_ test: ContractCase) async throws {
        let box = try test.backend.mailbox()
        let folder = test.folder
        let created = try await Self.create(box.service, "A1", in: folder)
        let cursor = try await Self.cursor(box.service, folder)
        var fields = Self.fields(folder)
        fields.subject = "Changed"
        let update = ItemUpdate(
            id: created.id,
            version: created.version,
            activityId: "A1",
            kind: folder.itemKind,
            fields: fields,
            changed: [.subject],
            crmLine: nil,
            meetingMail: false
        )
        let first = try await box.service.update([update])
        guard case .done(let id, let version) = first.first else { throw ContractFailure("update answered \(first)") }
        #expect(id == created.id && version != created.version)
        #expect(try await box.service.update([update]) == [.stale])
        let listed = Self.headers(try await box.service.changes(in: folder, from: cursor))
        let read = try #require(try await box.service.read([id], in: folder).first)
        #expect(listed == [Self.header(box, id: id, version: version, activityId: "A1", created: read.created)])
        #expect(read.fields.subject == "Changed")
    }

    @Test("a removed item is listed as removed, not read, and writes to it find nothing", arguments: ContractCase.all)
    func removal(_ test: ContractCase) async throws {
        let box = try test.backend.mailbox()
        let folder = test.folder
        let created = try await Self.create(box.service, "A1", in: folder)
        let cursor = try await Self.cursor(box.service, folder)
        #expect(try await box.service.remove([ItemRemoval(id: created.id, cancellations: false)]).first?.isDone == true)
        #expect(Self.headers(try await box.service.changes(in: folder, from: cursor)) == [.removed(created.id)])
        #expect(try await box.service.read([created.id], in: folder).isEmpty)
        #expect(try await box.service.remove([ItemRemoval(id: created.id, cancellations: false)]) == [.notFound])
    }

    @Test(
        "find and listOwn see this instance's identity only; a stamp gives a user's item ours",
        arguments: ContractCase.all
    )
    func identity(_ test: ContractCase) async throws {
        let box = try test.backend.mailbox()
        let folder = test.folder
        let created = try await Self.create(box.service, "A1", in: folder)
        let users = box.userCreate(subject: "Mine", in: folder)
        #expect(try await box.service.find(activityIds: ["A1", "A9"], in: folder).map(\.id) == [created.id])
        #expect(try await box.service.listOwn(in: folder).map(\.id) == [created.id])
        let read = try #require(try await box.service.read([users], in: folder).first)
        #expect(read.activityId == nil && !read.hasCategory)
        let stamped = try await box.service.stamp([
            IdentityStamp(id: users, version: read.version, kind: folder.itemKind, activityId: "A2")
        ])
        guard case .done(_, let version) = stamped.first else { throw ContractFailure("stamp answered \(stamped)") }
        #expect(version != read.version)
        #expect(try await box.service.find(activityIds: ["A2"], in: folder).map(\.id) == [users])
    }

    @Test(
        "a move gives the item a new id with its identity kept: removed here, changed there",
        arguments: [Backend.memory, .ews]
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

    @Test("an expired cursor is CursorExpired; from nothing, everything is listed again", arguments: ContractCase.all)
    func expiredCursor(_ test: ContractCase) async throws {
        let box = try test.backend.mailbox()
        let folder = test.folder
        let created = try await Self.create(box.service, "A1", in: folder)
        let cursor = try await Self.cursor(box.service, folder)
        box.expireCursors()
        await #expect(throws: CursorExpired.self) { try await box.service.changes(in: folder, from: cursor) }
        let again = Self.headers(try await box.service.changes(in: folder, from: nil))
        #expect(again.map { if case .changed(let h) = $0 { h.id } else { "" } } == [created.id])
    }

    @Test(
        "a delete with the version it was decided on is stale after an edit (Graph, the double playing it); EWS deletes",
        arguments: [Backend.memory, .ews, .graph]
    )
    func conditionalDelete(backend: Backend) async throws {
        let box = try backend.mailbox()
        if let memory = box as? MemoryMailboxHarness { memory.mailbox.window = (30, 365) }
        let created = try await Self.create(box.service, "A1", in: .calendar)
        var fields = Self.meeting
        fields.location = "Elsewhere"
        let edit = ItemUpdate(
            id: created.id,
            version: created.version,
            activityId: "A1",
            kind: .calendarItem,
            fields: fields,
            changed: [.location],
            crmLine: nil,
            meetingMail: false
        )
        #expect(try await box.service.update([edit]).first?.isDone == true)
        let outcome = try await box.service.remove([
            ItemRemoval(id: created.id, cancellations: false, version: created.version)
        ])
        #expect(outcome == (box.service.listsWholeFolders ? [.done(id: created.id, version: nil)] : [.stale]))
        #expect(box.service.listsWholeFolders == (backend == .ews))
    }
}

struct ContractFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
