import ActivityModel
import Foundation
import GRDB

/// One activity as it changed: the record and who changed it.
public struct ActivityChange: Sendable, Equatable {
    /// The activity as it is now (tombstones included).
    public var activity: Activity
    /// Its change sequence number.
    public var seq: Int64
    /// Local (CLI, import) or sync-engine write.
    public var origin: ChangeOrigin
}

extension Store {
    /// Adds a new activity (an empty id gets the next free `A<n>`); returns it as stored.
    public func addActivity(_ activity: Activity, origin: ChangeOrigin = .local) throws -> Activity {
        try write { db in
            var new = activity
            if new.id.isEmpty { new.id = try Self.nextActivityId(db) }
            if try Self.fetchActivity(db, new.id) != nil {
                throw StoreError(.invalid, "activity \(new.id) already exists (ids are never reused)")
            }
            return try Self.validateAndWrite(db, new, previous: nil, origin: origin, now: now)
        }
    }

    /// Changes an activity in one transaction; the change is validated against the stored version.
    public func updateActivity(
        _ id: String,
        origin: ChangeOrigin = .local,
        _ change: (inout Activity) throws -> Void
    ) throws -> Activity {
        try write { db in
            guard let previous = try Self.fetchActivity(db, id) else {
                throw StoreError(.notFound, "no activity \(id)")
            }
            var updated = previous
            try change(&updated)
            updated.id = id
            if updated.content == previous.content { return previous }
            return try Self.validateAndWrite(db, updated, previous: previous, origin: origin, now: now)
        }
    }

    /// Tombstones an activity (restorable); deleting a tombstone changes nothing.
    @discardableResult
    public func deleteActivity(_ id: String, origin: ChangeOrigin = .local) throws -> Activity {
        try setDeleted(id, true, origin: origin)
    }

    /// Restores a tombstoned activity.
    @discardableResult
    public func restoreActivity(_ id: String, origin: ChangeOrigin = .local) throws -> Activity {
        try setDeleted(id, false, origin: origin)
    }

    /// One activity, tombstoned ones included.
    public func activity(_ id: String) throws -> Activity? { try read { try Self.fetchActivity($0, id) } }

    /// Activities by id, without tombstones unless asked.
    public func activities(
        includeDeleted: Bool = false,
        type: ActivityType? = nil,
        owner: String? = nil,
        mailboxEmployee: String? = nil
    ) throws -> [Activity] {
        try read { db in
            var sql = "SELECT * FROM activities WHERE 1"
            var arguments: StatementArguments = []
            if !includeDeleted { sql += " AND deleted = 0" }
            if let type {
                sql += " AND type = ?"
                arguments += [type.rawValue]
            }
            if let owner {
                sql += " AND owner = ?"
                arguments += [owner]
            }
            // The sync engine's per-mailbox read: an index range, not a scan of the whole CRM.
            if let mailboxEmployee {
                sql += " AND mailbox_employee = ?"
                arguments += [mailboxEmployee]
            }
            return try Array(
                Row.fetchCursor(db.cachedStatement(sql: sql + " ORDER BY id"), arguments: arguments).compactMap(
                    Self.activity
                )
            )
        }
    }

    /// Every activity changed after `seq`, in change order: one indexed range read.
    public func changes(since seq: Int64, limit: Int = Int.max) throws -> [ActivityChange] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM activities WHERE change_seq > ? ORDER BY change_seq LIMIT ?",
                arguments: [seq, limit]
            ).compactMap { row in
                guard let activity = Self.activity(row) else { return nil }
                return ActivityChange(
                    activity: activity,
                    seq: row["change_seq"],
                    origin: ChangeOrigin(rawValue: row["change_origin"]) ?? .local
                )
            }
        }
    }

    /// Activities whose stored record cannot be read (a damaged store): every list leaves them out; `activity
    /// list` and `export` name them, and sync passes leave their pairs alone and report them as failures.
    public func unreadableActivities() throws -> [String] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM activities ORDER BY id").compactMap { row in
                Self.activity(row) == nil ? row["id"] as String : nil
            }
        }
    }

    /// The highest change sequence handed out so far.
    public func changeSequence() throws -> Int64 {
        try read { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT value FROM counters WHERE name = 'change_seq'")) ?? 0
        }
    }

    /// Creates the follow-up of an activity.
    /// `configure` sets what the follow-up does not inherit (its start, due time, status…).
    public func followUp(
        from originId: String,
        type: ActivityType,
        id: String? = nil,
        subject: String? = nil,
        owner: String? = nil,
        configure: (inout Activity) throws -> Void = { _ in }
    ) throws -> Activity {
        try write { db in
            guard let origin = try Self.fetchActivity(db, originId) else {
                throw StoreError(.notFound, "no activity \(originId)")
            }
            guard FollowUp.types.contains(type) else {
                throw StoreError(
                    .invalid,
                    "type '\(type.rawValue)': a follow-up is a call, task, appointment or e-mail"
                )
            }
            let newId = try id ?? Self.nextActivityId(db)
            if try Self.fetchActivity(db, newId) != nil {
                throw StoreError(.invalid, "activity \(newId) already exists")
            }
            var followUp = FollowUp.make(from: origin, type: type, id: newId, subject: subject, owner: owner)
            try configure(&followUp)
            return try Self.validateAndWrite(db, followUp, previous: nil, origin: .local, now: now)
        }
    }

    /// Global addition from a template; with `simulate` nothing is written and the would-be activities
    /// (with the ids they would get) are returned.
    public func generate(
        template templateId: String,
        targets: GlobalAddition.Targets,
        assign: GlobalAddition.AssignRule,
        owner: String,
        simulate: Bool
    ) throws -> [Activity] {
        let body: (Database) throws -> [Activity] = { db in
            guard let template = try Self.fetchTemplate(db, templateId) else {
                throw StoreError(.notFound, "no template \(templateId)")
            }
            let references = DatabaseReferences(db: db)
            var nextNumber = try Self.peekActivityNumber(db)
            var ids: [String] = []
            let plan = GlobalAddition.plan(
                template: template,
                targets: targets,
                assign: assign,
                owner: owner,
                now: self.clock(),
                references: references
            ) { _ in
                while true {
                    nextNumber += 1
                    let id = "A\(nextNumber)"
                    if (try? Self.fetchActivity(db, id)) == nil, !ids.contains(id) {
                        ids.append(id)
                        return id
                    }
                }
            }
            let activities = try plan.mapError(StoreError.invalid).get()
            var written: [Activity] = []
            for activity in activities {
                let result = ActivityRules.validated(activity, references: references)
                let valid = try result.mapError(StoreError.invalid).get()
                written.append(simulate ? valid : try Self.write(db, valid, origin: .local, now: self.now))
            }
            if !simulate { try Self.setCounter(db, "activity_id", nextNumber) }
            return written
        }
        if simulate { return try read(body) }
        return try write(body)
    }

    // MARK: - Internals

    private func setDeleted(_ id: String, _ deleted: Bool, origin: ChangeOrigin) throws -> Activity {
        try write { db in
            guard var activity = try Self.fetchActivity(db, id) else {
                throw StoreError(.notFound, "no activity \(id)")
            }
            if activity.deleted == deleted { return activity }
            activity.deleted = deleted
            return try Self.write(db, activity, origin: origin, now: now)
        }
    }

    static func validateAndWrite(
        _ db: Database,
        _ activity: Activity,
        previous: Activity?,
        origin: ChangeOrigin,
        now: String
    ) throws -> Activity {
        let valid = try ActivityRules.validated(activity, previous: previous, references: DatabaseReferences(db: db))
            .mapError(StoreError.invalid).get()
        return try write(db, valid, origin: origin, now: now)
    }

    /// Writes an already validated activity with the next change sequence number.
    static func write(_ db: Database, _ activity: Activity, origin: ChangeOrigin, now: String) throws -> Activity {
        try insertOrReplace(db, activity, seq: try Self.nextChangeSeq(db), origin: origin, now: now)
        return try fetchActivity(db, activity.id)!
    }

    static func insertOrReplace(_ db: Database, _ a: Activity, seq: Int64, origin: ChangeOrigin, now: String) throws {
        let doc = ActivityDocument.encode(a)
        try db.cachedStatement(
            sql: """
                INSERT INTO activities (id, type, owner, mailbox_employee, synchronize, deleted, deleted_at, change_seq,
                change_origin, created_at, updated_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET type = excluded.type, owner = excluded.owner,
                mailbox_employee = excluded.mailbox_employee, synchronize = excluded.synchronize,
                deleted = excluded.deleted,
                deleted_at = CASE WHEN excluded.deleted THEN coalesce(activities.deleted_at, excluded.updated_at) END,
                change_seq = excluded.change_seq, change_origin = excluded.change_origin,
                updated_at = excluded.updated_at, doc = excluded.doc
                """
        ).execute(arguments: [
            a.id, a.type.rawValue, a.owner, a.mailboxEmployee, a.synchronize, a.deleted, a.deleted ? now : nil, seq,
            origin.rawValue, now, now, doc,
        ])
    }

    /// The next store-wide change sequence number (inside the caller's transaction).
    static func nextChangeSeq(_ db: Database) throws -> Int64 {
        let statement = try db.cachedStatement(
            sql: "UPDATE counters SET value = value + 1 WHERE name = 'change_seq' RETURNING value"
        )
        guard let seq = try Int64.fetchOne(statement) else { throw StoreError(.database, "change counter missing") }
        return seq
    }

    static func fetchActivity(_ db: Database, _ id: String) throws -> Activity? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM activities WHERE id = ?"), arguments: [id]).map {
            try readActivity($0)
        }
    }

    /// The row's activity, or nil when its record cannot be read (a corrupt store): lists skip it, and
    /// `unreadableActivities` names it.
    static func activity(_ row: Row) -> Activity? { try? readActivity(row) }

    /// The row's activity; a record that cannot be read throws, naming it (one bad row must not stop the rest).
    static func readActivity(_ row: Row) throws -> Activity {
        let id: String = row["id"]
        guard let doc = row["doc"] as String?, var activity = try? ActivityDocument.decode(doc), activity.id == id
        else {
            throw StoreError(
                .corrupt,
                "activity \(id): its stored record is unreadable (the store is damaged; the other activities are "
                    + "not): stop the daemon and put back the store from the last `activity-sync backup`"
            )
        }
        activity.deleted = row["deleted"]
        activity.changeSeq = row["change_seq"]
        activity.createdAt = row["created_at"]
        activity.updatedAt = row["updated_at"]
        return activity
    }

    static func nextActivityId(_ db: Database) throws -> String {
        var number = try peekActivityNumber(db)
        while true {
            number += 1
            if try fetchActivity(db, "A\(number)") == nil { break }
        }
        try setCounter(db, "activity_id", number)
        return "A\(number)"
    }

    static func peekActivityNumber(_ db: Database) throws -> Int64 { try counter(db, "activity_id") }

    static func counter(_ db: Database, _ name: String) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT value FROM counters WHERE name = ?", arguments: [name]) ?? 0
    }

    static func setCounter(_ db: Database, _ name: String, _ value: Int64) throws {
        try db.execute(
            sql:
                "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            arguments: [name, value]
        )
    }
}
