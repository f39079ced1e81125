import ActivityModel
import Foundation
import Store
import Testing

@Suite("activities in the SQLite store")
struct StoreActivityTests {
    typealias F = StoreFixture

    @Test("add assigns an id, canonical UTC times and a change sequence; show reads it back")
    func addAndRead() throws {
        let fixture = try F()
        let added = try fixture.store.addActivity(F.task())
        #expect(added.id == "A1")
        #expect(added.due == "2026-12-03T16:00:00Z")
        #expect(added.changeSeq == 1)
        #expect(added.createdAt == "2026-11-30T00:53:20Z")
        #expect(try fixture.store.activity("A1") == added)
        #expect(try fixture.store.addActivity(F.task()).id == "A2")
    }

    @Test("an id is never reused, not even the id of a tombstone")
    func idsNotReused() throws {
        let fixture = try F()
        _ = try fixture.store.addActivity(F.task("X1"))
        try fixture.store.deleteActivity("X1")
        #expect { try fixture.store.addActivity(F.task("X1")) } throws: { ($0 as? StoreError)?.code == .invalid }
    }

    @Test("every write bumps the store-wide sequence; changes(since:) returns exactly what changed after N")
    func changeSequence() throws {
        let fixture = try F()
        let store = fixture.store
        for index in 1...5 { _ = try store.addActivity(F.task("T\(index)")) }
        let mark = try store.changeSequence()
        #expect(mark == 5)
        _ = try store.updateActivity("T2") { $0.subject = "Edited" }
        _ = try store.updateActivity("T4", origin: .sync) { $0.status = "in_process" }
        try store.deleteActivity("T5")
        let changes = try store.changes(since: mark)
        #expect(changes.map(\.activity.id) == ["T2", "T4", "T5"])
        #expect(changes.map(\.seq) == [6, 7, 8])
        #expect(changes.map(\.origin) == [.local, .sync, .local])
        #expect(changes[2].activity.deleted)
        #expect(try store.changes(since: 8).isEmpty)
    }

    @Test("an update that changes nothing writes nothing")
    func noOpUpdate() throws {
        let fixture = try F()
        _ = try fixture.store.addActivity(F.task("T1"))
        _ = try fixture.store.updateActivity("T1") { $0.subject = "Call back about renewal" }
        #expect(try fixture.store.changeSequence() == 1)
    }

    @Test("delete tombstones (hidden from list, kept for sync); restore brings it back with a new sequence")
    func tombstoneAndRestore() throws {
        let fixture = try F()
        let store = fixture.store
        _ = try store.addActivity(F.task("T1"))
        _ = try store.addActivity(F.task("T2"))
        let deleted = try store.deleteActivity("T1")
        #expect(deleted.deleted && deleted.changeSeq == 3)
        #expect(try store.activities().map(\.id) == ["T2"])
        #expect(try store.activities(includeDeleted: true).map(\.id) == ["T1", "T2"])
        #expect(try store.deleteActivity("T1").changeSeq == 3)
        let restored = try store.restoreActivity("T1")
        #expect(!restored.deleted && restored.changeSeq == 4)
        #expect(try store.activities().map(\.id) == ["T1", "T2"])
        #expect { try store.restoreActivity("nope") } throws: { ($0 as? StoreError)?.code == .notFound }
    }

    @Test("a refused write names the field and value and writes nothing")
    func refusedWrite() throws {
        let fixture = try F()
        var bad = F.appointment("AP1")
        bad.end = "2026-12-04T08:00:00Z"
        bad.partner = "BP9"
        do {
            _ = try fixture.store.addActivity(bad)
            Issue.record("accepted")
        } catch let error as StoreError {
            #expect(error.code == .invalid)
            #expect(error.message.contains("end '2026-12-04T08:00:00Z': end before start"))
            #expect(error.message.contains("partner 'BP9': unknown business partner"))
        }
        #expect(try fixture.store.activities(includeDeleted: true).isEmpty)
        #expect(try fixture.store.changeSequence() == 0)
    }

    @Test("a sent e-mail cannot be edited; a draft can")
    func sentEmailFrozen() throws {
        let fixture = try F()
        var email = Activity(id: "M1", type: .email, subject: "Offer", owner: "E1", status: "draft")
        email.date = "2026-12-01T10:00:00Z"
        email.to = ["pat@fabrikam.test"]
        _ = try fixture.store.addActivity(email)
        _ = try fixture.store.updateActivity("M1") { $0.subject = "Offer v2" }
        _ = try fixture.store.updateActivity("M1") { $0.status = "sent" }
        #expect { try fixture.store.updateActivity("M1") { $0.subject = "Offer v3" } } throws: {
            "\($0)".contains("only draft e-mails may be edited")
        }
        #expect(try fixture.store.activity("M1")?.subject == "Offer v2")
    }

    @Test("follow-ups copy partner, contact, opportunity and attendees, and link their origin")
    func followUps() throws {
        let fixture = try F()
        let store = fixture.store
        var origin = F.appointment("AP1")
        origin.contact = "C1"
        origin.opportunity = "O1"
        origin.attendees[0].response = .accepted
        _ = try store.addActivity(origin)
        var call = try store.followUp(from: "AP1", type: .call, id: "CA1") { $0.start = "2026-12-05T09:00:00Z" }
        #expect(call.linkedActivity == "AP1" && call.origin == .followUp)
        #expect(call.partner == "BP1" && call.contact == "C1" && call.opportunity == "O1")
        #expect(call.attendees.map(\.email) == ["pat@fabrikam.test"])
        #expect(call.attendees[0].response == AttendeeResponse.none)
        #expect(call.status == "planned")
        call = try #require(try store.activity("CA1"))
        let task = try store.followUp(from: "CA1", type: .task)
        #expect(task.attendees.isEmpty)  // tasks have no attendees
        #expect(task.partner == "BP1" && task.linkedActivity == "CA1")
        #expect { try store.followUp(from: "AP1", type: .mailing) } throws: { ($0 as? StoreError)?.code == .invalid }
        #expect { try store.followUp(from: "nope", type: .task) } throws: { ($0 as? StoreError)?.code == .notFound }
    }

    @Test("two store handles (daemon and CLI) writing at once: every write lands, every sequence number once")
    func concurrentWriters() async throws {
        let fixture = try F()
        let other = try Store(path: fixture.store.path)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, store) in [fixture.store, other].enumerated() {
                group.addTask {
                    for n in 0..<100 {
                        _ = try store.addActivity(F.task("W\(index)-\(n)"), origin: index == 0 ? .sync : .local)
                    }
                }
            }
            try await group.waitForAll()
        }
        let changes = try other.changes(since: 0)
        #expect(changes.count == 200)
        #expect(Set(changes.map(\.seq)).count == 200)
        #expect(changes.map(\.seq) == (1...200).map(Int64.init))
        #expect(changes.filter { $0.origin == .sync }.count == 100)
    }

    @Test("the daemon lock refuses a second daemon on the same store")
    func daemonLock() throws {
        let fixture = try F()
        let first = try fixture.store.lockForDaemon()
        let other = try Store(path: fixture.store.path)
        #expect { try other.lockForDaemon() } throws: { ($0 as? StoreError)?.code == .locked }
        withExtendedLifetime(first) {}
        _ = consume first
        #expect(throws: Never.self) { _ = try other.lockForDaemon() }
    }

    @Test("backup makes a consistent copy that opens as a store; an existing target is refused")
    func backup() throws {
        let fixture = try F()
        _ = try fixture.store.addActivity(F.task("T1"))
        let target = fixture.folder + "/backup.sqlite"
        try fixture.store.backup(to: target)
        #expect(try Store(path: target).activity("T1")?.subject == "Call back about renewal")
        #expect { try fixture.store.backup(to: target) } throws: { ($0 as? StoreError)?.code == .invalid }
    }

    @Test("pruning removes tombstones older than the retention period, not newer ones")
    func pruning() throws {
        let folder = NSTemporaryDirectory() + "activity-sync-prune-" + UUID().uuidString
        let now = LockedDate(Date(timeIntervalSince1970: 1_700_000_000))
        let store = try Store(path: folder + "/s.sqlite", clock: { now.value })
        try StoreFixture.seed(store)
        _ = try store.addActivity(F.task("OLD"))
        try store.deleteActivity("OLD")
        now.value = now.value.addingTimeInterval(400 * 86_400)
        _ = try store.addActivity(F.task("NEW"))
        try store.deleteActivity("NEW")
        let pruned = try store.prune(retentionDays: 365)
        #expect(pruned.tombstones == 1)
        #expect(try store.activities(includeDeleted: true).map(\.id) == ["NEW"])
    }
}

final class LockedDate: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Date
    init(_ date: Date) { stored = date }
    var value: Date {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
