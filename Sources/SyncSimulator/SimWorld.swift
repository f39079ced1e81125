import ActivityModel
import Foundation
import SyncEngine
import SyncPlanning
import SyncTestKit

/// One simulated world: a CRM store, two employees' mailboxes, a clock, and what happened to them (the
/// edits and deletes users made, the passes' faults, crashes and back-off violations).
public final class SimWorld: @unchecked Sendable {
    public static let instance = "sim"
    public static let zone = TimeZone(identifier: "Europe/Amsterdam")!
    public static let start = Date(timeIntervalSince1970: 1_796_000_000)  // 2026-11-30

    let clock = SimClock(SimWorld.start)
    public let store: InMemoryStore
    public let mailboxes: [InMemoryMailbox]
    let throttle = SimThrottleBook()
    public let settings: SyncSettings
    /// How activities are compared with their items (`sync.calls_as` decides a call's form).
    let form: ComparedForm
    /// What users did, in order (the no-lost-edit check reads it).
    var log: [SimRecord] = []
    var nextActivity = 1
    var nextLineage = 1
    /// Lineages of items a user copied into another mailbox or restored: another person's copy of the
    /// identity, or one the user chose to keep after its activity moved on (never deleted as strays).
    var userKept: Set<String> = []
    /// Lineages of users' copies, with the identity each took along: what is done to one is the copy's business
    /// while it carries that identity (one the engine gave it later, after releasing it, is its own).
    var copies: [String: String?] = [:]
    /// The identity an item restored from Deleted Items carried there (nil: none, a user's own), by the lineage it
    /// had: its deleted self is gone, and its earlier records are about that activity.
    var restoredCarrying: [String: String?] = [:]
    /// Back-off violations and passes that failed, as seen by the simulated daemon.
    var violations: [String] = []
    var coverage = SimCoverage()
    /// Print every step and pass plan (for reading one failing history).
    public var trace = false
    /// The mailboxes list a window of days (Graph); the sync window is `windowedFutureDays` ahead.
    let windowed: Bool
    /// Ten days ahead of the start: of the histories' dates (December 1–20), the last ten are outside.
    static let windowedFutureDays = 10

    public init(history: SimHistory) {
        let clock = self.clock
        store = InMemoryStore(clock: { clock.now })
        mailboxes = (0..<SimHistory.mailboxes).map {
            InMemoryMailbox(address: Self.address($0), instance: Self.instance, clock: { clock.now })
        }
        let policies: [SyncPolicy.ConflictPolicy] = [.crmWins, .exchangeWins, .newestWins]
        var settings = SyncSettings(
            instance: Self.instance,
            policy: SyncPolicy(
                conflictPolicy: policies[history.policy % 3],
                maxDeletes: .max,
                maxDeleteRatio: .infinity
            ),
            batchSize: history.batchSize,
            defaultZone: Self.zone
        )
        if history.windowed {
            settings.futureDays = Self.windowedFutureDays
            for mailbox in mailboxes {
                mailbox.window = (settings.pastDays, settings.futureDays)
                // (Graph's tasks are Microsoft To Do's, `graph.tasks: todo`, the default.)
                mailbox.todo = true
                // (Small pages: Graph's reordered and repeated entries cross page bounds.)
                mailbox.pageSize = 2
            }
            coverage.events.insert("windowed listing (Graph)")
        }
        if history.callsAsTasks {
            settings.callsAsTasks = true
            coverage.events.insert("calls kept as tasks")
        }
        self.settings = settings
        form = ComparedForm(zone: Self.zone, callsAsTasks: history.callsAsTasks)
        windowed = history.windowed
        store.edit { state in
            for index in 0..<SimHistory.mailboxes {
                let employee = Self.employee(index)
                state.employees[employee.id] = employee
            }
        }
    }

    static func address(_ index: Int) -> String { ["alice", "bob", "carol"][index] + "@contoso.test" }
    static func employee(_ index: Int) -> Employee {
        Employee(id: "E\(index + 1)", name: "Employee \(index + 1)", mailbox: address(index), sync: true)
    }
    func mailbox(for address: String) -> InMemoryMailbox {
        mailboxes.first { $0.address.lowercased() == address.lowercased() } ?? mailboxes[0]
    }
    func employeeIndex(_ id: String) -> Int { (Int(id.dropFirst()) ?? 1) - 1 }
    func syncOn(_ index: Int) -> Bool { store.snapshot.employees["E\(index + 1)"]?.sync ?? false }

    // MARK: - Steps

    /// Runs one step of a history.
    func apply(_ event: SimEvent) async {
        clock.advance(60)
        coverage.events.insert(event.kind)
        if trace { print("  \(event)") }
        let logged = log.count
        defer {
            if trace {
                for record in log[logged...] where record.field != nil || record.side.name != "" {
                    guard case .pass = record.side else {
                        print(
                            "      · records \(record.side) \(record.field?.rawValue ?? "delete") \(record.value ?? "") (carried \(record.carried ?? "-"))\(record.weak ? " weak" : "")"
                        )
                        continue
                    }
                }
            }
        }
        switch event {
        case .crmCreate(let type, let owner, let day): crmCreate(type: type, owner: owner, day: day)
        case .crmEdit(let pick, let edit):
            guard var activity = pickActivity(pick, where: { !$0.deleted }) else { return }
            let before = form.fields(of: activity)
            edit.applyCRM(to: &activity)
            if let written = try? store.saveActivity(activity) {
                // (Every compared field the edit moved: a task's due time moves its reminder's compared form too.)
                let values = form.fields(of: written)
                for field in values.changedFields(from: before) {
                    record(
                        .crm(written.id),
                        field,
                        values.text(field),
                        before: before.text(field),
                        synced: syncedBase(of: written.id).map { base -> String? in base.text(field) }
                    )
                }
            }
        case .crmDelete(let pick):
            guard var activity = pickActivity(pick, where: { !$0.deleted }) else { return }
            activity.deleted = true
            if (try? store.saveActivity(activity)) != nil { record(.crm(activity.id), nil, nil) }
        case .crmRestore(let pick):
            guard var activity = pickActivity(pick, where: \.deleted) else { return }
            activity.deleted = false
            _ = try? store.saveActivity(activity)
        case .crmReassign(let pick):
            guard var activity = pickActivity(pick, where: { !$0.deleted }) else { return }
            let next = "E\((employeeIndex(activity.mailboxEmployee) + 1) % SimHistory.mailboxes + 1)"
            if activity.type == .task { activity.assignedTo = next } else { activity.organizer = next }
            _ = try? store.saveActivity(activity)
        case .crmSynchronize(let pick):
            guard var activity = pickActivity(pick, where: { !$0.deleted }) else { return }
            activity.synchronize.toggle()
            _ = try? store.saveActivity(activity)
        case .employeeSync(let index):
            // The daemon stops syncing the mailbox; its links stay, dormant (MailboxSync.dormantLinks).
            store.edit { state in state.employees["E\(index + 1)"]?.sync.toggle() }
        case .outlookCreate(let m, let task, let category, let day):
            let lineage = newLineage()
            mailboxes[m].userCreate(
                kind: task ? .task : .calendarItem,
                fields: Self.outlookFields(task: task, day: day, lineage: lineage),
                categories: category ? ["CRM"] : [],
                lineage: lineage
            )
        case .outlookEdit(let m, let pick, let edit):
            guard let item = pickItem(m, pick) else { return }
            outlookEdit(m, item.id, edit)
        case .outlookDelete(let m, let pick):
            guard let item = pickItem(m, pick) else { return }
            outlookDelete(m, item.id)
        case .outlookRestore(let m, let pick):
            let deleted = mailboxes[m].deletedSnapshot.values.sorted { $0.id < $1.id }
            guard !deleted.isEmpty else { return }
            // A restored item is the user's choice to keep (never a stray, whatever its activity does next);
            // it starts a lineage of its own (records of its earlier life fall back to the identity it carried).
            guard let restored = mailboxes[m].userRestore(deleted[pick % deleted.count].id) else { return }
            let lineage = newLineage()
            // (Its deleted self leaves Deleted Items: what it carried then is what its earlier records are about.)
            let before = deleted[pick % deleted.count]
            if let old = before.lineage {
                restoredCarrying[old] = before.instance == Self.instance ? .some(before.activityId) : .some(nil)
            }
            mailboxes[m].setLineage(restored, lineage)
            userKept.insert(lineage)
            // The values it brings back are the user's choice (weak: they may stand in for earlier edits).
            guard let item = mailboxes[m].snapshot[restored] else { return }
            for field in SyncFields.Field.allCases {
                record(.outlook(m, lineage), field, item.fields.text(field), carried: item.activityId, weak: true)
            }
        case .outlookMove(let m, let pick):
            guard let item = pickItem(m, pick) else { return }
            mailboxes[m].userMove(item.id, to: item.folder)
        case .outlookCopy(let m, let pick, let into):
            guard let item = pickItem(m, pick) else { return }
            let lineage = newLineage()
            userKept.insert(lineage)
            copies[lineage] = item.activityId
            guard let copy = mailboxes[m].userCopy(item.id, into: mailboxes[into], lineage: lineage) else { return }
            // The copy's values are the user's, written anew into another item: they may stand in for earlier
            // edits (weak records: not themselves owed to anyone).
            for field in SyncFields.Field.allCases {
                record(.outlook(into, lineage), field, item.fields.text(field), carried: item.activityId, weak: true)
            }
            _ = copy
        case .outlookCategory(let m, let pick):
            guard let item = pickItem(m, pick) else { return }
            let has = item.categories.contains("CRM")
            mailboxes[m].userSetCategories(
                item.id,
                has ? item.categories.filter { $0 != "CRM" } : item.categories + ["CRM"]
            )
        case .serverTouch(let m, let pick):
            guard let item = pickItem(m, pick) else { return }
            mailboxes[m].serverTouch(item.id)
        case .cursorsExpire(let m):
            mailboxes[m].expireCursors()
        case .tasksServed(let m):
            mailboxes[m].servesTasks.toggle()
        case .pass(let m, let faults, let crash):
            // Marks where a pass could have synced what came before; a pass that committed nothing (it died
            // or failed before its first transaction) synced nothing, as if it had not run.
            let at = log.count
            let result = await pass(m, faults: faults, crash: crash)
            if !result.skipped && result.committed > 0 {
                log.insert(SimRecord(seq: at, side: .pass(m), field: nil, value: nil), at: at)
            }
        }
    }

    func crmCreate(type: Int, owner: Int, day: Int) {
        let types: [ActivityType] = [.task, .appointment, .call]
        let id = "C\(nextActivity)"  // imports take A1, A2…
        nextActivity += 1
        var activity = Activity(id: id, type: types[type % 3], subject: "New \(id)", owner: "E\(owner + 1)")
        let date = "2026-12-\(String(format: "%02d", 1 + day % 20))"
        switch activity.type {
        case .task:
            activity.due = date + "T16:00:00Z"
            activity.percentComplete = 0
        case .call:
            activity.start = date + "T09:00:00Z"
            activity.durationMinutes = 30
        default:
            activity.start = date + "T09:00:00Z"
            activity.end = date + "T10:00:00Z"
        }
        _ = try? store.saveActivity(activity)
    }

    static func outlookFields(task: Bool, day: Int, lineage: String) -> SyncFields {
        let date = "2026-12-\(String(format: "%02d", 1 + day % 20))"
        if task {
            return SyncFields(subject: "Outlook \(lineage)", status: "not_started", percentComplete: 0, due: date)
        }
        return SyncFields(
            subject: "Outlook \(lineage)",
            status: "planned",
            start: date + "T13:00:00Z",
            end: date + "T14:00:00Z",
            showAs: .busy
        )
    }

    func outlookEdit(_ m: Int, _ id: String, _ edit: SimEdit, weak: Bool = false) {
        let lineage = lineage(of: m, id)
        guard let kind = mailboxes[m].snapshot[id]?.kind else { return }
        var touched: [SyncFields.Field] = []
        var before: SyncFields?
        mailboxes[m].userUpdate(id) {
            before = $0
            touched = edit.applyOutlook(to: &$0, kind: kind)
        }
        guard let fields = mailboxes[m].snapshot[id]?.fields else { return }
        let carried = mailboxes[m].snapshot[id]?.activityId
        let state = store.snapshot
        // The pair's link here: by the identity the item carries (a moved or restored item is the pair's
        // under a new id), else by its id.
        let here = { (link: SyncLink) in link.mailbox.lowercased() == Self.address(m).lowercased() }
        let link =
            carried.flatMap { state.links[$0] }.flatMap { here($0) ? $0 : nil }
            ?? state.links.values.first { $0.itemId == id && here($0) }
        // What updates of ours to this item, not yet confirmed, sent (a user's edit to the same value cannot be
        // told from our write landing: a known limit).
        let unconfirmed = state.journal.filter {
            $0.action == "update" && $0.state != .done && $0.activityId != nil && $0.activityId == carried
        }.compactMap(\.sent)
        for field in touched where fields.text(field) != before?.text(field) {
            record(
                .outlook(m, lineage),
                field,
                fields.text(field),
                before: before?.text(field),
                carried: carried,
                weak: weak || unconfirmed.contains { $0.fields.text(field) == fields.text(field) },
                synced: link.map { link -> String? in link.base.text(field) }
            )
        }
    }

    /// What the engine takes as last synced for an activity: its link's base, else what a create of it whose answer
    /// was lost sent (the base that create's item is judged by).
    func syncedBase(of id: String) -> SyncFields? {
        let state = store.snapshot
        if let link = state.links[id] { return link.base }
        return state.journal.last { $0.action == "create" && $0.activityId == id && $0.state != .done }?.sent?.fields
    }

    func outlookDelete(_ m: Int, _ id: String) {
        let lineage = lineage(of: m, id)
        let carried = mailboxes[m].snapshot[id]?.activityId
        mailboxes[m].userDelete(id)
        record(.outlook(m, lineage), nil, nil, carried: carried)
    }

    /// A user acting between a pass's read and its write.
    /// An edit racing our delete ends in Deleted Items with the item (EWS deletes whatever the version):
    /// recoverable there, so nothing is owed for it.
    func race(_ fault: SimFault, _ operation: String, address: String, item: String) {
        guard let m = mailboxes.firstIndex(where: { $0.address.lowercased() == address.lowercased() }) else { return }
        switch fault.kind {
        case .staleVersion: mailboxes[m].serverTouch(item)
        case .goneMeanwhile: outlookDelete(m, item)
        case .editRace:
            let fields = SimEdit.Field.allCases
            outlookEdit(
                m,
                item,
                SimEdit(field: fields[fault.value % fields.count], value: fault.value),
                weak: operation == "remove"
            )
        default: break
        }
    }

    // MARK: - Picking and recording

    /// Mostly (7 in 10) among synced activities: edits and deletes of those are what passes write out.
    func pickActivity(_ pick: Int, where wanted: (Activity) -> Bool) -> Activity? {
        let state = store.snapshot
        let candidates = state.activities.values.filter { $0.type.isSynchronisable && wanted($0) }
            .sorted { $0.id < $1.id }
        let linked = candidates.filter { state.links[$0.id] != nil }
        let pool = pick % 10 < 7 && !linked.isEmpty ? linked : candidates
        return pool.isEmpty ? nil : pool[(pick / 10) % pool.count]
    }

    func pickItem(_ m: Int, _ pick: Int) -> InMemoryMailbox.Item? {
        let items = mailboxes[m].snapshot.values.sorted { $0.id < $1.id }
        return items.isEmpty ? nil : items[pick % items.count]
    }

    func newLineage() -> String {
        defer { nextLineage += 1 }
        return "L\(nextLineage)"
    }

    /// The item's lineage, given one when it has none yet (items the engine created).
    func lineage(of m: Int, _ id: String) -> String {
        if let lineage = mailboxes[m].snapshot[id]?.lineage { return lineage }
        let lineage = newLineage()
        mailboxes[m].setLineage(id, lineage)
        return lineage
    }

    func record(
        _ side: SimRecord.Side,
        _ field: SyncFields.Field?,
        _ value: String?,
        before: String? = nil,
        carried: String? = nil,
        weak: Bool = false,
        synced: String?? = nil
    ) {
        log.append(
            SimRecord(
                seq: log.count,
                side: side,
                field: field,
                value: value,
                before: before,
                carried: carried,
                weak: weak,
                synced: synced
            )
        )
    }
}

/// One thing a user did that sync must not lose: an edit of a field (its value after the edit, in the
/// compared form), or a delete (`field` nil).
struct SimRecord: Sendable {
    enum Side: Sendable, Hashable {
        case crm(String)
        /// Mailbox index and the item's lineage.
        case outlook(Int, String)
        /// A pass over a mailbox began (edits before it may have been synced).
        case pass(Int)

        var name: String {
            if case .crm = self { return "CRM" }
            return "Outlook"
        }

        /// The mailbox a pass over which may sync this side's edits (for a CRM edit: the activity's now).
        func mailbox(_ owner: (String) -> Int?) -> Int? {
            switch self {
            case .crm(let id): return owner(id)
            case .outlook(let m, _), .pass(let m): return m
            }
        }
    }
    var seq: Int
    var side: Side
    var field: SyncFields.Field?
    var value: String?
    /// The field's value before the edit.
    var before: String?
    /// The identity the item carried then (Outlook records).
    var carried: String?
    /// Values a copy took along: they overwrite earlier edits, but nothing is owed for them.
    var weak = false
    /// The field's last synced value (the pair's base) when the edit was made, if the pair was linked.
    var synced: String?? = nil
}

/// The simulation's clock: fixed during a step, moved by the world.
final class SimClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date) { current = start }

    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
    func advance(to date: Date) { lock.withLock { current = max(current, date) } }
}
