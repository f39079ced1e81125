import Foundation

/// Which mailboxes are due for a pass, as a value: a due time per mailbox, at most `limit` passes at
/// once, never two on one mailbox. A wake-up for a mailbox whose pass is running is kept for when it
/// ends (the change may have come after that pass read the folder). No clock inside: times come in.
/// Mailboxes woken by a change go before those due only by the interval: with thousands of mailboxes the interval
/// passes come due in bunches, and a change queued behind them waited seconds (`scripts/bench scale`, p99).
public struct PassScheduler: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        /// When the next pass should start.
        public var due: Date
        public var running = false
        /// A wake-up that arrived while the pass ran: the earliest time asked for.
        public var wokenWhileRunning: Date?
        /// A change was reported since the last pass started (a notification, a CRM write, an ops request).
        public var woken = false
    }

    public private(set) var entries: [String: Entry] = [:]
    /// Mailboxes no longer wanted whose pass is still running (dropped when it ends).
    private var leaving: Set<String> = []

    public init() {}

    /// The mailboxes to keep in step: new ones are due at once, dropped ones are forgotten.
    public mutating func setMailboxes(_ mailboxes: Set<String>, now: Date) {
        for mailbox in mailboxes where entries[mailbox] == nil { entries[mailbox] = Entry(due: now) }
        leaving.subtract(mailboxes)
        for (mailbox, entry) in entries where !mailboxes.contains(mailbox) {
            if entry.running { leaving.insert(mailbox) } else { entries[mailbox] = nil }
        }
    }

    /// Asks for a pass on the mailbox no later than `time` (earlier requests win); `change`: for a reported change,
    /// which goes first (not so a reload's rescheduling).
    public mutating func wake(_ mailbox: String, at time: Date, change: Bool = true) {
        guard var entry = entries[mailbox] else { return }
        if change { entry.woken = true }
        if entry.running {
            entry.wokenWhileRunning = min(entry.wokenWhileRunning ?? time, time)
        } else {
            entry.due = min(entry.due, time)
        }
        entries[mailbox] = entry
    }

    /// Marks the most overdue mailboxes as running, up to `limit` passes in all, and returns them.
    public mutating func takeDue(now: Date, limit: Int) -> [String] {
        let free = limit - runningCount
        guard free > 0 else { return [] }
        let due = entries.filter { !$0.value.running && $0.value.due <= now }
            .sorted {
                ($0.value.woken ? 0 : 1, $0.value.due, $0.key) < ($1.value.woken ? 0 : 1, $1.value.due, $1.key)
            }
            .prefix(free).map(\.key)
        for mailbox in due {
            entries[mailbox]?.running = true
            entries[mailbox]?.woken = false
        }
        return due
    }

    /// A pass ended; the next is due at `next`, or earlier if the mailbox was woken meanwhile.
    public mutating func finished(_ mailbox: String, next: Date) {
        guard var entry = entries[mailbox] else { return }
        if leaving.remove(mailbox) != nil {
            entries[mailbox] = nil
            return
        }
        entry.running = false
        entry.due = min(next, entry.wokenWhileRunning ?? next)
        entry.wokenWhileRunning = nil
        entries[mailbox] = entry
    }

    /// Passes running now.
    public var runningCount: Int { entries.values.filter(\.running).count }

    /// When the mailbox's next pass is due (nil: unknown mailbox, or running).
    public func nextDue(_ mailbox: String) -> Date? {
        entries[mailbox].flatMap { $0.running ? nil : $0.due }
    }

    /// The earliest due time of a mailbox not running (the loop may sleep until then).
    public var earliestDue: Date? { entries.values.filter { !$0.running }.map(\.due).min() }
}
