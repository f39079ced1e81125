import ActivityModel
import Foundation
import SyncPlanning

/// An import waiting for its identity stamp: the activity is added only once the item carries its id.
struct PendingImport {
    var activity: Activity
    var journal: Int64
    var folder: FolderKind
    var fields: SyncFields
}

/// Unrolls a transaction whose writes were only a check of the CRM's rules.
private struct DryRun: Error {}

extension PlanExecutor {
    /// Imports an Outlook item as a CRM activity, identity first: the activity's id is reserved and journalled,
    /// the stamp writes it on the item, and only a landed stamp adds the activity (`finishImport`). Whatever
    /// stops the pass in between, the item never becomes two activities: unstamped, it is a user's item
    /// again next pass; stamped, the journal says to finish its import. A value the CRM's rules refuse is
    /// audited, and the item is read again when the user next changes it.
    mutating func createLocal(_ action: SyncAction, item itemId: String, kind: ItemKind, fields: SyncFields) throws {
        guard let remote = observations.items[itemId] else { return }
        let draft = try store.transaction { tx in try importedActivity(kind: kind, fields: fields, tx) }
        if let id = remote.activityId {
            // Stamped before a crash or a lost answer: the import finishes now, under the id on the item.
            var activity = draft
            activity.id = id
            try finishImport(
                PendingImport(
                    activity: activity,
                    journal: observations.importing[id] ?? 0,
                    folder: remote.folder,
                    fields: fields
                ),
                item: itemId,
                version: remote.version
            )
            return
        }
        do {
            try store.transaction { tx -> Void in
                _ = try tx.addActivity(draft)
                throw DryRun()
            }
        } catch let refused as RecordRefused {
            failures.append("import \(itemId): \(refused)")
            try store.transaction { tx in
                try tx.audit(audit(nil, item: itemId, action: "import-refused", reason: refused.reason))
            }
            return
        } catch is DryRun {}
        let pending = try store.transaction { tx in
            var activity = draft
            activity.id = try tx.reserveActivityId()
            let journal = try intend(
                "import",
                activity: activity.id,
                item: itemId,
                payload: remote.folder.rawValue,
                in: tx
            )
            return PendingImport(activity: activity, journal: journal, folder: remote.folder, fields: fields)
        }
        imported[itemId] = pending
        itemKinds[itemId] = kind
    }

    /// The activity an Outlook item becomes (no id yet). Attendees that are CRM contacts link the contact and
    /// its partner.
    func importedActivity(kind: ItemKind, fields: SyncFields, _ tx: any SyncStoreTransaction) throws -> Activity {
        let type: ActivityType = kind == .task ? .task : .appointment
        var activity = Activity(id: "", type: type, subject: fields.subject, owner: sync.employee.id)
        activity.origin = .exchange
        fields.apply(to: &activity, zone: sync.zone)
        if type == .task && activity.status.isEmpty { activity.status = type.initialStatus }
        for email in fields.attendees.map({ SyncFields.attendee($0).email }) {
            if let contact = try tx.contacts(withEmail: email).first {
                activity.contact = activity.contact ?? contact.id
                activity.partner = activity.partner ?? contact.partner
            }
        }
        return activity
    }

    /// The item carries the activity's id: the activity is added and linked, in one transaction.
    mutating func finishImport(_ pending: PendingImport, item itemId: String, version: String?) throws {
        let outcome: Result<Activity, RecordRefused> = try store.transaction { tx in
            let created: Activity
            do { created = try tx.addActivity(pending.activity) } catch let refused as RecordRefused {
                // The item carries the id already: the import is held until the user changes the item again.
                try tx.audit(audit(nil, item: itemId, action: "import-refused", reason: refused.reason))
                if pending.journal != 0 { try tx.markJournal(pending.journal, .held, itemId: itemId) }
                return .failure(refused)
            }
            try tx.saveLink(
                SyncLink(
                    activityId: created.id,
                    mailbox: mailbox,
                    folder: pending.folder,
                    itemId: itemId,
                    changeKey: version,
                    base: SyncFields.confirmedBase(
                        previous: nil,
                        crm: sync.form.fields(of: created),
                        exchange: pending.fields
                    ),
                    syncedSeq: created.changeSeq ?? 0,
                    created: observations.items[itemId]?.knownCreated
                )
            )
            try tx.audit(audit(created.id, item: itemId, action: "create-local", reason: "imported from Outlook"))
            if pending.journal != 0 { try tx.markJournal(pending.journal, .done, itemId: itemId) }
            return .success(created)
        }
        switch outcome {
        case .success(let created):
            holds[created.id] = (sync.form.fields(of: created), pending.fields)
            observations.activities[created.id] = created
            executed.append(
                .createLocal(item: itemId, kind: created.type == .task ? .task : .calendarItem, fields: pending.fields)
            )
        case .failure(let refused):
            failures.append("import \(itemId): \(refused)")
            failed.insert(pending.activity.id)  // its journal entry stays held, not settled
        }
    }

    /// A second import of one item: its CRM edits since its base go to the original (the fields the CRM's rules
    /// accept), it is tombstoned and its link removed, in one transaction, audited.
    mutating func retire(
        _ activity: String,
        into original: String,
        fields: SyncFields,
        changed: [SyncFields.Field]
    )
        throws
    {
        try store.transaction { tx in
            if !changed.isEmpty, let target = try tx.activity(original) {
                _ = try Self.writeAccepted(fields, changed: changed, to: target, restore: false, tx, sync.form)
            }
            if var duplicate = try tx.activity(activity), !duplicate.deleted {
                duplicate.deleted = true
                try tx.writeActivity(duplicate)
            }
            try tx.removeLink(activityId: activity)
            try tx.audit(
                audit(
                    activity,
                    action: "retire-duplicate",
                    fields: changed,
                    reason:
                        "a second import of \(original)'s item (a failed identity stamp); its CRM edits went to \(original)"
                )
            )
        }
        executed.append(.retireDuplicate(activity: activity, into: original, fields: fields, changed: changed))
    }
}
