import ActivityModel
import Foundation
import Store
import SyncEngine
import SyncPlanning
import Testing

@Suite("sync bookkeeping in the SQLite store")
struct StoreSyncTests {
    typealias F = StoreFixture
    static let alice = "alice@contoso.test"

    static func link(changeKey: String?) -> SyncLink {
        SyncLink(
            activityId: "T1",
            mailbox: alice,
            folder: .tasks,
            itemId: "AAMk1",
            changeKey: changeKey,
            base: SyncFields(subject: "Call back", status: "not_started"),
            syncedSeq: 1
        )
    }

    @Test("a sync transaction lands whole: link, sync state, journal, audit and the activity together")
    func wholeTransaction() throws {
        let fixture = try F()
        let store = fixture.store
        _ = try store.addActivity(F.task("T1"))
        try store.inSyncTransaction { tx in
            let entry = try tx.journal(
                pass: "p1",
                mailbox: Self.alice,
                activityId: "T1",
                itemId: nil,
                action: "create",
                payload: nil
            )
            try tx.markJournal(entry, .done, itemId: "AAMk1")
            try tx.saveLink(
                Self.link(changeKey: "CK1")
            )
            try tx.saveCursor(mailbox: Self.alice, folder: .tasks, cursor: "state-1")
            try tx.audit(
                AuditEntry(pass: "p1", mailbox: Self.alice, activityId: "T1", itemId: "AAMk1", action: "create-remote")
            )
            var task = try #require(try tx.activity("T1"))
            task.status = "in_process"
            try tx.writeActivity(task)
        }
        #expect(try store.link(activityId: "T1")?.itemId == "AAMk1")
        #expect(try store.syncState(mailbox: Self.alice, folder: "tasks") == "state-1")
        #expect(try store.openJournal(mailbox: Self.alice).isEmpty)
        #expect(try store.auditEntries(activityId: "T1").map(\.action) == ["create-remote"])
        let change = try #require(try store.changes(since: 1).first)
        #expect(change.origin == .sync)  // echo suppression: the engine's own write is tagged
        #expect(change.activity.status == "in_process")
    }

    @Test("a failure inside the transaction leaves nothing behind, not even the new sync state")
    func rollback() throws {
        let fixture = try F()
        let store = fixture.store
        _ = try store.addActivity(F.task("T1"))
        struct Crash: Error {}
        #expect(throws: Crash.self) {
            try store.inSyncTransaction { tx in
                try tx.saveCursor(mailbox: Self.alice, folder: .tasks, cursor: "state-2")
                try tx.saveLink(
                    Self.link(changeKey: nil)
                )
                throw Crash()
            }
        }
        #expect(try store.syncState(mailbox: Self.alice, folder: "tasks") == nil)
        #expect(try store.link(activityId: "T1") == nil)
    }

    @Test("journal entries stay open until done; ambiguous ones are listed for reconciliation")
    func journal() throws {
        let fixture = try F()
        let store = fixture.store
        let ids = try store.inSyncTransaction { tx in
            try (1...3).map {
                try tx.journal(
                    pass: "p",
                    mailbox: Self.alice,
                    activityId: "A\($0)",
                    itemId: nil,
                    action: "create",
                    payload: "{}"
                )
            }
        }
        try store.inSyncTransaction { tx in
            try tx.markJournal(ids[0], .done, itemId: "I1")
            try tx.markJournal(ids[1], .ambiguous, itemId: nil)
        }
        let open = try store.openJournal(mailbox: Self.alice)
        #expect(open.map(\.activityId) == ["A2", "A3"])
        #expect(open.map(\.state) == [.ambiguous, .intended])
    }

    @Test("conflicts keep both values; links are found per mailbox; a deleted activity's link goes with it when pruned")
    func conflictsAndLinks() throws {
        let fixture = try F()
        let store = fixture.store
        _ = try store.addActivity(F.task("T1"))
        try store.inSyncTransaction { tx in
            try tx.recordConflict(
                SyncConflict(
                    activityId: "T1",
                    field: .subject,
                    crmValue: "A",
                    exchangeValue: "B",
                    baseValue: "C",
                    winner: .crm,
                    policy: .crmWins
                ),
                mailbox: Self.alice
            )
            try tx.saveLink(
                Self.link(changeKey: nil)
            )
        }
        let conflict = try #require(try store.conflicts().first)
        #expect(conflict.crmValue == "A" && conflict.exchangeValue == "B" && conflict.baseValue == "C")
        // Mailboxes match case-insensitively.
        #expect(try store.links(mailbox: "ALICE@contoso.test").map(\.activityId) == ["T1"])
    }
}
