import EWSTestServer
import Foundation
import Testing

/// A hybrid organisation through the binary: Alice on Exchange Server (the fake Exchange), Bob on Exchange
/// Online (the fake Graph), one configuration, one store.
@Suite("the activity-sync binary: a Graph mailbox next to an EWS one")
struct CLIGraphTests {
    static let bob = "bob@contoso.test"

    static func make(extra: String = "") throws -> (FakeExchange, FakeGraph, CLIRunner) {
        let graph = try FakeGraph()
        try graph.start()
        graph.addClient(id: "app-1", secret: "graph-secret")
        graph.addMailbox(bob)
        let (fake, cli) = try SyncCLIFixture.make(
            extraConfig: """
                graph:
                  client_id: app-1
                  client_secret_file: graph-secret
                  base_url: \(graph.baseURL)
                  token_url: \(graph.tokenURL)
                  tasks: none
                \(extra)
                """
        )
        try "graph-secret\n".write(toFile: cli.path("graph-secret"), atomically: true, encoding: .utf8)
        chmod(cli.path("graph-secret"), 0o600)
        try SyncCLIFixture.addSyncUser(cli, id: "E1", name: "Alice")
        try cli.ok(
            "employee",
            "add",
            "--id",
            "E2",
            "--name",
            "Bob",
            "--mailbox",
            bob,
            "--sync",
            "true",
            "--backend",
            "graph"
        )
        return (fake, graph, cli)
    }

    static func soon(_ days: Double) -> String {
        ISO8601DateFormatter().string(from: Date().addingTimeInterval(days * 86_400))
    }

    /// Bob's appointment `days` ahead, an hour long, with more fields as given (off the cooperative pool: the
    /// daemon tests wait beside it).
    static func addAppointment(
        _ cli: CLIRunner,
        _ id: String,
        _ subject: String,
        days: Double,
        _ more: [String] = []
    )
        async throws
    {
        let arguments =
            ["activity", "add", "--type", "appointment", "--id", id, "--owner", "E2", "--subject", subject]
            + ["--start", soon(days), "--end", soon(days + 1.0 / 24)] + more
        try await cli.okAsync(arguments)
    }

    @Test("run --once syncs each mailbox over its backend; no meeting mail, no metadata violation")
    func hybridPass() async throws {
        let (fake, graph, cli) = try Self.make()
        defer {
            fake.stop()
            graph.stop()
        }
        try await Self.addAppointment(cli, "A1", "Visit Fabrikam", days: 2, ["--attendee", "pat@fabrikam.test"])
        try cli.ok("activity", "add", "--type", "task", "--id", "A2", "--owner", "E1", "--subject", "Call back")
        // (A task of Bob's: his mailbox is on Graph under graph.tasks: none — not planned, not refused.)
        try cli.ok("activity", "add", "--type", "task", "--id", "A3", "--owner", "E2", "--subject", "Not yet")
        let run = try cli.ok("run", "--once")
        #expect(run.contains("created in Outlook: A1 "))
        #expect(!run.contains("A3"))
        let events = graph.events(mailbox: Self.bob)
        #expect(events.map { $0["subject"] as? String } == ["Visit Fabrikam"])
        let identity = (events.first?["singleValueExtendedProperties"] as? [[String: Any]] ?? []).map {
            $0["value"] as? String ?? ""
        }
        #expect(identity.contains("A1"))
        #expect(fake.items(mailbox: SyncCLIFixture.mailbox, folder: "tasks").count == 1)
        #expect(graph.meetingMail.isEmpty && graph.violations.isEmpty && fake.schemaViolations.isEmpty)
        // The second pass has nothing to do on either side.
        let again = try cli.ok("run", "--once")
        #expect(again.contains("\(Self.bob): did 0 actions") && again.contains("alice@contoso.test: did 0 actions"))
    }

    @Test("config check names both backends; check is read-only on Graph unless --write, which cleans up")
    func checks() throws {
        let (fake, graph, cli) = try Self.make()
        defer {
            fake.stop()
            graph.stop()
        }
        let config = try cli.ok("config", "check")
        #expect(
            config.contains("EWS http://127.0.0.1") && config.contains("Graph \(graph.baseURL) client app-1 secret")
        )
        #expect(!config.contains("graph-secret\n") && !config.contains(": graph-secret"))
        let check = try cli.ok("check", "--mailbox", Self.bob)
        #expect(check.contains("graph") && check.contains("readable"))
        #expect(graph.requests.allSatisfy { $0.method == "GET" })
        let written = try cli.ok("check", "--mailbox", Self.bob, "--write")
        #expect(written.contains("graph") && !written.contains("readable"))
        #expect(graph.requests.contains { $0.method == "POST" } && graph.requests.contains { $0.method == "DELETE" })
        #expect(graph.events(mailbox: Self.bob).isEmpty && graph.violations.isEmpty)
    }

    @Test("a mailbox RBAC for Applications leaves out is disabled with the reason, the other one syncs on")
    func accessDenied() throws {
        let (fake, graph, cli) = try Self.make()
        defer {
            fake.stop()
            graph.stop()
        }
        graph.deny(mailbox: Self.bob)
        let run = try cli.run("run", "--once")
        #expect(run.status == 3 && run.stdout.contains("ErrorAccessDenied"))
        let status = try cli.run("status")
        #expect(status.stdout.contains("disabled") && status.stdout.contains("access denied"))
        #expect(status.stdout.contains("alice@contoso.test  ews      enabled"))
        let check = try cli.run("check", "--mailbox", Self.bob)
        #expect(check.status == 3 && check.stdout.contains("denied"))
    }

    @Test("a Graph-only configuration needs no EWS keys; a missing Graph key is named (exit 2)")
    func graphOnly() throws {
        let graph = try FakeGraph()
        try graph.start()
        defer { graph.stop() }
        let cli = try CLIRunner(
            config: """
                store:
                  path: crm.sqlite
                exchange:
                  backend: graph
                graph:
                  client_id: app-1
                  client_secret_file: graph-secret
                  base_url: \(graph.baseURL)
                  token_url: \(graph.tokenURL)
                """
        )
        try "graph-secret\n".write(toFile: cli.path("graph-secret"), atomically: true, encoding: .utf8)
        chmod(cli.path("graph-secret"), 0o600)
        let config = try cli.ok("config", "check")
        #expect(config.contains("default backend: graph") && !config.contains("EWS "))
        #expect(!config.contains("warning"))
        let missing = try CLIRunner(config: "store:\n  path: crm.sqlite\nexchange:\n  backend: graph\n")
        let refused = try missing.run("config", "check")
        #expect(refused.status == 2 && refused.stderr.contains("graph.client_id is required"))
        // The default backend's keys are checked before the store is opened: a bad file leaves no store behind.
        let run = try missing.run("run", "--once")
        #expect(run.status == 2 && run.stderr.contains("graph.client_id is required"))
        #expect(!FileManager.default.fileExists(atPath: missing.path("crm.sqlite")))
    }
}
