import ActivityModel
import AppConfig
import ArgumentParser
import Daemon
import EWS
import EWSMailbox
import Foundation
import Logging
import Store
import SyncEngine

/// `run` without --once: the daemon. Wires the store, the EWS client, notifications, metrics and logs
/// to `SyncDaemon`'s loop, and decides per mailbox what its next pass is (an ops request, a resync at
/// start-up, or a normal pass) and when the one after it is due.
final class DaemonRunner: @unchecked Sendable {
    /// The transfer thread goes round at least once a second; this long without means it is stuck (a 200 KB
    /// streaming answer once pinned it in a quadratic splitter), and the watchdog is no longer fed.
    static let stuckTransferSeconds = 20.0
    let global: GlobalOptions
    /// The context, replaced whole on SIGHUP (passes in flight keep the one they started with).
    let current: Protected<SyncRun.Context>
    let logger: Logger
    let metrics = DaemonMetrics()
    let stop = StopSignal()
    /// `run --resync`: each mailbox's first pass is a resync; these have had it.
    private let resyncAtStart: Bool
    private let resynced = Protected<Set<String>>([])
    /// Consecutive failed passes per mailbox (the back-off grows with them).
    private let failures = Protected<[String: Int]>([:])
    /// The employees as last read (every second): to notice the ones whose sync was turned off, and to
    /// find a pass's employee without reading them all again.
    private let known = Protected<[String: Employee]>([:])
    private let hub = Protected<NotificationHub?>(nil)
    /// The mailboxes the hub was last told to watch.
    private let watched = Protected<[String]?>(nil)

    /// Failures many mailboxes share, said once (`logShared`).
    private let sharedFailures = Protected(SharedFailureLog())

    /// The level of every logger in the process (a reload sets it).
    static let logLevel = Protected<Logger.Level>(.info)

    /// Keys read once at start: a reload that changes them says they wait for a restart.
    static let restartKeys = ["store.path", "metrics.listen", "sync.notifications", "sync.pull_interval_seconds"]

    /// Debounce of notifications: one Outlook edit fires several events within a few hundred ms.
    static let notificationDebounce = 0.3

    static func run(global: GlobalOptions, resyncFirst: Bool) async throws {
        let configuration = try global.configuration()
        logLevel.value = configuration.logLevel
        LoggingSystem.bootstrap { _ in JournalLogHandler(level: logLevel) }
        let runner = try DaemonRunner(global: global, configuration: configuration, resyncFirst: resyncFirst)
        try await runner.run()
    }

    private init(global: GlobalOptions, configuration: AppConfiguration, resyncFirst: Bool) throws {
        self.global = global
        logger = Logger(label: "activity-sync")
        resyncAtStart = resyncFirst
        stop.install()
        let context = try SyncRun.open(global, observer: metrics.observer)
        current = Protected(context)
    }

    private func run() async throws {
        let context = current.value
        defer { withExtendedLifetime(context.lock) {} }
        await SyncRun.honourBackOffs(context)
        var server: MetricsServer?
        if let listen = context.configuration.string("metrics.listen") {
            do { server = try MetricsServer(listen: listen, registry: metrics.registry) } catch {
                CLI.fail("configuration: \(error)", code: 2)
            }
            logger.info("metrics endpoint listening", metadata: ["listen": "\(listen)"])
        }
        metrics.collectFromStore(context.store)
        try? context.store.recordDaemonVersion(ActivitySyncCommand.versionLine)
        metrics.credentialExpiry(context.graph)
        // (Notifications are EWS's: Graph mailboxes are polled — webhooks need a public endpoint.)
        let mode =
            context.client == nil
            ? .none : NotificationHub.Mode(rawValue: context.configuration.string("sync.notifications") ?? "") ?? .none
        // The hub wakes the daemon, whose hooks feed the hub: the daemon is made second and found here.
        let daemonSlot = Protected<SyncDaemon?>(nil)
        let hub = NotificationHub(
            client: { [current] in current.value.client },
            mode: mode,
            pullInterval: Double(context.configuration.int("sync.pull_interval_seconds")),
            logger: logger,
            onChange: { mailbox in
                daemonSlot.withLock { $0 }?.wake(mailbox, after: Self.notificationDebounce)
            }
        )
        self.hub.withLock { $0 = hub }
        let daemon = SyncDaemon(hooks: hooks(hub), notifier: SystemdNotifier(), stop: stop)
        daemonSlot.withLock { $0 = daemon }
        logger.info(
            "activity-sync \(ActivitySyncCommand.versionLine) started",
            metadata: [
                "interval_seconds": "\(context.configuration.int("sync.interval_seconds"))",
                "concurrency": "\(context.configuration.int("sync.concurrency"))", "notifications": "\(mode.rawValue)",
            ]
        )
        await daemon.run()
        await hub.stop()
        withExtendedLifetime(server) {}
        logger.info("activity-sync stopped")
    }

    private func hooks(_ hub: NotificationHub) -> SyncDaemon.Hooks {
        let store = current.value.store
        return SyncDaemon.Hooks(
            mailboxes: { [self] in mailboxes() },
            changeSequence: { (try? store.changeSequence()) ?? 0 },
            touched: { (try? store.mailboxesTouched(since: $0)) ?? [] },
            requested: { (try? store.requestedMailboxes()) ?? [] },
            pass: { [self] in await pass($0) },
            mailboxesRefreshed: { [self] mailboxes in rewatch(mailboxes) },
            reload: { [self] in reload() },
            maintenance: { [self] in prune() },
            concurrency: { [self] in current.value.configuration.int("sync.concurrency") },
            stopping: { [self] in await current.value.abandonWaits() },
            heartbeat: { stopped in try? store.recordHeartbeat(pid: Int(getpid()), stopped: stopped) },
            progressing: { CurlEventLoop.shared.secondsSinceTick < Self.stuckTransferSeconds }
        )
    }

    /// Subscriptions follow the mailboxes to sync, except disabled and paused ones (they wait for ops):
    /// called with every refresh (about once a second), one query for the states, and the hub is told
    /// only when the list changed — so a pause, purge, resume or a pass that disables follows within a second.
    private func rewatch(_ mailboxes: Set<String>) {
        let states = (try? current.value.store.mailboxStates()) ?? [:]
        // Only mailboxes on EWS have notifications (Graph's are polled). (From the employees `mailboxes()` just
        // read: no second read of them every second.)
        let configuration = current.value.configuration
        let onGraph = Set(
            known.withLock { $0.values }.filter { configuration.backend(of: $0) == "graph" }
                .compactMap { $0.mailbox?.lowercased() }
        )
        let wanted = mailboxes.filter { !["disabled", "paused"].contains(states[$0] ?? "") && !onGraph.contains($0) }
            .sorted()
        let changed = watched.withLock { watched in
            defer { watched = wanted }
            return watched != wanted
        }
        guard changed else { return }
        hub.withLock { $0 }?.watch(wanted)
        logger.info("watching mailboxes", metadata: ["count": "\(wanted.count)"])
    }

    /// Active sync users' mailboxes, plus any mailbox with an ops request waiting (a purge of a
    /// mailbox whose employee no longer syncs). Employees whose sync was turned off are released.
    private func mailboxes() -> Set<String> {
        let store = current.value.store
        guard let employees = try? store.employees() else { return [] }
        // Only employees whose record changed since the last look (all of them at start): a CRM with
        // thousands of non-syncing employees must not cost thousands of queries a second.
        let changed = known.withLock { known in
            defer { known = Dictionary(employees.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }) }
            return employees.filter { known[$0.id] != $0 }
        }
        for line in SyncRun.release(store, changed) { logger.notice("\(line)") }
        let requested = (try? store.requestedMailboxes()) ?? []
        return Set(
            employees.compactMap { employee in
                guard let mailbox = employee.mailbox?.lowercased() else { return nil }
                return employee.sync || requested.contains(mailbox) ? mailbox : nil
            }
        )
    }

    // MARK: - One mailbox

    private func pass(_ mailbox: String) async -> SyncDaemon.Outcome {
        let context = current.value
        let interval = Double(context.configuration.int("sync.interval_seconds"))
        let later = Date().addingTimeInterval(interval * Double.random(in: 0.9...1.1))
        guard let employee = known.withLock({ $0.values.first { $0.mailbox?.lowercased() == mailbox } }) else {
            return SyncDaemon.Outcome(next: later, ok: true)
        }
        if let request = try? context.store.takeRequest(mailbox: mailbox) {
            return await perform(request, employee: employee, context: context, next: later)
        }
        guard employee.sync else { return SyncDaemon.Outcome(next: later, ok: true) }
        let mode: PassMode = takeStartupResync(mailbox) ? .resync(allowDeletes: false, restoreDeletes: false) : .normal
        let outcome = await timedPass(context, employee: employee, mode: mode, dryRun: false)
        return await settle(outcome, mailbox: mailbox, context: context, interval: interval)
    }

    private func timedPass(
        _ context: SyncRun.Context,
        employee: Employee,
        mode: PassMode,
        dryRun: Bool
    ) async
        -> SyncRun.MailboxOutcome
    {
        let started = Date()
        let outcome = await SyncRun.syncMailbox(
            context,
            employee: employee,
            mode: mode,
            dryRun: dryRun,
            shouldStop: { [stop] in stop.isStopped }
        )
        metrics.record(outcome, seconds: Date().timeIntervalSince(started))
        log(outcome, mailbox: employee.mailbox!)
        return outcome
    }

    /// Records the mailbox's state with the time of its next pass: the interval after a good pass, a
    /// growing back-off after failed passes (up to an hour), the interval for paused and disabled ones and
    /// for a pass that ran but had an item refused (it is retried then).
    private func settle(
        _ outcome: SyncRun.MailboxOutcome,
        mailbox: String,
        context: SyncRun.Context,
        interval: Double
    ) async -> SyncDaemon.Outcome {
        // One item refused (and retried next pass) is no reason to hold the whole mailbox back.
        let failed = outcome.passFailed
        let count = failures.withLock { counts in
            counts[mailbox] = failed ? (counts[mailbox] ?? 0) + 1 : 0
            return counts[mailbox]!
        }
        let wait = failed ? min(interval * pow(2, Double(count - 1)), max(interval, 3600)) : interval
        var next = Date().addingTimeInterval(wait * Double.random(in: 0.9...1.1))
        // A pass Exchange throttled stopped sending; the rest waits for the back-off it asked for.
        if let until = outcome.report?.throttledUntil, until > next { next = until }
        // A pass that ended on a wait too long to sit out (MailboxThrottle.longestWaitInPass) runs again after it.
        if outcome.passFailed, let remaining = await context.backOffRemaining(mailbox: mailbox) {
            next = max(next, Date().addingTimeInterval(Double(remaining.components.seconds) + 1))
        }
        if var status = outcome.status {
            // Paused and disabled mailboxes wait for ops: no next try to announce.
            status.nextPass = ["paused", "disabled"].contains(status.state) ? nil : CRMTime.format(next)
            status.throttledLastHour = await context.throttledCount(mailbox: mailbox)
            do { try context.store.saveMailboxStatus(status) } catch {
                logger.error(
                    "cannot record the mailbox state",
                    metadata: ["mailbox": "\(mailbox)", "error": "\(error)"]
                )
            }
        }
        return SyncDaemon.Outcome(next: next, ok: outcome.ok)
    }

    /// Performs an ops request as the mailbox's pass and answers it in the store.
    private func perform(
        _ request: OpsRequest,
        employee: Employee,
        context: SyncRun.Context,
        next: Date
    ) async -> SyncDaemon.Outcome {
        logger.notice(
            "performing ops request",
            metadata: ["mailbox": "\(request.mailbox)", "request": "\(request.kind)", "options": "\(request.options)"]
        )
        let flags = request.flags
        let outcome: SyncRun.MailboxOutcome
        switch request.kind {
        case "resync":
            outcome = await timedPass(
                context,
                employee: employee,
                mode: .resync(
                    allowDeletes: flags.contains("allow-deletes"),
                    restoreDeletes: flags.contains("restore-deletes")
                ),
                dryRun: flags.contains("dry-run")
            )
            if !flags.contains("dry-run") {
                _ = await settle(
                    outcome,
                    mailbox: request.mailbox,
                    context: context,
                    interval: next.timeIntervalSinceNow
                )
            }
        case "purge":
            outcome = await SyncRun.purge(context, employee: employee, dryRun: flags.contains("dry-run"))
            // The log gets the summary and the failures; the per-item list (thousands of lines in a dry run) goes
            // to the command that asked, in the request's answer.
            var logged = outcome
            logged.lines = outcome.lines.enumerated().filter { $0.offset == 0 || $0.element.hasPrefix("  failed: ") }
                .map(\.element)
            log(logged, mailbox: request.mailbox)
        default:  // resume: a normal pass now
            outcome = await timedPass(context, employee: employee, mode: .normal, dryRun: false)
            _ = await settle(outcome, mailbox: request.mailbox, context: context, interval: next.timeIntervalSinceNow)
        }
        do {
            try context.store.finishRequest(
                request.id,
                result: outcome.lines.joined(separator: "\n"),
                exitCode: outcome.ok ? 0 : 3
            )
        } catch {
            logger.error("cannot answer the ops request", metadata: ["request": "\(request.id)", "error": "\(error)"])
        }
        // Another request for the mailbox waits? Its turn comes at once.
        let more = ((try? context.store.requestedMailboxes()) ?? []).contains(request.mailbox)
        return SyncDaemon.Outcome(next: more ? Date() : next, ok: outcome.ok)
    }

    private func takeStartupResync(_ mailbox: String) -> Bool {
        resyncAtStart && resynced.withLock { $0.insert(mailbox).inserted }
    }

    /// The pass's lines as log entries: mailbox and pass id on each, activity and item on action lines.
    /// A quiet pass (the common case) logs at debug, so info shows what changed.
    private func log(_ outcome: SyncRun.MailboxOutcome, mailbox: String) {
        guard let first = outcome.lines.first else { return }
        var metadata: Logger.Metadata = ["mailbox": "\(mailbox)"]
        if let report = outcome.report { metadata["pass"] = "\(report.pass)" }
        if logShared(outcome, mailbox: mailbox, line: first, metadata: metadata) { return }
        let quiet = outcome.ok && outcome.report?.plan.isEmpty == true
        let level: Logger.Level = outcome.skipped || quiet ? .debug : outcome.ok ? .info : .warning
        var head = metadata
        if outcome.report?.paused != nil {
            head["message_id"] = "\(MessageID.breakerTrip)"
        } else if outcome.status?.state == "disabled" {
            head["message_id"] = "\(MessageID.mailboxDisabled)"
        }
        logger.log(level: level, "\(first)", metadata: head)
        var rest = outcome.lines.dropFirst()
        for action in outcome.report?.listed ?? [] {
            guard let line = rest.popFirst() else { break }
            var fields = metadata
            let (activity, item) = action.subjects
            if let activity { fields["activity"] = "\(activity)" }
            if let item { fields["item"] = "\(item)" }
            switch action {
            case .skip: logger.debug("\(line)", metadata: fields)
            case .recordConflict:
                // A conflict waits for a person: notice, whatever the pass's level.
                fields["message_id"] = "\(MessageID.conflict)"
                logger.notice("\(line)", metadata: fields)
            default: logger.log(level: level, "\(line)", metadata: fields)
            }
        }
        // After the actions: the items refused this pass (retried next), then anything else the pass said.
        for line in rest {
            var fields = metadata
            // (`SyncRun.describe` writes each of the report's failures so.)
            if line.hasPrefix("  failed: ") { fields["message_id"] = "\(MessageID.itemRefused)" }
            logger.log(level: level, "\(line)", metadata: fields)
        }
    }

    /// A failure that is no mailbox's own (the service account refused, Exchange unreachable) is logged once for
    /// all the mailboxes it stops, then at debug per mailbox, with a reminder every ten minutes and one entry when
    /// it clears. True when the outcome was logged here.
    private func logShared(
        _ outcome: SyncRun.MailboxOutcome,
        mailbox: String,
        line: String,
        metadata: Logger.Metadata
    ) -> Bool {
        guard outcome.passFailed, let error = outcome.error,
            [.authentication, .transport, .configuration, .http].contains(error.kind)
        else {
            if outcome.ok {
                for cleared in sharedFailures.withLock({ $0.succeeded(mailbox: mailbox) }) {
                    logger.notice(
                        "shared failure cleared: passes go through again",
                        metadata: ["failure": "\(cleared)", "message_id": "\(MessageID.sharedFailure)"]
                    )
                }
            }
            return false
        }
        var fields = metadata
        fields["message_id"] = "\(MessageID.sharedFailure)"
        let signature = [
            error.backend, error.kind.rawValue, error.httpStatus.map { "HTTP \($0)" },
            error.curlCode.map { "curl \($0)" },
        ].compactMap { $0 }.joined(separator: " ")
        switch sharedFailures.withLock({ $0.failed(signature, mailbox: mailbox, now: Date()) }) {
        case .first:
            logger.warning(
                "\(line) — other mailboxes failing the same way are logged at debug until it clears",
                metadata: fields
            )
        case .quiet:
            logger.debug("\(line)", metadata: metadata)
        case .reminder(let count):
            fields["mailboxes"] = "\(count)"
            logger.warning("still failing the same way in \(count) mailboxes: \(error)", metadata: fields)
        }
        return true
    }

    // MARK: - Reload and housekeeping

    /// SIGHUP: the file and environment are read again; a bad file is refused and the running
    /// configuration kept. Passes in flight keep the context they started with.
    private func reload() -> Double? {
        do {
            let configuration = try AppConfiguration.load(explicitPath: global.config)
            var next = current.value
            next.configuration = configuration
            (next.client, next.graph) = try SyncRun.makeClients(
                configuration,
                store: next.store,
                observer: metrics.observer,
                previous: next
            ) { logger.warning("\($0)") }
            let before = current.value.configuration
            current.value = next
            metrics.credentialExpiry(next.graph)
            Self.logLevel.value = configuration.logLevel
            logger.notice(
                "configuration reloaded",
                metadata: [
                    "interval_seconds": "\(configuration.int("sync.interval_seconds"))",
                    "log_level": "\(configuration.logLevel)",
                ]
            )
            let waiting = Self.restartKeys.filter { before.string($0) != configuration.string($0) }
            if !waiting.isEmpty {
                logger.warning(
                    "changed keys apply only after a restart (systemctl restart activity-sync)",
                    metadata: ["keys": "\(waiting.joined(separator: ","))"]
                )
            }
            return Double(configuration.int("sync.interval_seconds"))
        } catch {
            logger.error("configuration reload refused, keeping the running one", metadata: ["error": "\(error)"])
            return nil
        }
    }

    private func prune() {
        let context = current.value
        let days = context.configuration.int("store.retention_days")
        do {
            let pruned = try context.store.prune(retentionDays: days)
            logger.info(
                "store pruned",
                metadata: [
                    "retention_days": "\(days)", "audit": "\(pruned.audit)", "journal": "\(pruned.journal)",
                    "tombstones": "\(pruned.tombstones)",
                ]
            )
        } catch {
            logger.error("pruning failed", metadata: ["error": "\(error)"])
        }
        // (A daemon runs for months: the certificate's end is warned of with each housekeeping, not only at start.)
        if let graph = context.graph {
            for warning in context.configuration.certificateWarnings(graph.configuration) {
                logger.warning("\(warning)")
            }
        }
    }
}
