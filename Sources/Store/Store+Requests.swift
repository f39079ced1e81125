import Foundation
import GRDB

/// An ops request for the running daemon (`resync`, `purge`, `resume` while it holds the store): the
/// CLI writes it, the daemon performs it as that mailbox's next pass (so nothing else writes to the
/// mailbox meanwhile) and answers in the row; the CLI waits for the answer.
public struct OpsRequest: Sendable, Equatable {
    public var id: Int64
    /// `resync`, `purge` or `resume`.
    public var kind: String
    public var mailbox: String
    /// Flags as the CLI gave them (`allow-deletes`, `restore-deletes`, `dry-run`), comma-separated.
    public var options: String
    public var result: String?
    public var exitCode: Int?
    public var done: Bool

    public var flags: Set<String> { Set(options.split(separator: ",").map(String.init)) }
}

extension Store {
    /// Queues a request; returns its id.
    public func enqueueRequest(kind: String, mailbox: String, options: [String] = []) throws -> Int64 {
        let now = self.now
        return try write { db in
            try db.execute(
                sql: "INSERT INTO requests (kind, mailbox, options, created_at) VALUES (?, ?, ?, ?)",
                arguments: [kind, mailbox, options.sorted().joined(separator: ","), now]
            )
            return db.lastInsertedRowID
        }
    }

    /// Mailboxes with a request not yet answered.
    public func requestedMailboxes() throws -> Set<String> {
        try read { db in
            Set(
                try String.fetchAll(
                    db.cachedStatement(sql: "SELECT DISTINCT lower(mailbox) FROM requests WHERE done_at IS NULL")
                )
            )
        }
    }

    /// The oldest unanswered request for the mailbox, marked as started.
    public func takeRequest(mailbox: String) throws -> OpsRequest? {
        let now = self.now
        // Nearly every pass finds none: a read says so without taking the writer's lock (every pass did).
        let waiting = try read { db in
            try Bool.fetchOne(
                db.cachedStatement(
                    sql: "SELECT EXISTS (SELECT 1 FROM requests WHERE mailbox = ? AND done_at IS NULL)"
                ),
                arguments: [mailbox]
            ) ?? false
        }
        guard waiting else { return nil }
        return try write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT * FROM requests WHERE mailbox = ? AND done_at IS NULL ORDER BY id LIMIT 1",
                    arguments: [mailbox]
                )
            else { return nil }
            try db.execute(sql: "UPDATE requests SET started_at = ? WHERE id = ?", arguments: [now, row["id"]])
            return Self.request(row)
        }
    }

    /// Answers a request.
    public func finishRequest(_ id: Int64, result: String, exitCode: Int) throws {
        let now = self.now
        try write { db in
            try db.execute(
                sql: "UPDATE requests SET done_at = ?, result = ?, exit_code = ? WHERE id = ?",
                arguments: [now, result, exitCode, id]
            )
        }
    }

    /// Withdraws a request nobody will answer (the daemon stopped); a finished one stays as it is.
    public func withdrawRequest(_ id: Int64) throws {
        let now = self.now
        try write { db in
            try db.execute(
                sql:
                    "UPDATE requests SET done_at = ?, result = 'withdrawn', exit_code = 1 WHERE id = ? AND done_at IS NULL",
                arguments: [now, id]
            )
        }
    }

    public func request(_ id: Int64) throws -> OpsRequest? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM requests WHERE id = ?", arguments: [id]).map(Self.request)
        }
    }

    /// Mailboxes whose activities were changed in the CRM (not by the sync engine itself) after `seq`:
    /// the mailbox each activity belongs in, and the one it is linked in (an owner change leaves one).
    public func mailboxesTouched(since seq: Int64) throws -> Set<String> {
        try read { db in
            Set(
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT lower(e.mailbox) FROM activities a JOIN employees e ON e.id = a.mailbox_employee
                        WHERE a.change_seq > ? AND a.change_origin = 'local' AND e.mailbox IS NOT NULL
                        UNION
                        SELECT lower(l.mailbox) FROM activities a JOIN links l ON l.activity_id = a.id
                        WHERE a.change_seq > ? AND a.change_origin = 'local'
                        """,
                    arguments: [seq, seq]
                )
            )
        }
    }

    private static func request(_ row: Row) -> OpsRequest {
        OpsRequest(
            id: row["id"],
            kind: row["kind"],
            mailbox: row["mailbox"],
            options: row["options"] ?? "",
            result: row["result"],
            exitCode: row["exit_code"],
            done: (row["done_at"] as String?) != nil
        )
    }
}

/// The running daemon's sign of life, for `status`: its pid and when it last ticked.
public struct DaemonHeartbeat: Sendable, Equatable {
    public var pid: Int
    public var at: Date
    /// The daemon's version (nil: written by a release before it was recorded).
    public var version: String? = nil
}

extension Store {
    /// Records the daemon's pid and now (every few seconds); `stopped` clears it on a clean exit.
    public func recordHeartbeat(pid: Int, stopped: Bool = false) throws {
        let at = stopped ? 0 : Int64(Date().timeIntervalSince1970)
        try write { db in
            try Self.setCounter(db, "daemon_pid", Int64(stopped ? 0 : pid))
            try Self.setCounter(db, "daemon_heartbeat", at)
        }
    }

    /// Records the version of the daemon starting on this store (`status` shows it beside the heartbeat).
    public func recordDaemonVersion(_ version: String) throws {
        try write { db in
            try db.execute(
                sql: "INSERT INTO settings (name, value) VALUES ('daemon_version', ?) "
                    + "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                arguments: [version]
            )
        }
    }

    /// The last heartbeat, if a daemon ran and did not stop cleanly since.
    public func heartbeat() throws -> DaemonHeartbeat? {
        try read { db in
            let (pid, at) = (try Self.counter(db, "daemon_pid"), try Self.counter(db, "daemon_heartbeat"))
            guard pid > 0, at > 0 else { return nil }
            let version = try String.fetchOne(db, sql: "SELECT value FROM settings WHERE name = 'daemon_version'")
            return DaemonHeartbeat(pid: Int(pid), at: Date(timeIntervalSince1970: Double(at)), version: version)
        }
    }
}
