import EWSTestServer
import Foundation
import Testing

@Suite(
    "the audit names who acted: pause, resume, resync, purge and conflicts resolve; --since takes dates and durations"
)
struct CLIAuditOpsTests {
    static func audit(_ cli: CLIRunner, _ arguments: String...) throws -> [[String: Any]] {
        let text = try cli.ok(["audit", "--json"] + arguments)
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    }

    @Test("ops' commands are audited with the user; a resolved conflict shows the side taken and is not taken twice")
    func opsAudited() throws {
        let (fake, cli) = try CLISyncTests.setUp()
        defer { fake.stop() }
        let me = "(uid \(getuid()))"
        try cli.ok("run", "--once")
        try cli.ok("pause", "--mailbox", CLISyncTests.mailbox)
        try cli.ok("resume", "--mailbox", CLISyncTests.mailbox)
        try cli.ok("resync", "--mailbox", CLISyncTests.mailbox, "--allow-deletes")
        _ = try cli.ok("resync", "--mailbox", CLISyncTests.mailbox, "--dry-run")

        // A conflict: the open list says how to take the other side.
        let item = try #require(fake.items(mailbox: CLISyncTests.mailbox, folder: "tasks").first)
        fake.userUpdate(mailbox: CLISyncTests.mailbox, itemId: item.id, fields: ["Subject": "Call back (Outlook)"])
        try cli.ok("activity", "update", "A1", "--subject", "Call back (CRM)")
        try cli.ok("run", "--once")
        let open = try cli.ok("conflicts", "list")
        #expect(open.contains("activity-sync conflicts resolve ID --take crm|exchange"), "\(open)")
        let id = try #require(open.split(separator: "\n").dropFirst().first?.split(separator: " ").first)
        // `activity show` says where the item is, when it last synced, and the open conflict with its command.
        let shown = try cli.ok("activity", "show", "A1")
        #expect(shown.contains("outlook           \(CLISyncTests.mailbox), tasks folder, item "), "\(shown)")
        #expect(!shown.contains("last_sync         -") && shown.contains("conflicts         1 open"), "\(shown)")
        #expect(shown.contains("conflict          #\(id) subject: CRM \"Call back (CRM)\", Outlook "), "\(shown)")
        #expect(shown.contains("(conflicts resolve \(id) --take crm|exchange)"), "\(shown)")
        try cli.ok("conflicts", "resolve", String(id), "--take", "exchange")
        let again = try cli.run("conflicts", "resolve", String(id), "--take", "crm")
        #expect(again.status == 1 && again.stderr.contains("conflict \(id) is resolved already"), "\(again.stderr)")
        #expect(again.stderr.contains("took exchange, by ") && again.stderr.contains("nothing changed"))
        #expect(try cli.ok("activity", "show", "A1").contains("Call back (Outlook)"))
        let all = try cli.ok("conflicts", "list", "--all")
        #expect(all.contains("crm (resolved: took exchange, by ") && all.contains(me), "\(all)")
        #expect(!all.contains("conflicts resolve ID"), "no open conflict, no hint: \(all)")

        let entries = try Self.audit(cli)
        let ops = entries.filter { $0["by"] is String }
        #expect(ops.map { $0["action"] as? String } == ["pause", "resume", "resync", "conflict-resolve"], "\(ops)")
        #expect(ops.allSatisfy { ($0["by"] as? String)?.hasSuffix(me) == true }, "\(ops)")
        #expect(ops[2]["fields"] as? String == "allow-deletes")
        #expect(ops[3]["winner"] as? String == "exchange" && ops[3]["activity"] as? String == "A1")
        // The sync's own decisions name no one.
        #expect(entries.contains { $0["action"] as? String == "create-remote" && $0["by"] is NSNull })
        let table = try cli.ok("audit", "--activity", "A1")
        #expect(table.hasPrefix("AT") && table.contains(" BY ") && table.contains(" sync "), "\(table)")

        // --since: a duration, a date, a time with a zone; anything else is a usage error naming the forms.
        #expect(try Self.audit(cli, "--since", "2h").count == entries.count)
        #expect(try Self.audit(cli, "--since", "1d12h").count == entries.count)
        #expect(try Self.audit(cli, "--since", "2000-01-01").count == entries.count)
        #expect(try Self.audit(cli, "--since", "2999-01-01").isEmpty)
        #expect(try Self.audit(cli, "--since", "2999-01-01T00:00:00Z").isEmpty)
        for bad in ["yesterday", "2h30", "2026-02-30", "h"] {
            let run = try cli.run("audit", "--since", bad)
            #expect(run.status == 64 && run.stderr.contains("a duration back from now (30m, 2h, 7d)"), "\(bad)")
        }
    }

    @Test("a purge is audited with the user who asked")
    func purgeAudited() throws {
        let (fake, cli) = try CLISyncTests.setUp()
        defer { fake.stop() }
        try cli.ok("run", "--once")
        try cli.ok("purge", "--mailbox", CLISyncTests.mailbox)
        let purge = try Self.audit(cli).filter { $0["action"] as? String == "purge" }
        #expect(purge.contains { ($0["by"] as? String)?.hasSuffix("(uid \(getuid()))") == true }, "\(purge)")
        // (The engine's per-item purge entries are the sync's.)
        #expect(purge.contains { $0["by"] is NSNull && $0["item"] is String }, "\(purge)")
    }
}
