import ArgumentParser
import Foundation
import Store

/// Hands an ops command to the daemon when one holds the store: the request goes through the store's
/// `requests` table, the daemon performs it as the mailbox's next pass (nothing else writes to that
/// mailbox meanwhile), and this process prints the daemon's answer.
enum OpsHandover {
    /// Returns false when no daemon runs (the caller does the work itself).
    static func toRunningDaemon(
        _ global: GlobalOptions,
        kind: String,
        mailboxes: [String],
        options: [String],
        wait: Bool = true
    ) async throws -> Bool {
        let store = try global.openStore()
        do {
            let lock = try store.lockForDaemon()
            withExtendedLifetime(lock) {}
            return false
        } catch let error as StoreError where error.code == .locked {
            // The daemon runs: it does the work.
        }
        let employees = CLI.run { try store.employees() }
        let targets =
            mailboxes.isEmpty
            ? employees.filter(\.sync).compactMap(\.mailbox) : mailboxes
        for mailbox in mailboxes
        where !employees.contains(where: {
            $0.mailbox?.lowercased() == mailbox.lowercased() && ($0.sync || kind == "purge")
        }) {
            CLI.fail("no active sync user with mailbox \(mailbox)")
        }
        let ids = CLI.run {
            try targets.map { try store.enqueueRequest(kind: kind, mailbox: $0.lowercased(), options: options) }
        }
        guard wait else { return true }
        CLI.print("the running daemon performs the \(kind) (\(targets.count) mailboxes); waiting for its answer")
        var pending = Set(ids)
        var failed = false
        var polls = 0
        while !pending.isEmpty {
            try await Task.sleep(for: .milliseconds(200))
            polls += 1
            // The daemon stopped before answering: withdraw the rest rather than leave them to run at some
            // later start-up nobody expects (a week-old purge, say).
            if polls % 10 == 0, let lock = try? store.lockForDaemon() {
                for id in pending.sorted() { CLI.run { try store.withdrawRequest(id) } }
                withExtendedLifetime(lock) {}
                CLI.fail(
                    "the daemon stopped before answering; \(pending.count) \(kind) requests withdrawn, run it again"
                )
            }
            for id in pending.sorted() {
                guard let request = CLI.run({ try store.request(id) }), request.done else { continue }
                pending.remove(id)
                CLI.print(request.result ?? "\(request.mailbox): done")
                if request.exitCode != 0 { failed = true }
            }
        }
        if failed { throw ExitCode(3) }
        return true
    }
}
