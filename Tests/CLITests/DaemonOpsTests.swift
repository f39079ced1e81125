import EWSTestServer
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

@Suite("the daemon: concurrency, ops requests, stopping mid-pass, status, metrics, logs")
struct DaemonOpsTests {
    static func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    @Test("at most sync.concurrency mailboxes at once, never two requests on one mailbox")
    func concurrency() async throws {
        let (fake, cli) = try SyncCLIFixture.make(
            extraConfig: "sync:\n  interval_seconds: 300\n  concurrency: 2\n  notifications: none\n"
        )
        defer { fake.stop() }
        try await SyncCLIFixture.addUsersWithTasks(cli, fake, count: 5)
        // Slow answers, so passes overlap as much as the daemon lets them.
        fake.inject(.delay(seconds: 0.3), operation: "SyncFolderItems", times: 40)
        let daemon = try cli.start(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(
            await eventually(40) {
                (1...5).allSatisfy { fake.items(mailbox: "user\($0)@contoso.test", folder: "tasks").count == 1 }
            }
        )
        #expect(fake.peakInFlight.mailboxes == 2)
        #expect(fake.peakInFlight.perMailbox == 1)
        #expect(await terminate(daemon) == 0)
    }

    @Test("resync, purge and resume while the daemon runs are performed by the daemon and answered")
    func opsThroughTheDaemon() async throws {
        let (fake, cli) = try SyncCLIFixture.make(extraConfig: "sync:\n  interval_seconds: 300\n")
        defer { fake.stop() }
        let mailbox = SyncCLIFixture.mailbox
        try SyncCLIFixture.addSyncUser(cli, id: "E1", name: "Alice")
        try await SyncCLIFixture.addTask(cli, "A1", owner: "E1", subject: "Ours")
        let daemon = try cli.start(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(await eventually(30) { fake.items(mailbox: mailbox, folder: "tasks").count == 1 })

        // The sync state is lost on the server: a resync re-links by identity, no duplicate.
        fake.invalidateSyncStates(mailbox: mailbox)
        let resync = try await cli.runAsync("resync", "--mailbox", mailbox)
        #expect(resync.status == 0, "\(resync.stderr)")
        #expect(resync.stdout.contains("the running daemon performs the resync"))
        #expect(resync.stdout.contains("\(mailbox): did"))
        #expect(fake.items(mailbox: mailbox, folder: "tasks").count == 1)

        // A user's own task the CRM imported stays; ours goes to Deleted Items; the mailbox pauses.
        _ = fake.userCreate(
            mailbox: mailbox,
            folder: "tasks",
            kind: "Task",
            fields: ["Subject": "Mine", "Categories": "CRM"]
        )
        try await cli.okAsync("resync", "--mailbox", mailbox)
        let dry = try await cli.runAsync("purge", "--mailbox", mailbox, "--dry-run")
        #expect(dry.status == 0 && dry.stdout.contains("would remove 1 item this"), "\(dry.stdout)")
        #expect(
            dry.stdout.contains("1 item made in Outlook left in place")
                && dry.stdout.contains("would remove from Outlook: A1 task \"Ours\" (item ")
        )
        #expect(fake.items(mailbox: mailbox, folder: "tasks").count == 2)
        let purge = try await cli.runAsync("purge", "--mailbox", mailbox)
        #expect(purge.status == 0 && purge.stdout.contains("removed 1 item this"), "\(purge.stdout)")
        #expect(fake.items(mailbox: mailbox, folder: "tasks").map { $0.fields["Subject"] } == ["Mine"])
        #expect(fake.deletedItems(mailbox: mailbox).map { $0.fields["Subject"] } == ["Ours"])
        let status = try #require(
            (try Self.json(try await cli.runAsync("status", "--json").stdout) as? [[String: Any]])?.first
        )
        #expect(status["state"] as? String == "paused" && status["linked"] as? Int == 0)

        // Resume: the daemon syncs it at once, from scratch, re-linking the user's task by its identity.
        try await cli.okAsync("resume", "--mailbox", mailbox)
        #expect(await eventually(10) { fake.items(mailbox: mailbox, folder: "tasks").count == 2 })
        #expect(
            Set(fake.items(mailbox: mailbox, folder: "tasks").map { $0.fields["Subject"] }) == ["Mine", "Ours"]
        )
        #expect(await eventually(5) { (try? await cli.runAsync("status").status) == 0 })
        #expect(try await cli.okAsync("activity", "list").components(separatedBy: "Mine").count == 2)  // imported once
        #expect(await terminate(daemon) == 0)
    }

    @Test("purge without a daemon: only this instance's items; unknown mailbox refused")
    func purgeInProcess() async throws {
        let (fake, cli) = try SyncCLIFixture.make()
        defer { fake.stop() }
        let mailbox = SyncCLIFixture.mailbox
        try SyncCLIFixture.addSyncUser(cli, id: "E1", name: "Alice")
        for index in 1...3 {
            try await SyncCLIFixture.addTask(
                cli,
                "A\(index)",
                owner: "E1",
                subject: "T\(index)"
            )
        }
        try await cli.okAsync("run", "--once")
        // Another CRM instance's item in the same mailbox is not ours to remove.
        _ = fake.userCreate(
            mailbox: mailbox,
            folder: "tasks",
            kind: "Task",
            fields: ["Subject": "Other instance"],
            extended: ["ActivityId": "X1", "InstanceId": "other"],
            propertySet: "ec00f11f-9b22-45fe-906c-a4e6b3326e4e"
        )
        let purge = try await cli.runAsync("purge", "--mailbox", mailbox)
        #expect(purge.status == 0 && purge.stdout.contains("removed 3 items"), "\(purge.stdout)")
        #expect(fake.items(mailbox: mailbox, folder: "tasks").map { $0.fields["Subject"] } == ["Other instance"])
        #expect(try await cli.runAsync("run", "--once").stdout.contains("paused"))
        #expect(try await cli.runAsync("purge", "--mailbox", "nobody@contoso.test").status == 1)
        #expect(fake.schemaViolations.isEmpty)
    }

    @Test("SIGTERM mid-pass: exit 0 after the batch in flight; the restart loses and duplicates nothing")
    func sigtermMidPass() async throws {
        let (fake, cli) = try SyncCLIFixture.make(
            extraConfig: "sync:\n  interval_seconds: 300\n  batch_size: 10\n  notifications: none\n"
        )
        defer { fake.stop() }
        let mailbox = SyncCLIFixture.mailbox
        try SyncCLIFixture.addSyncUser(cli, id: "E1", name: "Alice")
        let activities = (1...200).map {
            "{\"id\":\"A\($0)\",\"type\":\"task\",\"owner\":\"E1\",\"subject\":\"Task \($0)\"}"
        }
        try "{\"activities\":[\(activities.joined(separator: ","))]}".write(
            toFile: cli.path("bulk.json"),
            atomically: true,
            encoding: .utf8
        )
        try await cli.okAsync("import", "bulk.json")
        fake.inject(.delay(seconds: 0.5), operation: "CreateItem", times: 20)
        let daemon = try cli.start(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(await eventually(30) { fake.requestCount("CreateItem") >= 2 })
        let stopping = Date()
        let status = await terminate(daemon)
        #expect(status == 0)
        #expect(Date().timeIntervalSince(stopping) < 10)
        let created = fake.items(mailbox: mailbox, folder: "tasks").count
        #expect(created > 0 && created < 200, "the pass should have stopped part-way, created \(created)")

        let rerun = try await cli.runAsync("run", "--once")
        #expect(rerun.status == 0, "\(rerun.stdout)")
        let items = fake.items(mailbox: mailbox, folder: "tasks")
        #expect(items.count == 200)
        #expect(Set(items.compactMap { $0.extended["ActivityId"] }).count == 200)
        #expect(try await cli.okAsync("run", "--once").contains("did 0 actions"))
    }

    @Test("status shows next_pass and throttling; the metrics endpoint counts; logs carry metadata, never the password")
    func statusMetricsLogs() async throws {
        let port = Int.random(in: 20_000...32_000)  // below the ephemeral range the fakes bind in
        let (fake, cli) = try SyncCLIFixture.make(
            extraConfig: "sync:\n  interval_seconds: 300\nmetrics:\n  listen: 127.0.0.1:\(port)\nlog:\n  level: debug\n"
        )
        defer { fake.stop() }
        try SyncCLIFixture.addSyncUser(cli, id: "E1", name: "Alice")
        try await SyncCLIFixture.addTask(cli, "A1", owner: "E1", subject: "Metered")
        fake.inject(.serverBusy(backOffMilliseconds: 50), operation: "SyncFolderItems", times: 1)
        // (Under a journal whose native socket is absent: the entries go to stdout, prefixed for journald.)
        let daemon = try cli.start(
            ["run"],
            environment: ["JOURNAL_STREAM": "8:1234", "ACTIVITY_SYNC_JOURNAL_SOCKET": cli.path("no-journal")],
            logFile: "daemon.log"
        )
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(await eventually(30) { fake.items(mailbox: SyncCLIFixture.mailbox, folder: "tasks").count == 1 })

        let mailbox = SyncCLIFixture.mailbox
        #expect(await eventually(10) { await Self.states(cli)[mailbox]?["next_pass"] as? String != nil })
        let row = try #require(await Self.states(cli)[mailbox])
        #expect(row["state"] as? String == "enabled")
        #expect(row["throttled_last_hour"] as? Int == 1)
        let nextPass = try #require(row["next_pass"] as? String)
        #expect(nextPass > (row["last_pass"] as? String ?? ""))

        let scrape = try await fetchMetrics(port: port)
        #expect(scrape.contains("activity_sync_ews_requests_total{operation=\"CreateItem\",outcome=\"success\"} 1"))
        #expect(scrape.contains("activity_sync_throttle_waits_total{mailbox=\"alice@contoso.test\"} 1"))
        #expect(scrape.contains("activity_sync_items_synced_total{action=\"create\",direction=\"to_exchange\"} 1"))
        #expect(scrape.contains("activity_sync_passes_total{outcome=\"ok\"}"))
        #expect(scrape.contains("activity_sync_pass_seconds_count"))
        #expect(scrape.contains("activity_sync_mailbox_lag_seconds{mailbox=\"alice@contoso.test\"}"))
        #expect(scrape.contains("activity_sync_mailboxes{state=\"enabled\"} 1"))
        #expect(await terminate(daemon) == 0)

        let log = try String(contentsOfFile: cli.path("daemon.log"), encoding: .utf8)
        #expect(log.contains("<6>info alice@contoso.test: did 1 action mailbox="))
        #expect(log.contains("mailbox=alice@contoso.test pass="))
        #expect(
            log.contains(
                "<6>info   created in Outlook: A1 task \"Metered\" activity=A1 mailbox=alice@contoso.test pass="
            )
        )
        #expect(log.contains("<7>debug EWS request"))  // log.level: debug
        #expect(log.contains("<5>notice EWS throttled; backing off"))
        #expect(!log.contains("pw\n") && !log.contains("=pw"))
        #expect(log.split(separator: "\n").allSatisfy { $0.hasPrefix("<") })
    }

    @Test("a bad metrics.listen is refused by config check, naming the key")
    func badListen() async throws {
        let cli = try CLIRunner(config: "store:\n  path: crm.sqlite\nmetrics:\n  listen: localhost\n")
        let check = try await cli.runAsync("config", "check")
        #expect(check.status == 2 && check.stderr.contains("metrics.listen"))
    }

    /// The daemon's metrics page, as a scraper reads it (the raw protocol is tested in DaemonUnitTests).
    func fetchMetrics(port: Int) async throws -> String {
        let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/metrics")!)
        return String(decoding: data, as: UTF8.self)
    }
}

extension DaemonOpsTests {
    @Test(
        "SIGTERM during a ServerBusy back-off exits 0 at once; the next process honours the back-off; nothing is lost"
    )
    func sigtermDuringBackOff() async throws {
        let (fake, cli) = try SyncCLIFixture.make(extraConfig: "sync:\n  notifications: none\n")
        defer { fake.stop() }
        try SyncCLIFixture.addSyncUser(cli, id: "E1", name: "Alice")
        try await SyncCLIFixture.addTask(cli, "A1", owner: "E1", subject: "Later")
        fake.inject(.serverBusy(backOffMilliseconds: 10_000), operation: "SyncFolderItems", times: 1)
        let daemon = try cli.start(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(await eventually(30) { fake.requestCount("SyncFolderItems") == 1 })
        try await Task.sleep(for: .seconds(0.2))  // now in the ten-second back-off
        let stopping = Date()
        #expect(await terminate(daemon) == 0)
        #expect(Date().timeIntervalSince(stopping) < 3)
        #expect(fake.requestCount("SyncFolderItems") == 1)  // the back-off was honoured to the end
        // The back-off was recorded: the next process waits for its end before asking again.
        let busyAt = try #require(fake.requests.first { $0.operation == "SyncFolderItems" }?.at)
        #expect(try await cli.okAsync("run", "--once").contains("did 1 action\n"))
        let retriedAt = try #require(fake.requests.filter { $0.operation == "SyncFolderItems" }.dropFirst().first?.at)
        #expect(
            retriedAt.timeIntervalSince(busyAt) >= 9.9,
            "asked again \(retriedAt.timeIntervalSince(busyAt)) s after"
        )
        #expect(fake.items(mailbox: SyncCLIFixture.mailbox, folder: "tasks").count == 1)
    }
}

extension DaemonOpsTests {
    @Test("a request the daemon never answers (it stopped) is withdrawn, not left to run at a later start")
    func withdrawnWhenTheDaemonStops() async throws {
        let (fake, cli) = try SyncCLIFixture.make(extraConfig: "sync:\n  notifications: none\n")
        defer { fake.stop() }
        try SyncCLIFixture.addSyncUser(cli, id: "E1", name: "Alice")
        try await SyncCLIFixture.addTask(cli, "A1", owner: "E1", subject: "Keep me")
        try await cli.okAsync("run", "--once")
        // This test holds the daemon lock, as a daemon that then dies without answering would.
        let fd = open(cli.path("crm.sqlite.lock"), O_RDWR | O_CREAT, 0o600)
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        let purge = try cli.start(["purge", "--mailbox", SyncCLIFixture.mailbox], logFile: "purge.log")
        defer { if purge.isRunning { kill(purge.processIdentifier, SIGKILL) } }
        try await Task.sleep(for: .seconds(1))
        #expect(purge.isRunning)  // waiting for the answer
        close(fd)  // the "daemon" is gone
        #expect(await eventually(10) { !purge.isRunning })
        #expect(purge.terminationStatus == 1)
        // A daemon started now has nothing queued: the item stays.
        let daemon = try cli.start(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(await eventually(20) { fake.requestCount("SyncFolderItems") >= 4 })
        try await Task.sleep(for: .seconds(1.5))
        #expect(fake.items(mailbox: SyncCLIFixture.mailbox, folder: "tasks").count == 1)
        #expect(await terminate(daemon) == 0)
    }
}

extension DaemonOpsTests {
    static func states(_ cli: CLIRunner) async -> [String: [String: Any]] {
        guard let text = try? await cli.runAsync("status", "--json").stdout,
            let rows = (try? Self.json(text)) as? [[String: Any]]
        else { return [:] }
        return Dictionary(rows.map { ($0["mailbox"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
    }

    @Test("in the daemon: impersonation denied disables that mailbox only; resume after the fix syncs it at once")
    func daemonDisablesOneMailbox() async throws {
        let (fake, cli) = try SyncCLIFixture.make(extraConfig: "sync:\n  interval_seconds: 300\n")
        defer { fake.stop() }
        let carol = "carol@contoso.test"
        fake.addMailbox(carol)
        fake.addAccount(.init(username: "svc", password: "pw", mayImpersonate: [SyncCLIFixture.mailbox]))
        try SyncCLIFixture.addSyncUser(cli, id: "E1", name: "Alice")
        try SyncCLIFixture.addSyncUser(cli, id: "E3", name: "Carol", mailbox: carol)
        try await SyncCLIFixture.addTask(cli, "A2", owner: "E3", subject: "Carol's")
        let daemon = try cli.start(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(await eventually(30) { await Self.states(cli)[carol]?["state"] as? String == "disabled" })
        #expect(await Self.states(cli)[carol]?["reason"] as? String == "impersonation denied for the service account")
        #expect(await Self.states(cli)[carol]?["next_pass"] is NSNull)  // no next try: it waits for ops
        // Alice keeps syncing meanwhile.
        try await SyncCLIFixture.addTask(cli, "A1", owner: "E1", subject: "Alice's")
        #expect(await eventually(10) { fake.items(mailbox: SyncCLIFixture.mailbox, folder: "tasks").count == 1 })
        #expect(try await cli.runAsync("status").status == 3)

        fake.addAccount(.init(username: "svc", password: "pw"))
        try await cli.okAsync("resume", "--mailbox", carol)
        #expect(await eventually(10) { fake.items(mailbox: carol, folder: "tasks").count == 1 })
        #expect(await eventually(5) { (try? await cli.runAsync("status").status) == 0 })
        #expect(await terminate(daemon) == 0)
    }

    @Test("in the daemon: a wrong password backs off (next_pass set, nothing disabled) and recovers once fixed")
    func daemonWrongPassword() async throws {
        let (fake, cli) = try SyncCLIFixture.make(extraConfig: "sync:\n  interval_seconds: 1\n  notifications: none\n")
        defer { fake.stop() }
        try SyncCLIFixture.addSyncUser(cli, id: "E1", name: "Alice")
        try await SyncCLIFixture.addTask(cli, "A1", owner: "E1", subject: "Waiting")
        try SyncCLIFixture.writePassword("wrong", in: cli)
        let daemon = try cli.start(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(
            await eventually(30) {
                await Self.states(cli)[SyncCLIFixture.mailbox]?["state"] as? String == "backing_off"
            }
        )
        let row = await Self.states(cli)[SyncCLIFixture.mailbox]
        #expect((row?["reason"] as? String)?.contains("authentication failed") == true)
        #expect(row?["next_pass"] as? String != nil)
        // The password file is read again on SIGHUP (as after `systemctl reload`).
        try SyncCLIFixture.writePassword("pw", in: cli)
        kill(daemon.processIdentifier, SIGHUP)
        #expect(await eventually(20) { fake.items(mailbox: SyncCLIFixture.mailbox, folder: "tasks").count == 1 })
        #expect(
            await eventually(5) { await Self.states(cli)[SyncCLIFixture.mailbox]?["state"] as? String == "enabled" }
        )
        #expect(await terminate(daemon) == 0)
    }
}

extension DaemonOpsTests {
    @Test(
        "in the daemon: turning an employee's sync off keeps items and links (dormant); on again resumes, no duplicate"
    )
    func daemonSyncTurnedOff() async throws {
        let (fake, cli) = try SyncCLIFixture.make(extraConfig: "sync:\n  interval_seconds: 300\n")
        defer { fake.stop() }
        let mailbox = SyncCLIFixture.mailbox
        try SyncCLIFixture.addSyncUser(cli, id: "E1", name: "Alice")
        try await SyncCLIFixture.addTask(cli, "A1", owner: "E1", subject: "Stays")
        let daemon = try cli.start(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(await eventually(30) { fake.items(mailbox: mailbox, folder: "tasks").count == 1 })
        try await cli.okAsync("employee", "update", "E1", "--sync", "false")
        // The daemon notices within a second or two; nothing is unlinked, nothing removed.
        try await Task.sleep(for: .seconds(3))
        let audit = try await cli.runAsync("audit", "--mailbox", mailbox, "--json").stdout
        #expect(!audit.contains("\"unlink\""))
        #expect(fake.items(mailbox: mailbox, folder: "tasks").count == 1)
        try await cli.okAsync("employee", "update", "E1", "--sync", "true")
        #expect(await eventually(10) { await Self.states(cli)[mailbox]?["linked"] as? Int == 1 })
        #expect(fake.items(mailbox: mailbox, folder: "tasks").count == 1)
        #expect(fake.requestCount("CreateItem") == 1)
        #expect(await terminate(daemon) == 0)
    }
}

extension DaemonOpsTests {
    @Test("an item Exchange refuses is retried every interval; it does not back the whole mailbox off")
    func refusedItemDoesNotBackOff() async throws {
        let (fake, cli) = try SyncCLIFixture.make(extraConfig: "sync:\n  interval_seconds: 1\n  notifications: none\n")
        defer { fake.stop() }
        let mailbox = SyncCLIFixture.mailbox
        try SyncCLIFixture.addSyncUser(cli, id: "E1", name: "Alice")
        try await SyncCLIFixture.addTask(cli, "A1", owner: "E1", subject: "Refused")
        // Exchange refuses this one item, pass after pass (a per-item error in a well-formed answer).
        let refusal =
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">"
            + "<s:Body><m:CreateItemResponse xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\""
            + " xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\"><m:ResponseMessages>"
            + "<m:CreateItemResponseMessage ResponseClass=\"Error\"><m:MessageText>The request failed.</m:MessageText>"
            + "<m:ResponseCode>ErrorInvalidPropertySet</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>"
            + "<m:Items/></m:CreateItemResponseMessage></m:ResponseMessages></m:CreateItemResponse></s:Body></s:Envelope>"
        fake.inject(.rawBody(Array(refusal.utf8)), operation: "CreateItem", times: 1000)
        let daemon = try cli.start(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        func lastError() async -> String? { await Self.states(cli)[mailbox]?["last_error"] as? String }
        #expect(await eventually(20) { await lastError()?.contains("ErrorInvalidPropertySet") == true })
        #expect(await Self.states(cli)[mailbox]?["state"] as? String == "enabled")
        let before = fake.requestCount("CreateItem")
        try await Task.sleep(for: .seconds(6))
        // About one pass a second, each trying the item again; a doubling back-off would allow two at most.
        #expect(fake.requestCount("CreateItem") - before >= 4)
        fake.clearFaults()
        #expect(await eventually(10) { fake.items(mailbox: mailbox, folder: "tasks").count == 1 })
        #expect(await eventually(10) { await lastError() == nil })
        #expect(await terminate(daemon) == 0)
    }
}
