import ActivityModel
import Foundation
import SyncPlanning

extension PlanExecutor {
    /// Applies one pair's consecutive local actions in one transaction: a decision made of several (a re-link
    /// and the restore it brings) lands whole or not at all.
    mutating func applyLocally(
        _ actions: [SyncAction],
        journalling moves: [SyncAction] = [],
        releasing copies: [(item: String, activity: String)] = []
    ) throws {
        guard !actions.isEmpty || !moves.isEmpty else { return }
        let done: [SyncAction] = try store.transaction { tx in
            for move in moves { try journalMoveOut(move, with: actions, in: tx) }
            for copy in copies { releaseJournal[copy.item] = try intendRelease(copy.item, of: copy.activity, in: tx) }
            var done: [SyncAction] = []
            for action in actions where try applyLocally(action, in: tx) { done.append(action) }
            return done
        }
        executed += done
    }

    mutating func applyLocally(_ action: SyncAction, in tx: any SyncStoreTransaction) throws -> Bool {
        let form = sync.form
        // (References, not copies: the closures below may not touch self.) A version read is recorded as judged
        // only when no update of the item is under way.
        let read = observations.items
        let pushed = pushing
        let judged = { (activity: String, item: String) in pushed.contains(activity) ? nil : read[item]?.version }
        do {
            switch action {
            case .updateLocal(let id, let fields, let changed, let restore):
                guard let activity = try tx.activity(id) else { return false }
                let (written, refused) = try Self.writeAccepted(
                    fields,
                    changed: changed,
                    to: activity,
                    restore: restore,
                    tx,
                    form
                )
                if let refused {
                    // The rest of the item's changes land; these wait for the user's next change of the item.
                    try tx.audit(
                        audit(id, action: "update-local-refused", fields: refused.fields, reason: refused.reason)
                    )
                    failures.append("\(id): Outlook's values refused: \(refused.reason)")
                }
                guard let written else {
                    // Nothing taken, but this version was judged, against the CRM as it is: neither is read again
                    // until one of them changes.
                    try confirm(id, in: tx) {
                        $0.changeKey = judged(id, $0.itemId) ?? $0.changeKey
                        $0.syncedSeq = activity.changeSeq ?? $0.syncedSeq
                    }
                    return false
                }
                ownWrites[id] = written.changeSeq
                try confirm(id, crm: form.fields(of: written), in: tx) {
                    $0.syncedSeq = written.changeSeq ?? $0.syncedSeq  // our own write is not pending
                    // Merged as read.
                    $0.changeKey = judged(id, $0.itemId) ?? $0.changeKey
                }
                try rejournalCarried(id, written: form.fields(of: written), in: tx)
                try tx.audit(
                    audit(id, action: restore ? "restore-local" : "update-local", fields: changed, winner: "exchange")
                )
            case .copyResponses(let id, let responses):
                guard var activity = try tx.activity(id) else { return false }
                for index in activity.attendees.indices {
                    if let answer = responses[activity.attendees[index].email.lowercased()] {
                        activity.attendees[index].response = answer
                    }
                }
                let written = try tx.writeActivity(activity)
                // (Our own write, made after comparing the CRM as it was: nothing of it is pending.)
                if (activity.changeSeq ?? 0) <= (try tx.link(activityId: id)?.syncedSeq ?? Int64.max) {
                    try confirm(id, in: tx) { $0.syncedSeq = written.changeSeq ?? $0.syncedSeq }
                }
            case .tombstoneLocal(let id):
                if var activity = try tx.activity(id) {
                    activity.deleted = true
                    try tx.writeActivity(activity)
                }
                try tx.removeLink(activityId: id)
                try tx.audit(audit(id, action: "tombstone-local", reason: "deleted in Exchange"))
            case .unlink(let id):
                try tx.removeLink(activityId: id)
                try tx.audit(audit(id, action: "unlink"))
            case .relink(let id, let item):
                guard let remote = observations.items[item] else { return false }
                let previous = try tx.link(activityId: id)
                let base = previous?.mailbox.lowercased() == mailbox.lowercased() ? previous?.base : nil
                try tx.saveLink(
                    SyncLink(
                        activityId: id,
                        mailbox: mailbox,
                        folder: remote.folder,
                        itemId: item,
                        // (Unknown while an update of it is under way: read again until that lands, as a pass
                        // cut short would otherwise take the item for what this one judged.)
                        changeKey: judged(id, item),
                        base: base ?? holds[id]?.exchange ?? remote.fields,
                        // (The CRM as it is now: compared this pass, or written by this pass.)
                        syncedSeq: try tx.activity(id)?.changeSeq ?? previous?.syncedSeq ?? 0,
                        created: remote.knownCreated
                    )
                )
                try tx.audit(audit(id, item: item, action: "relink", reason: "found by its identity"))
            case .setBase(let id, _):
                let seq = observations.activities[id]?.changeSeq
                try confirm(id, in: tx) { link in
                    link.syncedSeq = max(seq ?? link.syncedSeq, link.syncedSeq)
                    link.changeKey = judged(id, link.itemId) ?? link.changeKey
                }
            case .recordConflict(let conflict):
                try tx.recordConflict(conflict, mailbox: mailbox)
                try tx.audit(
                    audit(
                        conflict.activityId,
                        action: "conflict",
                        fields: [conflict.field],
                        winner: conflict.winner.rawValue,
                        reason: "both sides changed it (\(conflict.policy.rawValue))"
                    )
                )
            case .skip(let item, let reason):
                try tx.audit(audit(nil, item: item, action: "skip", reason: reason))
            default:
                return false
            }
            return true
        }
    }

    /// A lost create's item whose activity has moved to another mailbox has no link here to hold its base: the
    /// edits carried from it move the base its create entry judges it by, so one undone there later (back to what
    /// was sent) is still an edit, carried too.
    func rejournalCarried(_ id: String, written: SyncFields, in tx: any SyncStoreTransaction) throws {
        guard let pair = observations.pairs.first(where: { $0.crm?.activityId == id && $0.base == nil }),
            pair.crm?.ownedElsewhere == true, let sent = pair.journalled, let item = pair.exchange,
            let entry = observations.journalled[item.itemId]
        else { return }
        let base = SyncFields.confirmedBase(previous: sent, crm: written, exchange: item.fields)
        try tx.rejournal(entry.id, payload: JournalEntry.payload(folder: entry.folder, sent: base))
    }

    /// Fields the CRM's rules judge together (an end before its start, a status and its percentage): tried as
    /// one when a write is refused.
    static let units: [[SyncFields.Field]] = [[.start, .end, .allDay], [.status, .percentComplete]]

    /// Writes Outlook's values into the activity. When the CRM's rules refuse them, each changed field (or
    /// unit of fields judged together) is tried on its own and the accepted ones are written: one refused value
    /// never holds up the others.
    /// Answers the activity as written (nil: nothing could be) and what was refused.
    static func writeAccepted(
        _ fields: SyncFields,
        changed: [SyncFields.Field],
        to activity: Activity,
        restore: Bool,
        _ tx: any SyncStoreTransaction,
        _ form: ComparedForm
    ) throws -> (Activity?, (fields: [SyncFields.Field], reason: String)?) {
        var whole = activity
        form.apply(fields, to: &whole)
        if restore { whole.deleted = false }
        let reason: String
        do { return (try tx.writeActivity(whole), nil) } catch let refused as RecordRefused { reason = refused.reason }
        var accepted = activity
        if restore { accepted.deleted = false }
        var written: Activity?
        var refusedFields: [SyncFields.Field] = []
        var groups: [[SyncFields.Field]] = []
        for field in changed where !groups.contains(where: { $0.contains(field) }) {
            groups.append(Self.units.first { $0.contains(field) }?.filter(changed.contains) ?? [field])
        }
        for group in groups {
            var values = form.fields(of: accepted)
            for field in group { values.take(field, from: fields) }
            var candidate = accepted
            form.apply(values, to: &candidate)
            do {
                written = try tx.writeActivity(candidate)
                accepted = candidate
            } catch is RecordRefused {
                refusedFields += group
            }
        }
        if written == nil && restore { written = try? tx.writeActivity(accepted) }
        return (written, (refusedFields, reason))
    }
}
