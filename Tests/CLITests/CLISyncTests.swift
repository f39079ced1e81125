import ActivityModel
import EWSTestServer
import Foundation
import Testing

@Suite("the activity-sync binary: run --once, conflicts, audit")
struct CLISyncTests {
    static let mailbox = "alice@contoso.test"

    static func setUp() throws -> (FakeExchange, CLIRunner) {
        let (fake, cli) = try SyncCLIFixture.make()
        try SyncCLIFixture.addSyncUser(cli, id: "E1", name: "Alice")
        try cli.ok(
            "activity",
            "add",
            "--type",
            "task",
            "--id",
            "A1",
            "--owner",
            "E1",
            "--subject",
            "Call back",
            "--due",
            "2026-12-03T16:00:00Z"
        )
        return (fake, cli)
    }

    @Test("--dry-run changes nothing; a pass creates; a conflict is listed, resolved by hand, and audited")
    func syncConflictsAudit() throws {
        let (fake, cli) = try Self.setUp()
        defer { fake.stop() }
        let dry = try cli.ok("run", "--once", "--dry-run")
        #expect(dry.contains("would do 1 action\n") && dry.contains("would create in Outlook: A1 task"))
        #expect(fake.items(mailbox: Self.mailbox, folder: "tasks").isEmpty)
        #expect(try cli.ok("run", "--once").contains("did 1 action\n"))
        let item = try #require(fake.items(mailbox: Self.mailbox, folder: "tasks").first)
        #expect(item.fields["Subject"] == "Call back")

        fake.userUpdate(mailbox: Self.mailbox, itemId: item.id, fields: ["Subject": "Call back (Outlook)"])
        try cli.ok("activity", "update", "A1", "--subject", "Call back (CRM)")
        try cli.ok("run", "--once")
        #expect(fake.items(mailbox: Self.mailbox, folder: "tasks").first?.fields["Subject"] == "Call back (CRM)")
        let listed =
            try JSONSerialization.jsonObject(with: Data(try cli.ok("conflicts", "list", "--json").utf8))
            as? [[String: Any]]
        let conflict = try #require(listed?.first)
        #expect(conflict["field"] as? String == "subject")
        #expect(conflict["crm_value"] as? String == "Call back (CRM)")
        #expect(conflict["exchange_value"] as? String == "Call back (Outlook)")
        #expect(conflict["base_value"] as? String == "Call back")
        #expect(conflict["winner"] as? String == "crm" && conflict["policy"] as? String == "crm-wins")
        #expect(
            conflict.keys.sorted() == [
                "activity", "at", "base_value", "crm_value", "exchange_value", "field", "id",
                "mailbox", "policy", "resolved", "resolved_at", "resolved_by", "taken", "winner",
            ]
        )

        let id = try #require(conflict["id"] as? Int)
        try cli.ok("conflicts", "resolve", String(id), "--take", "exchange")
        #expect(try cli.ok("conflicts", "list") == "(none)\n")
        try cli.ok("run", "--once")
        #expect(fake.items(mailbox: Self.mailbox, folder: "tasks").first?.fields["Subject"] == "Call back (Outlook)")
        #expect(try cli.ok("activity", "show", "A1").contains("Call back (Outlook)"))

        let audit =
            try JSONSerialization.jsonObject(with: Data(try cli.ok("audit", "--activity", "A1", "--json").utf8))
            as? [[String: Any]]
        let actions = audit?.compactMap { $0["action"] as? String } ?? []
        #expect(actions.first == "create-remote")
        #expect(actions.contains("conflict") && actions.contains("update-remote"))
        #expect(
            audit?.first?.keys.sorted() == [
                "action", "activity", "at", "by", "fields", "item", "mailbox", "pass", "reason", "winner",
            ]
        )
        #expect(try cli.run("audit", "--since", "yesterday").status == 64)
    }

    @Test("a wrong service password fails the pass with exit 3 and names the cause, changing nothing")
    func wrongPassword() throws {
        let (fake, cli) = try Self.setUp()
        defer { fake.stop() }
        try SyncCLIFixture.writePassword("not-the-password", in: cli)
        let output = try cli.run("run", "--once")
        #expect(output.status == 3)
        #expect(output.stdout.contains("refused the service account's credentials"))
        #expect(!output.stdout.contains("not-the-password"))
        #expect(fake.items(mailbox: Self.mailbox, folder: "tasks").isEmpty)
    }
}

@Suite("the activity-sync binary: check")
struct CLICheckTests {
    @Test("check reports each mailbox: a reachable one passes, a denied one is named, exit 3")
    func check() throws {
        let (fake, cli) = try SyncCLIFixture.make()
        defer { fake.stop() }
        fake.addMailbox("carol@contoso.test")
        fake.addAccount(.init(username: "svc", password: "pw", mayImpersonate: [SyncCLIFixture.mailbox]))
        let ok = try cli.run("check", "--mailbox", SyncCLIFixture.mailbox, "--json")
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        let rows = try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as? [[String: Any]]
        #expect(rows?.first?["extended_property"] as? String == "ok")
        #expect(fake.items(mailbox: SyncCLIFixture.mailbox, folder: "tasks").isEmpty)  // the probe is gone
        let denied = try cli.run("check", "--mailbox", "carol@contoso.test")
        #expect(denied.status == 3)
        #expect(denied.stdout.contains("denied") && denied.stdout.contains("ErrorImpersonateUserDenied"))
        #expect(fake.schemaViolations == [])
    }

    @Test("check compares the mailbox's own time zone with the CRM's: ok, unknown, or a warning naming both")
    func timeZone() throws {
        let (fake, cli) = try SyncCLIFixture.make()
        defer { fake.stop() }
        let alice = SyncCLIFixture.mailbox
        try cli.ok(
            "employee",
            "add",
            "--id",
            "E1",
            "--name",
            "Alice",
            "--mailbox",
            alice,
            "--sync",
            "true",
            "--time-zone",
            "Europe/Amsterdam"
        )
        func zone() throws -> (String?, String) {
            let output = try cli.run("check", "--json")
            let rows = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]]
            return (rows?.first?["time_zone"] as? String, try cli.run("check").stdout)
        }
        #expect(try zone().0 == "unknown")  // never set on the web
        fake.setMailboxTimeZone(alice, "W. Europe Standard Time")
        #expect(try zone().0 == "ok")
        fake.setMailboxTimeZone(alice, "GMT Standard Time")
        let (value, text) = try zone()
        #expect(value == "mailbox GMT Standard Time, CRM Europe/Amsterdam (W. Europe Standard Time)")
        #expect(text.contains("warning: \(alice)") && text.contains("wrong day"), "\(text)")
        #expect(try cli.run("check").status == 0)  // a warning: the sync itself works
        #expect(fake.schemaViolations == [])
    }
}

@Suite("the activity-sync binary: status, pause, resume, mailbox states")
struct CLIStatusTests {
    static func status(_ cli: CLIRunner) throws -> (Int32, [String: [String: Any]]) {
        let output = try cli.run("status", "--json")
        let rows = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]] ?? []
        return (output.status, Dictionary(uniqueKeysWithValues: rows.map { ($0["mailbox"] as? String ?? "", $0) }))
    }

    @Test("skipped_recurring counts the mailbox's series across quiet passes, and drops when one goes")
    func skippedRecurring() throws {
        let (fake, cli) = try SyncCLIFixture.make()
        defer { fake.stop() }
        let alice = SyncCLIFixture.mailbox
        try SyncCLIFixture.addSyncUser(cli, id: "E1", name: "Alice", mailbox: alice)
        let series = fake.userCreate(
            mailbox: alice,
            folder: "calendar",
            kind: "CalendarItem",
            fields: [
                "Subject": "Weekly sales meeting", "Categories": "CRM", "Start": "2026-12-07T09:00:00Z",
                "End": "2026-12-07T10:00:00Z", "IsRecurring": "true", "CalendarItemType": "RecurringMaster",
            ]
        )
        try cli.ok("run", "--once")
        #expect(try Self.status(cli).1[alice]?["skipped_recurring"] as? Int == 1)
        try cli.ok("run", "--once")  // nothing listed: the series is still there, still skipped
        #expect(try Self.status(cli).1[alice]?["skipped_recurring"] as? Int == 1)
        fake.userDelete(mailbox: alice, itemId: series)
        try cli.ok("run", "--once")
        #expect(try Self.status(cli).1[alice]?["skipped_recurring"] as? Int == 0)
    }

    @Test("pending → enabled; pending local changes counted; pause skips, resume syncs again")
    func lifecycle() throws {
        let (fake, cli) = try SyncCLIFixture.make()
        defer { fake.stop() }
        let alice = SyncCLIFixture.mailbox
        try SyncCLIFixture.addSyncUser(cli, id: "E1", name: "Alice", mailbox: alice)
        try cli.ok("activity", "add", "--type", "task", "--id", "A1", "--owner", "E1", "--subject", "Call back")
        var (code, rows) = try Self.status(cli)
        #expect(
            code == 3 && rows[alice]?["state"] as? String == "pending" && rows[alice]?["pending_local"] as? Int == 1
        )
        #expect(
            rows[alice]?.keys.sorted() == [
                "backend", "daemon", "last_error", "last_pass", "linked", "mailbox", "next_pass", "open_conflicts",
                "pending_local", "reason", "skipped_recurring", "state", "tasks", "throttled_last_hour",
            ]
        )
        try cli.ok("run", "--once")
        (code, rows) = try Self.status(cli)
        #expect(code == 0 && rows[alice]?["state"] as? String == "enabled")
        #expect(rows[alice]?["linked"] as? Int == 1 && rows[alice]?["pending_local"] as? Int == 0)
        try cli.ok("activity", "update", "A1", "--subject", "Call back soon")
        #expect(try Self.status(cli).1[alice]?["pending_local"] as? Int == 1)
        try cli.ok("pause", "--mailbox", alice)
        #expect(try Self.status(cli).1[alice]?["next_pass"] is NSNull, "a paused mailbox has no next pass")
        let skipped = try cli.run("run", "--once")
        #expect(skipped.status == 3 && skipped.stdout.contains("paused (paused by ops); skipped"))
        #expect(fake.items(mailbox: alice, folder: "tasks").first?.fields["Subject"] == "Call back")
        try cli.ok("resume", "--mailbox", alice)
        try cli.ok("run", "--once")
        #expect(fake.items(mailbox: alice, folder: "tasks").first?.fields["Subject"] == "Call back soon")
        #expect(try Self.status(cli).1[alice]?["pending_local"] as? Int == 0)
    }

    @Test("a mailbox the account may not impersonate is disabled with the reason; the others keep syncing")
    func impersonationDenied() throws {
        let (fake, cli) = try SyncCLIFixture.make()
        defer { fake.stop() }
        fake.addMailbox("carol@contoso.test")
        fake.addAccount(.init(username: "svc", password: "pw", mayImpersonate: [SyncCLIFixture.mailbox]))
        try SyncCLIFixture.addSyncUser(cli, id: "E1", name: "Alice")
        try SyncCLIFixture.addSyncUser(cli, id: "E3", name: "Carol", mailbox: "carol@contoso.test")
        try cli.ok("activity", "add", "--type", "task", "--id", "A1", "--owner", "E1", "--subject", "Alice's")
        try cli.ok("activity", "add", "--type", "task", "--id", "A2", "--owner", "E3", "--subject", "Carol's")
        #expect(try cli.run("run", "--once").status == 3)
        let rows = try Self.status(cli).1
        #expect(rows["carol@contoso.test"]?["state"] as? String == "disabled")
        #expect(rows["carol@contoso.test"]?["reason"] as? String == "impersonation denied for the service account")
        #expect(rows[SyncCLIFixture.mailbox]?["state"] as? String == "enabled")
        #expect(fake.items(mailbox: SyncCLIFixture.mailbox, folder: "tasks").count == 1)
        // Ops grant the right, then resume: the mailbox syncs.
        fake.addAccount(.init(username: "svc", password: "pw"))
        try cli.ok("resume", "--mailbox", "carol@contoso.test")
        // The old error no longer shows as the reason, and says what comes next (issue 16).
        let resumed = try Self.status(cli).1["carol@contoso.test"]
        #expect(
            resumed?["reason"] as? String == "resumed by ops; the next pass syncs it",
            "\(String(describing: resumed))"
        )
        #expect(resumed?["last_error"] is NSNull && resumed?["state"] as? String == "enabled")
        #expect(try cli.run("run", "--once").status == 0)
        #expect(fake.items(mailbox: "carol@contoso.test", folder: "tasks").count == 1)
    }

    @Test("a wrong service password backs off with a clear reason and recovers once fixed; nothing is disabled")
    func wrongPasswordRecovers() throws {
        let (fake, cli) = try SyncCLIFixture.make()
        defer { fake.stop() }
        try SyncCLIFixture.addSyncUser(cli, id: "E1", name: "Alice")
        try SyncCLIFixture.writePassword("wrong", in: cli)
        #expect(try cli.run("run", "--once").status == 3)
        let row = try Self.status(cli).1[SyncCLIFixture.mailbox]
        #expect(row?["state"] as? String == "backing_off")
        #expect((row?["reason"] as? String)?.contains("authentication failed") == true)
        try SyncCLIFixture.writePassword("pw", in: cli)
        #expect(try cli.run("run", "--once").status == 0)
        #expect(try Self.status(cli).1[SyncCLIFixture.mailbox]?["state"] as? String == "enabled")
    }
}
