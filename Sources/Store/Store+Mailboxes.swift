import Foundation
import ActivityModel
import GRDB

/// A mailbox's state as `status` shows it: `pending → enabled → backing_off → paused|disabled`.
public struct MailboxStatus: Sendable, Equatable {
    public var mailbox: String
    /// `pending`, `enabled`, `backing_off`, `paused` or `disabled`.
    public var state: String
    public var reason: String?
    public var lastPass: String?
    public var nextPass: String?
    public var lastError: String?
    public var skippedRecurring: Int
    /// Times Exchange throttled the mailbox in the hour before the last pass.
    public var throttledLastHour: Int = 0

    public init(
        mailbox: String,
        state: String,
        reason: String? = nil,
        lastPass: String? = nil,
        nextPass: String? = nil,
        lastError: String? = nil,
        skippedRecurring: Int = 0,
        throttledLastHour: Int = 0
    ) {
        self.throttledLastHour = throttledLastHour
        self.mailbox = mailbox
        self.state = state
        self.reason = reason
        self.lastPass = lastPass
        self.nextPass = nextPass
        self.lastError = lastError
        self.skippedRecurring = skippedRecurring
    }
}

extension Store {
    /// The recorded state of a mailbox (nil: never synced, i.e. `pending`).
    public func mailboxStatus(_ mailbox: String) throws -> MailboxStatus? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM mailboxes WHERE mailbox = ?", arguments: [mailbox]).map { row in
                MailboxStatus(
                    mailbox: row["mailbox"],
                    state: row["state"],
                    reason: row["reason"],
                    lastPass: row["last_pass"],
                    nextPass: row["next_pass"],
                    lastError: row["last_error"],
                    skippedRecurring: row["skipped_recurring"],
                    throttledLastHour: row["throttled_last_hour"]
                )
            }
        }
    }

    /// Keeps the mailbox's skipped Outlook items (`reason`, e.g. recurring series) in step with what a pass
    /// listed: `seen` are skipped now, `cleared` were read or removed and are not; `whole`: the pass read every
    /// folder from the start, so the others are gone. Answers how many are skipped.
    @discardableResult
    public func noteSkipped(
        mailbox: String,
        reason: String,
        seen: Set<String>,
        cleared: Set<String>,
        whole: Bool
    ) throws -> Int {
        let mailbox = mailbox.lowercased()
        return try write { db in
            if whole {
                try db.execute(
                    sql: "DELETE FROM skipped_items WHERE mailbox = ? AND reason = ?",
                    arguments: [mailbox, reason]
                )
            }
            for item in cleared.sorted() {
                try db.execute(
                    sql: "DELETE FROM skipped_items WHERE mailbox = ? AND item_id = ?",
                    arguments: [mailbox, item]
                )
            }
            for item in seen.sorted() {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO skipped_items (mailbox, item_id, reason) VALUES (?, ?, ?)",
                    arguments: [mailbox, item, reason]
                )
            }
            return try Int.fetchOne(
                db,
                sql: "SELECT COUNT(*) FROM skipped_items WHERE mailbox = ? AND reason = ?",
                arguments: [mailbox, reason]
            ) ?? 0
        }
    }

    /// Records until when Exchange wants no request for the mailbox (written as the back-off starts).
    public func saveNotBefore(_ mailbox: String, _ date: Date) throws {
        // Stored times have whole seconds: round up, so the wait is never cut short.
        let (now, until) = (
            self.now, CRMTime.format(Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.up)))
        )
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO mailboxes (mailbox, state, not_before, updated_at) VALUES (?, 'pending', ?, ?)
                    ON CONFLICT(mailbox) DO UPDATE SET not_before = excluded.not_before
                    """,
                arguments: [mailbox.lowercased(), until, now]
            )
        }
    }

    /// Back-offs still running, by lower-cased address (to honour them after a restart).
    public func backOffs(after date: Date) throws -> [String: Date] {
        try read { db in
            var result: [String: Date] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT lower(mailbox) AS mailbox, not_before FROM mailboxes WHERE not_before IS NOT NULL"
            ) {
                let text: String = row["not_before"]
                if let until = try? CRMTime.parse(text).get().instant, until > date { result[row["mailbox"]] = until }
            }
            return result
        }
    }

    /// Every recorded mailbox's state by lower-cased address (one query, for the daemon's tick).
    public func mailboxStates() throws -> [String: String] {
        try read { db in
            Dictionary(
                try Row.fetchAll(db, sql: "SELECT lower(mailbox) AS mailbox, state FROM mailboxes").map {
                    ($0["mailbox"], $0["state"])
                },
                uniquingKeysWith: { a, _ in a }
            )
        }
    }

    /// Records a mailbox's state.
    public func saveMailboxStatus(_ status: MailboxStatus) throws {
        let now = self.now
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO mailboxes (mailbox, state, reason, last_pass, next_pass, last_error, skipped_recurring,
                    throttled_last_hour, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(mailbox) DO UPDATE SET state = excluded.state, reason = excluded.reason,
                    last_pass = excluded.last_pass, next_pass = excluded.next_pass, last_error = excluded.last_error,
                    skipped_recurring = excluded.skipped_recurring, throttled_last_hour = excluded.throttled_last_hour,
                    updated_at = excluded.updated_at
                    """,
                arguments: [
                    status.mailbox, status.state, status.reason, status.lastPass, status.nextPass, status.lastError,
                    status.skippedRecurring, status.throttledLastHour, now,
                ]
            )
        }
    }

    /// Counts for `status`: linked items, open conflicts, and activities changed in the CRM since their
    /// last sync (or never synced) that belong in the employee's mailbox.
    /// What the metrics read for every sync user at each scrape, in three queries whatever the number of
    /// mailboxes: its state, the last good pass, when it became a sync user, open conflicts and changes waiting
    /// to go out.
    public func mailboxGauges() throws -> [MailboxGauges] {
        try read { db in
            let conflicts = Dictionary(
                try Row.fetchAll(
                    db,
                    sql: "SELECT lower(mailbox) AS mailbox, count(*) AS n FROM conflicts WHERE resolved = 0 GROUP BY 1"
                ).map { ($0["mailbox"] as String, $0["n"] as Int) },
                uniquingKeysWith: +
            )
            let pending = Dictionary(
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT a.mailbox_employee AS employee, count(*) AS n FROM activities a
                        LEFT JOIN links l ON l.activity_id = a.id
                        WHERE a.type IN ('appointment', 'call', 'task') AND a.synchronize = 1
                        AND ((l.activity_id IS NULL AND a.deleted = 0) OR a.change_seq > l.synced_seq)
                        GROUP BY a.mailbox_employee
                        """
                ).map { ($0["employee"] as String, $0["n"] as Int) },
                uniquingKeysWith: +
            )
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT e.id, lower(e.mailbox) AS mailbox, e.sync_since, m.last_pass, m.state FROM employees e
                    LEFT JOIN mailboxes m ON lower(m.mailbox) = lower(e.mailbox)
                    WHERE e.sync = 1 AND e.mailbox IS NOT NULL
                    """
            ).map { row in
                let mailbox: String = row["mailbox"]
                return MailboxGauges(
                    mailbox: mailbox,
                    state: row["state"] ?? "pending",
                    lastPass: (row["last_pass"] as String?).flatMap { try? CRMTime.parse($0).get().instant },
                    syncSince: (row["sync_since"] as String?).flatMap { try? CRMTime.parse($0).get().instant },
                    openConflicts: conflicts[mailbox] ?? 0,
                    pendingLocal: pending[row["id"]] ?? 0
                )
            }
        }
    }

    public func mailboxCounts(
        mailbox: String,
        employee: String
    ) throws -> (linked: Int, openConflicts: Int, pendingLocal: Int) {
        try read { db in
            let linked =
                try Int.fetchOne(db, sql: "SELECT count(*) FROM links WHERE mailbox = ?", arguments: [mailbox]) ?? 0
            let conflicts =
                try Int.fetchOne(
                    db,
                    sql: "SELECT count(*) FROM conflicts WHERE mailbox = ? AND resolved = 0",
                    arguments: [mailbox]
                ) ?? 0
            let pending =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) FROM activities a LEFT JOIN links l ON l.activity_id = a.id
                        WHERE a.mailbox_employee = ? AND a.type IN ('appointment', 'call', 'task') AND a.synchronize = 1
                        AND ((l.activity_id IS NULL AND a.deleted = 0) OR a.change_seq > l.synced_seq)
                        """,
                    arguments: [employee]
                ) ?? 0
            return (linked, conflicts, pending)
        }
    }
}

/// One sync user's figures for the metrics (`Store.mailboxGauges`).
public struct MailboxGauges: Sendable, Equatable {
    public var mailbox: String
    /// The mailbox's state (`pending` before its first pass).
    public var state: String
    /// The last pass that went through (items may have failed in it), if any.
    public var lastPass: Date?
    /// When the employee became a sync user, if known.
    public var syncSince: Date?
    public var openConflicts: Int
    public var pendingLocal: Int
}
