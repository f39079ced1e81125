import ActivityModel
import Foundation
import GRDB
import Store
import SyncEngine
import Testing

/// Issue 11: a linked activity whose stored record cannot be read is never taken for a deleted one (its
/// item stays), the pass names it, the mailbox's other pairs sync, and once the record is back the Outlook
/// edit made meanwhile arrives.
@Suite("a damaged activity record: its pair waits, the mailbox goes on")
struct SyncDamagedRecordTests {
    static func storedRecord(_ path: String, _ id: String) throws -> String? {
        try DatabaseQueue(path: path).read {
            try String.fetchOne($0, sql: "SELECT doc FROM activities WHERE id = ?", arguments: [id])
        }
    }

    /// Overwrites an activity's stored record, as a failing disk or a hand edit would.
    static func setStoredRecord(_ path: String, _ id: String, _ doc: String?) throws {
        try DatabaseQueue(path: path).write {
            try $0.execute(sql: "UPDATE activities SET doc = ? WHERE id = ?", arguments: [doc, id])
        }
    }

    @Test("the item stays, the failure names the activity, other pairs sync, and the edit arrives once repaired")
    func damagedLinkedActivity() async throws {
        let path = NSTemporaryDirectory() + "sync-\(UUID().uuidString)/s.sqlite"
        let f = try SyncFixture(storePath: path)
        try f.seed()
        let item = try await f.syncedTask("A1")
        let doc = try Self.storedRecord(path, "A1")
        try Self.setStoredRecord(path, "A1", "{")
        f.fake.userUpdate(mailbox: SyncFixture.alice, itemId: item.id, fields: ["Subject": "Edited in Outlook"])
        try f.addTask("A2", subject: "Another task")

        let report = try await f.pass()
        #expect(report.failures.count == 1 && report.failures[0].contains("activity A1"), "\(report.failures)")
        #expect(report.failures.first?.contains("unreadable") == true)
        #expect(
            f.tasks.compactMap { $0.fields["Subject"] }.sorted() == ["Another task", "Edited in Outlook"],
            "A1's item stays; A2 synced"
        )
        #expect(try f.store.unreadableActivities() == ["A1"])

        try Self.setStoredRecord(path, "A1", doc)
        let repaired = try await f.pass()
        #expect(repaired.failures.isEmpty, "\(repaired.failures)")
        #expect(try f.store.activity("A1")?.subject == "Edited in Outlook")
        #expect(f.tasks.count == 2)
    }
}
