import ActivityModel
import Bounds
import Foundation
import GRDB
import SyncEngine
import SyncPlanning

/// Writes of the sync engine that must land together (an item's result, its new base, the folder's
/// sync state, the journal entry, the audit line) in one SQLite transaction.
public struct SyncTransaction: SyncStoreTransaction {
    let db: Database
    let now: String

    /// Creates or replaces the link of an activity.
    public func saveLink(_ link: SyncLink) throws {
        try db.executeCached(
            sql: """
                INSERT INTO links (activity_id, mailbox, folder, item_id, change_key, base, synced_seq, created,
                updated_at, listed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
                ON CONFLICT(activity_id) DO UPDATE SET mailbox = excluded.mailbox, folder = excluded.folder,
                item_id = excluded.item_id, change_key = excluded.change_key, base = excluded.base,
                synced_seq = excluded.synced_seq, created = excluded.created, updated_at = excluded.updated_at,
                listed = CASE WHEN links.item_id = excluded.item_id AND links.mailbox = excluded.mailbox
                    THEN links.listed ELSE 0 END
                """,
            arguments: [
                link.activityId, link.mailbox, link.folder.rawValue, link.itemId, link.changeKey,
                Store.encodeBase(link.base), link.syncedSeq, link.created, now,
            ]
        )
    }

    public func markListed(mailbox: String, itemIds: Set<String>) throws {
        for id in itemIds.sorted() {
            try db.executeCached(
                sql: "UPDATE links SET listed = 1 WHERE mailbox = ? AND item_id = ? AND listed = 0",
                arguments: [mailbox, id]
            )
        }
    }

    public func noteLinkCreated(activityId: String, itemId: String, created: String) throws {
        try db.executeCached(
            sql: "UPDATE links SET created = ? WHERE activity_id = ? AND item_id = ? AND created IS NULL",
            arguments: [created, activityId, itemId]
        )
    }

    /// Forgets the link of an activity.
    public func removeLink(activityId: String) throws {
        try db.executeCached(sql: "DELETE FROM links WHERE activity_id = ?", arguments: [activityId])
    }

    /// The link of an activity, as this transaction sees it.
    public func link(activityId: String) throws -> SyncLink? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT \(Store.linkColumns) FROM links WHERE activity_id = ?"),
            arguments: [activityId]
        ).map(Store.link)
    }

    /// Saves a folder's cursor, the EWS SyncState (only with the last change of its page applied).
    public func saveCursor(mailbox: String, folder: FolderKind, cursor: String?) throws {
        let state = cursor
        let folder = folder.rawValue
        try db.executeCached(
            sql: """
                INSERT INTO folder_states (mailbox, folder, sync_state, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(mailbox, folder) DO UPDATE SET sync_state = excluded.sync_state, updated_at = excluded.updated_at
                """,
            arguments: [mailbox, folder, state, now]
        )
    }

    /// Journals an intended remote write before its request is sent; returns the entry's id.
    public func journal(
        pass: String,
        mailbox: String,
        activityId: String?,
        itemId: String?,
        action: String,
        payload: String?
    ) throws -> Int64 {
        try db.executeCached(
            sql: """
                INSERT INTO journal (pass, mailbox, activity_id, item_id, action, state, payload, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, 'intended', ?, ?, ?)
                """,
            arguments: [pass, mailbox, activityId, itemId, action, payload, now, now]
        )
        return db.lastInsertedRowID
    }

    /// Moves a journal entry to a new state (with the item id, once known).
    public func markJournal(_ id: Int64, _ state: JournalEntry.State, itemId: String?) throws {
        try db.executeCached(
            sql: "UPDATE journal SET state = ?, item_id = coalesce(?, item_id), updated_at = ? WHERE id = ?",
            arguments: [state.rawValue, itemId, now, id]
        )
    }

    /// Replaces an open entry's payload.
    public func rejournal(_ id: Int64, payload: String) throws {
        try db.executeCached(
            sql: "UPDATE journal SET payload = ?, updated_at = ? WHERE id = ?",
            arguments: [payload, now, id]
        )
    }

    /// Records a conflict with both values and the policy's winner.
    public func recordConflict(_ c: SyncConflict, mailbox: String) throws {
        try db.executeCached(
            sql: """
                INSERT INTO conflicts (activity_id, mailbox, field, crm_value, exchange_value, base_value, winner, policy, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                c.activityId, mailbox, c.field.rawValue, c.crmValue, c.exchangeValue, c.baseValue, c.winner.rawValue,
                c.policy.rawValue, now,
            ]
        )
    }

    /// Appends a decision to the audit log (its time is the transaction's).
    public func audit(_ entry: AuditEntry) throws {
        try db.executeCached(
            sql: """
                INSERT INTO audit (at, pass, mailbox, activity_id, item_id, action, fields, winner, reason, actor)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                now, entry.pass, entry.mailbox, entry.activityId, entry.itemId, entry.action, entry.fields,
                entry.winner, entry.reason, entry.actor,
            ]
        )
    }

    /// Writes an activity on behalf of the sync engine (validated, tagged `sync` so it is not sent back).
    @discardableResult
    public func writeActivity(_ activity: Activity) throws -> Activity {
        let previous = try Store.fetchActivity(db, activity.id)
        if let previous, previous.content == activity.content { return previous }
        return try refusing { try Store.validateAndWrite(db, activity, previous: previous, origin: .sync, now: now) }
    }

    /// Adds an activity the engine imported (an empty id gets the next free `A<n>`).
    public func addActivity(_ activity: Activity) throws -> Activity {
        var new = activity
        if new.id.isEmpty { new.id = try Store.nextActivityId(db) }
        return try refusing { try Store.validateAndWrite(db, new, previous: nil, origin: .sync, now: now) }
    }

    public func reserveActivityId() throws -> String { try Store.nextActivityId(db) }

    /// Contacts with this e-mail address (case-insensitive).
    public func contacts(withEmail email: String) throws -> [Contact] {
        DatabaseReferences(db: db).contacts(withEmail: email)
    }

    /// The CRM's rules refusing a record are the engine's `RecordRefused`; anything else passes through.
    private func refusing<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as StoreError where error.code == .invalid {
            throw RecordRefused(error.message)
        }
    }

    /// The activity as stored, inside this transaction.
    public func activity(_ id: String) throws -> Activity? { try Store.fetchActivity(db, id) }
}

extension Store: SyncStore {
    /// Runs the sync engine's writes in one transaction: all of them land, or none.
    public func inSyncTransaction<T>(_ body: (SyncTransaction) throws -> T) throws -> T {
        let now = self.now
        return try write { db in try body(SyncTransaction(db: db, now: now)) }
    }

    public func transaction<T>(_ body: (any SyncStoreTransaction) throws -> T) throws -> T {
        try inSyncTransaction { try body($0) }
    }

    public func activities(ofMailboxEmployee employee: String) throws -> [Activity] {
        try activities(includeDeleted: true, mailboxEmployee: employee).filter {
            $0.type.isSynchronisable && $0.mailboxEmployee == employee
        }
    }

    public func cursor(mailbox: String, folder: FolderKind) throws -> String? {
        try syncState(mailbox: mailbox, folder: folder.rawValue)
    }

    public func importedItems(mailbox: String) throws -> Set<String> {
        try read { db in
            Set(
                try String.fetchAll(
                    db,
                    sql:
                        "SELECT item_id FROM audit WHERE mailbox = ? AND action = 'create-local' AND item_id IS NOT NULL",
                    arguments: [mailbox]
                )
            )
        }
    }

    public func referenceNames(of activity: Activity) throws -> [String] {
        try read { db in
            var names: [String] = []
            if let id = activity.partner { names.append(try Self.fetchPartner(db, id)?.name ?? id) }
            if let id = activity.contact { names.append(try Self.fetchContact(db, id)?.name ?? id) }
            if let id = activity.opportunity { names.append(try Self.fetchOpportunity(db, id)?.name ?? id) }
            return names
        }
    }

    /// The link of an activity.
    public func link(activityId: String) throws -> SyncLink? {
        try read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT \(Self.linkColumns) FROM links WHERE activity_id = ?"),
                arguments: [activityId]
            ).map(Self.link)
        }
    }

    /// Every link of a mailbox.
    public func links(mailbox: String) throws -> [SyncLink] {
        try read { db in
            // (A cursor: each row read in place, not copied first.)
            try Array(
                Row.fetchCursor(
                    db.cachedStatement(
                        sql: "SELECT \(Self.linkColumns) FROM links WHERE mailbox = ? ORDER BY activity_id"
                    ),
                    arguments: [mailbox]
                ).map(Self.link)
            )
        }
    }

    /// A folder's saved SyncState.
    public func syncState(mailbox: String, folder: String) throws -> String? {
        try read { db in
            try String.fetchOne(
                db.cachedStatement(sql: "SELECT sync_state FROM folder_states WHERE mailbox = ? AND folder = ?"),
                arguments: [mailbox, folder]
            )
        }
    }

    /// Journal entries of a mailbox not yet done (intended or ambiguous: to reconcile after a crash).
    public func openJournal(mailbox: String) throws -> [JournalEntry] {
        try openJournal(where: "mailbox = ?", [mailbox])
    }

    /// Journal entries of one action not yet done, whichever mailbox journalled them.
    public func openJournal(action: String) throws -> [JournalEntry] {
        try openJournal(where: "action = ?", [action])
    }

    private func openJournal(where condition: String, _ arguments: StatementArguments) throws -> [JournalEntry] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM journal WHERE \(condition) AND state <> 'done' ORDER BY id"),
                arguments: arguments
            ).map { row in
                JournalEntry(
                    id: row["id"],
                    pass: row["pass"],
                    mailbox: row["mailbox"],
                    activityId: row["activity_id"],
                    action: row["action"],
                    itemId: row["item_id"],
                    state: JournalEntry.State(rawValue: row["state"]) ?? .ambiguous,
                    payload: row["payload"]
                )
            }
        }
    }

    /// Conflicts, newest first (open ones only unless asked).
    public func conflicts(includeResolved: Bool = false) throws -> [ConflictRecord] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM conflicts \(includeResolved ? "" : "WHERE resolved = 0") ORDER BY id DESC"
            )
            .map { row in
                ConflictRecord(
                    id: row["id"],
                    activityId: row["activity_id"],
                    mailbox: row["mailbox"],
                    field: row["field"],
                    crmValue: row["crm_value"],
                    exchangeValue: row["exchange_value"],
                    baseValue: row["base_value"],
                    winner: row["winner"],
                    policy: row["policy"],
                    at: row["at"],
                    resolved: row["resolved"],
                    taken: row["taken"],
                    resolvedBy: row["resolved_by"],
                    resolvedAt: row["resolved_at"]
                )
            }
        }
    }

    /// Audit entries, oldest first, filtered by activity, mailbox and time.
    public func auditEntries(
        activityId: String? = nil,
        mailbox: String? = nil,
        since: String? = nil
    ) throws -> [AuditEntry] {
        try read { db in
            var sql = "SELECT * FROM audit WHERE 1"
            var arguments: StatementArguments = []
            if let activityId {
                sql += " AND activity_id = ?"
                arguments += [activityId]
            }
            if let mailbox {
                sql += " AND mailbox = ?"
                arguments += [mailbox]
            }
            if let since {
                sql += " AND at >= ?"
                arguments += [since]
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY id", arguments: arguments).map { row in
                AuditEntry(
                    at: row["at"],
                    pass: row["pass"],
                    mailbox: row["mailbox"],
                    activityId: row["activity_id"],
                    itemId: row["item_id"],
                    action: row["action"],
                    fields: row["fields"],
                    winner: row["winner"],
                    reason: row["reason"],
                    actor: row["actor"]
                )
            }
        }
    }

    /// The columns `link(_:)` reads, in its order: it reads by position (by name was a tenth of a pass over a
    /// mailbox of 1,000 links, each pass reading every link of its mailbox).
    static let linkColumns = "activity_id, mailbox, folder, item_id, change_key, base, synced_seq, created, listed"

    static func link(_ row: Row) -> SyncLink {
        SyncLink(
            activityId: row[0],
            mailbox: row[1],
            folder: FolderKind(rawValue: row[2]) ?? .tasks,
            itemId: row[3],
            changeKey: row[4],
            base: decodeBase(row[5]),
            syncedSeq: row[6],
            created: row[7],
            listed: row[8]
        )
    }

    /// Bases are stored as JSON with sorted keys (compared and diffed as text by ops tools).
    /// The base as JSON, keys sorted, absent fields left out — what `JSONEncoder` with `.sortedKeys` wrote (and
    /// `decodeBase` reads either), written by hand: `JSONEncoder` was an eighth of a bulk first sync's CPU.
    static func encodeBase(_ base: SyncFields) -> String {
        var out = "{"
        var first = true
        func key(_ name: String) {
            out += first ? "\"" : ",\""
            first = false
            out += name
            out += "\":"
        }
        func string(_ name: String, _ value: String?) {
            guard let value else { return }
            key(name)
            ActivityDocument.appendQuoted(value, to: &out)
        }
        func number(_ name: String, _ value: Int?) {
            guard let value else { return }
            key(name)
            out += String(value)
        }
        key("allDay")
        out += base.allDay ? "true" : "false"
        key("attendees")
        out += "["
        for (index, attendee) in base.attendees.enumerated() {
            if index > 0 { out += "," }
            ActivityDocument.appendQuoted(attendee, to: &out)
        }
        out += "]"
        string("due", base.due)
        string("end", base.end)
        string("information", base.information)
        string("location", base.location)
        if let percent = base.percentComplete {
            key("percentComplete")
            out += Bounded.text(percent)
        }
        string("priority", base.priority.rawValue)
        number("reminderDueBy", base.reminderDueBy)
        number("reminderMinutes", base.reminderMinutes)
        string("sensitivity", base.sensitivity.rawValue)
        string("showAs", base.showAs?.rawValue)
        string("start", base.start)
        string("status", base.status)
        string("subject", base.subject)
        return out + "}"
    }

    /// A base that cannot be read (written by hand, or damaged) counts as empty: every field then reads
    /// as changed on both sides, so the pair is merged without a base (conflicts recorded) — never lost.
    static func decodeBase(_ text: String) -> SyncFields {
        BaseDocument.decode(text)
            ?? (try? JSONDecoder().decode(SyncFields.self, from: Data(text.utf8)))
            ?? SyncFields(subject: "", status: "")
    }
}

extension Store {
    /// One conflict by id.
    public func conflict(_ id: Int64) throws -> ConflictRecord? {
        try conflicts(includeResolved: true).first { $0.id == id }
    }

    /// Marks a conflict resolved: the side ops took, who, when (after the chosen value was written), and audits it.
    public func markConflictResolved(_ id: Int64, taken: String, by actor: String) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE conflicts SET resolved = 1, taken = ?, resolved_by = ?, resolved_at = ? WHERE id = ?",
                arguments: [taken, actor, now, id]
            )
        }
    }
}
