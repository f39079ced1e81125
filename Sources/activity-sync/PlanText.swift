import ActivityModel
import SyncPlanning

/// Plans and pass reports for people (issue 18): one line per action that says what happens, on which side, to
/// which activity — its kind and subject, a private or confidential one's subject masked (plans land in logs and
/// terminals other people read) — "would" in a dry run, and totals per direction and action on the last line, so
/// a 5,000-action plan is read from its end. The engine's `SyncAction.description` (ids only) stays for tests.
struct PlanText {
    var dryRun: Bool
    /// The CRM activity an action names (its kind, subject and sensitivity); nil when it is not in the store.
    var activity: (String) -> Activity?

    /// "would do 1 action" / "did 3 actions".
    func head(_ count: Int) -> String { "\(dryRun ? "would do" : "did") \(Self.count(count, "action"))" }

    /// The action's line; control characters escaped (an item id or a value from a hostile server must not drive
    /// the terminal or forge a line).
    func line(_ action: SyncAction) -> String { CLI.safe(plain(action)) }

    private func plain(_ action: SyncAction) -> String {
        switch action {
        case .createRemote(let id, let kind, let fields, let invitations):
            return verb("create", "created") + " in Outlook: \(named(id, kind: kind, fields: fields))"
                + (invitations ? ", sending invitations" : "")
        case .updateRemote(let id, _, _, _, let changed, let mail):
            return verb("update", "updated") + " in Outlook: \(named(id)) \(Self.fields(changed))"
                + (mail ? ", sending an update to the attendees" : "")
        case .deleteRemote(let id, _, let mailbox, let reason, let cancellations):
            let why: String
            switch reason {
            case .deleted: why = "deleted in the CRM"
            case .unsynchronized: why = "synchronize turned off"
            case .ownerChanged: why = "moved to its new owner"
            }
            return verb("remove", "removed") + " from Outlook\(mailbox.map { " (\($0))" } ?? ""): \(named(id)) (\(why))"
                + (cancellations ? ", sending cancellations" : "")
        case .createLocal(let item, let kind, let fields):
            return verb("import", "imported") + " into the CRM: "
                + "\(Self.label(kind: kind, subject: fields.subject, sensitivity: fields.sensitivity)) (item \(Self.short(item)))"
        case .updateLocal(let id, _, let changed, let restore):
            return verb(restore ? "restore and update" : "update", restore ? "restored and updated" : "updated")
                + " in the CRM: \(named(id)) \(Self.fields(changed))"
        case .tombstoneLocal(let id):
            return verb("delete", "deleted")
                + " in the CRM: \(named(id)) (deleted in Outlook; `activity restore` undoes it)"
        case .copyResponses(let id, let responses):
            return verb("copy", "copied") + " attendee answers to the CRM: \(named(id)) "
                + "(\(responses.keys.sorted().joined(separator: ", ")))"
        case .recordConflict(let conflict):
            let sensitivity = activity(conflict.activityId)?.sensitivity ?? .normal
            let masked = sensitivity != .normal && Self.maskedFields.contains(conflict.field)
            let (crm, exchange) =
                masked
                ? ("(\(sensitivity.rawValue))", "(\(sensitivity.rawValue))")
                : (Self.quoted(conflict.crmValue), Self.quoted(conflict.exchangeValue))
            let winner = conflict.winner == .crm ? "the CRM's" : "Outlook's"
            return
                "conflict: \(named(conflict.activityId)) \(conflict.field.rawValue): CRM \(crm), Outlook \(exchange); "
                + "\(dryRun ? "would keep" : "kept") \(winner) (\(conflict.policy.rawValue))"
        case .stampIdentity(let item, let id):
            return verb("mark", "marked") + " as synced in Outlook: item \(Self.short(item))"
                + (id.map { " (\(named($0)))" } ?? " (the import above)")
        case .relink(let id, let item):
            return verb("link", "linked") + " again: \(named(id)) to item \(Self.short(item)) (found by its identity)"
        case .unlink(let id): return verb("unlink", "unlinked") + ": \(named(id)) (neither side changes)"
        case .setBase(let id, _): return verb("record", "recorded") + " as in step: \(named(id))"
        case .skip(let item, let reason): return "left alone: item \(Self.short(item)) (\(reason))"
        case .releaseCopy(let item, let id):
            return verb("release", "released")
                + " a user's copy: item \(Self.short(item)) (a copy of \(named(id))); the import rule decides on it"
        case .retireDuplicate(let id, let original, _, let changed):
            return verb("retire", "retired") + " a duplicate import: \(named(id)) into \(named(original)) "
                + Self.fields(changed)
        }
    }

    /// The last line: what the plan does per side and action. Bookkeeping (links, identity stamps, bases) and
    /// skips are counted apart — they change nothing a person sees.
    func totals(_ actions: [SyncAction]) -> String {
        var outlook = (create: 0, update: 0, delete: 0)
        var crm = (create: 0, update: 0, delete: 0)
        var (conflicts, bookkeeping, skipped) = (0, 0, 0)
        for action in actions {
            switch action {
            case .createRemote: outlook.create += 1
            case .updateRemote: outlook.update += 1
            case .deleteRemote: outlook.delete += 1
            case .createLocal: crm.create += 1
            case .updateLocal, .copyResponses, .retireDuplicate: crm.update += 1
            case .tombstoneLocal: crm.delete += 1
            case .recordConflict: conflicts += 1
            case .skip: skipped += 1
            case .stampIdentity, .relink, .unlink, .setBase, .releaseCopy: bookkeeping += 1
            }
        }
        return "totals\(dryRun ? " (would)" : ""): "
            + "Outlook \(outlook.create) create, \(outlook.update) update, \(outlook.delete) delete; "
            + "CRM \(crm.create) create, \(crm.update) update, \(crm.delete) delete; "
            + "\(Self.count(conflicts, "conflict")); \(bookkeeping) bookkeeping; \(skipped) skipped"
    }

    /// A purge's item: its activity when a link names one, else the item alone (the link was lost; the identity
    /// stamp says this instance made it).
    func removal(item: String, activity id: String?) -> String {
        CLI.safe(
            verb("remove", "removed") + " from Outlook: "
                + (id.map { "\(named($0)) (item \(Self.short(item)))" } ?? "item \(Self.short(item)) (no CRM link)")
        )
    }

    private func verb(_ present: String, _ past: String) -> String { dryRun ? "would \(present)" : past }

    /// "A12 appointment "Quarterly review"": the id, the kind and the subject (masked when private).
    /// (The activity's own type when the store has it — a call, not a "calendar item"; else the planned kind.)
    private func named(_ id: String, kind: ItemKind? = nil, fields: SyncFields? = nil) -> String {
        if let activity = activity(id) {
            return "\(id) \(activity.type.rawValue) \(Self.subject(activity.subject, activity.sensitivity))"
        }
        guard let fields, let kind else { return id }
        return "\(id) \(Self.label(kind: kind, subject: fields.subject, sensitivity: fields.sensitivity))"
    }

    /// The fields whose values a private item's conflict line does not show.
    static let maskedFields: Set<SyncFields.Field> = [.subject, .information, .location, .attendees]

    static func label(kind: ItemKind, subject: String, sensitivity: Sensitivity) -> String {
        "\(kind == .task ? "task" : "calendar item") \(Self.subject(subject, sensitivity))"
    }

    /// A subject in quotes, or "(private)"/"(confidential)": Outlook shows such items to delegates as
    /// "Private Appointment", and a plan in a shared log must not say more.
    static func subject(_ subject: String, _ sensitivity: Sensitivity) -> String {
        sensitivity == .normal ? quoted(subject) : "(\(sensitivity.rawValue))"
    }

    static func quoted(_ value: String?) -> String {
        guard let value else { return "(none)" }
        let line = value.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return "\"\(line.count > 60 ? line.prefix(59) + "…" : line)\""
    }

    static func fields(_ changed: [SyncFields.Field]) -> String {
        "[\(changed.map { $0.rawValue.replacingOccurrences(of: "_", with: " ") }.joined(separator: ", "))]"
    }

    /// An Exchange or Graph id is ~150 characters: its head and tail tell two apart in one plan.
    static func short(_ item: String) -> String { item.count > 24 ? "\(item.prefix(10))…\(item.suffix(10))" : item }

    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
}
