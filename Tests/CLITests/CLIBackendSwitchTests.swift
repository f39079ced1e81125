import EWSTestServer
import Foundation
import Testing

/// An employee's backend switched (EWS ⇄ Graph) on one mailbox model served by both fakes: an item made over
/// EWS is the item To Do shows. A task linked over one backend is found over the other by this instance's
/// identity where it carries it, else by its values (and stamped); one found neither way is held — nothing
/// created, deleted or imported twice.
@Suite("the activity-sync binary: a mailbox switched between EWS and Graph")
struct CLIBackendSwitchTests {
    @Test(
        "EWS → Graph → EWS keeps every link: events and tasks found by identity or by their values, 0 creates, 0 deletes"
    )
    func tasksAcrossSwitch() throws {
        let (fake, graph, cli) = try Self.hybrid()
        defer {
            fake.stop()
            graph.stop()
        }
        try cli.ok("activity", "add", "--type", "task", "--id", "A1", "--owner", "E1", "--subject", "Call back")
        let appointment = try cli.run(
            ["activity", "add", "--type", "appointment", "--id", "M1", "--owner", "E1", "--subject", "Visit"]
                + ["--start", CLIGraphTests.soon(2), "--end", CLIGraphTests.soon(2 + 1.0 / 24)]
        )
        #expect(appointment.status == 0)
        fake.userCreate(
            mailbox: SyncCLIFixture.mailbox,
            folder: "tasks",
            kind: "Task",
            fields: ["Subject": "Mine, to import", "Categories": "CRM"]
        )
        _ = try cli.ok("run", "--once")
        #expect(try Self.activities(cli) == ["A1", "A2", "M1"])
        #expect(fake.items(mailbox: SyncCLIFixture.mailbox, folder: "tasks").count == 2)
        // The same two tasks are what To Do shows (one mailbox), with no extension of ours yet.
        #expect(graph.todoTasks(mailbox: SyncCLIFixture.mailbox).count == 2)

        try cli.ok("employee", "update", "E1", "--backend", "graph")
        let dry = try cli.ok("resync", "--mailbox", SyncCLIFixture.mailbox, "--dry-run")
        #expect(dry.contains("would relink A1") && dry.contains("would relink A2"), "\(dry)")
        let onGraph = try cli.ok("run", "--once")
        #expect(onGraph.contains("relink A1") && onGraph.contains("relink A2"), "\(onGraph)")
        #expect(
            onGraph.contains("totals: Outlook 0 create, 0 update, 0 delete; CRM 0 create, 0 update, 0 delete;"),
            "\(onGraph)"
        )
        #expect(try Self.activities(cli) == ["A1", "A2", "M1"])
        // The meeting EWS made is the event Graph shows, re-linked by the identity property both read.
        #expect(onGraph.contains("linked again: M1 appointment \"Visit\""), "\(onGraph)")
        let event = try #require(graph.events(mailbox: SyncCLIFixture.mailbox).first)
        graph.userUpdateEvent(
            mailbox: SyncCLIFixture.mailbox,
            id: try #require(event["id"] as? String),
            properties: ["subject": "Visit (moved in Outlook on the web)"]
        )
        // Found by their values, the tasks carry our identity in To Do now.
        let todo = graph.todoTasks(mailbox: SyncCLIFixture.mailbox)
        let stamped = todo.compactMap { ($0["extensions"] as? [[String: Any]])?.first?["ActivityId"] as? String }
        #expect(stamped.sorted() == ["A1", "A2"])
        try cli.ok("activity", "update", "A1", "--subject", "Call back soon")
        graph.userCreateTodoTask(
            mailbox: SyncCLIFixture.mailbox,
            title: "Made in To Do",
            extra: ["categories": ["CRM"]]
        )
        let synced = try cli.ok("run", "--once")
        #expect(synced.contains("updated in Outlook: A1 ") && synced.contains("imported into the CRM: "), "\(synced)")
        #expect(synced.contains("updated in the CRM: M1 "), "\(synced)")
        #expect(try Self.activities(cli) == ["A1", "A2", "A3", "M1"])
        // (To Do does not tell a task's version after a stamp: the next pass reads the import once more.)
        _ = try cli.ok("run", "--once")
        let quiet = try cli.ok("run", "--once")
        #expect(quiet.contains("did 0 actions"), "\(quiet)")

        // Back to EWS: A1 and A2 carry the identity property EWS reads; A3, made in To Do, is found by its values.
        try cli.ok("employee", "update", "E1", "--backend", "ews")
        let back = try cli.ok("run", "--once")
        #expect(
            back.contains("relink A1") && back.contains("relink A3") && back.contains("linked again: M1 "),
            "\(back)"
        )
        #expect(
            back.contains("totals: Outlook 0 create, 0 update, 0 delete; CRM 0 create, 0 update, 0 delete;"),
            "\(back)"
        )
        #expect(try Self.activities(cli) == ["A1", "A2", "A3", "M1"])
        let meetings = fake.items(mailbox: SyncCLIFixture.mailbox, folder: "calendar")
        #expect(meetings.map { $0.fields["Subject"] } == ["Visit (moved in Outlook on the web)"])
        let subjects = fake.items(mailbox: SyncCLIFixture.mailbox, folder: "tasks").compactMap { $0.fields["Subject"] }
        #expect(subjects.sorted() == ["Call back soon", "Made in To Do", "Mine, to import"])
        #expect(try cli.ok("run", "--once").contains("did 0 actions"))
        #expect(graph.violations.isEmpty && fake.schemaViolations.isEmpty)
    }

    @Test(
        "a task found neither by identity nor by its values alone is held: nothing created or deleted, status says so"
    )
    func ambiguousHeld() throws {
        let (fake, graph, cli) = try Self.hybrid()
        defer {
            fake.stop()
            graph.stop()
        }
        try cli.ok("activity", "add", "--type", "task", "--id", "A1", "--owner", "E1", "--subject", "Call back")
        _ = try cli.ok("run", "--once")
        // A second task of the same subject and due date, the user's: which one is A1's cannot be told.
        fake.userCreate(
            mailbox: SyncCLIFixture.mailbox,
            folder: "tasks",
            kind: "Task",
            fields: ["Subject": "Call back"]
        )
        try cli.ok("employee", "update", "E1", "--backend", "graph")
        let run = try cli.run("run", "--once")
        #expect(run.stdout.contains("hold A1"), "\(run.stdout)")
        #expect(
            !run.stdout.contains("created in") && !run.stdout.contains("removed from")
                && !run.stdout.contains("deleted in")
        )
        #expect(!run.stdout.contains("imported into"), "\(run.stdout)")
        #expect(try Self.activities(cli) == ["A1"])
        #expect(try cli.ok("status").contains("held"))
        let again = try cli.run("run", "--once")
        #expect(again.stdout.contains("hold A1") && !again.stdout.contains("created in"))
    }

    @Test("graph.tasks: calendar through the binary: a task becomes an all-day event; status says calendar")
    func calendarMode() throws {
        let (fake, graph, cli) = try Self.hybrid(tasks: "calendar")
        defer {
            fake.stop()
            graph.stop()
        }
        try cli.ok("employee", "update", "E1", "--backend", "graph")
        let due = CLIGraphTests.soon(3)
        let added = try cli.run(
            [
                "activity", "add", "--type", "task", "--id", "A1", "--owner", "E1", "--subject", "Call back", "--due",
                due,
            ]
        )
        #expect(added.status == 0, "\(added.stderr)")
        let run = try cli.ok("run", "--once")
        #expect(run.contains("created in Outlook: A1 "), "\(run)")
        let event = try #require(graph.events(mailbox: SyncCLIFixture.mailbox).first)
        #expect(event["isAllDay"] as? Bool == true && event["subject"] as? String == "Call back")
        #expect(graph.todoTasks(mailbox: SyncCLIFixture.mailbox).isEmpty)
        let status = try cli.run("status", "--json").stdout
        #expect(status.contains("calendar") && !status.contains("held"), "\(status)")
        #expect(try cli.ok("run", "--once").contains("did 0 actions"))
    }

    /// Alice on EWS, with a Graph app for the same mailbox model (the fake Graph serves the fake Exchange's).
    static func hybrid(tasks: String = "todo") throws -> (FakeExchange, FakeGraph, CLIRunner) {
        let (fake, cli) = try SyncCLIFixture.make(
            extraConfig: """
                graph:
                  client_id: app-1
                  client_secret_file: graph-secret
                  base_url: BASE
                  token_url: TOKEN
                  tasks: \(tasks)
                """
        )
        let graph = try FakeGraph(exchange: fake)
        try graph.start()
        graph.addClient(id: "app-1", secret: "graph-secret")
        graph.addMailbox(SyncCLIFixture.mailbox)
        let config = try String(contentsOfFile: cli.path("activity-sync.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "BASE", with: graph.baseURL).replacingOccurrences(
                of: "TOKEN",
                with: graph.tokenURL
            )
        try config.write(toFile: cli.path("activity-sync.yaml"), atomically: true, encoding: .utf8)
        try "graph-secret\n".write(toFile: cli.path("graph-secret"), atomically: true, encoding: .utf8)
        chmod(cli.path("graph-secret"), 0o600)
        try SyncCLIFixture.addSyncUser(cli, id: "E1", name: "Alice")
        return (fake, graph, cli)
    }

    /// The live (not deleted) activities' ids.
    static func activities(_ cli: CLIRunner) throws -> [String] {
        let output = try cli.ok("activity", "list", "--json")
        let list = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]] ?? []
        return list.filter { $0["deleted"] as? Bool != true }.compactMap { $0["id"] as? String }.sorted()
    }
}
