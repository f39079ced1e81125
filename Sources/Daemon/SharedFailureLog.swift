import Foundation

/// Failures every mailbox shares — a wrong service password, Exchange unreachable — logged once, not once per
/// mailbox (thousands of lines a round at 1,000 mailboxes): the first mailbox's failure is the entry, the others
/// go to debug, a reminder with the count follows every `reminderSeconds` while it lasts, and one entry says when
/// it cleared. A value: the daemon keeps it behind a lock and asks it what to log.
public struct SharedFailureLog: Sendable {
    public enum Decision: Equatable, Sendable {
        /// The first mailbox failing this way: log it (warning), naming it a shared failure.
        case first
        /// Already said: per-mailbox detail at debug only.
        case quiet
        /// Said a while ago and still going on: log again with how many mailboxes it holds.
        case reminder(mailboxes: Int)
    }

    struct Entry: Sendable {
        var lastLogged: Date
        var mailboxes: Set<String>
    }

    public var reminderSeconds: Double
    private var entries: [String: Entry] = [:]

    public init(reminderSeconds: Double = 600) { self.reminderSeconds = reminderSeconds }

    /// A pass of `mailbox` failed with the failure `signature` (what identifies the failure, not its text: a
    /// transport error's text changes with each attempt).
    public mutating func failed(_ signature: String, mailbox: String, now: Date) -> Decision {
        // (A mailbox now failing otherwise leaves the other failure; one no mailbox has any longer is dropped.)
        for key in entries.keys where key != signature {
            entries[key]?.mailboxes.remove(mailbox)
            if entries[key]?.mailboxes.isEmpty == true { entries[key] = nil }
        }
        guard var entry = entries[signature] else {
            entries[signature] = Entry(lastLogged: now, mailboxes: [mailbox])
            return .first
        }
        entry.mailboxes.insert(mailbox)
        defer { entries[signature] = entry }
        guard now.timeIntervalSince(entry.lastLogged) >= reminderSeconds else { return .quiet }
        entry.lastLogged = now
        return .reminder(mailboxes: entry.mailboxes.count)
    }

    /// A pass of `mailbox` went through: the failures it was part of that no mailbox has any longer, to be said
    /// once as cleared.
    public mutating func succeeded(mailbox: String) -> [String] {
        var cleared: [String] = []
        for (signature, entry) in entries where entry.mailboxes.contains(mailbox) {
            entries[signature]?.mailboxes.remove(mailbox)
            if entries[signature]?.mailboxes.isEmpty == true {
                entries[signature] = nil
                cleared.append(signature)
            }
        }
        return cleared.sorted()
    }
}
