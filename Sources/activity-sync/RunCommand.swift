import ArgumentParser
import Foundation
import Store
import SyncEngine

/// `activity-sync run [--once] [--resync] [--dry-run]`: the daemon, or one pass over every mailbox.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Synchronise every active sync user's mailbox (the daemon; --once: one pass, then exit)."
    )
    @OptionGroup var global: GlobalOptions
    @Flag(help: "One pass over all mailboxes, then exit.") var once = false
    @Flag(name: .customLong("dry-run"), help: "With --once: print the plan per mailbox and change nothing.")
    var dryRun = false
    @Flag(help: "Begin with a full reconciliation (as `resync`).") var resync = false

    func validate() throws {
        if dryRun && !once { throw ValidationError("--dry-run needs --once") }
    }

    func run() async throws {
        let mode: PassMode = resync ? .resync(allowDeletes: false, restoreDeletes: false) : .normal
        if once { return try await SyncRun.passes(global: global, mailboxes: [], mode: mode, dryRun: dryRun) }
        try await DaemonRunner.run(global: global, resyncFirst: resync)
    }
}

/// `activity-sync resync [--mailbox M]... [--dry-run] [--allow-deletes|--restore-deletes]`: in this
/// process, or — while the daemon runs — by the daemon, as each mailbox's next pass.
struct ResyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resync",
        abstract: "Full reconciliation: list both sides, match by CRM id, merge, re-link (no duplicates)."
    )
    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("mailbox"), help: "Only this mailbox (repeatable; default: all sync users).")
    var mailboxes: [String] = []
    @Flag(name: .customLong("dry-run"), help: "Print the plan per mailbox and change nothing.") var dryRun = false
    @Flag(name: .customLong("allow-deletes"), help: "Execute the deletes the circuit breaker held back.")
    var allowDeletes = false
    @Flag(name: .customLong("restore-deletes"), help: "Put the deleted side back from the other instead.")
    var restoreDeletes = false

    func validate() throws {
        if allowDeletes && restoreDeletes {
            throw ValidationError("choose --allow-deletes or --restore-deletes, not both")
        }
    }

    func run() async throws {
        let options = [("dry-run", dryRun), ("allow-deletes", allowDeletes), ("restore-deletes", restoreDeletes)]
            .filter(\.1).map(\.0)
        if try await OpsHandover.toRunningDaemon(global, kind: "resync", mailboxes: mailboxes, options: options) {
            return
        }
        try await SyncRun.passes(
            global: global,
            mailboxes: mailboxes,
            mode: .resync(allowDeletes: allowDeletes, restoreDeletes: restoreDeletes),
            dryRun: dryRun
        )
    }
}

/// `activity-sync purge --mailbox M [--dry-run]`: removes every item this instance created in the
/// mailbox, unlinks everything there, and pauses it (resume syncs it again from scratch).
struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Remove every item this instance created in a mailbox, unlink all, and pause it."
    )
    @OptionGroup var global: GlobalOptions
    @Option var mailbox: String
    @Flag(name: .customLong("dry-run"), help: "List what would be removed and change nothing.") var dryRun = false

    func run() async throws {
        let options = dryRun ? ["dry-run"] : []
        if try await OpsHandover.toRunningDaemon(global, kind: "purge", mailboxes: [mailbox], options: options) {
            return
        }
        let context = try SyncRun.open(global)
        defer { withExtendedLifetime(context.lock) {} }
        guard
            let employee = CLI.run({ try context.store.employees() }).first(where: {
                $0.mailbox?.lowercased() == mailbox.lowercased()
            })
        else { CLI.fail("no employee with mailbox \(mailbox)") }
        let outcome = await SyncRun.purge(context, employee: employee, dryRun: dryRun)
        for line in outcome.lines { CLI.print(line) }
        if !outcome.ok { throw ExitCode(3) }
    }
}

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
