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

    /// Adds a task through the CLI (off the cooperative pool, for the daemon tests).
    static func addTask(_ cli: CLIRunner, _ id: String, owner: String, subject: String) async throws {
        try await cli.okAsync("activity", "add", "--type", "task", "--id", id, "--owner", owner, "--subject", subject)
    }

    static func writePassword(_ password: String, in cli: CLIRunner) throws {
        try "\(password)\n".write(toFile: cli.path("exchange-password"), atomically: true, encoding: .utf8)
        chmod(cli.path("exchange-password"), 0o600)
    }
}
