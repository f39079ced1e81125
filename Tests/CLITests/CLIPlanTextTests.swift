import EWSTestServer
import Foundation
import Testing

@Suite("plans for people: kind and subject per action, private subjects masked, totals, 'would' in dry runs")
struct CLIPlanTextTests {
    @Test("a dry run names each item and ends with totals; a private subject never shows; a pass says what it did")
    func readablePlans() throws {
        let (fake, cli) = try CLISyncTests.setUp()
        defer { fake.stop() }
        try cli.ok(
            "activity",
            "add",
            "--type",
            "task",
            "--id",
            "A2",
            "--owner",
            "E1",
            "--subject",
            "Divorce lawyer",
            "--sensitivity",
            "private"
        )

        let dry = try cli.ok("run", "--once", "--dry-run")
        #expect(dry.contains("alice@contoso.test: would do 2 actions\n"), "\(dry)")
        #expect(dry.contains("  would create in Outlook: A1 task \"Call back\"\n"), "\(dry)")
        #expect(dry.contains("  would create in Outlook: A2 task (private)\n"), "\(dry)")
        #expect(!dry.contains("Divorce"), "a private subject in a plan: \(dry)")
        #expect(
            dry.hasSuffix(
                "  totals (would): Outlook 2 create, 0 update, 0 delete; CRM 0 create, 0 update, 0 delete; "
                    + "0 conflicts; 0 bookkeeping; 0 skipped\n"
            ),
            "\(dry)"
        )

        #expect(try cli.ok("run", "--once").contains("  created in Outlook: A1 task \"Call back\"\n"))
        // Both directions in one pass: a CRM edit goes out, an Outlook task comes in.
        try cli.ok("activity", "update", "A1", "--subject", "Call back today")
        fake.userCreate(
            mailbox: SyncCLIFixture.mailbox,
            folder: "tasks",
            kind: "Task",
            fields: ["Subject": "Order toner", "Categories": "CRM"]
        )
        let pass = try cli.ok("run", "--once")
        #expect(pass.contains("  updated in Outlook: A1 task \"Call back today\" [subject"), "\(pass)")
        #expect(pass.contains("  imported into the CRM: task \"Order toner\" (item "), "\(pass)")
        #expect(pass.contains("  marked as synced in Outlook: item "), "\(pass)")
        #expect(
            pass.contains(
                "  totals: Outlook 0 create, 1 update, 0 delete; CRM 1 create, 0 update, 0 delete; 0 conflicts; "
            ),
            "\(pass)"
        )
        #expect(!pass.contains("would"), "\(pass)")

        // A conflict over a private item's subject: both values masked, the side kept said.
        let secret = try #require(
            fake.items(mailbox: SyncCLIFixture.mailbox, folder: "tasks").first {
                $0.fields["Subject"] == "Divorce lawyer"
            }
        )
        fake.userUpdate(mailbox: SyncCLIFixture.mailbox, itemId: secret.id, fields: ["Subject": "Lawyer (Outlook)"])
        try cli.ok("activity", "update", "A2", "--subject", "Lawyer (CRM)")
        let conflict = try cli.ok("run", "--once")
        #expect(
            conflict.contains(
                "  conflict: A2 task (private) subject: CRM (private), Outlook (private); kept the CRM's (crm-wins)\n"
            ),
            "\(conflict)"
        )
        #expect(!conflict.contains("Lawyer"), "\(conflict)")
        #expect(conflict.contains("; 1 conflict; "), "\(conflict)")

        // A dry-run purge names each item by its activity, the private one masked.
        let purge = try cli.ok("purge", "--mailbox", SyncCLIFixture.mailbox, "--dry-run")
        #expect(purge.contains("would remove 2 items this instance created"), "\(purge)")
        #expect(purge.contains("  would remove from Outlook: A1 task \"Call back today\" (item "), "\(purge)")
        #expect(purge.contains("  would remove from Outlook: A2 task (private) (item "), "\(purge)")
        #expect(!purge.contains("Divorce"), "\(purge)")
    }

    @Test("an activity is named by its own type: a call is a call in the plan, not the calendar item it becomes")
    func callNamedAsCall() throws {
        let (fake, cli) = try CLISyncTests.setUp()
        defer { fake.stop() }
        try cli.ok(
            ["activity", "add", "--type", "call", "--id", "A3", "--owner", "E1", "--subject", "Ring Pat"]
                + ["--start", "2026-12-04T09:00:00Z", "--end", "2026-12-04T09:15:00Z"]
        )
        let dry = try cli.ok("run", "--once", "--dry-run")
        #expect(dry.contains("  would create in Outlook: A3 call \"Ring Pat\"\n"), "\(dry)")
    }
}
