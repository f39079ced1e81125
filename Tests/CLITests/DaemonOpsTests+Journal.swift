import EWSTestServer
import Foundation
import Testing

/// The daemon's entries as journald receives them over its native protocol (a socket the test listens on).
struct JournalEntries {
    let listener: DatagramListener
    private(set) var entries: [[String: String]] = []

    init() throws { listener = try DatagramListener() }

    /// Reads what arrived since the last call.
    mutating func drain() -> [[String: String]] {
        while let datagram = listener.receive() {
            var fields: [String: String] = [:]
            for line in String(decoding: datagram, as: UTF8.self).split(separator: "\n") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
            entries.append(fields)
        }
        return entries
    }
}

extension DaemonOpsTests {
    @Test(
        "under journald: native fields (MAILBOX, ACTIVITY, PASS, MESSAGE_ID); a wrong password is one entry, not one per mailbox; a conflict is a notice"
    )
    func journalFields() async throws {
        let (fake, cli) = try SyncCLIFixture.make(
            extraConfig: "sync:\n  interval_seconds: 1\n  notifications: none\n"
        )
        defer { fake.stop() }
        let mailboxes = ["alice@contoso.test", "bob@contoso.test", "carol@contoso.test"]
        for (index, mailbox) in mailboxes.enumerated() {
            fake.addMailbox(mailbox)
            try SyncCLIFixture.addSyncUser(cli, id: "E\(index)", name: "User \(index)", mailbox: mailbox)
        }
        try await SyncCLIFixture.addTask(cli, "A1", owner: "E0", subject: "Quote")
        try SyncCLIFixture.writePassword("wrong", in: cli)
        var journal = try JournalEntries()
        let daemon = try cli.start(
            ["run"],
            environment: ["JOURNAL_STREAM": "8:1234", "ACTIVITY_SYNC_JOURNAL_SOCKET": journal.listener.path],
            logFile: "daemon.log"
        )
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        // Every mailbox fails at least twice.
        #expect(await eventually(30) { fake.requestCount("unauthenticated") >= 6 })
        let failed = journal.drain().filter { $0["MESSAGE"]?.contains("pass failed") == true }
        #expect(failed.count == 1, "\(failed)")
        let shared = try #require(failed.first)
        #expect(shared["PRIORITY"] == "4" && shared["MESSAGE_ID"] == "bab5b0bab1054c77ab18e49ea0b0d752")
        #expect(shared["SYSLOG_IDENTIFIER"] == "activity-sync" && shared["MAILBOX"].map(mailboxes.contains) == true)
        #expect(shared["MESSAGE"]?.contains("other mailboxes failing the same way are logged at debug") == true)
        #expect(!journal.entries.contains { $0.values.contains { $0.contains("wrong") } })

        // The password fixed and the mailboxes resumed: one entry says it cleared; A1 goes out.
        try SyncCLIFixture.writePassword("pw", in: cli)
        kill(daemon.processIdentifier, SIGHUP)
        for mailbox in mailboxes { try await cli.okAsync("resume", "--mailbox", mailbox) }
        #expect(await eventually(30) { fake.items(mailbox: mailboxes[0], folder: "tasks").count == 1 })
        #expect(
            await eventually(10) {
                journal.drain().contains { $0["MESSAGE"]?.hasPrefix("shared failure cleared") == true }
            }
        )
        let created = journal.entries.first { $0["MESSAGE"]?.contains("created in Outlook: A1 ") == true }
        #expect(created?["ACTIVITY"] == "A1" && created?["MAILBOX"] == mailboxes[0] && created?["PASS"] != nil)

        // Both sides change the subject while the mailbox is paused: the conflict is a notice with its id.
        try await cli.okAsync("pause", "--mailbox", mailboxes[0])
        let item = try #require(fake.items(mailbox: mailboxes[0], folder: "tasks").first)
        fake.userUpdate(mailbox: mailboxes[0], itemId: item.id, fields: ["Subject": "Quote (Outlook)"])
        try await cli.okAsync("activity", "update", "A1", "--subject", "Quote (CRM)")
        try await cli.okAsync("resume", "--mailbox", mailboxes[0])
        #expect(
            await eventually(20) {
                journal.drain().contains { $0["MESSAGE_ID"] == "1247c86fe78246bda60a2ed56377b35c" }
            }
        )
        let conflict = try #require(journal.entries.first { $0["MESSAGE_ID"] == "1247c86fe78246bda60a2ed56377b35c" })
        #expect(conflict["PRIORITY"] == "5" && conflict["ACTIVITY"] == "A1" && conflict["MAILBOX"] == mailboxes[0])
        #expect(await terminate(daemon) == 0)
        // Everything went to the journal's socket: nothing was written to stdout as well.
        let stdout = try String(contentsOfFile: cli.path("daemon.log"), encoding: .utf8)
        #expect(!stdout.contains("pass failed") && !stdout.contains("created in Outlook"), "\(stdout)")
    }
}
