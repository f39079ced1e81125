import EWS
import EWSTestServer
import Foundation
import Testing

@Suite("many mailboxes on one event loop")
struct EWSConcurrencyTests {
    typealias F = FakeExchangeFixture

    @Test("200 concurrent requests over 20 mailboxes all complete on the shared curl loop")
    func concurrentRequests() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        let mailboxes = (1...20).map { "user\($0)@contoso.test" }
        for mailbox in mailboxes { fixture.fake.addMailbox(mailbox) }
        fixture.fake.addAccount(.init(username: "admin", password: "pw"))
        let client = fixture.client(credentials: .basic(username: "admin", password: "pw"))
        let ok = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<200 {
                group.addTask { try await client.getFolders([.tasks], mailbox: mailboxes[index % 20])[0].value != nil }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(ok == 200)
    }

    @Test("cancelling a caller aborts its transfer")
    func cancellation() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        // The answer would take a minute: only an aborted transfer ends well before it (the bound is generous so
        // a loaded machine does not fail it — it measured 3.15 s once under two test processes).
        fixture.fake.inject(.delay(seconds: 60), operation: "GetFolder")
        let client = fixture.client()
        let task = Task { try await client.getFolders([.tasks], mailbox: F.alice) }
        try await Task.sleep(for: .milliseconds(200))
        let started = Date()
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(Date().timeIntervalSince(started) < 30)
    }
}
