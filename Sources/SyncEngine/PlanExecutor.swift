import ActivityModel
import Foundation
import SyncPlanning

/// Runs a plan's actions and reports what happened; it decides nothing. Each confirmed result is
/// committed in its own transaction with the pair's new base, computed by SPEC §3's rule from what each
/// side is now confirmed to hold; links are read inside that transaction, never from the pass's start.
struct PlanExecutor {
    let sync: MailboxSync
    let pass: String
    let now: Date
    let policy: SyncPolicy
    var observations: Observations
    /// What each side of a pair is confirmed to hold, by activity: as read, then as written.
    var holds: [String: (crm: SyncFields?, exchange: SyncFields?)] = [:]
    /// Activities made by imports in this pass, by the item they came from (for the stamp after them).
    var imported: [String: String] = [:]
    /// How many times a stale version has sent a pair back through planning in this pass.
    var replans = 0
    var executed: [SyncAction] = []
    var failures: [String] = []
    var ambiguous = 0
    /// The class of every item the pass knows, by id.
    var itemKinds: [String: ItemKind] = [:]
    /// Folders this pass wrote to (their echoes are absorbed before the cursor is saved).
    var writtenFolders: Set<FolderKind> = []

    init(sync: MailboxSync, pass: String, now: Date, policy: SyncPolicy, observations: Observations) {
        self.sync = sync
        self.pass = pass
        self.now = now
        self.policy = policy
        self.observations = observations
        for pair in observations.pairs {
            guard let id = pair.crm?.activityId ?? pair.exchange?.activityId else { continue }
            holds[id] = (pair.crm?.fields, pair.exchange?.fields)
            if let exchange = pair.exchange { itemKinds[exchange.itemId] = exchange.kind }
        }
    }

    var store: any SyncStore { sync.store }
    var mailbox: String { sync.mailbox }

    /// Local writes first (in plan order), then identity stamps, the delete halves of ownership moves,
    /// creates, updates and deletes, each in batches.
    mutating func execute(_ plan: SyncPlan) async throws {
        var stamps: [(item: String, activity: String?)] = []
        var movesOut: [SyncAction] = []
        var creates: [SyncAction] = []
        var updates: [SyncAction] = []
        var deletes: [SyncAction] = []
        for action in plan.actions {
            switch action {
            case .createRemote: creates.append(action)
            case .updateRemote: updates.append(action)
            case .deleteRemote(_, _, let other, _, _):
                if other == nil { deletes.append(action) } else { movesOut.append(action) }
            case .stampIdentity(let item, let activity): stamps.append((item, activity))
            case .createLocal(let item, let kind, let fields):
                try createLocal(action, item: item, kind: kind, fields: fields)
            default: try applyLocally(action)
            }
        }
        try await stamp(stamps)
        try await deleteRemote(movesOut)
        try await createRemote(creates)
        try await updateRemote(updates)
        try await deleteRemote(deletes)
    }

    // MARK: - Bookkeeping

    /// The pair's base after a confirmed write, and the link that carries it.
    mutating func confirm(
        _ activity: String,
        crm: SyncFields? = nil,
        exchange: SyncFields? = nil,
        in tx: any SyncStoreTransaction,
        link update: (inout SyncLink) -> Void = { _ in }
    ) throws {
        var held = holds[activity] ?? (nil, nil)
        if let crm { held.crm = crm }
        if let exchange { held.exchange = exchange }
        holds[activity] = held
        guard var link = try tx.link(activityId: activity), link.mailbox.lowercased() == mailbox.lowercased() else {
            return
        }
        if let c = held.crm, let e = held.exchange {
            link.base = SyncFields.confirmedBase(previous: link.base, crm: c, exchange: e)
        }
        update(&link)
        try tx.saveLink(link)
    }

    func audit(
        _ activity: String?,
        item: String? = nil,
        action: String,
        fields: [SyncFields.Field] = [],
        winner: String? = nil,
        reason: String? = nil,
        mailbox other: String? = nil
    ) -> AuditEntry {
        AuditEntry(
            pass: pass,
            mailbox: other ?? mailbox,
            activityId: activity,
            itemId: item,
            action: action,
            fields: fields.isEmpty ? nil : fields.map(\.rawValue).joined(separator: ","),
            winner: winner,
            reason: reason
        )
    }

    /// The body's `CRM: ` line: partner, contact, opportunity, and a call's direction and duration.
    func crmLine(_ activityId: String) -> String? {
        guard let activity = observations.activities[activityId] ?? (try? store.activity(activityId)) ?? nil else {
            return nil
        }
        var parts = (try? store.referenceNames(of: activity)) ?? []
        if activity.type == .call {
            parts.append(
                [activity.direction, activity.durationMinutes.map { "\($0) min" }].compactMap { $0 }.joined(
                    separator: ", "
                )
            )
        }
        let line = parts.filter { !$0.isEmpty }.joined(separator: " · ")
        return line.isEmpty ? nil : line
    }

    /// A write that did not happen: recorded for `status` and audited (with `also`, in one transaction), and
    /// planned again next pass.
    mutating func fail(
        _ activity: String?,
        item: String?,
        action: String,
        _ outcome: WriteOutcome,
        also: (any SyncStoreTransaction) throws -> Void = { _ in }
    ) throws {
        let reason: String
        switch outcome {
        case .refused(let why): reason = why
        case .transient(let why): reason = "not applied: \(why)"
        case .throttled(let until): reason = "throttled until \(CRMTime.format(until))"
        case .stale: reason = "changed in Exchange meanwhile"
        case .notFound: reason = "the item is gone"
        case .ambiguous: reason = "the answer was lost"
        case .done: return
        }
        if case .ambiguous = outcome { ambiguous += 1 }
        failures.append("\(activity ?? item ?? "?"): \(action) \(reason)")
        try store.transaction { tx in
            try also(tx)
            try tx.audit(audit(activity, item: item, action: "\(action)-deferred", reason: reason))
        }
    }
}
