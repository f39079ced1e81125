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
        // (A dry run changes nothing and is not audited.)
        if !dryRun {
            Operator.audit(
                try global.openStore(),
                action: "resync",
                mailbox: mailboxes.count == 1 ? mailboxes[0] : nil,
                fields: options.isEmpty ? nil : options.joined(separator: ","),
                reason: mailboxes.count == 1
                    ? "requested"
                    : "requested for \(mailboxes.isEmpty ? "every sync user" : mailboxes.joined(separator: ", "))"
            )
        }
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
    @Option(help: "The mailbox to purge (an employee's address).") var mailbox: String
    @Flag(name: .customLong("dry-run"), help: "List what would be removed and change nothing.") var dryRun = false

    func run() async throws {
        let options = dryRun ? ["dry-run"] : []
        if !dryRun { Operator.audit(try global.openStore(), action: "purge", mailbox: mailbox, reason: "requested") }
        if try await OpsHandover.toRunningDaemon(global, kind: "purge", mailboxes: [mailbox], options: options) {
            return
        }
        let context = try SyncRun.open(global)
        defer { withExtendedLifetime(context.lock) {} }
        await SyncRun.honourBackOffs(context)
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
