import ActivityModel
import Foundation
import SyncPlanning

extension PlanExecutor {
    /// Imports an Outlook item as a CRM activity (its identity stamp follows in the plan). A value the
    /// CRM's rules refuse is audited and reported; the item is read again when the user next changes it.
    mutating func createLocal(_ action: SyncAction, item itemId: String, kind: ItemKind, fields: SyncFields) throws {
        guard let remote = observations.items[itemId] else { return }
        let zone = sync.zone
        let owner = sync.employee.id
        let outcome: Result<Activity, RecordRefused> = try store.transaction { tx in
            let type: ActivityType = kind == .task ? .task : .appointment
            var activity = Activity(id: "", type: type, subject: fields.subject, owner: owner)
            activity.origin = .exchange
            fields.apply(to: &activity, zone: zone)
            if type == .task && activity.status.isEmpty { activity.status = type.initialStatus }
            // Attendees that are CRM contacts link the contact and its partner.
            for email in fields.attendees.map({ SyncFields.attendee($0).email }) {
                if let contact = try tx.contacts(withEmail: email).first {
                    activity.contact = activity.contact ?? contact.id
                    activity.partner = activity.partner ?? contact.partner
                }
            }
            let created: Activity
            do { created = try tx.addActivity(activity) } catch let refused as RecordRefused {
                return .failure(refused)
            }
            let held = SyncFields(activity: created, zone: zone)
            try tx.saveLink(
                SyncLink(
                    activityId: created.id,
                    mailbox: mailbox,
                    folder: remote.folder,
                    itemId: itemId,
                    changeKey: remote.version,
                    base: SyncFields.confirmedBase(previous: nil, crm: held, exchange: fields),
                    syncedSeq: created.changeSeq ?? 0
                )
            )
            try tx.audit(audit(created.id, item: itemId, action: "create-local", reason: "imported from Outlook"))
            return .success(created)
        }
        switch outcome {
        case .success(let created):
            imported[itemId] = created.id
            holds[created.id] = (SyncFields(activity: created, zone: zone), fields)
            itemKinds[itemId] = kind
            observations.activities[created.id] = created
            executed.append(action)
        case .failure(let refused):
            failures.append("import \(itemId): \(refused)")
            try store.transaction { tx in
                try tx.audit(audit(nil, item: itemId, action: "import-refused", reason: refused.reason))
            }
        }
    }

    mutating func applyLocally(_ action: SyncAction) throws {
        let zone = sync.zone
        let done: Bool = try store.transaction { tx in
            switch action {
            case .updateLocal(let id, let fields, let changed, let restore):
                guard var activity = try tx.activity(id) else { return false }
                fields.apply(to: &activity, zone: zone)
                if restore { activity.deleted = false }
                let written: Activity
                do { written = try tx.writeActivity(activity) } catch let refused as RecordRefused {
                    try tx.audit(audit(id, action: "update-local-refused", fields: changed, reason: refused.reason))
                    failures.append("\(id): Outlook's values refused: \(refused.reason)")
                    return false
                }
                try confirm(id, crm: SyncFields(activity: written, zone: zone), in: tx) {
                    $0.syncedSeq = written.changeSeq ?? $0.syncedSeq  // our own write is not pending
                }
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
                try tx.writeActivity(activity)
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
                        changeKey: remote.version,
                        base: base ?? holds[id]?.exchange ?? remote.fields,
                        syncedSeq: observations.activities[id]?.changeSeq ?? previous?.syncedSeq ?? 0
                    )
                )
                try tx.audit(audit(id, item: item, action: "relink", reason: "found by its identity"))
            case .setBase(let id, _):
                let seq = observations.activities[id]?.changeSeq
                try confirm(id, in: tx) { link in link.syncedSeq = seq ?? link.syncedSeq }
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
        if done { executed.append(action) }
    }
}
