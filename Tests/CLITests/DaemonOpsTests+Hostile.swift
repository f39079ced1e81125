import EWSTestServer
import Foundation
import Testing

extension DaemonOpsTests {
    @Test(
        "the daemon beside a hostile server for one mailbox: the limit counted and named, the others keep syncing",
        arguments: [FakeExchange.Hostile.tinyElements, .silent, .retryAfterExtreme]
    )
    func hostileMailbox(kind: FakeExchange.Hostile) async throws {
        let port = Int.random(in: 20_000...32_000)  // below the ephemeral range the fakes bind in
        let (fake, cli) = try SyncCLIFixture.make(
            extraConfig: """
                  timeout_seconds: 1
                sync:
                  interval_seconds: 300
                  concurrency: 2
                  notifications: none
                metrics:
                  listen: 127.0.0.1:\(port)
                """
        )
        defer { fake.stop() }
        let mailboxes = HostileServerTests.others
        try await HostileServerTests.addUsers(fake, cli)
        fake.serveHostile(kind, mailbox: HostileServerTests.alice)
        let daemon = try cli.start(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        // Alice's passes fail on every answer (or wait out none of an hour); Bob's and Carol's CRM writes reach
        // Exchange well before the 300 s interval, one after the other, while they do.
        for round in 1...3 {
            for (index, mailbox) in mailboxes.enumerated() {
                try await SyncCLIFixture.addTask(cli, "A\(index + 1)-\(round)", owner: "E\(index + 1)", subject: "T")
                #expect(
                    await eventually(20) { fake.items(mailbox: mailbox, folder: "tasks").count == round },
                    "\(kind): \(mailbox), round \(round)"
                )
            }
        }
        #expect(daemon.isRunning, "\(kind): the daemon is alive")
        // (Alice's pass may still be spending its two timeouts.)
        _ = try await eventually(15) {
            try await HostileServerTests.row(cli, HostileServerTests.alice)["last_error"] is String
        }
        let scrape = try await fetchMetrics(port: port)
        let status = try await HostileServerTests.row(cli, HostileServerTests.alice)
        let error = status["last_error"] as? String ?? ""
        switch kind {
        case .tinyElements:
            #expect(scrape.contains("activity_sync_limits_hit_total{limit=\"answer_elements\"}"), "\(scrape)")
            #expect(error.contains("more than 50000 elements"), "\(error)")
        case .silent:
            #expect(error.contains("timed out"), "\(error)")
        default:
            #expect(error.contains("for another 3") && status["state"] as? String == "backing_off", "\(status)")
            // The hour Exchange asked for is the next pass's time, and no request went out meanwhile.
            let next = (status["next_pass"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) }
            #expect(next.map { $0.timeIntervalSinceNow > 3000 && $0.timeIntervalSinceNow <= 3601 } == true, "\(status)")
            #expect(fake.requestCount(mailbox: HostileServerTests.alice) == 1)
        }
        #expect(scrape.contains("activity_sync_mailboxes{state=\"enabled\"} 2"), "\(scrape)")
        #expect(await terminate(daemon) == 0)
    }
}
