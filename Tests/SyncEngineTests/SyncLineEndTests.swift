import ActivityModel
import EWSTestServer
import Foundation
import SyncEngine
import Testing

/// Issue 12's 6 (in part): the CRM's line ends survive an unrelated Outlook edit.
@Suite("line ends: the CRM's CRLF text is compared as LF and kept as written")
struct SyncLineEndTests {
    @Test("CRLF information: synced, an Outlook subject edit comes in, the CRM text keeps its CRLF; quiet after")
    func crlfKept() async throws {
        let f = try SyncFixture()
        var task = Activity(id: "A1", type: .task, subject: "Call back", owner: "E1")
        task.partner = "BP1"
        task.due = "2026-12-03T16:00:00Z"
        task.information = "Line one\r\nLine two"
        _ = try f.store.addActivity(task)
        _ = try await f.pass()
        let item = try #require(f.tasks.first { $0.extended["ActivityId"] == "A1" })
        f.fake.userUpdate(mailbox: SyncFixture.alice, itemId: item.id, fields: ["Subject": "Call back today"])
        let report = try await f.pass()
        #expect(report.failures.isEmpty, "\(report.failures)")
        let after = try #require(try f.store.activity("A1"))
        #expect(after.subject == "Call back today")
        #expect(after.information == "Line one\r\nLine two")
        #expect(try await f.pass().executed.isEmpty, "quiet afterwards")
    }
}
