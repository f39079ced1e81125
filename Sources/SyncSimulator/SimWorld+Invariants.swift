import ActivityModel
import Foundation
import SyncEngine
import SyncPlanning
import SyncTestKit

extension SimWorld {
    /// The invariants of a settled world (issue 10): identity, convergence, no lost edit, no item left
    /// behind; with the back-off violations seen on the way.
    func invariants() -> [String] {
        var problems = violations
        let state = store.snapshot
        for m in mailboxes.indices { problems += identityAndConvergence(m, state) }
        problems += lostEdits(state)
        problems += spuriousTombstones(state)
        return problems
    }

    /// A CRM activity is tombstoned only after a user deleted an item carrying it: an item the engine merely
    /// did not see (a windowed listing, a lost answer) never deletes the activity, not even for a while.
    func spuriousTombstones(_ state: InMemoryStore.State) -> [String] {
        let deleted = Set(
            log.compactMap { record -> String? in
                guard case .outlook = record.side, record.field == nil else { return nil }
                return record.carried
            }
        )
        return state.audit.filter { $0.action == "tombstone-local" }.compactMap { entry in
            guard let activity = entry.activityId, !deleted.contains(activity) else { return nil }
            return "tombstone without a delete | \(activity): tombstoned, though no user deleted an item carrying it"
        }
    }

    /// Whether the CRM's rules refuse the item's values (its updates are held back, audited).
    static func refused(_ fields: SyncFields) -> Bool { fields.subject.trimmingCharacters(in: .whitespaces).isEmpty }

    func identityAndConvergence(_ m: Int, _ state: InMemoryStore.State) -> [String] {
        var problems: [String] = []
        let employee = "E\(m + 1)"
        let items = mailboxes[m].snapshot.values.sorted { $0.id < $1.id }
        // (A user's copy that no windowed listing could show is left out: Graph never reports it — README.)
        let ours = items.filter {
            $0.instance == Self.instance && $0.activityId != nil && !unseenByWindow($0, in: m, state)
        }
        let byActivity = Dictionary(grouping: ours) { $0.activityId! }
        for activity in state.activities.values.sorted(by: { $0.id < $1.id })
        where activity.type.isSynchronisable && activity.mailboxEmployee == employee {
            let carrying = byActivity[activity.id] ?? []
            guard !activity.deleted && activity.synchronize else {
                // (An item the user restored or copied may stay: seen while the activity lived elsewhere, it is
                // another person's copy, never deleted as a stray.)
                let left = carrying.filter { !userKept.contains($0.lineage ?? "") }
                if !left.isEmpty {
                    problems.append(
                        "deleted or unsynchronized activity keeps its item | m\(m): \(activity.deleted ? "deleted" : "unsynchronized") \(activity.id) still has items \(left.map(\.id))"
                    )
                }
                continue
            }
            // (Outside the sync window and never linked: no item is made for it, as SPEC says.)
            if carrying.isEmpty, state.links[activity.id] == nil,
                !inWindow(form.fields(of: activity))
            {
                continue
            }
            guard carrying.count == 1, let item = carrying.first else {
                problems.append(
                    "not one item per activity | m\(m): \(activity.id) has \(carrying.count) items \(carrying.map(\.id))"
                )
                continue
            }
            if state.links[activity.id]?.itemId != item.id {
                problems.append(
                    "link points elsewhere | m\(m): \(activity.id) is linked to \(state.links[activity.id]?.itemId ?? "nothing"), not \(item.id)"
                )
            }
            var held = item.fields
            let crm = form.fields(of: activity)
            // (What the item does not hold is the CRM's: a calendar item's status, a To Do task's sensitivity.)
            for field in mailboxes[m].unkept(item) { held.take(field, from: crm) }
            if item.kind == .task && activity.type == .call { held = held.asCall(carrying: crm, zone: Self.zone) }
            if Self.refused(held) {
                let audited = state.audit.contains { $0.action.hasSuffix("refused") && $0.activityId == activity.id }
                if !audited {
                    problems.append(
                        "refusal not audited | m\(m): \(activity.id)'s refused Outlook values are not audited"
                    )
                }
            } else if held != crm {
                problems.append(
                    "pair differs | m\(m): \(activity.id) differs in \(crm.changedFields(from: held).map(\.rawValue)): "
                        + crm.changedFields(from: held).map {
                            "CRM \(crm.text($0) ?? "nil") / Outlook \(held.text($0) ?? "nil")"
                        }
                        .joined(separator: ", ")
                )
            }
        }
        for item in ours where !userKept.contains(item.lineage ?? "") {
            guard let activity = state.activities[item.activityId!] else {
                // An import held by the CRM's rules (its stamp landed first) is audited, and finishes later.
                if Self.refused(item.fields) && state.audit.contains(where: { $0.action == "import-refused" }) {
                    continue
                }
                problems.append(
                    "item of an unknown activity | m\(m): item \(item.id) carries \(item.activityId!), which the CRM does not have"
                )
                continue
            }
            if activity.mailboxEmployee != employee {
                problems.append(
                    "item left in the previous owner's mailbox | m\(m): item \(item.id) of \(activity.id) left behind (\(activity.id) is \(activity.mailboxEmployee)'s)"
                )
            }
        }
        for item in items where item.activityId == nil || item.instance != Self.instance {
            if item.categories.contains("CRM") && !item.isRecurring && !Self.refused(item.fields)
                && inWindow(item.fields)
            {
                problems.append(
                    "category item never imported | m\(m): Outlook item \(item.id) (\(item.lineage ?? "-")) with the category was never imported"
                )
            }
        }
        return problems
    }

    /// Items the engine released as a user's copy (audited `release-copy`).
    var releasedItems: Set<String> {
        Set(store.snapshot.audit.filter { $0.action == "release-copy" }.compactMap(\.itemId))
    }

    /// The activity a user's record is about now: the CRM's id; or the identity of the item with that
    /// lineage (a live one only in the mailbox its activity lives in: elsewhere it is a copy the user kept,
    /// not synced), else of its deleted self, else the identity it carried then — unless the engine released
    /// that item as a copy (it carries no identity now, as SPEC's copies rule makes it the user's own: were
    /// the released one the pair's, the identity invariant would find the activity without its item).
    func activity(of record: SimRecord) -> String? {
        switch record.side {
        case .pass: return nil
        case .crm(let id): return id
        case .outlook(let m, let lineage):
            return activity(m, lineage, carried: record.carried)
        }
    }

    private func activity(_ m: Int, _ lineage: String, carried: String?) -> String? {
        if let live = mailboxes[m].snapshot.values.filter({ $0.lineage == lineage }).min(by: { $0.id < $1.id }) {
            guard live.instance == Self.instance, let id = live.activityId else { return nil }
            let owner = store.snapshot.activities[id]?.mailboxEmployee
            return owner == "E\(m + 1)" ? id : nil
        }
        let gone = mailboxes[m].deletedSnapshot.values.filter { $0.lineage == lineage }.max { $0.id < $1.id }
        if let gone, gone.instance == Self.instance, let id = gone.activityId { return id }
        // (Released under another id: an Outlook move after the release. Only a release takes an identity off.)
        let released = gone.map { $0.activityId == nil && (releasedItems.contains($0.id) || carried != nil) } ?? false
        if gone == nil, let identity = restoredCarrying[lineage] {
            return isCopy(lineage, carrying: identity) ? nil : identity
        }
        return isCopy(lineage, carrying: carried) || released ? nil : carried
    }

    /// A user's copy still carrying the identity it took along (not one it was given as an activity's own item).
    private func isCopy(_ lineage: String, carrying identity: String?) -> Bool {
        guard let took = copies[lineage] else { return false }
        return identity == nil || took == identity
    }

    /// Every edit is on both sides, recorded as a conflict, overwritten by a later edit of the field, or
    /// undone by a later delete that stands.
    func lostEdits(_ state: InMemoryStore.State) -> [String] {
        var problems: [String] = []
        let owners = log.map { activity(of: $0) }
        for (index, record) in log.enumerated() {
            guard !record.weak, let field = record.field, let id = owners[index], let activity = state.activities[id]
            else {
                continue
            }
            if record.field == .subject && (record.value ?? "").isEmpty { continue }  // refused by the CRM
            // An edit of a copy no windowed listing could show: Graph never reports it (README).
            if case .outlook(let m, let lineage) = record.side,
                let item = mailboxes[m].snapshot.values.first(where: { $0.lineage == lineage }),
                unseenByWindow(item, in: m, state)
            {
                continue
            }
            if !activity.synchronize { continue }
            // An Outlook edit of a task that keeps a call, in the call's terms: completed is held, deferred not held,
            // any other status planned; a call keeps no percentage. One that moves nothing there is no edit.
            var terms: (String?) -> String? = { $0 }
            if case .outlook = record.side, activity.type == .call, settings.callsAsTasks {
                if field == .percentComplete { continue }
                if field == .status {
                    terms = { status in
                        guard let status, SyncFields.callTaskStatus[status] == nil else { return status }
                        return status == "completed" ? "held" : status == "deferred" ? "not_held" : "planned"
                    }
                }
            }
            let recorded = terms(record.value)
            if field == .status, terms(record.before) == recorded, case .outlook = record.side,
                activity.type == .call, settings.callsAsTasks
            {
                continue
            }
            let later = log[(index + 1)...].enumerated().filter { owners[index + 1 + $0.offset] == id }.map(\.element)
            // (A call kept as a task: its day is the task's due date, one value with its start and end.)
            let unit: Set<SyncFields.Field> =
                activity.type == .call && settings.callsAsTasks && [.start, .end, .due].contains(field)
                ? [.start, .end, .due] : [field]
            if later.contains(where: { $0.field.map(unit.contains) == true }) { continue }
            // The user deleted the item holding the edit afterwards: that version was thrown away.
            if later.contains(where: { $0.field == nil && $0.side == record.side }) { continue }
            // Edits of one side since the last pass that could have synced them, ending where they started,
            // changed nothing to sync.
            let m = record.side.mailbox { self.employeeIndex(state.activities[$0]?.mailboxEmployee ?? "E1") }
            let lastPass = log[..<index].lastIndex { if case .pass(m) = $0.side { true } else { false } } ?? -1
            // (Values a copy or a restore took along are no edit: they are not where edits started.)
            let first = log[(lastPass + 1)...index].first { $0.side == record.side && $0.field == field && !$0.weak }
            if let first, terms(first.before) == recorded { continue }
            // An edit back to the last synced value is no change to a state-based sync: neither side keeps
            // a history of edits, only values (the known limit of every such sync; the README says so).
            if let synced = record.synced, terms(synced) == recorded { continue }
            if activity.deleted {
                if !later.contains(where: { $0.field == nil }) {
                    problems.append(
                        "edit lost to a delete | \(id): deleted, though its edit of \(field.rawValue) (step \(record.seq)) came after every delete"
                    )
                }
                continue
            }
            let value = form.fields(of: activity).text(field)
            // A task reminder after the start of the call it keeps rings at the start (README, calls as tasks).
            var kept = recorded
            if field == .reminderDueBy, activity.type == .call, settings.callsAsTasks,
                let set = recorded.flatMap(Int.init),
                let atStart = SyncFields.taskReminder(minutes: 0, due: activity.start, zone: Self.zone),
                set < atStart
            {
                kept = String(atStart)
            }
            if value == recorded || value == kept { continue }
            // (Recorded for the activity the item carried then, too: a copy's edit lost a conflict there, and the
            // copy became another activity's item afterwards.)
            let conflicted = state.conflicts.contains { conflict, _ in
                (conflict.activityId == id || conflict.activityId == record.carried) && unit.contains(conflict.field)
                    && [recorded, kept].contains { $0 == conflict.crmValue || $0 == conflict.exchangeValue }
            }
            if conflicted { continue }
            problems.append(
                "lost \(record.side.name) edit | \(id): lost edit of \(field.rawValue) to \(recorded ?? "nil") (\(record.side)); the CRM holds \(value ?? "nil")"
            )
        }
        return problems
    }
}

extension SimWorld {
    /// An item of a windowed mailbox outside the window that is no activity's linked item: Graph's delta has
    /// not reported it since the chain restarted, and no link makes the engine read it.
    func unseenByWindow(_ item: InMemoryMailbox.Item, in m: Int, _ state: InMemoryStore.State) -> Bool {
        guard windowed, item.folder == .calendar, !inWindow(item.fields) else { return false }
        // (Item ids are per mailbox: two mailboxes may hold the same one.)
        let address = Self.address(m).lowercased()
        return !state.links.values.contains { $0.itemId == item.id && $0.mailbox.lowercased() == address }
    }

    /// Inside the sync window at the clock's now (the engine's rule).
    func inWindow(_ fields: SyncFields) -> Bool { settings.inWindow(fields.start ?? fields.due, now: clock.now) }
}
