import ActivityModel
import Foundation
import SyncPlanning

/// One pass over one mailbox: gather → plan → safety check → journal and execute → commit.
///
/// The engine speaks only to its own protocols: a `MailboxService` for the mailbox (and, for the delete
/// half of an ownership move, the previous owner's), a `SyncStore` for the CRM and the bookkeeping.
/// Every decision is in the plan; the executor runs its actions and commits each confirmed result with
/// the pair's new base in its own transaction. Creates and identity stamps are journalled before their
/// requests; the folders' cursors are saved only after every change they reported has been applied. A
/// crash anywhere leaves a state from which the next pass converges.
public final class MailboxSync: Sendable {
    let store: any SyncStore
    let service: any MailboxService
    /// The service for another mailbox (the previous owner's, when an activity changed hands).
    let services: @Sendable (String) -> any MailboxService
    let settings: SyncSettings
    let employee: Employee
    let mailbox: String
    let zone: TimeZone
    let clock: @Sendable () -> Date
    let newPassID: @Sendable () -> String
    let shouldStop: @Sendable () -> Bool

    /// `shouldStop` is asked between batches: when it says yes (SIGTERM), the pass ends after the batch in
    /// flight with `PassStopped`, every finished result committed and the folder cursors left where they were.
    /// `clock` and `newPassID` are the pass's only sources of time and randomness.
    public init(
        store: any SyncStore,
        service: any MailboxService,
        services: @escaping @Sendable (String) -> any MailboxService,
        settings: SyncSettings,
        employee: Employee,
        clock: @escaping @Sendable () -> Date = { Date() },
        newPassID: @escaping @Sendable () -> String = { UUID().uuidString },
        shouldStop: @escaping @Sendable () -> Bool = { false }
    ) {
        self.store = store
        self.service = service
        self.services = services
        self.settings = settings
        self.employee = employee
        self.clock = clock
        self.newPassID = newPassID
        self.shouldStop = shouldStop
        mailbox = employee.mailbox ?? service.address
        zone = settings.zone(of: employee)
    }

    /// The engine for an employee's mailbox over services `make` builds per address (the employee's own, and the
    /// previous owner's for a move — unless `services` routes those elsewhere, as a hybrid organisation does).
    public convenience init(
        store: any SyncStore,
        settings: SyncSettings,
        employee: Employee,
        services: (@Sendable (String) -> any MailboxService)? = nil,
        clock: @escaping @Sendable () -> Date = { Date() },
        shouldStop: @escaping @Sendable () -> Bool = { false },
        make: @escaping @Sendable (String) -> any MailboxService
    ) {
        self.init(
            store: store,
            service: make(employee.mailbox ?? ""),
            services: services ?? make,
            settings: settings,
            employee: employee,
            clock: clock,
            shouldStop: shouldStop
        )
    }

    /// Runs one pass; `dryRun` plans and reports without changing anything anywhere. Links made over another
    /// backend are found first (`ForeignLinks`); a folder with some not found is held this pass.
    public func runPass(dryRun: Bool = false, mode: PassMode = .normal) async throws -> PassReport {
        let foreign = try foreignLinks()
        guard !foreign.isEmpty else { return try await runOnePass(dryRun: dryRun, mode: mode) }
        let (held, lines) = try await migrateForeignLinks(foreign, pass: newPassID(), dryRun: dryRun)
        let sync =
            held.isEmpty
            ? self
            : MailboxSync(
                store: store,
                service: HeldFolders(inner: service, held: held),
                services: services,
                settings: settings,
                employee: employee,
                clock: clock,
                newPassID: newPassID,
                shouldStop: shouldStop
            )
        var report = try await sync.runOnePass(dryRun: dryRun, mode: mode)
        report.migration = lines
        report.held = held.count
        return report
    }

    func runOnePass(dryRun: Bool, mode: PassMode) async throws -> PassReport {
        let pass = newPassID()
        let now = clock()
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
        let observations = try await observe(remote: remote, now: now)
        let plan = SyncPlanner.makePlan(observations.pairs, policy: policy)
        var report = PassReport(mailbox: mailbox, plan: plan, pass: pass, dryRun: dryRun)
        report.limits = remote.cutShort.sorted { $0.rawValue < $1.rawValue }.map {
            "\($0.rawValue): more changes than one pass reads; the next pass goes on from where this one stopped"
        }
        for case .skip(let item, "recurring series") in plan.actions { report.recurringSeen.insert(item) }
        report.otherSeen = Set(remote.items.keys).union(remote.deleted).subtracting(report.recurringSeen)
        report.listedWhole =
            service.listsWholeFolders && remote.listedFromStart.isSuperset(of: FolderKind.allCases)
            && remote.cutShort.isEmpty
        if dryRun { return report }
        if checkDeletes,
            case .pause(let reason) = SyncSafety.check(plan, linkedCount: observations.linkedCount, policy: policy)
        {
            report.paused = reason
            try store.transaction { tx in
                try tx.audit(AuditEntry(pass: pass, mailbox: mailbox, action: "pause", reason: reason))
            }
            return report
        }
        var executor = PlanExecutor(sync: self, pass: pass, now: now, policy: policy, observations: observations)
        try await executor.execute(plan)
        report.executed = executor.executed
        report.failures = observations.unreadable.sorted { $0.key < $1.key }.map(\.value) + executor.failures
        report.ambiguous = executor.ambiguous
        // (A pair left alone for an unreadable record keeps the folders where they are: what changed in its
        // item is read again once the record is back.)
        guard observations.unreadable.isEmpty else { return report }
        if let until = executor.throttledUntil {
            // Nothing more before the back-off: the cursors stay, so what this pass did not finish is read
            // and planned again after the wait.
            report.throttledUntil = until
            return report
        }
        try await absorbEchoes(folders: executor.writtenFolders, into: &remote)
        // Only now, with every reported change applied, do the folders move on.
        try store.transaction { tx in
            for (folder, cursor) in remote.cursors.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                try tx.saveCursor(mailbox: mailbox, folder: folder, cursor: cursor)
            }
            // What this pass listed (or read and found) is known to the cursors saved now.
            try tx.markListed(mailbox: mailbox, itemIds: remote.seen.union(remote.echoed))
            try recordLinkCreated(remote, in: tx)
            // An entry whose pair failed again stays open: its evidence is needed next pass.
            for (activity, entry) in observations.judgedCreates where !executor.failed.contains(activity) {
                try tx.markJournal(entry, .done, itemId: nil)
            }
            for entry in reconciled where !executor.failed.contains(entry.activityId ?? "") {
                if entry.action == "move-out", observations.deferredMoveOuts.contains(entry.activityId ?? "") {
                    continue
                }
                try tx.markJournal(entry.id, .done, itemId: nil)
            }
        }
        return report
    }

    /// The item class and folder an activity lives in (SPEC §2; `sync.calls_as`).
    func placement(_ activity: Activity) -> ItemKind { form.kind(of: activity) }

    /// How activities of this mailbox are compared with their items.
    var form: ComparedForm { ComparedForm(zone: zone, callsAsTasks: settings.callsAsTasks) }
}

/// A pass ended early because the daemon is stopping; what it finished is committed.
public struct PassStopped: Error, CustomStringConvertible {
    public var description: String { "stopped before the next batch (the daemon is shutting down)" }
}

extension MailboxSync {
    func checkStop() throws {
        if shouldStop() { throw PassStopped() }
    }

    /// An employee whose `sync` was turned off is no longer synced: their items stay in the mailbox and each
    /// pair's link, base and the folders' cursors are kept, dormant, so turning sync on again resumes the
    /// three-way merge (an edit made meanwhile on one side wins without a conflict). Answers how many.
    public static func dormantLinks(store: any SyncStore, mailbox: String) throws -> Int {
        try store.links(mailbox: mailbox).count
    }

    /// Removes the links (audited) and forgets the folders' cursors: a later first pass lists the folders
    /// from the start and re-links every item by its identity.
    static func unlinkAll(_ links: [SyncLink], mailbox: String, reason: String, in tx: any SyncStoreTransaction) throws
    {
        for folder in FolderKind.allCases { try tx.saveCursor(mailbox: mailbox, folder: folder, cursor: nil) }
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
