import EWSTestServer
import Foundation
import Testing

/// Issue 15's hostile mode: Alice's mailbox gets the worst answers of a kind for every request, Bob's and Carol's
/// a healthy server. The binary never traps, names the limit Alice's pass met, and syncs the others.
@Suite("the hostile mode: one mailbox's server answers the worst, the limit is named, the others sync")
struct HostileServerTests {
    typealias Hostile = FakeExchange.Hostile
    static let alice = "alice@contoso.test"
    static let others = ["bob@contoso.test", "carol@contoso.test"]

    /// What Alice's pass must say (in `status --json`'s last_error or reason), and whether it fails.
    static func expected(_ kind: Hostile) -> (says: String, fails: Bool) {
        switch kind {
        case .entityBomb, .externalEntity: return ("dtdRefused", true)
        case .deepDocument: return ("nesting", true)
        case .hugeBody: return ("answer larger than 16777216 bytes", true)
        case .tinyElements: return ("more than 50000 elements", true)
        case .bigText: return ("malformedResponse", true)
        case .longText: return ("text of <Subject> exceeds 2097152 bytes", true)
        case .endlessPages: return ("limit: ", false)
        case .silent, .slowDrip: return ("timed out", true)
        case .retryAfterExtreme, .backOffExtreme: return ("for another 3", true)
        case .extremeNumbers: return ("percent_complete", true)
        case .invalidUTF8: return ("malformedResponse", true)
        }
    }

    /// Three sync users with a task each, synced once, then edited in the CRM (all three) and in Outlook (Alice's).
    static func setUp() async throws -> (FakeExchange, CLIRunner) {
        let (fake, cli) = try SyncCLIFixture.make(extraConfig: "  timeout_seconds: 1")
        try await addUsers(fake, cli)
        for index in 0..<3 {
            try await SyncCLIFixture.addTask(cli, "A\(index)", owner: "E\(index)", subject: "Task \(index)")
        }
        _ = try await cli.okAsync("run", "--once")
        for index in 0..<3 {
            _ = try await cli.okAsync("activity", "update", "A\(index)", "--subject", "Edited \(index)")
        }
        let item = try #require(fake.items(mailbox: alice, folder: "tasks").first)
        fake.userUpdate(mailbox: alice, itemId: item.id, fields: ["PercentComplete": "50", "Status": "InProgress"])
        return (fake, cli)
    }

    /// Alice (E0), Bob (E1) and Carol (E2) as sync users with mailboxes in the fake.
    static func addUsers(_ fake: FakeExchange, _ cli: CLIRunner) async throws {
        for (index, mailbox) in ([alice] + others).enumerated() {
            fake.addMailbox(mailbox)
            _ = try await cli.okAsync(
                "employee",
                "add",
                "--id",
                "E\(index)",
                "--name",
                "U\(index)",
                "--mailbox",
                mailbox,
                "--sync",
                "true"
            )
        }
    }

    static func row(_ cli: CLIRunner, _ mailbox: String) async throws -> [String: Any] {
        let text = try await cli.runAsync("status", "--json").stdout
        let rows = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] ?? []
        return try #require(rows.first { $0["mailbox"] as? String == mailbox }, "\(text)")
    }

    @Test("each kind", arguments: Hostile.allCases)
    func oneMailboxHostile(kind: Hostile) async throws {
        let (fake, cli) = try await Self.setUp()
        defer { fake.stop() }
        // (Endless pages is an answer to SyncFolderItems only: any other operation given it is a malformed answer.)
        fake.serveHostile(kind, operation: kind == .endlessPages ? "SyncFolderItems" : nil, mailbox: Self.alice)
        let before = fake.requestCount(mailbox: Self.alice)
        let run = try await cli.runAsync("run", "--once")
        let (says, fails) = Self.expected(kind)
        #expect(run.status == (fails ? 3 : 0), "\(kind): exit \(run.status)\n\(run.stdout)\n\(run.stderr)")
        let alice = try await Self.row(cli, Self.alice)
        let told = "\(alice["last_error"] as? String ?? "") | \(alice["reason"] as? String ?? "")"
        #expect(told.contains(says), "\(kind): \(told)")
        for (offset, mailbox) in Self.others.enumerated() {
            let subject = fake.items(mailbox: mailbox, folder: "tasks").first?.fields["Subject"]
            #expect(subject == "Edited \(offset + 1)", "\(kind): \(mailbox) did not sync")
            #expect(try await Self.row(cli, mailbox)["last_error"] is NSNull, "\(kind): \(mailbox)")
        }
        let sent = fake.requestCount(mailbox: Self.alice) - before
        switch kind {
        case .retryAfterExtreme, .backOffExtreme:
            // Asked to wait past the cap: one request, a wait of an hour at most recorded, and the next process
            // honours it without a request (and without sitting it out).
            #expect(sent == 1, "\(kind): \(sent) requests")
            let again = try await cli.runAsync("run", "--once")
            #expect(again.status == 3 && fake.requestCount(mailbox: Self.alice) - before == 1, "\(again.stdout)")
            let error = try await Self.row(cli, Self.alice)["last_error"] as? String ?? ""
            let seconds = error.split(separator: " ").compactMap { Int($0) }.first ?? -1
            #expect((3000...3600).contains(seconds), "\(error)")
        case .silent, .slowDrip:
            #expect(sent <= 2, "\(kind): two timeouts per call at most, then the pass fails (\(sent) requests)")
        case .endlessPages:
            // (Two folders listed, then the written one again for our echoes: each listing bounded at 200 pages.)
            #expect(
                sent >= 200 && sent <= 3 * 200 + 10,
                "\(kind): pages bounded per folder per pass (\(sent) requests)"
            )
            let subject = fake.items(mailbox: Self.alice, folder: "tasks").first?.fields["Subject"]
            #expect(subject == "Edited 0", "a listing cut short still sends the CRM's edits")
        case .extremeNumbers:
            break  // the pass goes on: the item's values are refused, the rest of its batch read
        default:
            // An answer past a limit is refused once, not fetched again (it would be refused again).
            #expect(sent <= 2, "\(kind): \(sent) requests")
        }
    }
}
