import ActivityModel
import Foundation
import Store
import SyncEngine
import SyncPlanning
import SyncTestKit
import Testing

/// One CRM store behind the engine's protocol, with a CRM user's hands on it.
protocol StoreHarness {
    var store: any SyncStore { get }
    func seed(_ employee: Employee, _ partner: BusinessPartner) throws
    @discardableResult func add(_ activity: Activity) throws -> Activity
}

struct MemoryStoreHarness: StoreHarness {
    let memory = InMemoryStore()
    var store: any SyncStore { memory }
    func seed(_ employee: Employee, _ partner: BusinessPartner) throws {
        memory.edit {
            $0.employees[employee.id] = employee
            $0.partners[partner.id] = partner
        }
    }
    func add(_ activity: Activity) throws -> Activity { try memory.saveActivity(activity) }
}

struct SQLiteStoreHarness: StoreHarness {
    let sqlite: Store
    var store: any SyncStore { sqlite }
    init() throws { sqlite = try Store(path: NSTemporaryDirectory() + "contract-\(UUID().uuidString)/s.sqlite") }
    func seed(_ employee: Employee, _ partner: BusinessPartner) throws {
        try sqlite.save(employee)
        try sqlite.save(partner)
    }
    func add(_ activity: Activity) throws -> Activity { try sqlite.addActivity(activity) }
}

enum StoreBackend: String, CaseIterable, CustomTestStringConvertible {
    case memory, sqlite
    var testDescription: String { rawValue }

    func make() throws -> any StoreHarness {
        let harness: any StoreHarness = self == .memory ? MemoryStoreHarness() : try SQLiteStoreHarness()
        try harness.seed(
            Employee(id: "E1", name: "Alice", mailbox: SyncFixture.alice, sync: true),
            BusinessPartner(id: "BP1", name: "Fabrikam")
        )
        return harness
    }
}

/// The contract of `SyncStore`: the in-memory double and SQLite answer alike.
@Suite("SyncStore contract: the in-memory store and SQLite answer alike")
struct SyncStoreContractTests {
    static let base = SyncFields(subject: "Call back", status: "not_started", percentComplete: 0, due: "2026-12-03")

    static func task(_ id: String) -> Activity {
        var task = Activity(id: id, type: .task, subject: "Call back", owner: "E1")
        task.partner = "BP1"
        task.due = "2026-12-03T16:00:00Z"
        return task
    }

    static func link(_ activity: String, mailbox: String = SyncFixture.alice, item: String? = nil) -> SyncLink {
        SyncLink(
            activityId: activity,
            mailbox: mailbox,
            folder: .tasks,
            itemId: item ?? "item-\(activity)",
            changeKey: "v1",
            base: base,
            syncedSeq: 1
        )
    }

    @Test(
        "links keep their base; mailboxes match case-insensitively; a throwing transaction leaves nothing",
        arguments: StoreBackend.allCases
    )
    func links(backend: StoreBackend) throws {
        let h = try backend.make()
        try h.add(Self.task("A1"))
        try h.store.transaction { tx in
            try tx.saveLink(Self.link("A1"))
            try tx.saveCursor(mailbox: SyncFixture.alice, folder: .tasks, cursor: "c1")
        }
        #expect(try h.store.link(activityId: "A1") == Self.link("A1"))
        // The linked item's creation time is kept (nil until seen).
        var seen = Self.link("A1")
        seen.created = "2026-11-30T08:00:00Z"
        try h.store.transaction { tx in try tx.saveLink(seen) }
        #expect(try h.store.link(activityId: "A1") == seen)
        try h.store.transaction { tx in try tx.saveLink(Self.link("A1")) }
        #expect(try h.store.links(mailbox: "ALICE@contoso.test").map(\.activityId) == ["A1"])
        #expect(try h.store.cursor(mailbox: SyncFixture.alice, folder: .tasks) == "c1")
        #expect(try h.store.cursor(mailbox: SyncFixture.alice, folder: .calendar) == nil)
        struct Crash: Error {}
        #expect(throws: Crash.self) {
            try h.store.transaction { tx in
                try tx.removeLink(activityId: "A1")
                try tx.saveCursor(mailbox: SyncFixture.alice, folder: .tasks, cursor: "c2")
                #expect(try tx.link(activityId: "A1") == nil, "the transaction sees its own writes")
                throw Crash()
            }
        }
        #expect(try h.store.link(activityId: "A1") != nil)
        #expect(try h.store.cursor(mailbox: SyncFixture.alice, folder: .tasks) == "c1")
    }

    @Test(
        "one item, one link: a second activity linking an item already linked is refused",
        arguments: StoreBackend.allCases
    )
    func oneLinkPerItem(backend: StoreBackend) throws {
        let h = try backend.make()
        try h.add(Self.task("A1"))
        try h.add(Self.task("A2"))
        try h.store.transaction { tx in try tx.saveLink(Self.link("A1")) }
        var taken = Self.link("A2")
        taken.itemId = "item-A1"
        taken.mailbox = "ALICE@contoso.test"
        #expect(throws: (any Error).self) { try h.store.transaction { tx in try tx.saveLink(taken) } }
        #expect(try h.store.link(activityId: "A2") == nil)
        // Once the first link is gone, the item can be linked again.
        try h.store.transaction { tx in
            try tx.removeLink(activityId: "A1")
            try tx.saveLink(taken)
        }
        #expect(try h.store.link(activityId: "A2")?.itemId == "item-A1")
    }

    @Test(
        "journal entries stay open until done; ambiguous ones stay listed; mailboxes match case-insensitively",
        arguments: StoreBackend.allCases
    )
    func journal(backend: StoreBackend) throws {
        let h = try backend.make()
        let ids = try h.store.transaction { tx in
            try (1...3).map {
                try tx.journal(
                    pass: "p",
                    mailbox: SyncFixture.alice,
                    activityId: "A\($0)",
                    itemId: nil,
                    action: "create",
                    payload: "tasks"
                )
            }
        }
        try h.store.transaction { tx in
            try tx.markJournal(ids[0], .done, itemId: "I1")
            try tx.markJournal(ids[1], .ambiguous, itemId: nil)
        }
        let open = try h.store.openJournal(mailbox: SyncFixture.alice)
        #expect(open.map(\.activityId) == ["A2", "A3"] && open.map(\.state) == [.ambiguous, .intended])
        #expect(open.map(\.payload) == ["tasks", "tasks"])
        // (An address spelled otherwise in the configuration is the same mailbox, as it is for links.)
        #expect(try h.store.openJournal(mailbox: SyncFixture.alice.uppercased()).map(\.id) == open.map(\.id))
        // A lost create's values, moved by edits carried from its item: the entry stays open, in its state.
        let moved = JournalEntry.payload(folder: .tasks, sent: SyncFields(subject: "Call", status: "in_process"))
        try h.store.transaction { tx in try tx.rejournal(ids[1], payload: moved) }
        let after = try h.store.openJournal(mailbox: SyncFixture.alice)
        #expect(after.map(\.payload) == [moved, "tasks"] && after.map(\.state) == [.ambiguous, .intended])
        #expect(after.first?.sent?.fields.status == "in_process")
    }

    @Test(
        "a link's item is unlisted when new, listed once marked, and unlisted again when the link takes another item",
        arguments: StoreBackend.allCases
    )
    func listedLinks(backend: StoreBackend) throws {
        let harness = try backend.make()
        let store = harness.store
        try harness.add(Self.task("A1"))
        try store.transaction { tx in try tx.saveLink(Self.link("A1", item: "I1")) }
        #expect(try store.link(activityId: "A1")?.listed == false, "a new link's item: no saved cursor knows it")
        try store.transaction { tx in try tx.markListed(mailbox: SyncFixture.alice.uppercased(), itemIds: ["I1", "I9"])
        }
        #expect(try store.link(activityId: "A1")?.listed == true)
        try store.transaction { tx in
            var link = try #require(try tx.link(activityId: "A1"))
            link.base.subject = "Renamed"
            link.listed = false  // (the store's to say, not the caller's)
            try tx.saveLink(link)
        }
        #expect(try store.link(activityId: "A1")?.listed == true, "the same item stays listed")
        try store.transaction { tx in try tx.saveLink(Self.link("A1", item: "I2")) }
        #expect(try store.link(activityId: "A1")?.listed == false, "another item: unlisted again")
    }

    @Test(
        "a linked item's creation time is noted once, only for the item the link is to",
        arguments: StoreBackend.allCases
    )
    func linkCreated(backend: StoreBackend) throws {
        let harness = try backend.make()
        let store = harness.store
        try harness.add(Self.task("A1"))
        try store.transaction { tx in try tx.saveLink(Self.link("A1", item: "I1")) }
        try store.transaction { tx in
            try tx.noteLinkCreated(activityId: "A1", itemId: "I9", created: "2026-12-01T09:00:00Z")  // another item
            try tx.noteLinkCreated(activityId: "A9", itemId: "I1", created: "2026-12-01T09:00:00Z")  // no link
        }
        #expect(try store.link(activityId: "A1")?.created == nil)
        try store.transaction { tx in
            try tx.noteLinkCreated(activityId: "A1", itemId: "I1", created: "2026-12-01T10:00:00Z")
            try tx.noteLinkCreated(activityId: "A1", itemId: "I1", created: "2026-12-02T10:00:00Z")  // kept: first
        }
        let link = try #require(try store.link(activityId: "A1"))
        #expect(link.created == "2026-12-01T10:00:00Z" && link.base == Self.link("A1", item: "I1").base)
        #expect(link.listed == false, "noting the creation time lists nothing")
    }

    @Test("open ownership moves are listed whichever mailbox journalled them", arguments: StoreBackend.allCases)
    func moveOuts(backend: StoreBackend) throws {
        let h = try backend.make()
        let base = SyncFields(subject: "Call", status: "not_started")
        let judged = JudgedItem(modified: "2026-12-01T10:00:00Z")
        let crm = SyncFields(subject: "Call (CRM)", status: "not_started")
        let ids = try h.store.transaction { tx in
            try [SyncFixture.alice, "bob@contoso.test"].map { mailbox in
                try tx.journal(
                    pass: "p",
                    mailbox: mailbox,
                    activityId: "A1",
                    itemId: "I1",
                    action: "move-out",
                    payload: JournalEntry.moveOutPayload(
                        mailbox: "carol@contoso.test",
                        base: base,
                        judged: mailbox == SyncFixture.alice ? judged : nil,
                        crm: crm
                    )
                )
            }
        }
        try h.store.transaction { tx in
            _ = try tx.journal(
                pass: "p",
                mailbox: SyncFixture.alice,
                activityId: "A2",
                itemId: "I2",
                action: "remove",
                payload: "tasks"
            )
            try tx.markJournal(ids[0], .done, itemId: nil)
        }
        let open = try h.store.openJournal(action: "move-out")
        #expect(open.map(\.id) == [ids[1]] && open.map(\.mailbox) == ["bob@contoso.test"])
        let out = try #require(open.first?.moveOut)
        // (Without a judged item, the CRM's values still read back, and no judgement is made up.)
        #expect(out.mailbox == "carol@contoso.test" && out.base == base && out.judged == nil && out.crm == crm)
        let full = JournalEntry(
            id: 1,
            pass: "p",
            mailbox: SyncFixture.alice,
            activityId: "A1",
            action: "move-out",
            itemId: "I1",
            state: .intended,
            payload: JournalEntry.moveOutPayload(mailbox: "carol@contoso.test", base: base, judged: judged, crm: crm)
        )
        #expect(full.moveOut?.judged == judged && full.moveOut?.crm == crm && full.moveOut?.base == base)
    }

    @Test(
        "the engine's writes are validated, numbered, and take no number when nothing changed",
        arguments: StoreBackend.allCases
    )
    func writes(backend: StoreBackend) throws {
        let h = try backend.make()
        let added = try h.add(Self.task("A1"))
        let imported = try h.store.transaction { tx in
            var new = Self.task("")
            new.subject = "From Outlook"
            return try tx.addActivity(new)
        }
        #expect(!imported.id.isEmpty && imported.id != "A1" && (imported.changeSeq ?? 0) > (added.changeSeq ?? 0))
        let same = try h.store.transaction { tx in try tx.writeActivity(try #require(try tx.activity("A1"))) }
        #expect(same.changeSeq == added.changeSeq)
        #expect(throws: RecordRefused.self) {
            try h.store.transaction { tx in
                var broken = try #require(try tx.activity("A1"))
                broken.status = "held"  // not a task's status
                try tx.writeActivity(broken)
            }
        }
        var deleted = Self.task("A3")
        deleted.deleted = true
        try h.add(deleted)
        #expect(
            try h.store.activities(ofMailboxEmployee: "E1").map(\.id).sorted() == [imported.id, "A1", "A3"].sorted()
        )
        #expect(try h.store.referenceNames(of: added) == ["Fabrikam"])
    }

    @Test("conflicts and the audit are kept; imported items are told by the audit", arguments: StoreBackend.allCases)
    func audit(backend: StoreBackend) throws {
        let h = try backend.make()
        try h.store.transaction { tx in
            try tx.audit(AuditEntry(mailbox: SyncFixture.alice, activityId: "A7", itemId: "I7", action: "create-local"))
            try tx.audit(
                AuditEntry(mailbox: SyncFixture.alice, activityId: "A8", itemId: "I8", action: "create-remote")
            )
            try tx.recordConflict(
                SyncConflict(
                    activityId: "A7",
                    field: .subject,
                    crmValue: "a",
                    exchangeValue: "b",
                    baseValue: nil,
                    winner: .crm,
                    policy: .crmWins
                ),
                mailbox: SyncFixture.alice
            )
        }
        #expect(try h.store.importedItems(mailbox: "Alice@Contoso.test") == ["I7"])
    }
}
