import EWSTestServer
import Foundation
import Testing

/// An employee's backend switched (EWS ⇄ Graph) on one mailbox model served by both fakes: an item made over
/// EWS is the item To Do shows. Tasks linked over one backend cannot be found by their identity over the other
/// (To Do reads no extended property), so they are held — nothing created, deleted or imported twice.
@Suite("the activity-sync binary: a mailbox switched between EWS and Graph")
struct CLIBackendSwitchTests {
    @Test("tasks linked over EWS are held on Graph (no duplicate, no delete), and sync again when switched back")
    func tasksHeldAcrossSwitch() throws {
        let (fake, cli) = try SyncCLIFixture.make(
            extraConfig: """
                graph:
                  client_id: app-1
                  client_secret_file: graph-secret
                  base_url: BASE
                  token_url: TOKEN
                """
        )
        let graph = try FakeGraph(exchange: fake)
        try graph.start()
        defer {
            fake.stop()
            graph.stop()
        }
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
        try cli.ok("activity", "add", "--type", "task", "--id", "A1", "--owner", "E1", "--subject", "Call back")
        fake.userCreate(
            mailbox: SyncCLIFixture.mailbox,
            folder: "tasks",
            kind: "Task",
            fields: ["Subject": "Mine, to import", "Categories": "CRM"]
        )
        _ = try cli.ok("run", "--once")
        #expect(try Self.activities(cli) == ["A1", "A2"])
        #expect(fake.items(mailbox: SyncCLIFixture.mailbox, folder: "tasks").count == 2)
        // The same two tasks are what To Do shows (one mailbox), with no extension of ours yet.
        #expect(graph.todoTasks(mailbox: SyncCLIFixture.mailbox).count == 2)

        try cli.ok("employee", "update", "E1", "--backend", "graph")
        let onGraph = try cli.ok("run", "--once")
        #expect(onGraph.contains("\(SyncCLIFixture.mailbox): did 0 actions"), "\(onGraph)")
        #expect(try Self.activities(cli) == ["A1", "A2"])
        let status = try cli.run("status", "--json")
        #expect(status.stdout.contains("\"tasks\" : \"held\"") || status.stdout.contains("\"tasks\":\"held\""))
        #expect(try cli.ok("status").contains("held"))
        try cli.ok("activity", "update", "A1", "--subject", "Call back soon")

        try cli.ok("employee", "update", "E1", "--backend", "ews")
        let back = try cli.ok("run", "--once")
        #expect(back.contains("update-remote A1"), "\(back)")
        #expect(!back.contains("create") && !back.contains("delete") && !back.contains("tombstone"))
        #expect(try Self.activities(cli) == ["A1", "A2"])
        #expect(
            fake.items(mailbox: SyncCLIFixture.mailbox, folder: "tasks").map { $0.fields["Subject"] }.contains(
                "Call back soon"
            )
        )
        #expect(graph.violations.isEmpty && fake.schemaViolations.isEmpty)
    }

    /// The live (not deleted) activities' ids.
    static func activities(_ cli: CLIRunner) throws -> [String] {
        let output = try cli.ok("activity", "list", "--json")
        let list = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]] ?? []
        return list.filter { $0["deleted"] as? Bool != true }.compactMap { $0["id"] as? String }.sorted()
    }
}
