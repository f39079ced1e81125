import ActivityModel
import Foundation
import SyncPlanning

/// What a pass needs from the configuration.
public struct SyncSettings: Sendable {
    /// `crm.instance_id`.
    public var instance: String
    /// `sync.category`.
    public var category: String
    /// Conflict policy, import rule, remote delete, breaker limits, meeting mail.
    public var policy: SyncPolicy
    /// Items per create/update/delete request.
    public var batchSize: Int
    /// `sync.window.past_days`.
    public var pastDays: Int
    /// `sync.window.future_days`.
    public var futureDays: Int
    /// `sync.calls_as: task` puts calls in the tasks folder.
    public var callsAsTasks: Bool
    /// `sync.send_invitations: all` (the planner decides per action; kept in the policy).
    public var sendInvitations: Bool {
        get { policy.sendInvitations }
        set { policy.sendInvitations = newValue }
    }
    /// Zone of employees without one (`exchange.time_zone`).
    public var defaultZone: TimeZone

    public init(
        instance: String = "default",
        category: String = "CRM",
        policy: SyncPolicy = SyncPolicy(),
        batchSize: Int = 100,
        pastDays: Int = 30,
        futureDays: Int = 365,
        callsAsTasks: Bool = false,
        defaultZone: TimeZone = .gmt
    ) {
        self.instance = instance
        self.category = category
        self.policy = policy
        self.batchSize = max(batchSize, 1)
        self.pastDays = pastDays
        self.futureDays = futureDays
        self.callsAsTasks = callsAsTasks
        self.defaultZone = defaultZone
    }

    /// The employee's zone (dates of tasks and all-day events are that zone's).
    public func zone(of employee: Employee) -> TimeZone {
        employee.timeZone.flatMap(TimeZone.init(identifier:)) ?? defaultZone
    }
}

/// How a pass runs.
public enum PassMode: Sendable, Equatable {
    /// Changes since the saved cursors.
    case normal
    /// Full reconciliation: both sides listed from the start and matched by identity (no duplicates even
    /// when the bookkeeping was lost). `allowDeletes` executes a plan the circuit breaker would pause;
    /// `restoreDeletes` puts the deleted side back from the other instead.
    case resync(allowDeletes: Bool, restoreDeletes: Bool)
}

/// What one pass did, for logs, `status`, metrics and tests.
public struct PassReport: Sendable, Equatable {
    public var mailbox: String
    /// What the pass planned (a dry run or a held pass stops here).
    public var plan: SyncPlan
    /// The pass id (in the journal, the audit log and the daemon's log lines).
    public var pass: String = ""
    /// Set when the circuit breaker paused the mailbox instead of executing.
    public var paused: String?
    /// The actions executed and confirmed, re-plans after a stale version included (metrics count these).
    public var executed: [SyncAction] = []
    /// Per-item failures (the item is retried next pass).
    public var failures: [String] = []
    /// Limits this pass met (a listing cut at its page bound): said in `status`, the log and a metric.
    public var limits: [String] = []
    /// Writes whose answer was lost (reconciled next pass).
    public var ambiguous: Int = 0
    /// Exchange asked for a back-off: no request to the mailbox before then (the pass stopped sending).
    public var throttledUntil: Date?
    /// Planned only (`--dry-run`): nothing was executed.
    public var dryRun = false
    /// Recurring series this pass listed (skipped: never imported), and the other items it read or saw go:
    /// `status` counts a mailbox's skipped series across quiet passes by these. `listedWhole`: every synced
    /// folder was read from the start, so a series not seen now is gone.
    public var recurringSeen: Set<String> = []
    public var otherSeen: Set<String> = []
    public var listedWhole = false
    /// Links made over another backend, found (or not: held) this pass, one line each (`ForeignLinks`).
    public var migration: [String] = []
    /// Folders held: links made over another backend not all found.
    public var held = 0

    /// What to show: the plan when nothing was executed (a dry run, a held pass), else what was done.
    public var listed: [SyncAction] { dryRun || paused != nil ? plan.actions : executed }
}

extension SyncSettings {
    /// Whether a date or instant lies in a window of days around `now` (a date counts at its noon UTC); something
    /// without a date is always inside. `sync.window`'s rule — and the test double's Graph listing window.
    public static func inWindow(_ text: String?, now: Date, pastDays: Int, futureDays: Int) -> Bool {
        guard let text, let time = try? CRMTime.parse(text).get() else { return true }
        let instant: Date
        switch time {
        case .instant(let date): instant = date
        case .date: instant = (try? CRMTime.parse(text + "T12:00:00Z").get().instant) ?? now
        }
        return instant >= now.addingTimeInterval(-Double(pastDays) * 86_400)
            && instant <= now.addingTimeInterval(Double(futureDays) * 86_400)
    }

    /// Inside `sync.window`.
    public func inWindow(_ text: String?, now: Date) -> Bool {
        Self.inWindow(text, now: now, pastDays: pastDays, futureDays: futureDays)
    }
}
