import Foundation
import SyncPlanning

/// What a pass needs from the configuration.
public struct SyncSettings: Sendable {
    /// `crm.instance_id`.
    public var instance: String
    /// `sync.category`.
    public var category: String
    /// Conflict policy, import rule, remote delete, breaker limits.
    public var policy: SyncPolicy
    /// Items per CreateItem/UpdateItem/DeleteItem request.
    public var batchSize: Int
    /// `sync.window.past_days`.
    public var pastDays: Int
    /// `sync.window.future_days`.
    public var futureDays: Int
    /// `sync.calls_as: task` puts calls in the tasks folder.
    public var callsAsTasks: Bool
    /// `sync.send_invitations: all`: meeting mail on creates, on updates of attendee-visible fields, and
    /// cancellations on deletes; otherwise calendar writes send nothing.
    public var sendInvitations: Bool = false
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
        self.batchSize = batchSize
        self.pastDays = pastDays
        self.futureDays = futureDays
        self.callsAsTasks = callsAsTasks
        self.defaultZone = defaultZone
    }
}

/// How a pass runs.
public enum PassMode: Sendable, Equatable {
    /// Changes since the saved sync states.
    case normal
    /// Full reconciliation: both sides listed from the start and matched by identity (no duplicates even
    /// when the bookkeeping was lost). `allowDeletes` executes a plan the circuit breaker would pause;
    /// `restoreDeletes` puts the deleted side back from the other instead.
    case resync(allowDeletes: Bool, restoreDeletes: Bool)
}

/// What one pass did, for logs, `status` and tests.
public struct PassReport: Sendable, Equatable {
    public var mailbox: String
    public var plan: SyncPlan
    /// The pass id (in the journal, the audit log and the daemon's log lines).
    public var pass: String = ""
    /// Set when the circuit breaker paused the mailbox instead of executing.
    public var paused: String?
    /// Per-item failures (the item is retried next pass).
    public var failures: [String] = []
    /// Creates whose answer was lost (reconciled by identity next pass).
    public var ambiguous: Int = 0
}
