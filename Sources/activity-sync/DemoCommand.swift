import ArgumentParser
import EWS
import EWSTestServer
import Foundation

/// `activity-sync demo`: the job against the bundled fake Exchange on loopback, in a temporary store.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run against the bundled fake Exchange on 127.0.0.1 (never reads /etc or the configured store)."
    )

    func run() async throws {
        let fake = try FakeExchange()
        try fake.start()
        defer { fake.stop() }
        let mailboxes = ["alice@contoso.test", "bob@contoso.test"]
        fake.addAccount(.init(username: "svc-crm", password: "demo-password", mayImpersonate: Set(mailboxes)))
        for mailbox in mailboxes { fake.addMailbox(mailbox) }
        let client = EWSClient(
            configuration: EWSConfiguration(
                url: fake.url,
                credentials: .basic(username: "svc-crm", password: "demo-password")
            )
        )
        print("Fake Exchange listening at \(fake.url); service account svc-crm, impersonation on.\n")
        for mailbox in mailboxes {
            let folders = try await client.getFolders([.calendar, .tasks], mailbox: mailbox)
            print("\(mailbox):")
            for result in folders {
                switch result {
                case .success(let folder):
                    print(
                        "  \(folder.displayName ?? "?") folder, \(folder.totalCount ?? 0) items (id \(folder.id.prefix(24))…)"
                    )
                case .failure(let error):
                    print("  error: \(error)")
                }
            }
        }
        print("\nRequests sent: \(fake.requestCount()); schema violations: \(fake.schemaViolations.count)")
    }
}
