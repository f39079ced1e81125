import Foundation
import Testing

@Suite("the activity-sync binary: import, export, generate, backup")
struct CLIBulkTests {
    static let document = """
        {"employees": [{"id": "E1", "name": "Alice Smith", "mailbox": "alice@contoso.test", "sync": true}],
         "partners": [{"id": "BP1", "name": "Fabrikam", "internal_rep": "E1", "external_rep": null}],
         "contacts": [{"id": "C1", "name": "Pat Doe", "partner": "BP1", "email": "pat@fabrikam.test", "phone": null, "opted_out": false}],
         "opportunities": [{"id": "O1", "name": "Fabrikam renewal", "partner": "BP1"}],
         "templates": [{"id": "T1", "type": "task", "subject": "Send price list", "information": null, "priority": "normal", "due_in_days": 7}],
         "activities": [
           {"id": "A1", "type": "task", "subject": "Call back about renewal", "status": "not_started", "priority": "normal",
            "sensitivity": "normal", "information": "Prefers mornings", "partner": "BP1", "contact": "C1", "opportunity": "O1",
            "linked_activity": null, "owner": "E1", "assigned_to": "E1", "organizer": null, "start": null, "end": null,
            "due": "2026-12-03T16:00:00Z", "all_day": false, "duration_minutes": null, "direction": null, "location": null,
            "show_as": null, "reminder_minutes": 15, "percent_complete": 0, "attendees": [], "synchronize": true,
            "origin": "manual", "template": null, "deleted": false, "created_at": "1999-01-01T00:00:00Z", "change_seq": 99},
           {"id": "A2", "type": "appointment", "subject": "Visit", "owner": "E1", "start": "2026-12-04", "end": "2026-12-04", "all_day": true}
         ]}
        """

    @Test("import upserts the spec's document; export writes it back with read-only bookkeeping")
    func importExport() throws {
        let cli = try CLIRunner()
        try Self.document.write(toFile: cli.path("crm.json"), atomically: true, encoding: .utf8)
        #expect(
            try cli.ok("import", "crm.json")
                == "imported 1 employees, 1 partners, 1 contacts, 1 opportunities, 1 templates, 2 activities; 0 activities unchanged\n"
        )
        let exported = try cli.ok("export")
        let document = try JSONSerialization.jsonObject(with: Data(exported.utf8)) as? [String: Any]
        let activities = document?["activities"] as? [[String: Any]]
        #expect(activities?.map { $0["id"] as? String } == ["A1", "A2"])
        #expect(activities?[0]["change_seq"] as? Int == 1)  // the imported change_seq is ignored
        #expect(activities?[0]["created_at"] as? String != "1999-01-01T00:00:00Z")
        #expect(activities?[1]["start"] as? String == "2026-12-04")
        // Re-importing the export into a new store through stdin gives the same records.
        let other = try CLIRunner()
        #expect(try other.run(["import", "-"], stdin: exported).status == 0)
        let again = try JSONSerialization.jsonObject(with: Data(try other.ok("export").utf8)) as? [String: Any]
        #expect((again?["activities"] as? [[String: Any]])?.count == 2)
        #expect((again?["contacts"] as? [[String: Any]])?.first?["email"] as? String == "pat@fabrikam.test")
    }

    @Test("a bad record in the middle of an import writes nothing and is named")
    func atomicImport() throws {
        let cli = try CLIRunner()
        let bad = Self.document.replacingOccurrences(of: "\"status\": \"not_started\"", with: "\"status\": \"done\"")
        try bad.write(toFile: cli.path("bad.json"), atomically: true, encoding: .utf8)
        let output = try cli.run("import", "bad.json")
        #expect(output.status == 1)
        #expect(output.stderr.contains("activities[0] (activity A1) refused: status 'done': not valid for task"))
        #expect(try cli.ok("employee", "list") == "(none)\n")
        try "{\"activities\": [{\"id\": \"A1\", \"type\": \"meeting\"}]}".write(
            toFile: cli.path("worse.json"),
            atomically: true,
            encoding: .utf8
        )
        let malformed = try cli.run("import", "worse.json")
        #expect(malformed.status == 1)
        #expect(malformed.stderr.contains("activities[0].type"))
    }

    @Test("an unknown top-level key is refused with the key it most likely meant, exit 1, nothing written")
    func unknownTopLevelKey() throws {
        let cli = try CLIRunner()
        let misspelt = Self.document.replacingOccurrences(of: "\"activities\"", with: "\"activity\"")
        #expect(misspelt != Self.document)
        try misspelt.write(toFile: cli.path("misspelt.json"), atomically: true, encoding: .utf8)
        let output = try cli.run("import", "misspelt.json")
        #expect(output.status == 1, "\(output.stdout)")
        #expect(
            output.stderr.contains(
                "misspelt.json is not an import document: unknown top-level key 'activity' (did you mean 'activities'?)"
            ),
            "\(output.stderr)"
        )
        #expect(try cli.ok("employee", "list") == "(none)\n")
    }

    @Test("generate --simulate prints what would be created and writes nothing")
    func generate() throws {
        let cli = try CLIRunner()
        try Self.document.write(toFile: cli.path("crm.json"), atomically: true, encoding: .utf8)
        try cli.ok("import", "crm.json")
        let simulated = try cli.ok(
            "generate",
            "--template",
            "T1",
            "--partners",
            "BP1",
            "--assign-to",
            "internal-rep",
            "--owner",
            "E1",
            "--simulate"
        )
        #expect(simulated.hasPrefix("simulation: 1 activities would be created; nothing was written\n"))
        #expect(simulated.contains("A3  task  Send price list  BP1"))
        #expect(try cli.ok("activity", "list").components(separatedBy: "\n").count == 4)  // header, A1, A2, ""
        try cli.ok("generate", "--template", "T1", "--partners", "BP1", "--assign-to", "employee:E1", "--owner", "E1")
        #expect(try cli.ok("activity", "show", "A3").contains("origin            template"))
        #expect(try cli.run("generate", "--template", "T1", "--owner", "E1").status == 64)
    }

    @Test("backup writes a store that opens; a second backup to the same file is refused")
    func backup() throws {
        let cli = try CLIRunner()
        try cli.seed()
        try cli.ok("backup", "copy.sqlite")
        let copy = try CLIRunner(config: "store:\n  path: \(cli.path("copy.sqlite"))\n")
        #expect(try copy.ok("employee", "list").contains("Alice Smith"))
        #expect(try cli.run("backup", "copy.sqlite").status == 1)
        // A folder that does not exist: exit 1 (not 2, which says the configuration is wrong), naming the target.
        let target = cli.path("no-such-folder/copy.sqlite")
        let nowhere = try cli.run("backup", target)
        #expect(nowhere.status == 1 && nowhere.stderr.contains("backup to \(target) failed"), "\(nowhere.stderr)")
    }

    @Test("the store and a backup are the owner's only, whatever the umask; a symlink target is refused")
    func privateFiles() throws {
        let cli = try CLIRunner()
        try cli.seed()
        try cli.ok("backup", "copy.sqlite")
        for name in ["crm.sqlite", "copy.sqlite"] {
            let mode = (try FileManager.default.attributesOfItem(atPath: cli.path(name))[.posixPermissions] as? Int)
            #expect(mode.map { $0 & 0o077 } == 0, "\(name): \(String(mode ?? 0, radix: 8))")
        }
        try FileManager.default.createSymbolicLink(
            atPath: cli.path("link.sqlite"),
            withDestinationPath: cli.path("elsewhere")
        )
        let refused = try cli.run("backup", "link.sqlite")
        #expect(refused.status == 1 && refused.stderr.contains("is a symbolic link"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.path("elsewhere")))
    }
}
