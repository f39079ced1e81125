import ActivityModel
import EWS
import EWSMailbox
import Foundation
import Store
import SyncPlanning

/// Runs a plan's actions: remote writes in batches of `batch_size`, each result committed with its new
/// base as it completes; local writes tagged as the sync engine's own.
struct PlanExecutor {
    let sync: MailboxSync
    let pass: String
    var observations: Observations
    /// How many times a stale ChangeKey has sent an item back through planning in this pass.
    var replans = 0
    var failures: [String] = []
    var ambiguous = 0
    /// Folders this pass wrote to (their echoes are absorbed before the state is saved).
    var writtenFolders: Set<String> = []
    private let encoder = JSONEncoder()

    init(sync: MailboxSync, pass: String, observations: Observations) {
        self.sync = sync
        self.pass = pass
        self.observations = observations
        encoder.outputFormatting = .sortedKeys
    }

    var store: Store { sync.store }
    var mailbox: String { sync.mailbox }

    mutating func execute(_ plan: SyncPlan) async throws {
        var creates: [(activity: String, fields: SyncFields)] = []
        var updates:
            [(activity: String, item: String, changeKey: String?, fields: SyncFields, changed: [SyncFields.Field])] = []
        var deletes: [(activity: String, item: String)] = []
        for action in plan.actions {
            switch action {
            case .createRemote(let activity, let fields): creates.append((activity, fields))
            case .updateRemote(let activity, let item, let changeKey, let fields, let changed):
                updates.append((activity, item, changeKey, fields, changed))
            case .deleteRemote(let activity, let item): deletes.append((activity, item))
            case .createLocal(let item, let kind, let fields):
                try await createLocal(item: item, kind: kind, fields: fields)
            default: try applyLocally(action)
            }
        }
        try await createRemote(creates)
        // Meeting mail only for updates that change what attendees see (and only under send_invitations: all).
        let visible: Set<SyncFields.Field> = [.subject, .information, .start, .end, .allDay, .location, .attendees]
        let mailing = updates.filter { update in
            sync.settings.sendInvitations && kind(of: update.item, activity: update.activity) == .calendarItem
                && !visible.isDisjoint(with: update.changed)
        }
        try await updateRemote(mailing, meetingMail: .changed)
        try await updateRemote(
            updates.filter { update in !mailing.contains { $0.activity == update.activity } },
            meetingMail: .none
        )
        try await deleteRemote(deletes)
    }

    // MARK: - Remote

    private mutating func createRemote(_ creates: [(activity: String, fields: SyncFields)]) async throws {
        try await leavePreviousMailboxes(creates.map(\.activity))
        let grouped = Dictionary(grouping: creates) { create in
            observations.activities[create.activity].map { sync.placement($0).folder } ?? "tasks"
        }
        for (folder, group) in grouped.sorted(by: { $0.key < $1.key }) {
            let kind: ItemKind = folder == "tasks" ? .task : .calendarItem
            writtenFolders.insert(folder)
            for start in stride(from: 0, to: group.count, by: sync.settings.batchSize) {
                try sync.checkStop()
                let batch = Array(group[start..<min(start + sync.settings.batchSize, group.count)])
                // Intent first: after a crash or a lost answer, the journal says which identities to look for.
                let journal = try store.inSyncTransaction { tx in
                    try batch.map {
                        try tx.journal(
                            pass: pass,
                            mailbox: mailbox,
                            activityId: $0.activity,
                            action: "create",
                            payload: folder
                        )
                    }
                }
                let items = batch.map { create in
                    sync.mapping.item(
                        kind: kind,
                        activityId: create.activity,
                        fields: create.fields,
                        crmLine: crmLine(observations.activities[create.activity])
                    )
                }
                let results: [EWSResult<EWSItemId>]
                do {
                    results = try await sync.client.createItems(
                        items,
                        in: folder == "tasks" ? .tasks : .calendar,
                        mailbox: mailbox,
                        timeZoneId: WindowsTimeZone.id(forIANA: sync.mapping.zone.identifier),
                        meetingMail: kind == .calendarItem && sync.settings.sendInvitations ? .all : .none
                    )
                } catch let error as EWSError where error.kind == .ambiguous {
                    ambiguous += batch.count
                    try store.inSyncTransaction { tx in for id in journal { try tx.markJournal(id, .ambiguous) } }
                    continue
                }
                for (index, result) in results.enumerated() {
                    let create = batch[index]
                    try store.inSyncTransaction { tx in
                        switch result {
                        case .success(let id):
                            try tx.saveLink(link(create.activity, folder: folder, item: id, base: create.fields))
                            try tx.markJournal(journal[index], .done, itemId: id.id)
                            try tx.audit(audit(create.activity, item: id.id, action: "create-remote"))
                        case .failure(let error):
                            try tx.markJournal(journal[index], .done)
                            try tx.audit(
                                audit(create.activity, action: "create-remote-failed", reason: error.description)
                            )
                        }
                    }
                    if case .failure(let error) = result { failures.append("\(create.activity): \(error)") }
                }
            }
        }
    }

    private mutating func updateRemote(
        _ updates: [(
            activity: String, item: String, changeKey: String?, fields: SyncFields, changed: [SyncFields.Field]
        )],
        meetingMail: EWSMeetingMail
    ) async throws {
        for start in stride(from: 0, to: updates.count, by: sync.settings.batchSize) {
            try sync.checkStop()
            let batch = Array(updates[start..<min(start + sync.settings.batchSize, updates.count)])
            let changes = batch.map { update -> EWSItemChange in
                let kind = kind(of: update.item, activity: update.activity)
                writtenFolders.insert(folder(of: update.item, activity: update.activity))
                let item = sync.mapping.item(
                    kind: kind,
                    activityId: update.activity,
                    fields: update.fields,
                    crmLine: crmLine(observations.activities[update.activity])
                )
                return EWSItemChange(
                    itemId: EWSItemId(id: update.item, changeKey: update.changeKey),
                    item: item,
                    updates: Self.fieldUpdates(update.changed, kind: kind)
                )
            }
            let results: [EWSResult<EWSItemId>]
            do {
                results = try await sync.client.updateItems(
                    changes,
                    mailbox: mailbox,
                    timeZoneId: WindowsTimeZone.id(forIANA: sync.mapping.zone.identifier),
                    meetingMail: meetingMail
                )
            } catch let error as EWSError where error.kind == .ambiguous {
                continue  // re-read next pass: the base is unchanged, so the merge is redone
            }
            for (index, result) in results.enumerated() {
                let update = batch[index]
                switch result {
                case .success(let id):
                    let folder = folder(of: update.item, activity: update.activity)
                    try store.inSyncTransaction { tx in
                        try tx.saveLink(link(update.activity, folder: folder, item: id, base: update.fields))
                        try tx.audit(
                            audit(
                                update.activity,
                                item: id.id,
                                action: "update-remote",
                                fields: update.changed.map(\.rawValue).joined(separator: ",")
                            )
                        )
                    }
                case .failure(let error) where Self.staleCodes.contains(error.responseCode ?? "") && replans < 3:
                    // Changed in Exchange since we read it: re-read, merge again, retry — never overwrite.
                    replans += 1
                    try await replan(update.activity, item: update.item)
                case .failure(let error):
                    // A vanished item shows as a delete on the next pass, which re-plans it.
                    failures.append("\(update.activity): \(error)")
                    try store.inSyncTransaction { tx in
                        try tx.audit(
                            audit(
                                update.activity,
                                item: update.item,
                                action: "update-remote-deferred",
                                reason: error.description
                            )
                        )
                    }
                }
            }
        }
    }

    private mutating func deleteRemote(_ deletes: [(activity: String, item: String)]) async throws {
        for start in stride(from: 0, to: deletes.count, by: sync.settings.batchSize) {
            try sync.checkStop()
            let batch = Array(deletes[start..<min(start + sync.settings.batchSize, deletes.count)])
            let results: [EWSResult<Void>]
            do {
                // Cancellations only under send_invitations: all (EWS ignores them for tasks).
                results = try await sync.client.deleteItems(
                    batch.map { EWSItemId(id: $0.item) },
                    mailbox: mailbox,
                    sendCancellations: sync.settings.sendInvitations
                )
            } catch let error as EWSError where error.kind == .ambiguous {
                continue
            }
            for delete in batch { writtenFolders.insert(folder(of: delete.item, activity: delete.activity)) }
            for (index, result) in results.enumerated() {
                let delete = batch[index]
                let gone: Bool
                switch result {
                case .success: gone = true
                case .failure(let error): gone = error.responseCode == "ErrorItemNotFound"
                }
                if !gone { failures.append("\(delete.activity): delete failed") }
                guard gone else { continue }
                try store.inSyncTransaction { tx in
                    // Only this mailbox's link goes: after an ownership change the activity is linked elsewhere.
                    if observations.links[delete.activity]?.itemId == delete.item {
                        try tx.removeLink(activityId: delete.activity)
                    }
                    try tx.audit(audit(delete.activity, item: delete.item, action: "delete-remote"))
                }
            }
        }
    }

    /// A new organizer or assignee: the item leaves the old owner's mailbox before it is created in the
    /// new one (same identity), whichever mailbox's pass comes first.
    private mutating func leavePreviousMailboxes(_ activities: [String]) async throws {
        for activity in activities {
            guard let previous = try store.link(activityId: activity),
                previous.mailbox.lowercased() != mailbox.lowercased()
            else { continue }
            let result = try await sync.client.deleteItems([EWSItemId(id: previous.itemId)], mailbox: previous.mailbox)
                .first
            if case .failure(let error) = result, error.responseCode != "ErrorItemNotFound" {
                failures.append("\(activity): could not remove it from \(previous.mailbox): \(error)")
                continue
            }
            try store.inSyncTransaction { tx in
                try tx.removeLink(activityId: activity)
                try tx.audit(
                    AuditEntry(
                        pass: pass,
                        mailbox: previous.mailbox,
                        activityId: activity,
                        itemId: previous.itemId,
                        action: "delete-remote",
                        reason: "moved to \(mailbox)"
                    )
                )
            }
        }
    }

    static let staleCodes: Set<String> = [
        "ErrorIrresolvableConflict", "ErrorStaleObject", "ErrorChangeKeyRequiredForWriteOperations",
    ]

    /// Plans one pair again from a fresh read of its item, and runs that plan.
    private mutating func replan(_ activityId: String, item itemId: String) async throws {
        let kind = kind(of: itemId, activity: activityId)
        let folder = folder(of: itemId, activity: activityId)
        guard let activity = try store.activity(activityId),
            case .success(let fresh) = try await sync.client.getItems(
                [EWSItemId(id: itemId)],
                mailbox: mailbox,
                shape: ItemMapping.shape(for: kind)
            ).first
        else { return }
        let base = observations.links[activityId].flatMap {
            try? JSONDecoder().decode(SyncFields.self, from: Data($0.base.utf8))
        }
        observations.items[itemId] = (fresh, folder)
        observations.activities[activityId] = activity
        let pair = PairObservation(
            crm: sync.crmSide(activity, now: Date()),
            exchange: sync.exchangeSide(fresh, carrying: base, now: Date()),
            base: base,
            linkedItemId: observations.links[activityId]?.itemId
        )
        try await execute(SyncPlan(SyncPlanner.plan(pair, policy: sync.settings.policy)))
    }

    static func fieldUpdates(_ changed: [SyncFields.Field], kind: ItemKind) -> [EWSFieldUpdate] {
        var fields: [EWSField] = [.categories]
        for field in changed {
            switch field {
            case .subject: fields.append(.subject)
            case .information: fields.append(.body)
            case .priority: fields.append(.importance)
            case .sensitivity: fields.append(.sensitivity)
            case .status, .percentComplete: if kind == .task { fields += [.status, .percentComplete] }
            case .start, .end, .allDay:
                if kind == .calendarItem { fields += [.start, .end, .isAllDayEvent, .startTimeZone, .endTimeZone] }
            case .due: if kind == .task { fields += [.dueDate, .reminderDueBy, .reminderIsSet] }
            case .location: fields.append(.location)
            case .showAs: fields.append(.legacyFreeBusyStatus)
            case .reminderMinutes:
                fields +=
                    kind == .task ? [.reminderIsSet, .reminderDueBy] : [.reminderIsSet, .reminderMinutesBeforeStart]
            case .attendees: fields += [.requiredAttendees, .optionalAttendees, .resources]
            }
        }
        var seen: Set<EWSField> = []
        return fields.filter { seen.insert($0).inserted }.map(EWSFieldUpdate.set)
    }

    // MARK: - Local

    private mutating func createLocal(item itemId: String, kind: ItemKind, fields: SyncFields) async throws {
        guard let remote = observations.items[itemId] else { return }
        let type: ActivityType = kind == .task ? .task : .appointment
        var activity = Activity(id: "", type: type, subject: fields.subject, owner: sync.employee.id)
        activity.origin = .exchange
        fields.apply(to: &activity, zone: sync.mapping.zone)
        if type == .task && activity.status.isEmpty { activity.status = type.initialStatus }
        // Attendees that are CRM contacts link the contact and its partner.
        for email in fields.attendees.map({ SyncFields.attendee($0).email }) {
            if let contact = try store.contacts(withEmail: email).first {
                activity.contact = activity.contact ?? contact.id
                activity.partner = activity.partner ?? contact.partner
            }
        }
        let created: Activity
        do { created = try store.addActivity(activity, origin: .sync) } catch {
            // Read once (the folder moves past it): the audit log keeps the trace until the user edits it.
            failures.append("import \(itemId): \(error)")
            let entry = AuditEntry(
                pass: pass,
                mailbox: mailbox,
                itemId: itemId,
                action: "import-refused",
                reason: "\(error)"
            )
            try store.inSyncTransaction { try $0.audit(entry) }
            return
        }
        // Stamp our identity on the item, so it is recognised (and never imported twice) from now on.
        let stamp = EWSItemChange(
            itemId: EWSItemId(id: itemId, changeKey: remote.item.itemId?.changeKey),
            item: {
                var i = EWSItem(kind: remote.item.kind)
                i.extendedProperties = [
                    ItemMapping.activityId: created.id, ItemMapping.instanceId: sync.settings.instance,
                ]
                return i
            }(),
            updates: [.setExtended(ItemMapping.activityId), .setExtended(ItemMapping.instanceId)]
        )
        writtenFolders.insert(remote.folder)
        let result = try await sync.client.updateItems([stamp], mailbox: mailbox).first
        let newId = (try? result?.get()) ?? EWSItemId(id: itemId, changeKey: nil)
        try store.inSyncTransaction { tx in
            try tx.saveLink(link(created.id, folder: remote.folder, item: newId, base: fields, seq: created.changeSeq))
            try tx.audit(audit(created.id, item: itemId, action: "create-local", reason: "imported from Outlook"))
        }
    }

    private mutating func applyLocally(_ action: SyncAction) throws {
        try store.inSyncTransaction { tx in
            switch action {
            case .updateLocal(let id, let fields, let changed, let restore):
                guard var activity = try tx.activity(id) else { return }
                fields.apply(to: &activity, zone: sync.mapping.zone)
                if restore { activity.deleted = false }
                let written = try tx.writeActivity(activity)
                if let existing = try observations.links[id] ?? currentLink(id) {
                    var updated = existing
                    updated.base = encode(fields)
                    updated.syncedSeq = written.changeSeq ?? updated.syncedSeq  // our own write is not pending
                    try tx.saveLink(updated)
                }
                try tx.audit(
                    audit(
                        id,
                        action: restore ? "restore-local" : "update-local",
                        fields: changed.map(\.rawValue).joined(separator: ","),
                        winner: "exchange"
                    )
                )
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
                guard let remote = observations.items[item] else { return }
                let base =
                    observations.links[id].map(\.base) ?? encode(sync.mapping.fields(of: remote.item, carrying: nil))
                try tx.saveLink(
                    SyncLink(
                        activityId: id,
                        mailbox: mailbox,
                        folder: remote.folder,
                        itemId: item,
                        changeKey: remote.item.itemId?.changeKey,
                        base: base,
                        syncedSeq: observations.activities[id]?.changeSeq ?? 0
                    )
                )
                try tx.audit(audit(id, item: item, action: "relink", reason: "found by its identity"))
            case .setBase(let id, let fields):
                if var existing = try currentLink(id) {
                    existing.base = encode(fields)
                    existing.syncedSeq = observations.activities[id]?.changeSeq ?? existing.syncedSeq
                    try tx.saveLink(existing)
                }
            case .recordConflict(let conflict):
                _ = try tx.recordConflict(
                    activityId: conflict.activityId,
                    mailbox: mailbox,
                    field: conflict.field.rawValue,
                    crmValue: conflict.crmValue,
                    exchangeValue: conflict.exchangeValue,
                    baseValue: conflict.baseValue,
                    winner: conflict.winner.rawValue,
                    policy: conflict.policy.rawValue
                )
                try tx.audit(
                    audit(
                        conflict.activityId,
                        action: "conflict",
                        fields: conflict.field.rawValue,
                        winner: conflict.winner.rawValue,
                        reason: "both sides changed it (\(conflict.policy.rawValue))"
                    )
                )
            case .skip(let item, let reason):
                try tx.audit(AuditEntry(pass: pass, mailbox: mailbox, itemId: item, action: "skip", reason: reason))
            default:
                break
            }
        }
    }

    // MARK: - Helpers

    /// The item's class: as read when it was read this pass, else by the folder it is linked in.
    func kind(of item: String, activity: String) -> ItemKind {
        if let read = observations.items[item] { return read.item.kind == .task ? .task : .calendarItem }
        return folder(of: item, activity: activity) == "tasks" ? .task : .calendarItem
    }

    func folder(of item: String, activity: String) -> String {
        observations.items[item]?.folder ?? observations.links[activity]?.folder ?? "tasks"
    }

    func currentLink(_ activity: String) throws -> SyncLink? { try store.link(activityId: activity) }

    func encode(_ fields: SyncFields) -> String {
        String(decoding: (try? encoder.encode(fields)) ?? Data(), as: UTF8.self)
    }

    func link(_ activity: String, folder: String, item: EWSItemId, base: SyncFields, seq: Int64? = nil) -> SyncLink {
        SyncLink(
            activityId: activity,
            mailbox: mailbox,
            folder: folder,
            itemId: item.id,
            changeKey: item.changeKey,
            base: encode(base),
            syncedSeq: seq ?? observations.activities[activity]?.changeSeq ?? 0
        )
    }

    func audit(
        _ activity: String,
        item: String? = nil,
        action: String,
        fields: String? = nil,
        winner: String? = nil,
        reason: String? = nil
    ) -> AuditEntry {
        AuditEntry(
            pass: pass,
            mailbox: mailbox,
            activityId: activity,
            itemId: item,
            action: action,
            fields: fields,
            winner: winner,
            reason: reason
        )
    }

    /// The body's `CRM: ` line: partner, contact, opportunity, and a call's direction and duration.
    func crmLine(_ activity: Activity?) -> String? {
        guard let activity else { return nil }
        var parts: [String] = []
        if let id = activity.partner { parts.append((try? store.partner(id))??.name ?? id) }
        if let id = activity.contact { parts.append((try? store.contact(id))??.name ?? id) }
        if let id = activity.opportunity { parts.append((try? store.opportunity(id))??.name ?? id) }
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
}
