import EWSTestServer
import GRDB
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
            // (Every limit's series exists at 0 from the start: this one counted up.)
            #expect(scrape.contains("activity_sync_limits_hit_total{limit=\"answer_elements\"}"), "\(scrape)")
            #expect(!scrape.contains("activity_sync_limits_hit_total{limit=\"answer_elements\"} 0\n"), "\(scrape)")
            #expect(scrape.contains("activity_sync_limits_hit_total{limit=\"find_pages\"} 0\n"), "\(scrape)")
            #expect(scrape.contains("activity_sync_build_info{commit=\""), "\(scrape)")
            #expect(scrape.contains("\",version=\"0.1.0\"} 1\n"), "\(scrape)")
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

extension DaemonOpsTests {
    @Test("status tells a SIGKILLed daemon at once (the lock, not only the heartbeat): exit 3, and in --json")
    func killedDaemon() async throws {
        let (fake, cli) = try SyncCLIFixture.make(extraConfig: "sync:\n  interval_seconds: 300\n")
        defer { fake.stop() }
        // No daemon ever: a quiet host (exit 0), unless one is expected.
        #expect(try await cli.runAsync("status").status == 0)
        #expect(try await cli.runAsync("status", "--expect-daemon").status == 3)
        try SyncCLIFixture.addSyncUser(cli, id: "E1", name: "Alice")
        let daemon = try cli.start(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        let pid = daemon.processIdentifier
        #expect(
            try await eventually(30) {
                let status = try await cli.runAsync("status")  // (running, and Alice's first pass done: enabled)
                return status.status == 0 && status.stdout.hasPrefix("daemon: running (pid \(pid)")
            }
        )
        // Paused by ops under a running daemon: no next pass shown (the daemon had announced one).
        let announced = try await cli.runAsync("status", "--json").stdout
        #expect(announced.contains("\"next_pass\" : \"20"), "\(announced)")
        try await cli.okAsync("pause", "--mailbox", SyncCLIFixture.mailbox)
        let paused = try await cli.runAsync("status", "--json").stdout
        #expect(paused.contains("\"next_pass\" : null") && paused.contains("\"state\" : \"paused\""), "\(paused)")
        try await cli.okAsync("resume", "--mailbox", SyncCLIFixture.mailbox)
        #expect(try await eventually(10) { try await cli.runAsync("status").status == 0 })
        let json = try await cli.runAsync("status", "--json").stdout
        let row = try #require((try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])?.first)
        let running = try #require(row["daemon"] as? [String: Any])
        #expect(running["running"] as? Bool == true && running["pid"] as? Int == Int(pid), "\(json)")
        // The daemon's version, and a warning when the binary on disk is another (an upgrade not yet restarted).
        let version = try cli.ok("--version").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(running["version"] as? String == version)
        #expect(try await cli.runAsync("status").stdout.hasPrefix("daemon: running (pid \(pid), version \(version), "))
        let queue = try DatabaseQueue(path: cli.path("crm.sqlite"))
        try await queue.write {
            try $0.execute(sql: "UPDATE settings SET value = '0.0.1' WHERE name = 'daemon_version'")
        }
        let upgraded = try await cli.runAsync("status").stdout
        #expect(
            upgraded.contains("warning: the daemon runs 0.0.1, this binary is \(version): restart it"),
            "\(upgraded)"
        )
        kill(pid, SIGKILL)
        daemon.waitUntilExit()
        let after = try await cli.runAsync("status")
        #expect(after.status == 3, "\(after.stdout)")
        #expect(
            after.stdout.hasPrefix("daemon: NOT RUNNING — pid \(pid) stopped without a clean exit"),
            "\(after.stdout)"
        )
        let gone = try await cli.runAsync("status", "--json")
        let goneRow = try #require(
            (try JSONSerialization.jsonObject(with: Data(gone.stdout.utf8)) as? [[String: Any]])?.first
        )
        let stopped = try #require(goneRow["daemon"] as? [String: Any])
        #expect(stopped["running"] as? Bool == false && stopped["stopped_uncleanly"] as? Bool == true, "\(gone.stdout)")
        #expect(gone.status == 3)
    }
}
