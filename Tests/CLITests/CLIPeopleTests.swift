import Foundation
import Testing

@Suite("the CRM command line for people: id order, owner's zone, filters, paging, show with names, help")
struct CLIPeopleTests {
    static func ids(_ table: String) -> [String] {
        table.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().prefix { !$0.isEmpty }.compactMap {
            $0.split(separator: " ").first
        }
        .map(String.init)
    }

    @Test("lists sort ids as people count; text times are in the owner's zone, --utc and --json in UTC")
    func orderAndZone() throws {
        let cli = try CLIRunner()
        try cli.seed()
        try cli.ok("employee", "add", "--id", "E10", "--name", "Ten")
        #expect(Self.ids(try cli.ok("employee", "list")) == ["E1", "E2", "E10"])
        for id in ["A10", "A2", "A1", "A100", "B1"] {
            try cli.ok(
                "activity",
                "add",
                "--id",
                id,
                "--type",
                "task",
                "--owner",
                "E2",
                "--subject",
                "Task \(id)",
                "--due",
                "2026-12-03T16:00:00Z"
            )
        }
        let list = try cli.ok("activity", "list")
        #expect(Self.ids(list) == ["A1", "A2", "A10", "A100", "B1"])
        // E2 works in Europe/Berlin: 16:00 UTC is 17:00 there.
        #expect(list.contains("A1    task  not_started  2026-12-03 17:00 +01:00  E2     Task A1\n"), "\(list)")
        #expect(try cli.ok("activity", "list", "--utc").contains("2026-12-03 16:00 UTC"))
        let json = try cli.ok("activity", "list", "--json")
        #expect(
            json.contains("\"due\":\"2026-12-03T16:00:00Z\"") || json.contains("\"due\" : \"2026-12-03T16:00:00Z\"")
        )
        let show = try cli.ok("activity", "show", "A1")
        #expect(show.contains("due               2026-12-03 17:00 +01:00\n"), "\(show)")
        #expect(show.contains("Europe/Berlin (the mailbox owner's zone; --utc for UTC)"), "\(show)")
        #expect(try cli.ok("activity", "show", "A1", "--utc").contains("2026-12-03 16:00 UTC"))
    }

    @Test("filters by partner, status, assignee and date range combine; pages say where the next begins")
    func filtersAndPaging() throws {
        let cli = try CLIRunner()
        try cli.seed()
        let rows: [[String]] = [
            ["--id", "A1", "--due", "2026-12-01T09:00:00Z", "--partner", "BP1"],
            ["--id", "A2", "--due", "2026-12-02T09:00:00Z", "--partner", "BP1", "--status", "completed"],
            ["--id", "A3", "--due", "2026-12-03T09:00:00Z", "--assigned-to", "E2"],
            ["--id", "A4", "--due", "2026-12-04T23:30:00Z", "--partner", "BP1"],
            ["--id", "A5"],
        ]
        for row in rows {
            try cli.ok(["activity", "add", "--type", "task", "--owner", "E1", "--subject", "S"] + row)
        }
        #expect(Self.ids(try cli.ok("activity", "list", "--partner", "BP1")) == ["A1", "A2", "A4"])
        #expect(Self.ids(try cli.ok("activity", "list", "--partner", "BP1", "--status", "completed")) == ["A2"])
        #expect(Self.ids(try cli.ok("activity", "list", "--assigned-to", "E2")) == ["A3"])
        // Days count whole (the default zone is UTC here); an activity with no date is outside any range.
        #expect(
            Self.ids(try cli.ok("activity", "list", "--from", "2026-12-02", "--to", "2026-12-04")) == [
                "A2", "A3", "A4",
            ]
        )
        #expect(Self.ids(try cli.ok("activity", "list", "--to", "2026-12-01")) == ["A1"])
        #expect(Self.ids(try cli.ok("activity", "list", "--from", "2026-12-04T23:30:00Z")) == ["A4"])
        #expect(try cli.run("activity", "list", "--from", "last week").status == 64)

        let first = try cli.ok("activity", "list", "--limit", "2")
        #expect(Self.ids(first) == ["A1", "A2"])
        #expect(first.hasSuffix("\nshowing 1-2 of 5; next page: --offset 2\n"), "\(first)")
        let last = try cli.ok("activity", "list", "--limit", "2", "--offset", "4")
        #expect(Self.ids(last) == ["A5"] && last.hasSuffix("\nshowing 5-5 of 5\n"), "\(last)")
        #expect(!(try cli.ok("activity", "list")).contains("showing"))
        let json = try cli.ok("activity", "list", "--json", "--limit", "1", "--offset", "1")
        let page = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect(page.map { $0["id"] as? String } == ["A2"])
    }

    @Test("show names the records it links and says where it is in Outlook and what is open")
    func showWithNames() throws {
        let cli = try CLIRunner()
        try cli.seed()
        try cli.ok(
            "activity",
            "add",
            "--id",
            "A1",
            "--type",
            "task",
            "--owner",
            "E1",
            "--subject",
            "Renewal",
            "--partner",
            "BP1",
            "--contact",
            "C1",
            "--opportunity",
            "O1"
        )
        try cli.ok(
            "activity",
            "add",
            "--id",
            "A2",
            "--type",
            "call",
            "--owner",
            "E1",
            "--subject",
            "Ring Pat",
            "--linked-activity",
            "A1",
            "--start",
            "2026-12-03T09:00:00Z",
            "--end",
            "2026-12-03T09:30:00Z"
        )
        try cli.ok("activity", "add", "--id", "A3", "--type", "mailing", "--owner", "E1", "--subject", "Offer")
        let show = try cli.ok("activity", "show", "A1")
        for line in [
            "partner           BP1 (Fabrikam)", "contact           C1 (Pat Doe)",
            "opportunity       O1 (Fabrikam renewal)", "owner             E1 (Alice Smith)",
            "outlook           not linked yet: the next pass of alice@contoso.test creates it",
            "last_sync         -", "conflicts         none open",
        ] {
            #expect(show.contains(line + "\n"), "\(line): \(show)")
        }
        #expect(try cli.ok("activity", "show", "A2").contains("linked_activity   A1 (task \"Renewal\")\n"))
        #expect(try cli.ok("activity", "show", "A3").contains("not synced (mailings stay in the CRM)"))
        try cli.ok("activity", "update", "A1", "--no-synchronize")
        #expect(try cli.ok("activity", "show", "A1").contains("not synced (synchronize is off)"))
    }

    @Test("--owner is required where it is, and every option of every command says what it is for")
    func helpTexts() throws {
        let cli = try CLIRunner()
        let usage = try cli.ok("activity", "add", "--help")
        #expect(usage.contains("--type <type> --owner <owner>"), "\(usage)")
        let missing = try cli.run("activity", "add", "--type", "task", "--subject", "x")
        #expect(missing.status == 64 && missing.stderr.contains("--owner"), "\(missing.stderr)")
        #expect(try cli.ok("activity", "update", "--help").contains("New owner (employee id)"))

        let dump = try cli.ok("--experimental-dump-help")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(dump.utf8)) as? [String: Any])
        var bare: [String] = []
        func walk(_ command: [String: Any], _ path: String) {
            if (command["abstract"] as? String ?? "").isEmpty { bare.append("\(path): the command") }
            for argument in command["arguments"] as? [[String: Any]] ?? [] {
                let names = (argument["names"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                let name = names.first ?? argument["valueName"] as? String ?? "?"
                if ["help", "version", "subcommands"].contains(name) { continue }
                if (argument["abstract"] as? String ?? "").isEmpty { bare.append("\(path): \(name)") }
            }
            // (ArgumentParser's own `help` command is not ours to document.)
            for sub in command["subcommands"] as? [[String: Any]] ?? [] where sub["commandName"] as? String != "help" {
                walk(sub, "\(path) \(sub["commandName"] as? String ?? "?")")
            }
        }
        walk(try #require(root["command"] as? [String: Any]), "activity-sync")
        #expect(bare.isEmpty, "options without help: \(bare)")
    }
}
