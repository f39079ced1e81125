import ActivityModel
import EWS
import EWSMailbox
import Foundation
import Store
import SyncPlanning

/// One pass over one mailbox: gather → plan → safety check → journal and execute → commit.
///
/// Every write to Exchange that creates something is journalled before its request; every result is
/// committed, with the item's new base, in its own transaction as it completes; the folders' new sync
/// states are saved only after every change they reported has been applied. A crash anywhere leaves a
/// state from which the next pass converges: unchanged sides compare equal to their base, and creates
/// whose answer was lost are found again by their identity property.
public final class MailboxSync: Sendable {
    let store: Store
    let client: EWSClient
    let settings: SyncSettings
    let employee: Employee
    let mailbox: String
    let mapping: ItemMapping
    let shouldStop: @Sendable () -> Bool

    /// `shouldStop` is asked between batches: when it says yes (SIGTERM), the pass ends after the batch in
    /// flight with `PassStopped`, every finished result committed and the folder states left where they were.
    public init(
        store: Store,
        client: EWSClient,
        settings: SyncSettings,
        employee: Employee,
        shouldStop: @escaping @Sendable () -> Bool = { false }
    ) {
        self.store = store
        self.client = client
        self.settings = settings
        self.employee = employee
        self.shouldStop = shouldStop
        mailbox = employee.mailbox ?? ""
        let zone = employee.timeZone.flatMap(TimeZone.init(identifier:)) ?? settings.defaultZone
        mapping = ItemMapping(instance: settings.instance, category: settings.category, zone: zone)
    }

    static let folders: [(name: String, folder: EWSFolder, kind: ItemKind)] = [
        ("tasks", .tasks, .task), ("calendar", .calendar, .calendarItem),
    ]

    /// Runs one pass; `dryRun` plans and reports without changing anything anywhere.
    public func runPass(now: Date = Date(), dryRun: Bool = false, mode: PassMode = .normal) async throws -> PassReport {
        let pass = UUID().uuidString
        var policy = settings.policy
        var checkDeletes = true
        var fromStart = false
        if case .resync(let allowDeletes, let restoreDeletes) = mode {
            fromStart = true
            checkDeletes = !allowDeletes && !restoreDeletes
            policy.restoreDeletes = restoreDeletes
        }
        var remote = try await gatherRemote(fromStart: fromStart)
        try checkStop()
        let reconciled = try await reconcileJournal(into: &remote)
        let observations = try observe(remote: remote, now: now)
        let plan = SyncPlanner.makePlan(observations.pairs, policy: policy)
        var report = PassReport(mailbox: mailbox, plan: plan, pass: pass)
        if dryRun { return report }
        if checkDeletes,
            case .pause(let reason) = SyncSafety.check(plan, linkedCount: observations.linkedCount, policy: policy)
        {
            report.paused = reason
            try store.inSyncTransaction { tx in
                try tx.audit(AuditEntry(pass: pass, mailbox: mailbox, action: "pause", reason: reason))
            }
            return report
        }
        var executor = PlanExecutor(sync: self, pass: pass, observations: observations)
        try await executor.execute(plan)
        report.failures = executor.failures
        report.ambiguous = executor.ambiguous
        try copyResponses(from: remote)
        try await absorbEchoes(folders: executor.writtenFolders, into: &remote)
        // Only now, with every reported change applied, do the folders move on.
        try store.inSyncTransaction { tx in
            for (folder, state) in remote.states {
                try tx.saveSyncState(mailbox: mailbox, folder: folder, state: state)
            }
            for entry in reconciled { try tx.markJournal(entry, .done) }
        }
        return report
    }

    /// Attendees' answers are Exchange's: copied into the linked CRM activity as they change, as the sync
    /// engine's own write (not merged, never written back, so no echo and no conflict).
    func copyResponses(from remote: Remote) throws {
        let calendar = remote.items.filter { $0.value.item.kind == .calendarItem }
        guard !calendar.isEmpty else { return }
        let links = Dictionary(
            try store.links(mailbox: mailbox).map { ($0.itemId, $0.activityId) },
            uniquingKeysWith: { a, _ in a }
        )
        for (itemId, entry) in calendar {
            let responses = ItemMapping.responses(of: entry.item)
            guard !responses.isEmpty, let activityId = links[itemId], let activity = try store.activity(activityId)
            else { continue }
            var attendees = activity.attendees
            for index in attendees.indices {
                if let response = responses[attendees[index].email.lowercased()] {
                    attendees[index].response = response
                }
            }
            guard attendees != activity.attendees else { continue }
            _ = try store.updateActivity(activityId, origin: .sync) { $0.attendees = attendees }
        }
    }

    /// Reads past the echoes of this pass's own writes, so the saved state is after them: otherwise an item
    /// we created and a user deleted before the next pass would net out to nothing there and go unseen.
    /// A page with anything but our echoes stops the state where it was (that change is read next pass).
    func absorbEchoes(folders written: Set<String>, into remote: inout Remote) async throws {
        for (name, folder, kind) in Self.folders where written.contains(name) {
            guard let start = remote.states[name] else { continue }
            let links = Dictionary(
                try store.links(mailbox: mailbox).map { ($0.itemId, $0) },
                uniquingKeysWith: { a, _ in a }
            )
            var state = start
            var onlyEchoes = true
            try await client.syncFolder(folder, mailbox: mailbox, from: start, shape: Self.syncShape(kind)) { page in
                for change in page.changes {
                    switch change {
                    case .created(let item), .updated(let item):
                        if let id = item.itemId, links[id.id]?.changeKey != id.changeKey { onlyEchoes = false }
                    case .deleted(let id):
                        if links[id.id] != nil { onlyEchoes = false }
                    case .readFlagChanged:
                        break
                    }
                }
                if onlyEchoes { state = page.syncState }
            }
            remote.states[name] = state
        }
    }

    /// Creates journalled but never confirmed (a crash, a lost answer): look their identities up, so an
    /// item that was created after all is re-linked instead of created again. Returns the entries settled.
    func reconcileJournal(into remote: inout Remote) async throws -> [Int64] {
        let open = try store.openJournal(mailbox: mailbox).filter { $0.action == "create" && $0.activityId != nil }
        guard !open.isEmpty else { return [] }
        for (name, folder, kind) in Self.folders {
            let ids = open.filter { ($0.payload ?? "tasks") == name }.compactMap(\.activityId)
            for start in stride(from: 0, to: ids.count, by: 50) {
                let chunk = ids[start..<min(start + 50, ids.count)]
                let found = try await client.findItems(
                    in: folder,
                    mailbox: mailbox,
                    restriction: .or(chunk.map { .isEqualTo(ItemMapping.activityId, $0) }),
                    shape: ItemMapping.shape(for: kind)
                )
                for item in found where mapping.identity(of: item) != nil {
                    if let id = item.itemId?.id { remote.items[id] = (item, name) }
                }
            }
        }
        return open.map(\.id)
    }

    // MARK: - Gather

    /// What the mailbox reported since the saved states: items that changed (full shape), ids deleted.
    struct Remote {
        var items: [String: (item: EWSItem, folder: String)] = [:]
        var deleted: Set<String> = []
        var states: [String: String] = [:]
        /// Every item id listed or reported this pass, and the folders listed from the start: in those,
        /// a linked item that was not listed is gone.
        var seen: Set<String> = []
        var listedFromStart: Set<String> = []
    }

    func gatherRemote(fromStart: Bool = false) async throws -> Remote {
        var remote = Remote()
        let links = Dictionary(
            try store.links(mailbox: mailbox).map { ($0.itemId, $0) },
            uniquingKeysWith: { a, _ in a }
        )
        for (name, folder, kind) in Self.folders {
            var state = fromStart ? nil : try store.syncState(mailbox: mailbox, folder: name)
            var changed: [EWSItemId] = []
            if state == nil { remote.listedFromStart.insert(name) }
            do {
                try await syncFolder(
                    folder,
                    name: name,
                    from: state,
                    kind: kind,
                    links: links,
                    into: &remote,
                    changed: &changed
                )
            } catch let error as EWSError where error.responseCode == "ErrorInvalidSyncStateData" {
                // The state is gone: read the folder from the start; identities re-link what is ours.
                state = nil
                remote.listedFromStart.insert(name)
                try await syncFolder(
                    folder,
                    name: name,
                    from: nil,
                    kind: kind,
                    links: links,
                    into: &remote,
                    changed: &changed
                )
            }
            // Changes not made by us: read them whole (sync pages carry no body), in batches of ten.
            for batch in stride(from: 0, to: changed.count, by: 10).map({
                Array(changed[$0..<min($0 + 10, changed.count)])
            }) {
                var otherKind: [EWSItemId] = []
                for result in try await client.getItems(batch, mailbox: mailbox, shape: ItemMapping.shape(for: kind)) {
                    guard case .success(let item) = result, let id = item.itemId else { continue }
                    // A task moved into the calendar (or back) keeps its class: read it with its own shape.
                    if (item.kind == .task) != (kind == .task) {
                        otherKind.append(id)
                    } else {
                        remote.items[id.id] = (item, name)
                    }
                }
                let other: ItemKind = kind == .task ? .calendarItem : .task
                for result in try await client.getItems(
                    otherKind,
                    mailbox: mailbox,
                    shape: ItemMapping.shape(for: other)
                ) {
                    if case .success(let item) = result, let id = item.itemId?.id { remote.items[id] = (item, name) }
                }
            }
        }
        for link in links.values
        where remote.listedFromStart.contains(link.folder) && !remote.seen.contains(link.itemId) {
            remote.deleted.insert(link.itemId)
        }
        return remote
    }

    private func syncFolder(
        _ folder: EWSFolder,
        name: String,
        from state: String?,
        kind: ItemKind,
        links: [String: SyncLink],
        into remote: inout Remote,
        changed: inout [EWSItemId]
    ) async throws {
        var pages: [EWSSyncPage] = []
        try await client.syncFolder(folder, mailbox: mailbox, from: state, shape: Self.syncShape(kind)) {
            pages.append($0)
        }
        for page in pages {
            remote.states[name] = page.syncState
            for change in page.changes {
                switch change {
                case .created(let item), .updated(let item):
                    guard let id = item.itemId else { continue }
                    remote.deleted.remove(id.id)
                    remote.seen.insert(id.id)
                    // Our own write coming back: the ChangeKey is the one we stored.
                    if let link = links[id.id], link.changeKey != nil, link.changeKey == id.changeKey { continue }
                    changed.append(id)
                case .deleted(let id):
                    remote.deleted.insert(id.id)
                    remote.items[id.id] = nil
                    changed.removeAll { $0.id == id.id }
                case .readFlagChanged:
                    continue
                }
            }
        }
    }

    /// IdOnly plus the identity: enough to recognise echoes and moves without reading every item.
    static func syncShape(_ kind: ItemKind) -> EWSItemShape {
        EWSItemShape(fields: [], extendedProperties: [ItemMapping.activityId, ItemMapping.instanceId])
    }
}

/// A pass ended early because the daemon is stopping; what it finished is committed.
public struct PassStopped: Error, CustomStringConvertible {
    public var description: String { "stopped before the next batch (the daemon is shutting down)" }
}

extension MailboxSync {
    func checkStop() throws {
        if shouldStop() { throw PassStopped() }
    }
}

extension MailboxSync {
    /// An employee whose `sync` was turned off is no longer synced: their items stay in the mailbox,
    /// unlinked (audited), so turning sync back on re-links them by identity instead of duplicating.
    public static func release(store: Store, mailbox: String) throws -> Int {
        let links = try store.links(mailbox: mailbox)
        guard !links.isEmpty else { return 0 }
        try store.inSyncTransaction { tx in
            try unlinkAll(links, mailbox: mailbox, reason: "the employee is no longer a sync user", in: tx)
        }
        return links.count
    }

    /// Removes the links (audited) and forgets the folders' states: a later first pass lists the folders
    /// from the start and re-links every item by its identity.
    static func unlinkAll(_ links: [SyncLink], mailbox: String, reason: String, in tx: SyncTransaction) throws {
        for (name, _, _) in folders { try tx.saveSyncState(mailbox: mailbox, folder: name, state: nil) }
        for link in links {
            try tx.removeLink(activityId: link.activityId)
            try tx.audit(
                AuditEntry(
                    mailbox: mailbox,
                    activityId: link.activityId,
                    itemId: link.itemId,
                    action: "unlink",
                    reason: reason
                )
            )
        }
    }
}
