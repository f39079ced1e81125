import ActivityModel
import EWSTestServer
import Foundation
import SyncEngine
import Testing

/// Issue 12's 6 (in part): the body's `CRM: ` line follows a call's duration when the CRM changes it.
@Suite("the CRM line follows the call it describes")
struct SyncCRMLineTests {
    @Test("a call lengthened in the CRM: its item's end and its CRM line's duration both change")
    func callDuration() async throws {
        let f = try SyncFixture()
        var call = Activity(id: "C1", type: .call, subject: "Follow-up call", owner: "E1")
        call.start = "2026-12-04T09:00:00Z"
        call.durationMinutes = 30
        call.direction = "outgoing"
        call.information = "Ask about the renewal"
        _ = try f.store.addActivity(call)
        _ = try await f.pass()
        let before = try #require(f.calendar.first { $0.extended["ActivityId"] == "C1" })
        #expect(before.fields["Body"]?.contains("30 min") == true, "\(before.fields["Body"] ?? "")")
        _ = try f.store.updateActivity("C1") { $0.durationMinutes = 45 }
        let report = try await f.pass()
        #expect(report.failures.isEmpty, "\(report.failures)")
        let after = try #require(f.calendar.first { $0.extended["ActivityId"] == "C1" })
        #expect(after.fields["End"] == "2026-12-04T09:45:00Z")
        #expect(after.fields["Body"]?.contains("45 min") == true, "\(after.fields["Body"] ?? "")")
        #expect(after.fields["Body"]?.hasPrefix("Ask about the renewal") == true)
        #expect(try f.store.activity("C1")?.information == "Ask about the renewal", "the CRM line never comes back in")
        #expect(try await f.pass().executed.isEmpty, "quiet afterwards")
    }
}
