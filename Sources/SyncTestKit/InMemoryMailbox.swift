import ActivityModel
import Foundation
import SyncEngine
import SyncPlanning

/// The engine's `MailboxService` in memory, for simulations and fast engine tests, with the habits of
/// Exchange that matter to sync: opaque ids that change when an item moves, versions that change on every
/// write, a change log read from cursors that can expire, conditional updates, and a status the calendar
/// does not keep. `MailboxServiceContract` runs against it and against the EWS adapter over HTTP.
public final class InMemoryMailbox: MailboxService, @unchecked Sendable {
    /// One item as the mailbox holds it.
    public struct Item: Sendable, Equatable {
        public var id: String
        public var version: String
        public var kind: ItemKind
        public var folder: FolderKind
        public var fields: SyncFields
        public var activityId: String?
        public var instance: String?
        public var categories: [String]
        public var isRecurring = false
        public var lastModified: String
        public var responses: [String: AttendeeResponse] = [:]
        /// When the item was made (`DateTimeCreated`): kept by moves and restores, new on a copy.
        public var created = ""
        /// A tag the mailbox carries along through moves and restores and never shows the engine (a
        /// simulation follows a user's item through its life with it).
        public var lineage: String?
        /// The body's `CRM: ` line as last written (create, and updates that write the body, as over EWS).
        public var crmLine: String?
    }

    public let address: String
    let instance: String
    let category: String
    /// Changes per page of `changes` (Exchange: at most 512).
    public var pageSize = 512
    private let lock = NSLock()
    private var items: [String: Item] = [:]
    /// Removed items, restorable (Deleted Items).
    private var deleted: [String: Item] = [:]
    /// Per folder, the log of (sequence, item id) touched, and whether a windowed listing reports the change.
    private var log: [FolderKind: [(seq: Int, id: String, visible: Bool)]] = [:]
    /// Graph's calendarView delta (and the rest of the double plays Graph too: ids kept by moves and restores,
    /// deletes conditional on the version): listings of the calendar cover a window of days around the clock's now
    /// (nil: the whole folder, as EWS). A listing from the start holds what is inside; later listings report a
    /// change of an item that was inside before it or is inside after it (one that left is looked up by the
    /// adapter and reported as changed), never a change wholly outside.
    public var window: (pastDays: Int, futureDays: Int)? {
        get { lock.withLock { listingWindow } }
        set { lock.withLock { listingWindow = newValue } }
    }
    private var listingWindow: (pastDays: Int, futureDays: Int)?
    /// Tasks are Microsoft To Do's (with `window`, the double plays Graph): no sensitivity and no percentage kept
    /// (`unkept`; completed is 100 %), a new id when a task moves or is restored, and a stamp (an extension written
    /// beside the task) answers no version.
    public var todo: Bool {
        get { lock.withLock { playsTodo } }
        set { lock.withLock { playsTodo = newValue } }
    }
    private var playsTodo = false
    /// Whether each calendar item was inside the window at its last change.
    private var wasInside: [String: Bool] = [:]
    private var seq = 0
    private var counter = 0
    /// Cursors issued before this epoch are refused (`CursorExpired`).
    private var epoch = 0
    /// Outcomes to answer instead of applying the next writes (faults on demand).
    private var faults: [WriteOutcome] = []
    private var clock: @Sendable () -> Date

    public init(
        address: String,
        instance: String,
        category: String = "CRM",
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.address = address
        self.instance = instance
        self.category = category
        self.clock = clock
    }

    /// Every item, by id.
    public var snapshot: [String: Item] { lock.withLock { items } }

    /// The items in Deleted Items, by id.
    public var deletedSnapshot: [String: Item] { lock.withLock { deleted } }

    // MARK: - Reads

    public func changes(in folder: FolderKind, from cursor: String?) async throws -> [ChangePage] {
        try lock.withLock {
            var since = 0
            if let cursor {
                let parts = cursor.split(separator: ":").compactMap { Int($0) }
                guard parts.count == 2, parts[0] == epoch else { throw CursorExpired("cursor \(cursor)") }
                since = parts[1]
            }
            let windowed = folder == .calendar && listingWindow != nil
            var latest: [String: Int] = [:]
            // As Exchange (and the fake) do: what came into the folder and left it again since the cursor is not
            // reported at all — the cursor never knew it (a lenient double hid links left to such items).
            var arrived: [String: Int] = [:]
            for entry in log[folder, default: []] where arrived[entry.id] == nil { arrived[entry.id] = entry.seq }
            for entry in log[folder, default: []] where entry.seq > since {
                if cursor != nil, arrived[entry.id, default: 0] > since, items[entry.id]?.folder != folder { continue }
                if windowed {
                    // From the start: what is inside now. Later: changes that touched the window.
                    if cursor == nil {
                        guard let item = items[entry.id], item.folder == folder, inside(item) else { continue }
                    } else if !entry.visible {
                        continue
                    }
                }
                latest[entry.id] = entry.seq
            }
            let touched = latest.sorted { $0.value < $1.value }
            if touched.isEmpty { return [ChangePage(changes: [], cursor: "\(epoch):\(max(since, seq))")] }
            let graph = listingWindow != nil
            return stride(from: 0, to: touched.count, by: pageSize).map { start in
                var page = Array(touched[start..<min(start + pageSize, touched.count)])
                let last = start + pageSize >= touched.count ? seq : page.last!.value
                if graph {
                    // Graph's delta pages come in any order and may repeat an entity of an earlier page; its
                    // entries carry no extended properties (the identity comes with the read).
                    page.reverse()
                    if start > 0 { page.append(touched[start - 1]) }
                }
                let changes: [RemoteChange] = page.map { id, _ in
                    guard let item = items[id], item.folder == folder else { return .removed(id) }
                    return .changed(
                        RemoteHeader(
                            id: id,
                            version: item.version,
                            activityId: graph ? nil : ours(item),
                            created: item.created
                        )
                    )
                }
                return ChangePage(changes: changes, cursor: "\(epoch):\(last)")
            }
        }
    }

    public var listsWholeFolders: Bool { lock.withLock { listingWindow == nil } }
    /// Every id is the double's own: it plays one backend for its life (a mailbox switched between EWS and Graph is
    /// proven over HTTP against both fakes on one mailbox model: `CLIBackendSwitchTests`).
    public func recognises(itemId: String, in folder: FolderKind) -> Bool { true }
    /// Both folders, unless tasks are not served (`graph.tasks: none`, tasks held after a backend switch).
    public var folders: [FolderKind] { lock.withLock { tasksServed } ? FolderKind.allCases : [.calendar] }
    /// Whether the tasks folder is served.
    public var servesTasks: Bool {
        get { lock.withLock { tasksServed } }
        set { lock.withLock { tasksServed = newValue } }
    }
    private var tasksServed = true

    public func read(_ ids: [String], in folder: FolderKind) async throws -> [RemoteItem] {
        lock.withLock { ids.compactMap { items[$0] }.map { remote($0, folder: folder) } }
    }

    public func find(activityIds: [String], in folder: FolderKind) async throws -> [RemoteItem] {
        let wanted = Set(activityIds)
        return lock.withLock {
            items.values.filter { $0.folder == folder && ours($0).map(wanted.contains) == true }
                .sorted { $0.id < $1.id }.map { remote($0, folder: folder) }
        }
    }

    public func listOwn(in folder: FolderKind) async throws -> [RemoteHeader] {
        lock.withLock {
            items.values.filter { $0.folder == folder && $0.instance == instance }.sorted { $0.id < $1.id }.map {
                RemoteHeader(id: $0.id, version: $0.version, activityId: ours($0), created: $0.created)
            }
        }
    }

    func ours(_ item: Item) -> String? { item.instance == instance ? item.activityId : nil }

    /// The fields an item's reads do not hold (placeholders the engine replaces with the base's or the CRM's).
    public func unkept(_ item: Item) -> Set<SyncFields.Field> {
        lock.withLock { unkeptFields(item) }
    }

    private func unkeptFields(_ item: Item) -> Set<SyncFields.Field> {
        if item.kind == .calendarItem { return [.status] }
        guard playsTodo else { return [] }
        return item.fields.status == "completed" ? [.sensitivity] : [.sensitivity, .percentComplete]
    }

    func remote(_ item: Item, folder: FolderKind) -> RemoteItem {
        var fields = item.fields
        // Exchange keeps no status for calendar items.
        if item.kind == .calendarItem { fields.status = "planned" }
        return RemoteItem(
            id: item.id,
            version: item.version,
            kind: item.kind,
            folder: folder,
            fields: fields,
            unkept: unkeptFields(item),
            activityId: ours(item),
            otherInstance: item.instance != nil && item.instance != instance,
            hasCategory: item.categories.contains { $0.caseInsensitiveCompare(category) == .orderedSame },
            isRecurring: item.isRecurring,
            lastModified: item.lastModified,
            created: item.created,
            responses: item.responses,
            crmLine: ours(item) == nil ? nil : item.crmLine
        )
    }

    // MARK: - Writes

    public func create(_ new: [NewItem], in folder: FolderKind) async throws -> [WriteOutcome] {
        lock.withLock {
            new.map { request in
                if let fault = takeFault() { return fault }
                let item = insert(
                    Item(
                        id: "",
                        version: "",
                        kind: request.kind,
                        folder: folder,
                        fields: request.fields,
                        activityId: request.activityId,
                        instance: instance,
                        categories: [category],
                        lastModified: "",
                        crmLine: request.crmLine
                    )
                )
                return .done(id: item.id, version: item.version)
            }
        }
    }

    public func update(_ updates: [ItemUpdate]) async throws -> [WriteOutcome] {
        lock.withLock {
            updates.map { update in
                change(update.id, version: update.version) { item in
                    // (As EWS writes them: a task's status and percent go together.)
                    var fields = Set(update.changed)
                    if item.kind == .task && !fields.isDisjoint(with: [.status, .percentComplete]) {
                        fields.formUnion([.status, .percentComplete])
                    }
                    for field in fields { item.fields.take(field, from: update.fields) }
                    // (EWS writes the body, and with it our line, for the text and for a calendar item's schedule.)
                    let schedule: Set<SyncFields.Field> = [.start, .end, .allDay]
                    if fields.contains(.information)
                        || (item.kind == .calendarItem && !fields.isDisjoint(with: schedule))
                    {
                        item.crmLine = update.crmLine
                    }
                    if !item.categories.contains(category) { item.categories.append(category) }
                }
            }
        }
    }

    public func remove(_ removals: [ItemRemoval]) async throws -> [WriteOutcome] {
        lock.withLock {
            removals.map { removal in
                if let fault = takeFault() { return fault }
                guard let item = items[removal.id] else { return .notFound }
                // Graph's DELETE takes If-Match (an edit since the version read is not thrown away); EWS's does not.
                if listingWindow != nil, let version = removal.version, version != item.version { return .stale }
                removeItem(removal.id)
                return .done(id: removal.id, version: nil)
            }
        }
    }

    public func stamp(_ stamps: [IdentityStamp]) async throws -> [WriteOutcome] {
        lock.withLock {
            stamps.map { stamp in
                let outcome = change(stamp.id, version: stamp.version) { item in
                    item.activityId = stamp.activityId
                    item.instance = stamp.activityId == nil ? nil : instance
                }
                // (To Do: the identity is an extension written beside the task; the task's new version is not told.)
                if playsTodo, stamp.kind == .task, case .done(let id, _) = outcome {
                    return .done(id: id, version: nil)
                }
                return outcome
            }
        }
    }

    /// Applies a conditional write: a stale version is refused, as NeverOverwrite does.
    private func change(_ id: String, version: String?, _ body: (inout Item) -> Void) -> WriteOutcome {
        if let fault = takeFault() { return fault }
        guard var item = items[id] else { return .notFound }
        guard version == nil || version == item.version else { return .stale }
        body(&item)
        touch(&item)
        return .done(id: item.id, version: item.version)
    }

    private func takeFault() -> WriteOutcome? { faults.isEmpty ? nil : faults.removeFirst() }
}

extension InMemoryMailbox {
    // MARK: - Bookkeeping (call with the lock held)

    fileprivate func nextId(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)\(counter)"
    }

    fileprivate func record(_ id: String, in folder: FolderKind) {
        seq += 1
        var visible = true
        if folder == .calendar, listingWindow != nil {
            let now = items[id].map { $0.folder == folder && inside($0) } ?? false
            visible = now || wasInside[id] == true
            wasInside[id] = now
        }
        log[folder, default: []].append((seq, id, visible))
    }

    /// Inside the listing window (`sync.window`'s rule).
    fileprivate func inside(_ item: Item) -> Bool {
        guard let window = listingWindow else { return true }
        return SyncSettings.inWindow(
            item.fields.start ?? item.fields.due,
            now: clock(),
            pastDays: window.pastDays,
            futureDays: window.futureDays
        )
    }

    fileprivate func touch(_ item: inout Item) {
        item.fields = Self.kept(item.fields, kind: item.kind, todo: playsTodo)
        item.version = nextId("v")
        item.lastModified = CRMTime.format(clock())
        items[item.id] = item
        record(item.id, in: item.folder)
    }

    @discardableResult
    fileprivate func insert(_ item: Item) -> Item {
        var new = item
        // (Exchange's ItemIds name their mailbox: no two mailboxes hold one id.)
        new.id = "\(address.prefix { $0 != "@" })-" + nextId("item")
        if new.created.isEmpty { new.created = CRMTime.format(clock()) }
        touch(&new)
        return new
    }

    /// Takes an item out of its folder: into Deleted Items, or (a move) nowhere, as it lives on elsewhere.
    fileprivate func removeItem(_ id: String, intoDeletedItems: Bool = true) {
        guard let item = items.removeValue(forKey: id) else { return }
        if intoDeletedItems { deleted[id] = item }
        record(id, in: item.folder)
    }

    /// What an item of the kind keeps of the values written, as Exchange's do: a task no place, free/busy, times or
    /// attendees, and a task status (a call's status as `SyncFields.callTaskStatus` maps it; a percentage from it
    /// when none is written); a calendar item no due date, percentage or task reminder (its status is `unkept`).
    static func kept(_ f: SyncFields, kind: ItemKind, todo: Bool) -> SyncFields {
        guard kind == .task else {
            var kept = f
            (kept.percentComplete, kept.due, kept.reminderDueBy) = (nil, nil, nil)
            return kept
        }
        let status = SyncFields.callTaskStatus[f.status] ?? f.status
        let percent = f.percentComplete ?? (status == "completed" ? 100 : 0)
        return SyncFields(
            subject: f.subject,
            information: f.information,
            priority: f.priority,
            // (To Do keeps neither: no sensitivity, and a percentage only as completed.)
            sensitivity: todo ? .normal : f.sensitivity,
            status: status,
            percentComplete: todo ? (status == "completed" ? 100 : 0) : percent,
            due: f.due,
            reminderDueBy: f.reminderDueBy
        )
    }

    // MARK: - As a user in Outlook, and the server on its own

    /// Creates an item as a user would (no identity unless given).
    @discardableResult
    public func userCreate(
        kind: ItemKind,
        fields: SyncFields,
        categories: [String] = [],
        activityId: String? = nil,
        instance: String? = nil,
        lineage: String? = nil
    ) -> String {
        lock.withLock {
            insert(
                Item(
                    id: "",
                    version: "",
                    kind: kind,
                    folder: FolderKind(kind),
                    fields: fields,
                    activityId: activityId,
                    instance: instance,
                    categories: categories,
                    lastModified: "",
                    lineage: lineage
                )
            ).id
        }
    }

    /// Edits an item as a user would.
    public func userUpdate(_ id: String, _ body: (inout SyncFields) -> Void) {
        lock.withLock {
            guard var item = items[id] else { return }
            body(&item.fields)
            touch(&item)
        }
    }

    /// Deletes an item into Deleted Items.
    public func userDelete(_ id: String) { lock.withLock { removeItem(id) } }

    /// Moves an item to a folder: a new id, every property kept.
    @discardableResult
    public func userMove(_ id: String, to folder: FolderKind) -> String? {
        lock.withLock {
            guard let item = items[id] else { return nil }
            if listingWindow != nil && !(playsTodo && item.kind == .task) {
                // Graph's ImmutableId: an item moved inside the mailbox keeps its id (a new version).
                var moved = item
                if item.folder != folder {
                    items[id] = nil
                    record(id, in: item.folder)
                }
                moved.folder = folder
                touch(&moved)
                return id
            }
            removeItem(id, intoDeletedItems: false)
            var moved = item
            moved.folder = folder
            return insert(moved).id
        }
    }

    /// Restores an item from Deleted Items: a new id (Graph: the same), every property kept.
    @discardableResult
    public func userRestore(_ id: String) -> String? {
        lock.withLock {
            guard var item = deleted.removeValue(forKey: id) else { return nil }
            // (Graph's ImmutableId: a restore is a move back, under the same id — an event's; a To Do task's id is new.)
            if listingWindow != nil && !(playsTodo && item.kind == .task) {
                touch(&item)
                return id
            }
            return insert(item).id
        }
    }

    /// Copies an item as Outlook's copy does, here or into another mailbox: a new id and a new creation
    /// time, every property (this instance's identity too) kept.
    @discardableResult
    public func userCopy(_ id: String, into target: InMemoryMailbox? = nil, lineage: String? = nil) -> String? {
        guard var copy = lock.withLock({ items[id] }) else { return nil }
        copy.created = ""
        copy.lineage = lineage
        let destination = target ?? self
        return destination.lock.withLock { destination.insert(copy).id }
    }

    /// Sets an item's categories as a user would.
    public func userSetCategories(_ id: String, _ categories: [String]) {
        lock.withLock {
            guard var item = items[id] else { return }
            item.categories = categories
            touch(&item)
        }
    }

    /// Tags an item for a simulation (no change the engine can see).
    public func setLineage(_ id: String, _ lineage: String) { lock.withLock { items[id]?.lineage = lineage } }

    /// The server changes the version without a user (the calendar assistant, retention, a device's sync).
    public func serverTouch(_ id: String) {
        lock.withLock {
            guard var item = items[id] else { return }
            touch(&item)
        }
    }

    /// Every cursor issued so far expires (a lost sync state).
    public func expireCursors() { lock.withLock { epoch += 1 } }

    /// The next writes answer these outcomes instead of being applied.
    public func failNextWrites(_ outcomes: [WriteOutcome]) { lock.withLock { faults += outcomes } }
}
