import Foundation
import SyncEngine
import Testing

/// Issue 11: numbers Exchange sends at their extremes come in as refused values, never a trap.
@Suite("extreme numbers in an item: refused with the field named, the rest of the pass goes on")
struct SyncExtremeItemValueTests {
    @Test("a PercentComplete past any range", arguments: ["1E300", "NaN", "INF", "-INF", "101"])
    func extremePercent(text: String) async throws {
        let f = try SyncFixture()
        let item = try await f.syncedTask("A1")
        let before = try f.store.activity("A1")
        f.fake.userUpdate(mailbox: SyncFixture.alice, itemId: item.id, fields: ["PercentComplete": text])
        let report = try await f.pass()
        #expect(report.failures.contains { $0.contains("percent_complete") }, "\(text): \(report.failures)")
        #expect(try f.store.activity("A1") == before, "\(text)")
        // The value is refused, not looped on: the next pass plans nothing new for it.
        #expect(try await f.pass().executed.isEmpty)
    }
}

/// Issue 11: a body larger than any answer may hold comes back cut (MaximumBodySize) and is refused by the
/// CRM's rules; the item's other edits still arrive and the batch it was read in is not lost.
@Suite("a huge Outlook body: cut by the server, refused by the rules, the rest syncs")
struct SyncHugeBodyTests {
    @Test("a 20 MB body beside a subject edit: the subject arrives, the body is refused naming the limit")
    func hugeBody() async throws {
        let f = try SyncFixture()
        let item = try await f.syncedTask("A1")
        for index in 2...11 { try f.addTask("A\(index)") }  // one GetItem batch of ten with the huge one in it
        _ = try await f.pass()
        let body = String(repeating: "pasted report ", count: 1_500_000)
        f.fake.userUpdate(mailbox: SyncFixture.alice, itemId: item.id, fields: ["Body": body, "Subject": "Renamed"])
        for other in f.tasks where other.id != item.id {
            f.fake.userUpdate(mailbox: SyncFixture.alice, itemId: other.id, fields: ["Importance": "High"])
        }
        let report = try await f.pass()
        #expect(report.failures.count == 1, "\(report.failures)")
        #expect(report.failures.first?.contains("information") == true)
        #expect(report.failures.first?.contains("longer than 1048576 bytes") == true)
        #expect(try f.store.activity("A1")?.subject == "Renamed")
        #expect(try f.store.activities().filter { $0.priority == .high }.count == 10, "the batch's other items")
    }
}
