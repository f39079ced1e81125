import EWSTestServer
import Testing
import Foundation

/// A fake Exchange with Alice's mailbox, and a CLI folder whose configuration points at it (Basic auth,
/// the password in a 0600 file next to the configuration).
enum SyncCLIFixture {
    static let mailbox = "alice@contoso.test"

    static func make(extraConfig: String = "") throws -> (FakeExchange, CLIRunner) {
        let fake = try FakeExchange()
        try fake.start()
        fake.addAccount(.init(username: "svc", password: "pw"))
        fake.addMailbox(mailbox)
        let cli = try CLIRunner(
            config: """
                store:
                  path: crm.sqlite
                exchange:
                  url: \(fake.url)
                  auth:
                    method: basic
                    username: svc
                    password_file: exchange-password
                \(extraConfig)
                """
        )
        try writePassword("pw", in: cli)
        return (fake, cli)
    }

    /// Adds an active sync user through the CLI.
    static func addSyncUser(_ cli: CLIRunner, id: String, name: String, mailbox: String = mailbox) throws {
        try cli.ok("employee", "add", "--id", id, "--name", name, "--mailbox", mailbox, "--sync", "true")
    }

    /// Mailboxes `user1@…` to `userN@…` in the fake, each a sync user (`E1`…) with one task (`A1`…) waiting.
    static func addUsersWithTasks(_ cli: CLIRunner, _ fake: FakeExchange, count: Int) async throws {
        for index in 1...count {
            let mailbox = "user\(index)@contoso.test"
            fake.addMailbox(mailbox)
            try addSyncUser(cli, id: "E\(index)", name: "User \(index)", mailbox: mailbox)
            try await addTask(cli, "A\(index)", owner: "E\(index)", subject: "T\(index)")
        }
    }

    /// Adds a task through the CLI (off the cooperative pool, for the daemon tests).
    static func addTask(_ cli: CLIRunner, _ id: String, owner: String, subject: String) async throws {
        try await cli.okAsync("activity", "add", "--type", "task", "--id", id, "--owner", owner, "--subject", subject)
    }

    static func writePassword(_ password: String, in cli: CLIRunner) throws {
        try "\(password)\n".write(toFile: cli.path("exchange-password"), atomically: true, encoding: .utf8)
        chmod(cli.path("exchange-password"), 0o600)
    }
}
