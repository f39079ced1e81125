import GRDB

/// The store's migrations: SQL written once and never edited after it ships; changes come as new ones.
enum StoreSchema {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-records-and-sync") { db in try db.execute(sql: v1) }
        migrator.registerMigration("v2-daemon-requests") { db in try db.execute(sql: v2) }
        migrator.registerMigration("v3-back-off") { db in try db.execute(sql: v3) }
        // The linked item's DateTimeCreated (issue 10: a moved item is told from a restored older one by it).
        migrator.registerMigration("v4-link-created") { db in
            try db.execute(sql: "ALTER TABLE links ADD COLUMN created TEXT")
        }
        // Outlook items the sync skips (recurring series): counted in `status` across quiet passes (issue 12's 8).
        migrator.registerMigration("v5-skipped-items") { db in
            try db.execute(
                sql: """
                    CREATE TABLE skipped_items (mailbox TEXT NOT NULL, item_id TEXT NOT NULL, reason TEXT NOT NULL,
                    PRIMARY KEY (mailbox, item_id))
                    """
            )
        }
        // Issue 12's mapping reads items in a new form (all-day bounds, task reminders, attendees): every folder is
        // listed from the start once, so items an older release wrote wrongly are read, compared and corrected
        // once (as after an expired sync state: identities re-link, nothing is created twice).
        migrator.registerMigration("v6-relist-after-mapping-change") { db in
            try db.execute(sql: "UPDATE folder_states SET sync_state = NULL")
        }
        // An employee's own backend (issue 13: hybrid organisations, some mailboxes on Exchange Online).
        migrator.registerMigration("v7-employee-backend") { db in
            try db.execute(sql: "ALTER TABLE employees ADD COLUMN backend TEXT")
        }
        // Whether a saved cursor knows a link's item (SyncLink.listed; the soak found links to items created and
        // deleted behind a cursor that stayed). Links made before this were listed by the passes that made them.
        migrator.registerMigration("v8-link-listed") { db in
            try db.execute(sql: "ALTER TABLE links ADD COLUMN listed INTEGER NOT NULL DEFAULT 1")
        }
        // When an employee became a sync user (issue 16: a never-synced mailbox's lag counts from then, so the lag
        // alert speaks after a restart with a broken password too). Existing sync users: their last update.
        migrator.registerMigration("v9-employee-sync-since") { db in
            try db.execute(sql: "ALTER TABLE employees ADD COLUMN sync_since TEXT")
            try db.execute(sql: "UPDATE employees SET sync_since = updated_at WHERE sync = 1")
        }
        // Text facts about the store's daemon (its version, for `status`): the counters table holds integers.
        migrator.registerMigration("v10-settings") { db in
            try db.execute(sql: "CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        }
        // Open journal entries of one action across mailboxes (every pass asks for the ownership moves'): without
        // it each pass scanned the whole journal, which keeps every write of the retention period — the idle pass
        // of 1,000 mailboxes with 50 items each cost 56 CPU seconds (issue 17's benchmark).
        migrator.registerMigration("v11-journal-open-action") { db in
            try db.execute(sql: "CREATE INDEX journal_open_action ON journal(action) WHERE state <> 'done'")
        }
        // Who acted (issue 18): ops' commands (pause, resume, resync, purge, conflicts resolve) are audited with the
        // user who ran them; a resolved conflict keeps the side taken, by whom and when.
        migrator.registerMigration("v12-audit-actor") { db in
            try db.execute(sql: "ALTER TABLE audit ADD COLUMN actor TEXT")
            try db.execute(sql: "ALTER TABLE conflicts ADD COLUMN taken TEXT")
            try db.execute(sql: "ALTER TABLE conflicts ADD COLUMN resolved_by TEXT")
            try db.execute(sql: "ALTER TABLE conflicts ADD COLUMN resolved_at TEXT")
        }
        return migrator
    }

    static let v1 = """
        CREATE TABLE employees (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, mailbox TEXT COLLATE NOCASE, sync INTEGER NOT NULL DEFAULT 0,
            time_zone TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE UNIQUE INDEX employees_mailbox ON employees(mailbox) WHERE mailbox IS NOT NULL;
        CREATE TABLE partners (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, internal_rep TEXT REFERENCES employees(id),
            external_rep TEXT REFERENCES employees(id), created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE TABLE contacts (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, partner TEXT REFERENCES partners(id), email TEXT COLLATE NOCASE,
            phone TEXT, opted_out INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE INDEX contacts_email ON contacts(email);
        CREATE TABLE opportunities (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, partner TEXT REFERENCES partners(id),
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE TABLE templates (
            id TEXT PRIMARY KEY, type TEXT NOT NULL, subject TEXT NOT NULL, information TEXT, priority TEXT NOT NULL,
            due_in_days INTEGER, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);

        -- One row per activity: indexed columns for what is queried, the whole record as JSON in doc.
        -- change_seq is store-wide and strictly increasing: "what changed since N" is one index range.
        CREATE TABLE activities (
            id TEXT PRIMARY KEY, type TEXT NOT NULL, owner TEXT NOT NULL REFERENCES employees(id),
            mailbox_employee TEXT NOT NULL, synchronize INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
            deleted_at TEXT, change_seq INTEGER NOT NULL, change_origin TEXT NOT NULL,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL, doc TEXT NOT NULL);
        CREATE UNIQUE INDEX activities_change_seq ON activities(change_seq);
        CREATE INDEX activities_mailbox_employee ON activities(mailbox_employee);
        CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
        INSERT INTO counters (name, value) VALUES ('change_seq', 0);

        -- Sync bookkeeping (used by the sync engine).
        CREATE TABLE links (
            activity_id TEXT PRIMARY KEY REFERENCES activities(id) ON DELETE CASCADE,
            mailbox TEXT NOT NULL COLLATE NOCASE, folder TEXT NOT NULL, item_id TEXT NOT NULL, change_key TEXT,
            base TEXT NOT NULL, synced_seq INTEGER NOT NULL, updated_at TEXT NOT NULL);
        CREATE UNIQUE INDEX links_item ON links(mailbox, item_id);
        CREATE TABLE folder_states (
            mailbox TEXT NOT NULL COLLATE NOCASE, folder TEXT NOT NULL, sync_state TEXT, updated_at TEXT NOT NULL,
            PRIMARY KEY (mailbox, folder));
        CREATE TABLE journal (
            id INTEGER PRIMARY KEY AUTOINCREMENT, pass TEXT NOT NULL, mailbox TEXT NOT NULL COLLATE NOCASE,
            activity_id TEXT, action TEXT NOT NULL, item_id TEXT, state TEXT NOT NULL, payload TEXT,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE INDEX journal_open ON journal(mailbox, state) WHERE state <> 'done';
        CREATE TABLE conflicts (
            id INTEGER PRIMARY KEY AUTOINCREMENT, activity_id TEXT NOT NULL, mailbox TEXT NOT NULL COLLATE NOCASE,
            field TEXT NOT NULL, crm_value TEXT, exchange_value TEXT, base_value TEXT, winner TEXT NOT NULL,
            policy TEXT NOT NULL, at TEXT NOT NULL, resolved INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, pass TEXT, mailbox TEXT COLLATE NOCASE,
            activity_id TEXT, item_id TEXT, action TEXT NOT NULL, fields TEXT, winner TEXT, reason TEXT);
        CREATE INDEX audit_at ON audit(at);
        CREATE INDEX audit_activity ON audit(activity_id);
        CREATE TABLE mailboxes (
            mailbox TEXT PRIMARY KEY COLLATE NOCASE, state TEXT NOT NULL, reason TEXT, last_pass TEXT, next_pass TEXT,
            last_error TEXT, skipped_recurring INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL);
        CREATE TABLE requests (
            id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, mailbox TEXT COLLATE NOCASE, options TEXT,
            created_at TEXT NOT NULL, done_at TEXT);
        """

    /// The daemon performs ops requests (resync, purge, resume) and answers in the row; status shows
    /// how often Exchange throttled a mailbox in the last hour.
    static let v2 = """
        ALTER TABLE requests ADD COLUMN started_at TEXT;
        ALTER TABLE requests ADD COLUMN result TEXT;
        ALTER TABLE requests ADD COLUMN exit_code INTEGER;
        CREATE INDEX requests_pending ON requests(mailbox) WHERE done_at IS NULL;
        ALTER TABLE mailboxes ADD COLUMN throttled_last_hour INTEGER NOT NULL DEFAULT 0;
        """

    /// Until when Exchange asked for no requests to a mailbox, so a restart honours it too.
    static let v3 = """
        ALTER TABLE mailboxes ADD COLUMN not_before TEXT;
        """
}
