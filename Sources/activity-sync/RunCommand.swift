import ArgumentParser
import EWS
import Foundation
import Store
import SyncEngine

/// `activity-sync run --once [--resync] [--dry-run]`: one pass over every active sync user's mailbox.
/// (The long-running daemon — scheduler, notifications, systemd — is the next piece of work.)
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Synchronise every active sync user's mailbox (--once: one pass, then exit)."
    )
    @OptionGroup var global: GlobalOptions
    @Flag(help: "One pass over all mailboxes, then exit.") var once = false
    @Flag(name: .customLong("dry-run"), help: "With --once: print the plan per mailbox and change nothing.")
    var dryRun = false
    @Flag(help: "Begin with a full reconciliation (as `resync`).") var resync = false

    func validate() throws {
        guard once else { throw ValidationError("only --once is available in this release (the daemon comes next)") }
    }

    func run() async throws {
        let mode: PassMode = resync ? .resync(allowDeletes: false, restoreDeletes: false) : .normal
        try await SyncRun.passes(global: global, mailboxes: [], mode: mode, dryRun: dryRun)
    }
}

/// `activity-sync resync [--mailbox M]... [--dry-run] [--allow-deletes|--restore-deletes]`.
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
        try await SyncRun.passes(
            global: global,
            mailboxes: mailboxes,
            mode: .resync(allowDeletes: allowDeletes, restoreDeletes: restoreDeletes),
            dryRun: dryRun
        )
    }
}

/// The composition root of a sync run: configuration, store, client, one pass per mailbox.
enum SyncRun {
    static func passes(global: GlobalOptions, mailboxes: [String], mode: PassMode, dryRun: Bool) async throws {
        let configuration = try global.configuration()
        let ews: EWSConfiguration
        do { ews = try configuration.ewsConfiguration() } catch let error as ConfigurationError {
            CLI.fail("configuration: \(error.description)", code: 2)
        }
        let store = try global.openStore()
        // One process writes to Exchange for a store at a time.
        let lock = CLI.run { try store.lockForDaemon() }
        defer { withExtendedLifetime(lock) {} }
        let client = EWSClient(configuration: ews)
        let wanted = Set(mailboxes.map { $0.lowercased() })
        let employees = CLI.run { try store.employees() }.filter { employee in
            guard employee.sync, let mailbox = employee.mailbox else { return false }
            return wanted.isEmpty || wanted.contains(mailbox.lowercased())
        }
        if !wanted.isEmpty && employees.count < wanted.count {
            CLI.fail("no active sync user with mailbox \(mailboxes)")
        }
        for employee in CLI.run({ try store.employees() }) where !employee.sync && employee.mailbox != nil && !dryRun {
            let released = CLI.run { try MailboxSync.release(store: store, mailbox: employee.mailbox!) }
            if released > 0 {
                CLI.print("\(employee.mailbox!): no longer a sync user; \(released) items left in place, unlinked")
            }
        }
        var failed = false
        for employee in employees {
            do {
                let report = try await MailboxSync(
                    store: store,
                    client: client,
                    settings: configuration.syncSettings,
                    employee: employee
                ).runPass(dryRun: dryRun, mode: mode)
                show(report, dryRun: dryRun)
                failed = failed || report.paused != nil || !report.failures.isEmpty
            } catch {
                failed = true
                CLI.print("\(employee.mailbox!): pass failed: \(error)")
            }
        }
        if failed { throw ExitCode(3) }
    }

    static func show(_ report: PassReport, dryRun: Bool) {
        let actions = report.plan.actions.filter { if case .skip = $0 { false } else { true } }
        CLI.print("\(report.mailbox): \(dryRun ? "would do" : "did") \(actions.count) actions")
        for action in report.plan.actions { CLI.print("  \(action)") }
        if let paused = report.paused {
            CLI.print("  paused: \(paused); nothing was executed.")
            CLI.print(
                "  decide with: activity-sync resync --mailbox \(report.mailbox) --allow-deletes|--restore-deletes"
            )
        }
        for failure in report.failures { CLI.print("  failed: \(failure)") }
        if report.ambiguous > 0 {
            CLI.print("  \(report.ambiguous) creates unconfirmed; reconciled by identity next pass")
        }
    }
}
