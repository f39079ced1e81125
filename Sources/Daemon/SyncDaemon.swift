import Foundation

/// The long-running loop: every mailbox has its own schedule (`PassScheduler`), and a tick of 100 ms
/// starts the passes that are due, at most `concurrency` at once and never two on one mailbox.
/// A mailbox is due when its jittered interval has passed, when the CRM changed something it holds
/// (the store's change sequence, polled each tick: CLI writes and imports wake the daemon), when
/// Exchange notified a change (`wake`, debounced by the caller), or when ops asked (`requested`).
///
/// systemd hears READY=1 once the loop runs (a first sync of many mailboxes may take longer than any
/// start timeout), STATUS= as passes finish, WATCHDOG=1 from the tick. SIGTERM: no new pass starts;
/// running passes stop after their batch in flight (they watch the `StopSignal`), and whatever still
/// runs after `stopGrace` seconds is cancelled, so the process exits within systemd's 10 s.
public final class SyncDaemon: Sendable {
    /// What a pass tells the loop: when the next one is due, and whether this one went well.
    public struct Outcome: Sendable {
        public var next: Date
        public var ok: Bool

        public init(next: Date, ok: Bool) {
            self.next = next
            self.ok = ok
        }
    }

    /// The daemon's view of the world, as closures (the composition root fills them in).
    public struct Hooks: Sendable {
        /// The mailboxes to keep in step (active sync users), re-read about once a second.
        public var mailboxes: @Sendable () -> Set<String>
        /// The store's change sequence (one indexed read).
        public var changeSequence: @Sendable () -> Int64
        /// The mailboxes whose CRM activities changed after the given sequence number.
        public var touched: @Sendable (Int64) -> Set<String>
        /// Mailboxes with an ops request waiting (resync, purge, resume), polled about once a second.
        public var requested: @Sendable () -> Set<String>
        /// One pass, or the request waiting, on a mailbox.
        public var pass: @Sendable (String) async -> Outcome
        /// The mailboxes as just re-read, about once a second (notifications follow them).
        public var mailboxesRefreshed: @Sendable (Set<String>) -> Void
        /// SIGHUP; returns the interval in seconds now in force (no pass waits longer than that from now).
        public var reload: @Sendable () -> Double?
        /// Housekeeping (pruning): at start and every `maintenanceInterval`.
        public var maintenance: @Sendable () -> Void
        /// At most this many passes at once (read every tick, so a reload applies).
        public var concurrency: @Sendable () -> Int
        /// SIGTERM arrived: end waits (back-offs) that would hold the passes in flight.
        public var stopping: @Sendable () async -> Void
        /// A sign of life for `status`, every 5 s; `true` once, after the last pass ended.
        public var heartbeat: @Sendable (_ stopped: Bool) -> Void
        /// Whether the work behind the passes makes progress (the HTTP transfer thread went round lately):
        /// systemd's watchdog is fed only then, so a stuck transfer thread gets the process restarted.
        public var progressing: @Sendable () -> Bool

        public init(
            mailboxes: @escaping @Sendable () -> Set<String>,
            changeSequence: @escaping @Sendable () -> Int64,
            touched: @escaping @Sendable (Int64) -> Set<String>,
            requested: @escaping @Sendable () -> Set<String>,
            pass: @escaping @Sendable (String) async -> Outcome,
            mailboxesRefreshed: @escaping @Sendable (Set<String>) -> Void = { _ in },
            reload: @escaping @Sendable () -> Double? = { nil },
            maintenance: @escaping @Sendable () -> Void = {},
            concurrency: @escaping @Sendable () -> Int,
            stopping: @escaping @Sendable () async -> Void = {},
            heartbeat: @escaping @Sendable (Bool) -> Void = { _ in },
            progressing: @escaping @Sendable () -> Bool = { true }
        ) {
            self.progressing = progressing
            self.stopping = stopping
            self.heartbeat = heartbeat
            self.mailboxes = mailboxes
            self.changeSequence = changeSequence
            self.touched = touched
            self.requested = requested
            self.pass = pass
            self.mailboxesRefreshed = mailboxesRefreshed
            self.reload = reload
            self.maintenance = maintenance
            self.concurrency = concurrency
        }
    }

    let hooks: Hooks
    let notifier: SystemdNotifier
    let stop: StopSignal
    let stopGrace: Double
    let maintenanceInterval: Double
    private let state = Protected(State())

    struct State {
        var scheduler = PassScheduler()
        var failing: Set<String> = []
        /// Mailboxes that finished a pass since start (the first sync's progress).
        var passed: Set<String> = []
        var statusChanged = true
    }

    public init(
        hooks: Hooks,
        notifier: SystemdNotifier,
        stop: StopSignal,
        stopGrace: Double = 8,
        maintenanceInterval: Double = 86_400
    ) {
        self.hooks = hooks
        self.notifier = notifier
        self.stop = stop
        self.stopGrace = stopGrace
        self.maintenanceInterval = maintenanceInterval
    }

    /// Whether this tick feeds systemd's watchdog: it is due, and the work behind the passes progresses.
    public static func feedsWatchdog(every: Double?, since: Double, progressing: () -> Bool) -> Bool {
        guard let every, since >= every else { return false }
        return progressing()
    }

    /// Asks for a pass on the mailbox no later than `delay` seconds from now (notifications).
    public func wake(_ mailbox: String, after delay: Double = 0, change: Bool = true) {
        state.withLock { $0.scheduler.wake(mailbox, at: Date().addingTimeInterval(delay), change: change) }
    }

    /// Runs until SIGTERM, then lets the passes in flight end.
    public func run() async {
        notifier.notify("READY=1\nSTATUS=starting")
        hooks.maintenance()
        var lastMaintenance = Date()
        var sequence = hooks.changeSequence()
        var lastRefresh = Date.distantPast
        var lastPing = Date()
        var lastBeat = Date.distantPast
        // Discarding: a daemon runs for months, and a plain group keeps every finished pass until awaited.
        await withDiscardingTaskGroup { group in
            while !stop.isStopped {
                let now = Date()
                if now.timeIntervalSince(lastRefresh) >= 1 {
                    lastRefresh = now
                    let mailboxes = hooks.mailboxes()
                    state.withLock { $0.scheduler.setMailboxes(mailboxes, now: now) }
                    hooks.mailboxesRefreshed(mailboxes)
                    for mailbox in hooks.requested() { wake(mailbox) }
                }
                let current = hooks.changeSequence()
                if current != sequence {
                    for mailbox in hooks.touched(sequence) { wake(mailbox) }
                    sequence = current
                }
                if stop.takeReload() {
                    notifier.notify("RELOADING=1")
                    if let interval = hooks.reload() {
                        let mailboxes = state.withLock { Array($0.scheduler.entries.keys) }
                        for mailbox in mailboxes {
                            wake(mailbox, after: interval * Double.random(in: 0.9...1.1), change: false)
                        }
                    }
                    notifier.notify("READY=1\nSTATUS=configuration reloaded")
                }
                if now.timeIntervalSince(lastMaintenance) >= maintenanceInterval {
                    lastMaintenance = now
                    hooks.maintenance()
                }
                if now.timeIntervalSince(lastBeat) >= 5 {
                    lastBeat = now
                    hooks.heartbeat(false)
                }
                // (Fed from this loop, and only while the transfer thread goes round too: a tick that runs while
                // every request is stuck proves nothing.)
                if Self.feedsWatchdog(
                    every: notifier.watchdogInterval,
                    since: now.timeIntervalSince(lastPing),
                    progressing: hooks.progressing
                ) {
                    notifier.notify("WATCHDOG=1")
                    lastPing = now
                }
                let due = state.withLock { $0.scheduler.takeDue(now: now, limit: max(hooks.concurrency(), 1)) }
                for mailbox in due {
                    group.addTask { [self] in
                        let outcome = await hooks.pass(mailbox)
                        state.withLock { state in
                            state.scheduler.finished(mailbox, next: outcome.next)
                            if outcome.ok { state.failing.remove(mailbox) } else { state.failing.insert(mailbox) }
                            state.passed.insert(mailbox)
                            state.statusChanged = true
                        }
                    }
                }
                if let summary = statusLine() { notifier.notify("STATUS=\(summary)") }
                try? await Task.sleep(for: .milliseconds(100))
            }
            notifier.notify("STOPPING=1\nSTATUS=stopping: finishing the batches in flight")
            await hooks.stopping()
            let deadline = Date().addingTimeInterval(stopGrace)
            while state.withLock({ $0.scheduler.runningCount }) > 0 && Date() < deadline {
                try? await Task.sleep(for: .milliseconds(50))
            }
            group.cancelAll()
        }
        hooks.heartbeat(true)
    }

    private func statusLine() -> String? {
        state.withLock { state in
            guard state.statusChanged else { return nil }
            state.statusChanged = false
            let count = state.scheduler.entries.count
            let failing = state.failing.intersection(state.scheduler.entries.keys).count
            let passed = state.passed.intersection(state.scheduler.entries.keys).count
            if passed < count { return "first sync: \(passed) of \(count) mailboxes done, \(failing) not synced" }
            return failing == 0
                ? "\(count) mailboxes in step"
                : "\(count) mailboxes, \(failing) not synced; see activity-sync status"
        }
    }
}
