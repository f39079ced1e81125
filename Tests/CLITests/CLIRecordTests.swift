import Foundation
import Testing

@Suite("the activity-sync binary: record commands")
struct CLIRecordTests {
    @Test("records list as a table and as one JSON document in the import shape")
    func listAndJSON() throws {
        let cli = try CLIRunner()
        try cli.seed()
        #expect(
            try cli.ok("employee", "list") == """
                ID  NAME         MAILBOX             SYNC  TIME ZONE      BACKEND
                E1  Alice Smith  alice@contoso.test  yes   (default)      (default)
                E2  Bob Jones    bob@contoso.test    yes   Europe/Berlin  (default)

                """
        )
        let partners =
            try JSONSerialization.jsonObject(with: Data(try cli.ok("partner", "list", "--json").utf8))
            as? [[String: Any]]
        #expect(partners?.count == 1)
        #expect(partners?.first?["internal_rep"] as? String == "E1")
        #expect(partners?.first?.keys.sorted() == ["external_rep", "id", "internal_rep", "name"])
        #expect(
            try cli.ok("contact", "show", "C2") == """
                id         C2
                name       Sam Roe
                partner    BP1
                email      sam@fabrikam.test
                phone      -
                opted_out  yes

                """
        )
    }

    @Test("activity add prints the new id; show, update, delete and restore work on it")
    func activityLifecycle() throws {
        let cli = try CLIRunner()
        try cli.seed()
        let id = try cli.ok(
            "activity",
            "add",
            "--type",
            "task",
            "--owner",
            "E1",
            "--subject",
            "Call back about renewal",
            "--partner",
            "BP1",
            "--contact",
            "C1",
            "--due",
            "2026-12-03T17:00:00+01:00",
            "--reminder-minutes",
            "15"
        )
        #expect(id == "A1\n")
        #expect(
            try cli.ok(
                "activity",
                "update",
                "A1",
                "--status",
                "in_process",
                "--percent-complete",
                "50",
                "--contact",
                ""
            )
                == "A1 updated: status, contact, percent_complete\n"
        )
        let shown =
            try JSONSerialization.jsonObject(with: Data(try cli.ok("activity", "show", "A1", "--json").utf8))
            as? [String: Any]
        #expect(shown?["status"] as? String == "in_process")
        #expect(shown?["due"] as? String == "2026-12-03T16:00:00Z")
        #expect(shown?["contact"] is NSNull)
        #expect(shown?["change_seq"] as? Int == 2)
        #expect(
            try cli.ok("activity", "delete", "A1")
                == "A1 deleted; `activity-sync activity restore A1` brings it back\n"
        )
        #expect(try cli.ok("activity", "list") == "(none)\n")
        #expect(try cli.ok("activity", "list", "--include-deleted").contains("A1 (deleted)"))
        #expect(try cli.ok("activity", "restore", "A1") == "A1 restored\n")
        #expect(try cli.ok("activity", "update", "A1", "--status", "in_process") == "A1 unchanged\n")
        // (E1 has no zone of its own: the configured default, UTC here.)
        #expect(
            try cli.ok("activity", "list").contains(
                "A1  task  in_process  2026-12-03 16:00 UTC  E1     Call back about renewal"
            )
        )
    }

    @Test("refused input exits 1 naming field and value and writes nothing; usage errors exit 64")
    func refusals() throws {
        let cli = try CLIRunner()
        try cli.seed()
        let bad = try cli.run(
            "activity",
            "add",
            "--type",
            "appointment",
            "--owner",
            "E1",
            "--subject",
            "Visit",
            "--start",
            "2026-12-04T09:00:00",
            "--end",
            "2026-12-04T10:00:00Z",
            "--attendee",
            "sam@fabrikam.test"
        )
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("start '2026-12-04T09:00:00': a time needs a zone"))
        #expect(bad.stderr.contains("attendees 'sam@fabrikam.test': contact C2 opted out"))
        #expect(try cli.ok("activity", "list", "--include-deleted") == "(none)\n")
        #expect(try cli.run("activity", "add", "--type", "task", "--subject", "x").status == 64)
        #expect(try cli.run("activity", "add", "--type", "meeting", "--owner", "E1", "--subject", "x").status == 64)
        #expect(try cli.run("activity", "show", "A99").status == 1)
        #expect(try cli.run("employee", "add", "--id", "E1", "--name", "Again").status == 1)
    }

    @Test("a follow-up links its origin and copies partner, contact and attendees")
    func followUp() throws {
        let cli = try CLIRunner()
        try cli.seed()
        try cli.ok(
            "activity",
            "add",
            "--type",
            "appointment",
            "--id",
            "AP1",
            "--owner",
            "E1",
            "--subject",
            "Visit",
            "--start",
            "2026-12-04T09:00:00Z",
            "--end",
            "2026-12-04T10:00:00Z",
            "--partner",
            "BP1",
            "--contact",
            "C1",
            "--attendee",
            "pat@fabrikam.test:optional"
        )
        #expect(
            try cli.ok("activity", "follow-up", "AP1", "--type", "call", "--start", "2026-12-05T09:00:00Z") == "A1\n"
        )
        let call =
            try JSONSerialization.jsonObject(with: Data(try cli.ok("activity", "show", "A1", "--json").utf8))
            as? [String: Any]
        #expect(call?["linked_activity"] as? String == "AP1")
        #expect(call?["origin"] as? String == "follow_up")
        #expect(call?["contact"] as? String == "C1")
        #expect((call?["attendees"] as? [[String: Any]])?.first?["attendance"] as? String == "optional")
    }

    @Test("configuration errors exit 2 naming the key; environment variables override the file")
    func configuration() throws {
        let cli = try CLIRunner(config: "store:\n  path: crm.sqlite\nsync:\n  conflict_policy: loudest-wins\n")
        let bad = try cli.run("employee", "list")
        #expect(bad.status == 2)
        #expect(
            bad.stderr.contains(
                "sync.conflict_policy 'loudest-wins': must be one of crm-wins, exchange-wins, newest-wins"
            )
        )
        let fixed = try cli.run(
            "employee",
            "list",
            environment: ["ACTIVITY_SYNC_SYNC_CONFLICT_POLICY": "exchange-wins"]
        )
        #expect(fixed.status == 0)
        let other = try CLIRunner(config: "store:\n  path: crm.sqlite\n  colour: blue\n")
        #expect(try other.run("employee", "list").stderr.contains("unknown key 'store.colour'"))
        let relocated = try other.run(
            "employee",
            "list",
            environment: ["ACTIVITY_SYNC_STORE_PATH": other.path("elsewhere.sqlite")]
        )
        #expect(relocated.status == 2)  // the file still has the unknown key
        let state = try CLIRunner()
        #expect(try state.run("employee", "list", environment: ["STATE_DIRECTORY": state.path("state")]).status == 0)
        #expect(FileManager.default.fileExists(atPath: state.path("state/crm.sqlite")))
    }

    @Test("the shipped Config/activity-sync.yaml names every key and is accepted as it is")
    func shippedConfiguration() throws {
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Config/activity-sync.yaml").path
        let cli = try CLIRunner()
        let output = try cli.run(
            "employee",
            "list",
            "--config",
            shipped,
            environment: ["ACTIVITY_SYNC_STORE_PATH": cli.path("shipped.sqlite")]
        )
        #expect(output.status == 0, "\(output.stderr)")
        let text = try String(contentsOfFile: shipped, encoding: .utf8)
        for key in [
            "instance_id", "retention_days", "password_file", "ca_file", "conflict_policy", "calls_as",
            "remote_delete", "send_invitations", "max_delete_ratio", "batch_size", "notifications", "listen",
        ] {
            #expect(text.contains("\(key):"), "\(key)")
        }
    }
}
