import EWSTestServer
import Foundation
import SyncEngine
import Testing

/// Issue 12's 9: in-band throttling under load is a back-off, not a failed pass.
@Suite("in-band throttling: HTTP 200 with an inner ErrorServerBusy")
struct SyncInBandThrottlingTests {
    @Test(
        "an UpdateItem answered ErrorInternalServerError/ErrorServerBusy is retried after the wait; the pass is whole"
    )
    func updateRetried() async throws {
        let f = try SyncFixture()
        let item = try await f.syncedTask("A1")
        _ = try f.store.updateActivity("A1") { $0.subject = "Renamed" }
        f.fake.inject(.inBandInternalBusy(backOffMilliseconds: 200), operation: "UpdateItem")
        let report = try await f.pass()
        #expect(report.failures.isEmpty && report.throttledUntil == nil, "\(report.failures)")
        #expect(f.tasks.first { $0.id == item.id }?.fields["Subject"] == "Renamed")
        #expect(f.fake.requests.filter { $0.operation == "UpdateItem" }.count == 2)
    }
}
