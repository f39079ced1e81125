import Foundation
import GRDB
import Testing

/// Issue 11: hostile or clumsy CRM input at the command line — numbers at their extremes, ids with control
/// characters, text past its limit, a damaged stored record — is refused or skipped with a message naming
/// it; nothing traps, nothing half-written.
@Suite("the activity-sync binary: extreme input is refused, a damaged record skipped")
struct CLIExtremeInputTests {
    static func document(_ activity: String) -> String {
        """
        {"employees": [{"id": "E1", "name": "Alice Smith", "mailbox": "alice@contoso.test", "sync": true}],
         "activities": [\(activity)]}
        """
    }

    static func call(_ extra: String) -> String {
        """
        {"id": "A1", "type": "call", "subject": "Call", "owner": "E1", "start": "2026-12-04T09:00:00Z", \(extra)}
        """
    }

    @Test(
        "a number past its range is refused naming the field; nothing is imported",
        arguments: [
            ("\"duration_minutes\": 9223372036854775807", "duration_minutes"),
            ("\"duration_minutes\": -9223372036854775808", "duration_minutes"),
            ("\"duration_minutes\": 9223372036854775808", "duration_minutes"),
            ("\"duration_minutes\": 1e300", "duration_minutes"),
            ("\"reminder_minutes\": 2147483648", "reminder_minutes"),
            ("\"reminder_minutes\": -1", "reminder_minutes"),
            ("\"percent_complete\": 1e300", "percent_complete"),
            ("\"percent_complete\": -0.5", "percent_complete"),
        ]
    )
    func extremeNumbers(extra: String, field: String) throws {
        let cli = try CLIRunner()
        try Self.document(Self.call(extra)).write(toFile: cli.path("crm.json"), atomically: true, encoding: .utf8)
        let output = try cli.run("import", "crm.json")
        #expect(output.status == 1, "\(extra): \(output.stderr)")
        #expect(output.stderr.contains(field), "\(extra): \(output.stderr)")
        #expect(try cli.ok("employee", "list") == "(none)\n")
    }

    @Test("activity options at their extremes: refused naming the field (1), or a usage error (64); nothing added")
    func extremeOptions() throws {
        let cli = try CLIRunner()
        try cli.seed()
        let base = [
            "activity", "add", "--type", "call", "--owner", "E1", "--subject", "Call", "--start",
            "2026-12-04T09:00:00Z",
        ]
        for (option, value, status, field) in [
            ("--duration-minutes", "9223372036854775807", 1, "duration_minutes"),
            ("--duration-minutes", "-9223372036854775808", 1, "duration_minutes"),
            ("--duration-minutes", "9223372036854775808", 64, "--duration-minutes"),
            ("--reminder-minutes", "2147483648", 1, "reminder_minutes"),
            ("--reminder-minutes", "1e300", 64, "--reminder-minutes"),
        ] {
            let output = try cli.run(base + ["\(option)=\(value)"])
            #expect(output.status == Int32(status), "\(option) \(value): \(output.stderr)")
            #expect(output.stderr.contains(field), "\(option) \(value): \(output.stderr)")
        }
        #expect(try cli.ok("activity", "list") == "(none)\n")
    }

    @Test("an id with a NUL, an escape or a line break is refused, in import and on the command line")
    func controlCharacterIds() throws {
        let cli = try CLIRunner()
        for id in ["A\\u00001", "A\\u001b[2J", "A\\n1"] {
            try Self.document(
                Self.call("\"reminder_minutes\": 5").replacingOccurrences(of: "\"A1\"", with: "\"\(id)\"")
            )
            .write(toFile: cli.path("crm.json"), atomically: true, encoding: .utf8)
            let output = try cli.run("import", "crm.json")
            #expect(output.status == 1, "\(id): \(output.stderr)")
            #expect(output.stderr.contains("only printable characters"), "\(id): \(output.stderr)")
            #expect(!output.stderr.contains("\u{1B}"), "the message never carries the escape itself")
        }
        let added = try cli.run("employee", "add", "--id", "E\u{1B}1", "--name", "Eve")
        #expect(added.status == 1 && added.stderr.contains("id 'E\\u{1B}1'"), "\(added.stderr)")
    }

    @Test("a 10 MB subject is refused with the limit named and a short message")
    func hugeSubject() throws {
        let cli = try CLIRunner()
        let subject = String(repeating: "x", count: 10 << 20)
        try Self.document(
            Self.call("\"reminder_minutes\": 5").replacingOccurrences(of: "\"Call\"", with: "\"\(subject)\"")
        )
        .write(toFile: cli.path("crm.json"), atomically: true, encoding: .utf8)
        let output = try cli.run("import", "crm.json")
        #expect(output.status == 1)
        #expect(output.stderr.contains("subject") && output.stderr.contains("longer than 255 characters"))
        #expect(output.stderr.utf8.count < 1000)
    }

    @Test("a damaged stored activity: list and export name it on stderr and show the rest; exit 0")
    func damagedRecord() throws {
        let cli = try CLIRunner()
        try Self.document(
            Self.call("\"reminder_minutes\": 5") + ","
                + Self.call("\"reminder_minutes\": 10").replacingOccurrences(of: "\"A1\"", with: "\"A2\"")
        ).write(toFile: cli.path("crm.json"), atomically: true, encoding: .utf8)
        try cli.ok("import", "crm.json")
        try DatabaseQueue(path: cli.path("crm.sqlite")).write {
            try $0.execute(sql: "UPDATE activities SET doc = 'garbage' WHERE id = 'A1'")
        }
        let list = try cli.run("activity", "list")
        #expect(list.status == 0)
        #expect(list.stdout.contains("A2") && !list.stdout.contains("A1"))
        #expect(list.stderr.contains("activity A1: its stored record is unreadable"))
        let export = try cli.run("export")
        #expect(export.status == 0 && export.stderr.contains("activity A1"))
        let document = try JSONSerialization.jsonObject(with: Data(export.stdout.utf8)) as? [String: Any]
        #expect((document?["activities"] as? [[String: Any]])?.map { $0["id"] as? String } == ["A2"])
        let show = try cli.run("activity", "show", "A1")
        #expect(show.status == 1 && show.stderr.contains("unreadable"), "\(show.stderr)")
    }
}
