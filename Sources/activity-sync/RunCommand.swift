import ArgumentParser
import EWS
import Foundation
import ActivityModel
import Daemon
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
        if dryRun && !once { throw ValidationError("--dry-run needs --once") }
    }

    func run() async throws {
        let mode: PassMode = resync ? .resync(allowDeletes: false, restoreDeletes: false) : .normal
        if once { return try await SyncRun.passes(global: global, mailboxes: [], mode: mode, dryRun: dryRun) }
        try await SyncRun.daemon(global: global, firstMode: mode)
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
        let context = try open(global)
        defer { withExtendedLifetime(context.lock) {} }
        let failed = await round(context, mailboxes: mailboxes, mode: mode, dryRun: dryRun)
        if failed > 0 { throw ExitCode(3) }
    }

    /// `run` without --once: rounds until SIGTERM (the pass in flight finishes and commits first).
    static func daemon(global: GlobalOptions, firstMode: PassMode) async throws {
        let stop = StopSignal()
        stop.install()
        let context = try open(global)
        defer { withExtendedLifetime(context.lock) {} }
        let store = context.store
        let current = ReloadableContext(context)
        let daemon = SyncDaemon(
            interval: { Double(current.value.configuration.int("sync.interval_seconds")) },
            reload: {
                // SIGHUP: the file and environment are read again; a bad file is refused and the running
                // configuration kept. In-flight work is untouched: the reload happens between rounds.
                do {
                    let configuration = try AppConfiguration.load(explicitPath: global.config)
                    var next = current.value
                    next.configuration = configuration
                    next.client = EWSClient(configuration: try configuration.ewsConfiguration())
                    current.value = next
                    CLI.print("configuration reloaded: interval \(configuration.int("sync.interval_seconds")) s")
                } catch {
                    CLI.print("configuration reload refused, keeping the running one: \(error)")
                }
            },
            changeSequence: { (try? store.changeSequence()) ?? 0 },
            notifier: SystemdNotifier(),
            stop: stop
        )
        let mode = LockedMode(firstMode)
        CLI.print(
            "activity-sync \(ActivitySyncCommand.version) syncing every \(context.configuration.int("sync.interval_seconds")) s"
        )
        await daemon.run {
            let failed = await round(current.value, mailboxes: [], mode: mode.take(), dryRun: false)
            return failed == 0 ? "all mailboxes synced" : "\(failed) mailboxes not synced; see activity-sync status"
        }
        CLI.print("activity-sync stopped")
    }

    struct Context: @unchecked Sendable {
        var configuration: AppConfiguration
        var store: Store
        var client: EWSClient
        var lock: DaemonLock
    }

    /// Configuration, store, daemon lock (one process writes to Exchange per store) and client.
    static func open(_ global: GlobalOptions) throws -> Context {
        let configuration = try global.configuration()
        let ews: EWSConfiguration
        do { ews = try configuration.ewsConfiguration() } catch let error as ConfigurationError {
            CLI.fail("configuration: \(error.description)", code: 2)
        }
        let store = try global.openStore()
        let lock = CLI.run { try store.lockForDaemon() }
        return Context(configuration: configuration, store: store, client: EWSClient(configuration: ews), lock: lock)
    }

    /// One pass per mailbox; returns how many mailboxes failed, were paused or skipped.
    static func round(_ context: Context, mailboxes: [String], mode: PassMode, dryRun: Bool) async -> Int {
        let (configuration, store, client) = (context.configuration, context.store, context.client)
        let wanted = Set(mailboxes.map { $0.lowercased() })
        let everyone = CLI.run { try store.employees() }
        let employees = everyone.filter { employee in
            guard employee.sync, let mailbox = employee.mailbox else { return false }
            return wanted.isEmpty || wanted.contains(mailbox.lowercased())
        }
        if !wanted.isEmpty && employees.count < wanted.count {
            CLI.fail("no active sync user with mailbox \(mailboxes)")
        }
        for employee in everyone where !employee.sync && employee.mailbox != nil && !dryRun {
            let released = CLI.run { try MailboxSync.release(store: store, mailbox: employee.mailbox!) }
            if released > 0 {
                CLI.print("\(employee.mailbox!): no longer a sync user; \(released) items left in place, unlinked")
            }
        }
        var failed = 0
        let isResync: Bool
        if case .resync = mode { isResync = true } else { isResync = false }
        for employee in employees {
            let mailbox = employee.mailbox!
            let previous = CLI.run { try store.mailboxStatus(mailbox) }
            // Paused and disabled mailboxes wait for ops: `resume`, or a resync (which is how a paused one is decided).
            if let previous, ["paused", "disabled"].contains(previous.state), !isResync {
                CLI.print("\(mailbox): \(previous.state) (\(previous.reason ?? "no reason recorded")); skipped")
                failed += 1
                continue
            }
            var status = MailboxStatus(
                mailbox: mailbox,
                state: "enabled",
                skippedRecurring: previous?.skippedRecurring ?? 0
            )
            do {
                let report = try await MailboxSync(
                    store: store,
                    client: client,
                    settings: configuration.syncSettings,
                    employee: employee
                ).runPass(dryRun: dryRun, mode: mode)
                show(report, dryRun: dryRun)
                if dryRun { continue }
                status.lastPass = CRMTime.format(Date())
                status.skippedRecurring =
                    report.plan.actions.filter { if case .skip(_, "recurring series") = $0 { true } else { false } }
                    .count
                if let paused = report.paused {
                    status.state = "paused"
                    status.reason = "circuit breaker: \(paused)"
                }
                status.lastError = report.failures.first
                if report.paused != nil || !report.failures.isEmpty { failed += 1 }
            } catch let error as EWSError {
                failed += 1
                CLI.print("\(mailbox): pass failed: \(error)")
                (status.state, status.reason) = Self.state(after: error)
                status.lastPass = previous?.lastPass
                status.lastError = error.description
            } catch {
                failed += 1
                CLI.print("\(mailbox): pass failed: \(error)")
                status = MailboxStatus(
                    mailbox: mailbox,
                    state: "backing_off",
                    reason: "\(error)",
                    lastPass: previous?.lastPass,
                    lastError: "\(error)"
                )
            }
            if !dryRun { CLI.run { try store.saveMailboxStatus(status) } }
        }
        return failed
    }

    /// What a failed pass means for the mailbox: a mailbox the account may not open is disabled until
    /// ops fix it and `resume`; credentials and throttling are passing troubles (backing off, retried).
    static func state(after error: EWSError) -> (String, String) {
        switch (error.kind, error.responseCode) {
        case (_, "ErrorImpersonateUserDenied"): return ("disabled", "impersonation denied for the service account")
        case (_, "ErrorNonExistentMailbox"): return ("disabled", "mailbox does not exist")
        case (_, "ErrorAccessDenied"): return ("disabled", "access denied")
        case (.authentication, _): return ("backing_off", "authentication failed: check the service account's password")
        case (.throttled, _): return ("backing_off", "throttled by Exchange")
        default: return ("backing_off", error.message)
        }
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

/// The first round of a daemon started with --resync reconciles; the rounds after it are normal.
final class LockedMode: @unchecked Sendable {
    private let lock = NSLock()
    private var next: PassMode

    init(_ first: PassMode) { next = first }

    func take() -> PassMode {
        lock.withLock {
            defer { next = .normal }
            return next
        }
    }
}

/// The daemon's context, replaced whole on SIGHUP.
final class ReloadableContext: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: SyncRun.Context

    init(_ context: SyncRun.Context) { stored = context }

    var value: SyncRun.Context {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
