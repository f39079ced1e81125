import ActivityModel
import AppConfig
import ArgumentParser
import Foundation
import GraphMailbox
import Store

/// `activity-sync status [--json]`: per mailbox state, last pass, counts; exit 3 when any mailbox is not
/// enabled (for monitoring).
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Per mailbox: state, last pass, linked items, pending changes, conflicts (exit 3 unless all enabled)."
    )
    @OptionGroup var global: GlobalOptions
    @Flag(help: "One JSON document instead of the table.") var json = false
    @Flag(help: "Exit 3 when no daemon runs (for monitoring a host where one should).") var expectDaemon = false

    /// The daemon as `status` reports it: who holds the store's daemon lock, and its last heartbeat.
    struct Daemon: Encodable {
        var running: Bool
        var pid: Int32?
        var last_seen: String?
        /// A heartbeat without a clean exit and nobody holding the lock: killed or crashed.
        var stopped_uncleanly: Bool
        /// The version the daemon runs (after an upgrade, until its restart, not this binary's).
        var version: String?
    }

    /// SPEC §4's `status --json` shape, plus the daemon (the same in every row: the shape stays an array).
    struct Row: Encodable {
        var mailbox, backend, state: String
        var reason, last_pass, next_pass: String?
        var linked, pending_local, open_conflicts: Int
        var last_error: String?
        var throttled_last_hour, skipped_recurring: Int
        /// Where the mailbox's tasks are kept: `tasks folder` (EWS), `todo`, `calendar`, or `not synced`
        /// (`graph.tasks: none`).
        var tasks: String
        var daemon: Daemon?

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(daemon, forKey: .daemon)
            try c.encode(mailbox, forKey: .mailbox)
            try c.encode(backend, forKey: .backend)
            try c.encode(tasks, forKey: .tasks)
            try c.encode(state, forKey: .state)
            try c.encode(reason, forKey: .reason)
            try c.encode(last_pass, forKey: .last_pass)
            try c.encode(next_pass, forKey: .next_pass)
            try c.encode(linked, forKey: .linked)
            try c.encode(pending_local, forKey: .pending_local)
            try c.encode(open_conflicts, forKey: .open_conflicts)
            try c.encode(last_error, forKey: .last_error)
            try c.encode(throttled_last_hour, forKey: .throttled_last_hour)
            try c.encode(skipped_recurring, forKey: .skipped_recurring)
        }

        enum Keys: String, CodingKey {
            case mailbox, backend, tasks, state, reason, last_pass, next_pass, linked, pending_local, open_conflicts,
                last_error, daemon
            case throttled_last_hour, skipped_recurring
        }
    }

    func run() throws {
        guard let store = try global.existingStore() else {
            // Before the first start: nothing has synced, no daemon has run.
            if json { CLI.printJSON([Row]()) } else { CLI.print("daemon: never ran (no store yet)") }
            if expectDaemon { throw ExitCode(3) }
            return
        }
        let configuration = try? global.configuration()
        let rows = CLI.run {
            try store.employees().filter { $0.sync && $0.mailbox != nil }.map { employee -> Row in
                let mailbox = employee.mailbox!
                let status = try store.mailboxStatus(mailbox)
                let counts = try store.mailboxCounts(mailbox: mailbox, employee: employee.id)
                let backend = configuration?.backend(of: employee) ?? employee.backend ?? "ews"
                let mode = configuration?.graphTasks ?? .todo(list: nil)
                let held = SyncRun.tasksHeld(store, mailbox: mailbox, backend: backend, tasks: mode)
                let tasks = Self.tasks(backend == "graph" ? mode : nil, held: held)
                return Row(
                    mailbox: mailbox,
                    backend: backend,
                    state: status?.state ?? "pending",
                    reason: status?.reason,
                    last_pass: status?.lastPass,
                    next_pass: status?.nextPass,
                    linked: counts.linked,
                    pending_local: counts.pendingLocal,
                    open_conflicts: counts.openConflicts,
                    last_error: status?.lastError,
                    throttled_last_hour: status?.throttledLastHour ?? 0,
                    skipped_recurring: status?.skippedRecurring ?? 0,
                    tasks: tasks
                )
            }
        }
        let beat = CLI.run { try store.heartbeat() }
        let daemon = Self.daemon(lock: store.daemonLock(), beat: beat)
        if json {
            CLI.printJSON(
                rows.map {
                    var row = $0
                    row.daemon = daemon
                    return row
                }
            )
        } else {
            CLI.print(Self.daemonLine(daemon, beat: beat))
            // (The Graph certificate's expiry, when this user may read the key file: a warning a month ahead.)
            if rows.contains(where: { $0.backend == "graph" }), let configuration,
                let graph = try? configuration.graphConfiguration()
            {
                for warning in configuration.certificateWarnings(graph) { CLI.print("warning: \(warning)") }
            }
            for row in rows where row.tasks == "held" {
                CLI.print(
                    "note: \(row.mailbox)'s tasks are held: they were linked over the other backend (its backend was "
                        + "switched); nothing is created or deleted until the task migration (README, moving a mailbox)"
                )
            }
            if rows.contains(where: { $0.tasks == "not synced" }) {
                CLI.print(
                    "note: tasks of Graph mailboxes are not synced (graph.tasks: none); appointments and calls are"
                )
            }
            CLI.printTable(
                [
                    "MAILBOX", "BACKEND", "STATE", "LAST PASS", "NEXT PASS", "LINKED", "PENDING", "CONFLICTS",
                    "THROTTLED/H", "REASON / LAST ERROR",
                ],
                rows.map {
                    [
                        $0.mailbox, $0.backend, $0.state, $0.last_pass ?? "-", $0.next_pass ?? "-", String($0.linked),
                        String($0.pending_local), String($0.open_conflicts), String($0.throttled_last_hour),
                        $0.reason ?? $0.last_error ?? "-",
                    ]
                }
            )
        }
        if rows.contains(where: { $0.state != "enabled" }) { throw ExitCode(3) }
        // A daemon that ran lately and is gone (SIGKILL, a crash) is a failure, not a quiet host.
        let interval = Double(configuration?.int("sync.interval_seconds") ?? 60)
        let lately = beat.map { Date().timeIntervalSince($0.at) <= 3 * max(interval, 10) } ?? false
        if !daemon.running && (expectDaemon || (daemon.stopped_uncleanly && lately)) { throw ExitCode(3) }
    }
}

extension StatusCommand {
    /// Where a mailbox's tasks are kept, as `status` says it (`graph`: a Graph mailbox's mode; nil: EWS).
    static func tasks(_ graph: GraphTaskMode?, held: Bool) -> String {
        if graph == GraphTaskMode.none { return "not synced" }
        if held { return "held" }
        switch graph {
        case .some(.todo): return "todo"
        case .some(.calendar): return "calendar"
        default: return "tasks folder"
        }
    }

    /// The daemon from the lock table and the heartbeat (written every 5 s, cleared on a clean exit). Without a
    /// lock table (no `/proc/locks`), a heartbeat younger than 30 s counts as running, as before.
    static func daemon(lock: Store.DaemonLockState, beat: DaemonHeartbeat?, now: Date = Date()) -> Daemon {
        let seen = beat.map { CRMTime.format($0.at) }
        var holder: Int32?
        if case .held(let pid) = lock { holder = pid }
        let running = holder != nil || (lock == .unknown && beat.map { now.timeIntervalSince($0.at) <= 30 } == true)
        return Daemon(
            running: running,
            pid: holder ?? beat.map { Int32($0.pid) },
            last_seen: seen,
            stopped_uncleanly: !running && beat != nil,
            version: beat?.version
        )
    }

    /// Whether a daemon keeps the mailboxes in step, in words.
    static func daemonLine(_ daemon: Daemon, beat: DaemonHeartbeat?, now: Date = Date()) -> String {
        let age = beat.map { max(Int(now.timeIntervalSince($0.at)), 0) }
        if daemon.running, let pid = daemon.pid {
            if let beat, Int32(beat.pid) == pid, let age {
                let version = beat.version.map { ", version \($0)" } ?? ""
                var line = "daemon: running (pid \(pid)\(version), seen \(age) s ago)"
                if let running = beat.version, running != ActivitySyncCommand.versionLine {
                    line +=
                        "\nwarning: the daemon runs \(running), this binary is \(ActivitySyncCommand.versionLine): "
                        + "restart it to finish the upgrade (systemctl restart activity-sync)"
                }
                return line
            }
            return "daemon: running (pid \(pid) holds the store's daemon lock: a daemon starting, or run --once/resync)"
        }
        guard let beat, let age else {
            return "daemon: not running (mailboxes sync only while `activity-sync run` runs)"
        }
        return "daemon: NOT RUNNING — pid \(beat.pid) stopped without a clean exit (last seen \(age) s ago: killed or "
            + "crashed?); see `systemctl status activity-sync` and `journalctl -u activity-sync`"
    }
}

/// `activity-sync pause --mailbox ADDR`: stop syncing a mailbox until `resume`.
struct PauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Stop syncing a mailbox until resume."
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "The mailbox (an active sync user's address).") var mailbox: String
    func run() throws { try MailboxSwitch.set(global, mailbox, state: "paused", reason: "paused by ops") }
}

/// `activity-sync resume --mailbox ADDR`: sync a paused or disabled mailbox again (after ops fixed the cause).
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Sync a paused or disabled mailbox again (after the cause was fixed)."
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "The mailbox (an active sync user's address).") var mailbox: String
    func run() async throws {
        try MailboxSwitch.set(global, mailbox, state: "enabled", reason: "resumed by ops; the next pass syncs it")
        // A running daemon syncs it at once instead of at its next scheduled pass.
        if try await OpsHandover.toRunningDaemon(global, kind: "resume", mailboxes: [mailbox], options: [], wait: false)
        {
            CLI.print("the running daemon syncs \(mailbox) now")
        }
    }
}

enum MailboxSwitch {
    static func set(_ global: GlobalOptions, _ mailbox: String, state: String, reason: String?) throws {
        let store = try global.openStore()
        guard
            CLI.run({ try store.employees() }).contains(where: {
                $0.sync && $0.mailbox?.lowercased() == mailbox.lowercased()
            })
        else { CLI.fail("no active sync user with mailbox \(mailbox)") }
        var status = CLI.run { try store.mailboxStatus(mailbox) } ?? MailboxStatus(mailbox: mailbox, state: state)
        status.state = state
        status.reason = reason
        // The error that stopped it is ops' to fix before a resume, and a paused mailbox has no next pass: neither
        // stays in `status` to mislead (the audit keeps what happened).
        status.lastError = nil
        if state == "paused" { status.nextPass = nil }
        CLI.run { try store.saveMailboxStatus(status) }
        Operator.audit(store, action: state == "paused" ? "pause" : "resume", mailbox: mailbox, reason: reason)
        CLI.print("\(mailbox): \(state)")
    }
}
