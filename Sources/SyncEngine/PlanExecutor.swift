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
    /// The CRM versions this pass wrote itself, by activity (a link made later in the pass records them as synced).
    var ownWrites: [String: Int64] = [:]
    /// Imports of this pass waiting for their identity stamps, by the item they come from.
    var imported: [String: PendingImport] = [:]
    /// How many times a stale version has sent each pair back through planning in this pass.
    var replans: [String: Int] = [:]
    /// Exchange asked for a back-off: no request to the mailbox before then (the rest of the plan waits).
    var throttledUntil: Date?
    var executed: [SyncAction] = []
    var failures: [String] = []
    /// Activities with a write that did not happen this pass.
    var failed: Set<String> = []
    var ambiguous = 0
    /// The class of every item the pass knows, by id.
    var itemKinds: [String: ItemKind] = [:]
    /// Folders this pass wrote to (their echoes are absorbed before the cursor is saved).
    var writtenFolders: Set<FolderKind> = []
    /// The journal entries of copy releases made with their pair's local actions, by item.
    var releaseJournal: [String: Int64] = [:]
    /// The journal entries of the ownership moves' delete halves, by "old mailbox (lower-cased)|activity|item".
    var moveOutJournal: [String: Int64] = [:]
    /// Activities moving in from another mailbox: their edits carried from the old item move that link's base,
    /// so a crash before the move completes does not carry them again over later CRM edits.
    var movingIn: Set<String> = []
    /// Activities whose item this pass also updates or removes: the version read is not recorded as judged by
    /// a local merge (the item holds the judgement only once that write lands; until then it is read again —
    /// an item whose removal failed, its activity back here, is merged afresh, not taken for the base).
    var pushing: Set<String> = []

    init(sync: MailboxSync, pass: String, now: Date, policy: SyncPolicy, observations: Observations) {
        self.sync = sync
        self.pass = pass
        self.now = now
        self.policy = policy
        self.observations = observations
        for pair in observations.pairs {
            if let exchange = pair.exchange { itemKinds[exchange.itemId] = exchange.kind }
            // (A user's copy carries the identity too, but holds nothing of the pair.)
            guard pair.copyOf == nil, let id = pair.crm?.activityId ?? pair.exchange?.activityId else { continue }
            holds[id] = (pair.crm?.fields, pair.exchange?.fields)
            if pair.exchange == nil, let old = pair.linkedElsewhere?.item {
                // Moving in: what the old owner's item holds is what the pair's (old) link judges against.
                holds[id]?.exchange = old.fields
                movingIn.insert(id)
            }
        }
    }

    var store: any SyncStore { sync.store }
    var mailbox: String { sync.mailbox }

    /// Local writes first (per pair, in plan order), then identity stamps and copy releases, the delete halves of ownership moves,
    /// creates, updates and deletes, each in batches.
    mutating func execute(_ plan: SyncPlan) async throws {
        var stamps: [(item: String, activity: String?)] = []
        var releases: [(item: String, activity: String)] = []
        var movesOut: [SyncAction] = []
        var creates: [SyncAction] = []
        var updates: [SyncAction] = []
        var deletes: [SyncAction] = []
        // The delete halves of ownership moves are journalled before anything is sent, in the transaction of
        // their pair's local actions (the re-link that comes with one moves the activity's only link, and the
        // edits carried from the old item land with it: an entry says they did): until one lands, every pass
        // sends it again. A move without local actions is journalled on its own.
        for case .updateRemote(let activity, _, _, _, _, _) in plan.actions { pushing.insert(activity) }
        for case .deleteRemote(let activity, _, nil, _, _) in plan.actions { pushing.insert(activity) }
        let outs = plan.actions.filter { if case .deleteRemote(_, _, .some, _, _) = $0 { true } else { false } }
        let withLocal = Set(plan.actions.filter(\.isPairLocal).compactMap(\.subjects.activity))
        let alone = outs.filter { !withLocal.contains($0.subjects.activity ?? "") }
        if !alone.isEmpty {
            try store.transaction { tx in
                for action in alone { try journalMoveOut(action, in: tx) }
            }
        }
        // Each pair's local actions land in one transaction (a re-link with the merge it comes with: the link's
        // version says what was judged, so it must not land without the judgement).
        // Second imports of one item go first: their links must be gone before the original is linked.
        for case .retireDuplicate(let activity, let original, let fields, let changed) in plan.actions {
            try retire(activity, into: original, fields: fields, changed: changed)
        }
        var local: [String: [SyncAction]] = [:]
        var order: [String] = []
        for action in plan.actions {
            switch action {
            case .retireDuplicate: continue
            case .createRemote: creates.append(action)
            case .updateRemote: updates.append(action)
            case .deleteRemote(_, _, let other, _, _):
                if other == nil { deletes.append(action) } else { movesOut.append(action) }
            case .stampIdentity(let item, let activity): stamps.append((item, activity))
            case .releaseCopy(let item, let activity): releases.append((item, activity))
            case .createLocal(let item, let kind, let fields):
                try createLocal(action, item: item, kind: kind, fields: fields)
            default:
                let key = action.subjects.activity ?? action.subjects.item ?? ""
                if local[key] == nil { order.append(key) }
                local[key, default: []].append(action)
            }
        }
        for key in order {
            let out = outs.filter { $0.subjects.activity == key }
            if Defects.localActionsApart {
                try store.transaction { tx in
                    for action in out { try journalMoveOut(action, with: local[key] ?? [], in: tx) }
                }
                for action in local[key] ?? [] { try applyLocally([action]) }
            } else {
                // (So are the releases of the copies found beside the pair's item: a crash after a re-link that
                // chose one item must not leave the others carrying the identity unread.)
                try applyLocally(local[key] ?? [], journalling: out, releasing: releases.filter { $0.activity == key })
            }
        }
        try await stamp(stamps, releases: releases)
        try await deleteRemote(movesOut)
        try await createRemote(creates)
        try await updateRemote(updates)
        try await deleteRemote(deletes)
    }

    // MARK: - Bookkeeping

    /// Journals an ownership move's delete half, with what the old item holds once its edits are carried
    /// (the base a retry judges it by), when it was last modified, and the CRM's values as the pair's local
    /// actions leave them (what a later CRM edit is told apart by).
    mutating func journalMoveOut(
        _ action: SyncAction,
        with local: [SyncAction] = [],
        in tx: any SyncStoreTransaction
    ) throws {
        guard case .deleteRemote(let activity, let item, let other?, _, _) = action else { return }
        let pair = observations.pairs.first { $0.crm?.activityId == activity }
        let old = pair?.linkedElsewhere
        // (The CRM as this pair's local actions leave it.)
        var crm = pair?.crm?.fields
        for case .updateLocal(_, let fields, _, _) in local { crm = fields }
        let held = ([old?.item].compactMap { $0 } + (old?.others ?? [])).first { $0.itemId == item }
        moveOutJournal["\(other.lowercased())|\(activity)|\(item)"] = try intend(
            "move-out",
            activity: activity,
            item: item,
            payload: JournalEntry.moveOutPayload(
                mailbox: other,
                base: held?.fields ?? old?.base,
                judged: held.map { JudgedItem(modified: $0.lastModified, created: $0.created) },
                crm: crm
            ),
            in: tx
        )
    }

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
        guard var link = try tx.link(activityId: activity),
            link.mailbox.lowercased() == mailbox.lowercased() || movingIn.contains(activity)
        else { return }
        if let c = held.crm, let e = held.exchange {
            link.base = SyncFields.confirmedBase(previous: link.base, crm: c, exchange: e)
        }
        let before = link.itemId
        update(&link)
        // (Another item now: its creation time, if read this pass; the old one's is no longer the link's.)
        if link.itemId != before || link.created == nil {
            link.created = observations.items[link.itemId]?.knownCreated
        }
        try tx.saveLink(link)
    }

    /// Journals an intended remote write of this pass (before its request is sent); answers the entry's id.
    func intend(
        _ action: String,
        activity: String?,
        item: String?,
        payload: String?,
        in tx: any SyncStoreTransaction
    ) throws -> Int64 {
        try tx.journal(
            pass: pass,
            mailbox: mailbox,
            activityId: activity,
            itemId: item,
            action: action,
            payload: payload
        )
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

    /// The display names the CRM has for an activity's attendees, by lower-cased address.
    func attendeeNames(_ activityId: String) -> [String: String] {
        guard let activity = observations.activities[activityId] ?? (try? store.activity(activityId)) ?? nil else {
            return [:]
        }
        return Dictionary(
            activity.attendees.compactMap { a in a.name.map { (a.email.lowercased(), $0) } },
            uniquingKeysWith: { first, _ in first }
        )
    }

    /// The body's `CRM: ` line: partner, contact, opportunity, and a call's direction and duration.
    func crmLine(_ activityId: String) -> String? {
        guard let activity = observations.activities[activityId] ?? (try? store.activity(activityId)) ?? nil else {
            return nil
        }
        return sync.crmLine(activity)
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
        if let activity { failed.insert(activity) }
        failures.append("\(activity ?? item ?? "?"): \(action) \(reason)")
        try store.transaction { tx in
            try also(tx)
            try tx.audit(audit(activity, item: item, action: "\(action)-deferred", reason: reason))
        }
    }
}

extension SyncAction {
    /// Applied in its pair's one local transaction (the rest are requests, or bookkeeping of their own).
    var isPairLocal: Bool {
        switch self {
        case .retireDuplicate, .createRemote, .updateRemote, .deleteRemote, .stampIdentity, .releaseCopy, .createLocal:
            return false
        default:
            return true
        }
    }
}
