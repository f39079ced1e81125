import ActivityModel
import AppConfig
import ArgumentParser
import EWS
import EWSMailbox
import Daemon
import Foundation
import Graph
import GraphMailbox
import Store
import SyncEngine

/// The composition root of sync work: configuration, store, client; one mailbox's pass with its state
/// bookkeeping, shared by `run --once`, `resync`, `purge` and the daemon.
enum SyncRun {
    struct Context: @unchecked Sendable {
        var configuration: AppConfiguration
        var store: Store
        /// The EWS client, when some mailbox is on Exchange Server.
        var client: EWSClient?
        /// The Graph client, when some mailbox is on Exchange Online.
        var graph: GraphClient?
        var lock: DaemonLock

        /// Throttling events of a mailbox in the last hour, whichever backend it is on.
        func throttledCount(mailbox: String) async -> Int {
            (await client?.throttledCount(mailbox: mailbox) ?? 0) + (await graph?.throttledCount(mailbox: mailbox) ?? 0)
        }

        /// How long the server still wants no request to the mailbox, whichever backend it is on.
        func backOffRemaining(mailbox: String) async -> Duration? {
            let waits = [
                await client?.backOffRemaining(mailbox: mailbox), await graph?.backOffRemaining(mailbox: mailbox),
            ]
            return waits.compactMap { $0 }.max()
        }

        /// Ends every back-off wait (the daemon is stopping).
        func abandonWaits() async {
            await client?.abandonWaits()
            await graph?.abandonWaits()
        }
    }

    /// What one mailbox's pass came to.
    struct MailboxOutcome: Sendable {
        /// False when the pass failed, was paused or skipped.
        var ok: Bool
        /// The state to record (nil: nothing to record, e.g. a dry run).
        var status: MailboxStatus?
        /// Lines for the terminal or the log.
        var lines: [String]
        var report: PassReport?
        /// The daemon is stopping and the pass ended after its batch in flight.
        var stopped = false
        /// The mailbox was skipped (paused or disabled).
        var skipped = false
        /// The bound the pass met, when one ended it (an answer past a limit, the store held by another writer):
        /// the `limit` label of `activity_sync_limits_hit_total`.
        var limit: String?
        /// The pass itself failed (auth, network, throttling…), as opposed to single items failing in a
        /// pass that otherwise ran: only this backs the mailbox off.
        var passFailed = false
        /// What failed the pass, when Exchange (or the way to it) did.
        var error: EWSError?
    }

    /// Configuration, store, daemon lock (one process writes to Exchange per store) and client.
    static func open(_ global: GlobalOptions, observer: EWSObserver? = nil) throws -> Context {
        let configuration = try global.configuration()
        // The default backend's keys are checked before the store is opened (a bad file leaves no store behind);
        // the other backend's once the employees say it is used.
        do {
            if configuration.string("exchange.backend") == "graph" {
                _ = try configuration.graphConfiguration()
            } else {
                _ = try configuration.ewsConfiguration()
            }
        } catch let error as ConfigurationError {
            CLI.fail("configuration: \(error.description)", code: 2)
        }
        let store = try global.openStore()
        let lock = CLI.run { try store.lockForDaemon() }
        let clients: (EWSClient?, GraphClient?)
        do {
            clients = try makeClients(configuration, store: store, observer: observer, warn: CLI.warn)
        } catch let error as ConfigurationError {
            CLI.fail("configuration: \(error.description)", code: 2)
        }
        return Context(configuration: configuration, store: store, client: clients.0, graph: clients.1, lock: lock)
    }

    /// The backends the mailboxes use: `exchange.backend`, and every sync user's own.
    static func backends(_ configuration: AppConfiguration, store: Store?) -> Set<String> {
        let employees = ((try? store?.employees()) ?? []).filter { $0.sync && $0.mailbox != nil }
        return Set([configuration.string("exchange.backend") ?? "ews"] + employees.map(configuration.backend(of:)))
    }

    /// A client per backend some mailbox uses (a configuration needs only the keys of those); `previous` hands
    /// the back-offs of the clients a reload replaces.
    static func makeClients(
        _ configuration: AppConfiguration,
        store: Store?,
        observer: EWSObserver?,
        previous: Context? = nil,
        warn: (String) -> Void
    ) throws -> (EWSClient?, GraphClient?) {
        let used = backends(configuration, store: store)
        var ews: EWSClient?
        var graph: GraphClient?
        if used.contains("ews") {
            ews = EWSClient(
                configuration: try configuration.ewsConfiguration(),
                observer: recordingBackOffs(observer, in: store),
                replacing: previous?.client
            )
        }
        for warning in configuration.exchangeWarnings() + AppConfiguration.environmentWarnings() { warn(warning) }
        if used.contains("graph") {
            let settings = try configuration.graphConfiguration()
            for warning in configuration.graphWarnings(settings) { warn(warning) }
            graph = GraphClient(
                configuration: settings,
                observer: recordingBackOffs(observer, in: store),
                replacing: previous?.graph
            )
        }
        return (ews, graph)
    }

    /// The observer, plus: every back-off Exchange asks for is written to the store as it starts, so
    /// the next process (a restart, a `run --once`) honours it too.
    static func recordingBackOffs(_ observer: EWSObserver?, in store: Store?) -> EWSObserver {
        EWSObserver(
            request: { observer?.request($0, $1, $2, $3) },
            throttled: { mailbox, seconds in
                observer?.throttled(mailbox, seconds)
                try? store?.saveNotBefore(mailbox, Date().addingTimeInterval(seconds))
            }
        )
    }

    /// Back-offs recorded by an earlier process that are still running hold this client back too.
    static func honourBackOffs(_ context: Context) async {
        for (mailbox, until) in (try? context.store.backOffs(after: Date())) ?? [:] {
            await context.client?.holdOff(mailbox: mailbox, until: until)
            await context.graph?.holdOff(mailbox: mailbox, until: until)
        }
    }

    /// `run --once` and `resync` without a daemon: one pass per mailbox, exit 3 when any failed.
    static func passes(global: GlobalOptions, mailboxes: [String], mode: PassMode, dryRun: Bool) async throws {
        let context = try open(global)
        defer { withExtendedLifetime(context.lock) {} }
        await honourBackOffs(context)
        let store = context.store
        let wanted = Set(mailboxes.map { $0.lowercased() })
        let everyone = CLI.run { try store.employees() }
        let employees = everyone.filter { employee in
            guard employee.sync, let mailbox = employee.mailbox else { return false }
            return wanted.isEmpty || wanted.contains(mailbox.lowercased())
        }
        if !wanted.isEmpty && employees.count < wanted.count {
            CLI.fail("no active sync user with mailbox \(mailboxes)")
        }
        if !dryRun {
            for line in release(store, everyone) { CLI.print(line) }
        }
        // Up to sync.concurrency mailboxes at once, as the daemon does; each mailbox's lines are printed together
        // when it finishes, followed by the progress (a terminal line on stderr, STATUS= under systemd).
        let limit = max(1, context.configuration.int("sync.concurrency"))
        let progress = Progress(total: employees.count)
        var failed = 0
        await withTaskGroup(of: MailboxOutcome.self) { group in
            var waiting = employees.makeIterator()
            for _ in 0..<limit {
                guard let employee = waiting.next() else { break }
                group.addTask { await syncMailbox(context, employee: employee, mode: mode, dryRun: dryRun) }
            }
            while let outcome = await group.next() {
                for line in outcome.lines { CLI.print(line) }
                if let status = outcome.status { CLI.run { try store.saveMailboxStatus(status) } }
                if !outcome.ok { failed += 1 }
                progress.finished(failed: failed)
                if let employee = waiting.next() {
                    group.addTask { await syncMailbox(context, employee: employee, mode: mode, dryRun: dryRun) }
                }
            }
        }
        progress.end()
        if failed > 0 { throw ExitCode(3) }
    }

    /// How far `run --once` is: `synced 40 of 120 mailboxes (1 failed)` rewritten in place on a terminal's stderr,
    /// and as `STATUS=` when systemd runs it (a oneshot unit, a timer).
    final class Progress {
        let total: Int
        private var done = 0
        private let terminal = isatty(STDERR_FILENO) == 1
        private let notifier = SystemdNotifier()

        init(total: Int) { self.total = total }

        func finished(failed: Int) {
            done += 1
            let text = "synced \(done) of \(total) mailboxes" + (failed > 0 ? " (\(failed) failed)" : "")
            notifier.notify("STATUS=\(text)")
            if terminal && total > 1 { FileHandle.standardError.write(Data("\r\(text)".utf8)) }
        }

        func end() {
            if terminal && total > 1 && done > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
        }
    }

    /// Employees whose sync was turned off: their items stay in the mailbox, their links dormant.
    static func release(_ store: Store, _ employees: [Employee]) -> [String] {
        employees.filter { !$0.sync && $0.mailbox != nil }.compactMap { employee in
            let dormant = (try? MailboxSync.dormantLinks(store: store, mailbox: employee.mailbox!)) ?? 0
            return dormant > 0
                ? "\(employee.mailbox!): not a sync user; \(dormant) items left in place, their links kept dormant"
                : nil
        }
    }

    /// One pass over one mailbox and the state it leaves the mailbox in (not saved: the caller adds
    /// the daemon's figures and saves it).
    static func syncMailbox(
        _ context: Context,
        employee: Employee,
        mode: PassMode,
        dryRun: Bool,
        shouldStop: @escaping @Sendable () -> Bool = { false }
    ) async -> MailboxOutcome {
        let store = context.store
        let mailbox = employee.mailbox!
        let previous = try? store.mailboxStatus(mailbox)
        let isResync: Bool
        if case .resync = mode { isResync = true } else { isResync = false }
        // Paused and disabled mailboxes wait for ops: `resume`, or a resync (which is how a paused one is decided).
        if let previous, ["paused", "disabled"].contains(previous.state), !isResync {
            return MailboxOutcome(
                ok: false,
                status: nil,
                lines: ["\(mailbox): \(previous.state) (\(previous.reason ?? "no reason recorded")); skipped"],
                skipped: true
            )
        }
        var status = MailboxStatus(
            mailbox: mailbox,
            state: "enabled",
            lastPass: previous?.lastPass,
            skippedRecurring: previous?.skippedRecurring ?? 0
        )
        var outcome = MailboxOutcome(ok: true, status: nil, lines: [])
        // (A zone stored before zones were checked, with no Windows id: nothing goes out in UTC instead.)
        let settings = context.configuration.syncSettings
        let zone = settings.zone(of: employee).identifier
        if let problem = WindowsTimeZone.problem(with: zone) {
            status.state = "backing_off"
            status.lastError = "time zone \(zone): \(problem); set the employee's time_zone"
            return MailboxOutcome(ok: false, status: status, lines: ["\(mailbox): \(status.lastError!)"])
        }
        do {
            let report = try await engine(context, employee: employee, shouldStop: shouldStop)
                .runPass(dryRun: dryRun, mode: mode)
            outcome.report = report
            outcome.lines = describe(report, dryRun: dryRun, store: store)
            if dryRun { return outcome }
            status.lastPass = CRMTime.format(Date())
            // (Kept across passes: a series shows in a listing only when it changes.)
            status.skippedRecurring = try store.noteSkipped(
                mailbox: mailbox,
                reason: "recurring series",
                seen: report.recurringSeen,
                cleared: report.otherSeen,
                whole: report.listedWhole
            )
            if let paused = report.paused {
                status.state = "paused"
                status.reason = "circuit breaker: \(paused)"
            }
            status.lastError = report.failures.first
            if let limit = report.limits.first, status.state != "paused" { status.reason = "limit: \(limit)" }
            outcome.ok = report.paused == nil && report.failures.isEmpty
        } catch is PassStopped {
            outcome.stopped = true
            outcome.lines = ["\(mailbox): stopped after the batch in flight; the rest follows after the restart"]
            return outcome
        } catch is CancellationError {
            outcome.stopped = true
            outcome.lines = ["\(mailbox): stopped during a back-off wait; the rest follows after the restart"]
            return outcome
        } catch let error as EWSError {
            outcome.ok = false
            outcome.passFailed = true
            outcome.error = error
            outcome.lines = ["\(mailbox): pass failed: \(error)"]
            (status.state, status.reason) = Self.state(after: error)
            status.lastError = error.description
            outcome.limit = error.limit
        } catch let error as StoreError where error.code == .busy {
            // A long writer (an import) held the store: the pass yields and runs again after the interval;
            // what it wrote is committed, the rest is planned again. No failure, no back-off.
            outcome.ok = false
            outcome.limit = "store_busy"
            outcome.lines = ["\(mailbox): pass yielded: \(error.message); it runs again at the next interval"]
            status.reason = "yielded to another writer: \(error.message)"
        } catch {
            outcome.ok = false
            outcome.passFailed = true
            outcome.lines = ["\(mailbox): pass failed: \(error)"]
            (status.state, status.reason, status.lastError) = ("backing_off", "\(error)", "\(error)")
        }
        // Ops may have paused the mailbox while the pass ran: that decision stands.
        if let latest = try? store.mailboxStatus(mailbox), latest.state == "paused", previous?.state != "paused" {
            (status.state, status.reason) = (latest.state, latest.reason)
        }
        if !dryRun { outcome.status = status }
        return outcome
    }

    /// `purge`: the items go, the links go, the mailbox is paused so the next pass does not bring them back.
    static func purge(_ context: Context, employee: Employee, dryRun: Bool) async -> MailboxOutcome {
        let mailbox = employee.mailbox!
        do {
            let report = try await engine(context, employee: employee).purge(dryRun: dryRun)
            var lines = [
                "\(mailbox): \(dryRun ? "would remove" : "removed") "
                    + "\(PlanText.count(report.created.count - report.failures.count, "item")) this instance created, "
                    + "\(dryRun ? "would unlink" : "unlinked") \(report.unlinked); "
                    + "\(PlanText.count(report.imported.count, "item")) made in Outlook left in place"
            ]
            if dryRun {
                // Each item by its activity's kind and subject (masked when private), as plans name them.
                let text = PlanText(dryRun: true) { try? context.store.activity($0) }
                let links = (try? context.store.links(mailbox: mailbox)) ?? []
                let activities = Dictionary(links.map { ($0.itemId, $0.activityId) }, uniquingKeysWith: { a, _ in a })
                lines += report.created.map { item in
                    "  " + text.removal(item: item, activity: activities[item])
                }
            }
            lines += report.failures.map { "  failed: \($0)" }
            if !dryRun {
                var status =
                    (try? context.store.mailboxStatus(mailbox)) ?? MailboxStatus(mailbox: mailbox, state: "paused")
                status.state = "paused"
                status.reason = "purged; `activity-sync resume --mailbox \(mailbox)` syncs it again from scratch"
                try context.store.saveMailboxStatus(status)
                lines.append("  \(mailbox) is paused; resume syncs it again from scratch")
            }
            return MailboxOutcome(ok: report.failures.isEmpty, status: nil, lines: lines)
        } catch {
            return MailboxOutcome(ok: false, status: nil, lines: ["\(mailbox): purge failed: \(error)"])
        }
    }

    /// The engine for an employee's mailbox over its backend; the delete half of an ownership move reaches the
    /// previous owner's mailbox over that one's backend (a hybrid organisation moves people between them).
    static func engine(
        _ context: Context,
        employee: Employee,
        shouldStop: @escaping @Sendable () -> Bool = { false }
    ) throws -> MailboxSync {
        let configuration = context.configuration
        let (ews, graph, store) = (context.client, context.graph, context.store)
        let own = configuration.backend(of: employee)
        let settings = {
            var settings = configuration.syncSettings
            // (Under graph.tasks: calendar a call is a timed event whatever sync.calls_as says: as a task there it
            // would be an all-day event, its time in a line.)
            if own == "graph" && configuration.graphTasks == .calendar { settings.callsAsTasks = false }
            return settings
        }()
        /// A mailbox's backend: the employee's own; another's (the delete half of an ownership move, rare) looked
        /// up when asked — not every employee read for every pass.
        @Sendable func backend(_ mailbox: String) -> String {
            if mailbox.lowercased() == employee.mailbox?.lowercased() { return own }
            let other = ((try? store.employees()) ?? []).first { $0.mailbox?.lowercased() == mailbox.lowercased() }
            return other.map(configuration.backend(of:)) ?? configuration.string("exchange.backend") ?? "ews"
        }
        func missing(_ backend: String) -> ConfigurationError {
            ConfigurationError(
                description: "\(employee.mailbox ?? employee.id) is on \(backend), which is not configured "
                    + (backend == "graph" ? "(graph.client_id and its keys)" : "(exchange.url and its keys)")
            )
        }
        let mapping = ItemMapping(settings, for: employee)
        let services = { @Sendable (mailbox: String) -> any MailboxService in
            if let graph, backend(mailbox) == "graph" || ews == nil {
                return GraphMailboxService(
                    client: graph,
                    mailbox: mailbox,
                    mapping: mapping,
                    window: (settings.pastDays, settings.futureDays),
                    attendeesOnEvents: settings.sendInvitations,
                    tasks: configuration.graphTasks
                )
            }
            // (Never nil here: the own backend's client was required below, and a Graph mailbox took the branch above.)
            return EWSMailboxService(client: ews!, mailbox: mailbox, mapping: mapping)
        }
        // The employee's own backend must be there (another's is routed by `services`).
        if own == "graph" ? graph == nil : ews == nil { throw missing(own) }
        return MailboxSync(
            store: context.store,
            service: services(employee.mailbox ?? ""),
            services: services,
            settings: settings,
            employee: employee,
            shouldStop: shouldStop
        )
    }

    /// Whether the mailbox has task links made over the other backend (its backend was switched) not found yet:
    /// its tasks are held — not synced, nothing deleted or imported — until each is (`ForeignLinks`; README,
    /// "Moving a mailbox between EWS and Graph").
    static func tasksHeld(_ store: Store, mailbox: String, backend: String, tasks: GraphTaskMode) -> Bool {
        // (A To Do task's id is `list|task`; an EWS ItemId, or an event's under graph.tasks: calendar, is not.)
        var todo = false
        if backend == "graph", case .todo = tasks { todo = true }
        let links = (try? store.links(mailbox: mailbox)) ?? []
        return links.contains {
            $0.folder == .tasks && !$0.itemId.isEmpty && GraphMailboxService.isTodoId($0.itemId) != todo
        }
    }

    /// What a failed pass means for the mailbox: a mailbox the account may not open is disabled until
    /// ops fix it and `resume`; credentials and throttling are passing troubles (backing off, retried).
    static func state(after error: EWSError) -> (String, String) {
        switch (error.kind, error.responseCode) {
        case (_, "ErrorImpersonateUserDenied"): return ("disabled", "impersonation denied for the service account")
        case (_, "ErrorNonExistentMailbox"): return ("disabled", "mailbox does not exist")
        case (_, "ErrorAccessDenied"): return ("disabled", "access denied")
        case (.authentication, _): return ("backing_off", "authentication failed: check the service account's password")
        case (.throttled, _): return ("backing_off", "throttled by Exchange")
        default: return ("backing_off", error.message)
        }
    }

    /// The pass for people (`PlanText`): a head line, one line per action (the daemon's log pairs them with the
    /// report's actions), then what stopped or limited the pass, and the totals last.
    static func describe(_ report: PassReport, dryRun: Bool, store: Store) -> [String] {
        // Each activity read once, however many of its actions (a conflict, both updates) name it.
        let named = Set(report.listed.compactMap(\.subjects.activity))
        let activities = Dictionary(
            uniqueKeysWithValues: named.compactMap { id in
                (try? store.activity(id)).flatMap { $0 }.map { (id, $0) }
            }
        )
        let text = PlanText(dryRun: dryRun) { id in activities[id] ?? (try? store.activity(id)) ?? nil }
        let actions = report.listed.filter { if case .skip = $0 { false } else { true } }
        var lines = ["\(report.mailbox): \(text.head(actions.count))"]
        lines += report.listed.map { "  \(text.line($0))" }
        if let paused = report.paused {
            lines.append("  paused: \(paused); nothing was executed.")
            lines.append(
                "  decide with: activity-sync resync --mailbox \(report.mailbox) --allow-deletes|--restore-deletes"
            )
        }
        lines += report.failures.map { "  failed: \($0)" }
        lines += report.limits.map { "  limit: \($0)" }
        lines += report.migration.map { "  \($0)" }
        if report.ambiguous > 0 {
            lines.append("  \(report.ambiguous) creates unconfirmed; reconciled by identity next pass")
        }
        if !actions.isEmpty { lines.append("  \(text.totals(report.listed))") }
        return lines
    }
}
