import EWSTestServer
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// systemd's `$NOTIFY_SOCKET`, as the tests listen on it.
typealias NotifySocket = DatagramListener

@Suite("the daemon: `activity-sync run`")
struct DaemonTests {
    @Test(
        "READY=1 and WATCHDOG=1; a CRM write reaches Outlook without waiting for the interval; SIGTERM exits 0"
    )
    func daemon() async throws {
        let (fake, cli) = try SyncCLIFixture.make(extraConfig: "sync:\n  interval_seconds: 300\n")
        defer { fake.stop() }
        try SyncCLIFixture.addSyncUser(cli, id: "E1", name: "Alice")
        try await SyncCLIFixture.addTask(cli, "A1", owner: "E1", subject: "First")
        let notify = try NotifySocket()
        let daemon = try cli.start(["run"], environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "1000000"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        // READY=1 comes once the loop runs (a first sync of many mailboxes may outlast any start timeout).
        #expect(await notify.wait(for: "READY=1", seconds: 30))
        #expect(await eventually(30) { fake.items(mailbox: SyncCLIFixture.mailbox, folder: "tasks").count == 1 })
        #expect(await notify.wait(for: "STATUS=1 mailboxes in step", seconds: 5))
        #expect(await notify.wait(for: "WATCHDOG=1", seconds: 5))  // repeats every half WATCHDOG_USEC
        #expect(
            try await cli.runAsync("status").stdout.hasPrefix(
                "daemon: running (pid \(daemon.processIdentifier), version "
            )
        )

        // The interval is 300 s: only the store's change sequence can bring this over within 20 s (a latency
        // bound tighter than that is the streaming test's median; one sample on a loaded CI machine is noise).
        try await SyncCLIFixture.addTask(cli, "A2", owner: "E1", subject: "Second")
        let written = Date()
        while fake.items(mailbox: SyncCLIFixture.mailbox, folder: "tasks").count < 2
            && Date().timeIntervalSince(written) < 20
        {
            usleep(50_000)
        }
        let latency = Date().timeIntervalSince(written)
        #expect(fake.items(mailbox: SyncCLIFixture.mailbox, folder: "tasks").count == 2, "waited \(latency) s")

        // A second daemon on the same store is refused while this one runs.
        let second = try await cli.runAsync("run")
        #expect(second.status == 1 && second.stderr.contains("another activity-sync daemon is running"))

        kill(daemon.processIdentifier, SIGTERM)
        let stopping = Date()
        while daemon.isRunning && Date().timeIntervalSince(stopping) < 10 { usleep(20_000) }
        #expect(!daemon.isRunning)
        #expect(daemon.terminationReason == .exit && daemon.terminationStatus == 0)
        #expect(await notify.wait(for: "STOPPING=1", seconds: 2))
        #expect(try await cli.runAsync("status").stdout.hasPrefix("daemon: not running"))
    }

    @Test("a hybrid daemon: Bob's Graph calendar follows the CRM without waiting for the interval; SIGHUP keeps both")
    func hybrid() async throws {
        let port = Int.random(in: 20_000...32_000)  // below the ephemeral range the fakes bind in
        let (fake, graph, cli) = try CLIGraphTests.make(
            extra: "sync:\n  interval_seconds: 300\nmetrics:\n  listen: 127.0.0.1:\(port)\n"
        )
        defer {
            fake.stop()
            graph.stop()
        }
        try await CLIGraphTests.addAppointment(cli, "A1", "First", days: 2)
        let notify = try NotifySocket()
        let daemon = try cli.start(["run"], environment: ["NOTIFY_SOCKET": notify.path])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(await notify.wait(for: "READY=1", seconds: 30))
        #expect(await eventually(30) { graph.events(mailbox: CLIGraphTests.bob).count == 1 })
        // A reload builds both clients again (handing over their back-offs); the daemon goes on.
        kill(daemon.processIdentifier, SIGHUP)
        #expect(await notify.wait(for: "RELOADING=1", seconds: 5))
        try await CLIGraphTests.addAppointment(cli, "A2", "Second", days: 3)
        // (Polled, not notified: the CRM's change sequence wakes the pass, well before the 300 s interval.)
        #expect(await eventually(20) { graph.events(mailbox: CLIGraphTests.bob).count == 2 })
        #expect(graph.meetingMail.isEmpty && graph.violations.isEmpty)
        // Graph's requests are counted as Graph's, apart from EWS's.
        let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/metrics")!)
        let scrape = String(decoding: data, as: UTF8.self)
        #expect(scrape.contains("activity_sync_graph_requests_total{method=\"POST\",outcome=\"201\"} 2"))
        #expect(!scrape.contains("operation=\"Graph "))
        kill(daemon.processIdentifier, SIGTERM)
        let stopping = Date()
        while daemon.isRunning && Date().timeIntervalSince(stopping) < 10 { usleep(20_000) }
        #expect(daemon.terminationReason == .exit && daemon.terminationStatus == 0)
    }

    @Test("SIGHUP applies log.level at once and names the changed keys that wait for a restart")
    func reloadLogLevel() async throws {
        let (fake, cli) = try SyncCLIFixture.make(extraConfig: "sync:\n  interval_seconds: 1\nlog:\n  level: info\n")
        defer { fake.stop() }
        try SyncCLIFixture.addSyncUser(cli, id: "E1", name: "Alice")
        let notify = try NotifySocket()
        let daemon = try cli.start(["run"], environment: ["NOTIFY_SOCKET": notify.path], logFile: "daemon.log")
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(await notify.wait(for: "READY=1", seconds: 30))
        func log() -> String { (try? String(contentsOfFile: cli.path("daemon.log"), encoding: .utf8)) ?? "" }
        #expect(!log().contains(" debug "))
        let config = cli.path("activity-sync.yaml")
        let original = try String(contentsOfFile: config, encoding: .utf8)
        try original.replacingOccurrences(of: "level: info", with: "level: debug")
            .replacingOccurrences(of: "store:\n", with: "metrics:\n  listen: 127.0.0.1:0\nstore:\n")
            .write(toFile: config, atomically: true, encoding: .utf8)
        kill(daemon.processIdentifier, SIGHUP)
        #expect(await notify.wait(for: "RELOADING=1", seconds: 5))
        // The next rounds (one a second) log their requests at debug.
        var debug = false
        for _ in 0..<100 where !debug {
            debug = log().contains(" debug EWS request")
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(debug, "\(log())")
        #expect(log().contains("configuration reloaded") && log().contains("log_level=debug"))
        #expect(log().contains("changed keys apply only after a restart") && log().contains("keys=metrics.listen"))
        kill(daemon.processIdentifier, SIGTERM)
        while daemon.isRunning { usleep(20_000) }
        #expect(daemon.terminationStatus == 0)
    }

    @Test("SIGHUP applies a new interval; a broken file is refused and the running configuration kept")
    func reload() async throws {
        let (fake, cli) = try SyncCLIFixture.make(extraConfig: "sync:\n  interval_seconds: 300\n")
        defer { fake.stop() }
        try SyncCLIFixture.addSyncUser(cli, id: "E1", name: "Alice")
        let notify = try NotifySocket()
        let daemon = try cli.start(["run"], environment: ["NOTIFY_SOCKET": notify.path])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(await notify.wait(for: "READY=1", seconds: 30))
        let config = cli.path("activity-sync.yaml")
        let original = try String(contentsOfFile: config, encoding: .utf8)
        // A bad file first: refused, the daemon keeps running with what it has.
        try (original + "bogus: 1\n").write(toFile: config, atomically: true, encoding: .utf8)
        kill(daemon.processIdentifier, SIGHUP)
        #expect(await notify.wait(for: "RELOADING=1", seconds: 5))
        #expect(daemon.isRunning)
        try original.replacingOccurrences(of: "interval_seconds: 300", with: "interval_seconds: 1")
            .write(toFile: config, atomically: true, encoding: .utf8)
        kill(daemon.processIdentifier, SIGHUP)
        #expect(await notify.wait(for: "RELOADING=1", seconds: 5))
        // With a one-second interval, rounds now follow each other without any change to wake them.
        let before = fake.requestCount("SyncFolderItems")
        try await Task.sleep(for: .seconds(3.5))
        #expect(fake.requestCount("SyncFolderItems") - before >= 4)  // at least two rounds of two folders
        kill(daemon.processIdentifier, SIGTERM)
        while daemon.isRunning { usleep(20_000) }
        #expect(daemon.terminationStatus == 0)
    }
}
