import EWSTestServer
import Foundation
import Testing

/// Issue 17: `run --once` as the daemon runs passes — up to `sync.concurrency` mailboxes at once, never two
/// requests on one — and says how far it is as mailboxes finish.
@Suite("the activity-sync binary: run --once runs mailboxes concurrently and shows progress")
struct CLIRunOnceTests {
    @Test("five mailboxes, concurrency 2: two at once, never two requests on one mailbox; STATUS= per mailbox")
    func concurrentPasses() async throws {
        let (fake, cli) = try SyncCLIFixture.make(extraConfig: "sync:\n  concurrency: 2\n")
        defer { fake.stop() }
        try await SyncCLIFixture.addUsersWithTasks(cli, fake, count: 5)
        // Slow answers, so passes overlap as much as run --once lets them.
        fake.inject(.delay(seconds: 0.3), operation: "SyncFolderItems", times: 20)
        let manager = try DatagramListener()
        let output = try await cli.runAsync("run", "--once", environment: ["NOTIFY_SOCKET": manager.path])
        #expect(output.status == 0, "\(output.stderr)")
        for index in 1...5 {
            #expect(fake.items(mailbox: "user\(index)@contoso.test", folder: "tasks").count == 1)
            #expect(output.stdout.contains("user\(index)@contoso.test: did 1 action\n"))
        }
        #expect(fake.peakInFlight.mailboxes == 2)
        #expect(fake.peakInFlight.perMailbox == 1)
        #expect(await manager.wait(for: "STATUS=synced 5 of 5 mailboxes", seconds: 5))
        #expect(fake.schemaViolations == [])
    }
}
