import ActivityModel
import EWSTestServer
import Foundation
import SyncEngine
import Testing

/// Issue 12's 5: only our category is ours; a CRM-side update never wipes the user's own categories.
@Suite("categories: the user's own survive every update")
struct SyncCategoryTests {
    @Test("a user's categories beside ours stay through CRM edits of every kind; our create gives ours")
    func userCategoriesKept() async throws {
        let f = try SyncFixture()
        let item = try await f.syncedTask("A1")
        #expect(item.fields["Categories"] == "CRM")
        f.fake.userUpdate(mailbox: SyncFixture.alice, itemId: item.id, fields: ["Categories": "CRM,Red,Customer X"])
        _ = try await f.pass()
        _ = try f.store.updateActivity("A1") {
            $0.subject = "Renamed in the CRM"
            $0.priority = .high
            $0.due = "2026-12-04T16:00:00Z"
        }
        let report = try await f.pass()
        #expect(report.failures.isEmpty, "\(report.failures)")
        let after = try #require(f.tasks.first { $0.id == item.id || $0.extended["ActivityId"] == "A1" })
        #expect(after.fields["Subject"] == "Renamed in the CRM")
        #expect(after.fields["Categories"] == "CRM,Red,Customer X")
        #expect(f.fake.schemaViolations == [])
    }
}
