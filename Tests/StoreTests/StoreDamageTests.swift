import ActivityModel
import Foundation
import GRDB
import Store
import Testing

/// Issue 11: one damaged stored record is named and left out; the rest of the store works, export (the
/// recovery path) included.
@Suite("a damaged activity record is reported and skipped, never a crash")
struct StoreDamageTests {
    /// Overwrites an activity's stored record, as a failing disk or a hand edit would.
    static func damage(_ path: String, _ id: String, doc: String = "{\"id\": \"A1\", \"type\": ") throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: "UPDATE activities SET doc = ? WHERE id = ?", arguments: [doc, id]) }
    }

    @Test("lists, changes and export skip it; unreadableActivities names it; reading it alone says why")
    func damagedRecord() throws {
        let fixture = try StoreFixture()
        let a1 = try fixture.store.addActivity(StoreFixture.task("A1"))
        _ = try fixture.store.addActivity(StoreFixture.task("A2"))
        _ = try fixture.store.addActivity(StoreFixture.appointment("A3"))
        for doc in ["{\"id\": \"A1\", \"type\": ", "not json", "{\"id\": \"A9\", \"type\": \"task\"}", ""] {
            try Self.damage(fixture.folder + "/activity-sync.sqlite", "A1", doc: doc)
            #expect(try fixture.store.activities().map(\.id) == ["A2", "A3"], "\(doc)")
            #expect(try fixture.store.activities(ofMailboxEmployee: "E1").map(\.id) == ["A2", "A3"])
            #expect(try fixture.store.changes(since: 0).map(\.activity.id) == ["A2", "A3"])
            #expect(try fixture.store.exportDocument().activities.map(\.id) == ["A2", "A3"])
            #expect(try fixture.store.unreadableActivities() == ["A1"])
            #expect {
                _ = try fixture.store.activity("A1")
            } throws: {
                ($0 as? StoreError)?.code == .corrupt && "\($0)".contains("activity A1")
                    && "\($0)".contains("backup")
            }
        }
        // Put back (as from a backup), it is whole again.
        let doc = String(decoding: try JSONEncoder().encode(a1), as: UTF8.self)
        try Self.damage(fixture.folder + "/activity-sync.sqlite", "A1", doc: doc)
        #expect(try fixture.store.unreadableActivities() == [])
        #expect(try fixture.store.activity("A1")?.subject == a1.subject)
    }
}

/// Issue 16: the store's own failures to open, in words — never SQLite's bare code.
@Suite("a store that cannot be opened says why and what to do")
struct StoreOpenTests {
    @Test("a file that is no SQLite database is named as such; a missing store is not created when not asked to")
    func notAStore() throws {
        let folder = NSTemporaryDirectory() + "activity-sync-open-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/crm.sqlite"
        #expect {
            _ = try Store(path: path, create: false)
        } throws: { ($0 as? StoreError)?.code == .notFound && "\($0)".contains("daemon creates it on its first start") }
        #expect(!FileManager.default.fileExists(atPath: path))
        try String(repeating: "not a database\n", count: 100).write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            _ = try Store(path: path)
        } throws: {
            "\($0)".contains("is no activity-sync store (not an SQLite database): check store.path")
                && !"\($0)".contains("SQLite error")
        }
    }

    @Test(
        "for another user, the store folder's owner and mode are named (config check run by root, for the service user)",
        .enabled(if: geteuid() == 0)
    )
    func forAnotherUser() throws {
        let folder = NSTemporaryDirectory() + "activity-sync-open-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        chmod(folder, 0o755)
        let path = folder + "/state/crm.sqlite"
        let problem = try #require(Store.accessProblem(path: path, user: "nobody"))
        #expect(problem.contains("user nobody may not create one in \(folder) (root:root, mode 0755)"), "\(problem)")
        #expect(Store.accessProblem(path: path) == nil)  // root may
        chown(folder, 65534, 65534)
        #expect(Store.accessProblem(path: path, user: "nobody") == nil)
    }

    @Test("a store a newer build migrated is refused with the way back, and left as it was")
    func newerStoreRefused() throws {
        let fixture = try StoreFixture()
        _ = try fixture.store.addActivity(StoreFixture.task("A1"))
        let path = fixture.folder + "/activity-sync.sqlite"
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-future')") }
        #expect {
            _ = try Store(path: path)
        } throws: {
            ($0 as? StoreError)?.code == .database && "\($0)".contains("migrated by a newer activity-sync (v99-future)")
                && "\($0)".contains("restore the backup")
        }
        #expect(try queue.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }.count > 1)
        try queue.write { try $0.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v99-future'") }
        #expect(try Store(path: path).activity("A1") != nil)
    }
}
