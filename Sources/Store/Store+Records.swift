import ActivityModel
import GRDB

/// Employees, partners, contacts, opportunities and templates: validated upserts and reads.
extension Store {
    /// Creates or replaces an employee.
    public func save(_ employee: Employee) throws {
        if let error = RecordRules.validate(employee) { throw StoreError.invalid(error) }
        try write { db in try Self.upsert(db, employee, now: now) }
    }

    /// Creates or replaces a partner.
    public func save(_ partner: BusinessPartner) throws {
        try write { db in
            if let error = RecordRules.validate(partner, references: DatabaseReferences(db: db)) {
                throw StoreError.invalid(error)
            }
            try Self.upsert(db, partner, now: now)
        }
    }

    /// Creates or replaces a contact.
    public func save(_ contact: Contact) throws {
        try write { db in
            if let error = RecordRules.validate(contact, references: DatabaseReferences(db: db)) {
                throw StoreError.invalid(error)
            }
            try Self.upsert(db, contact, now: now)
        }
    }

    /// Creates or replaces an opportunity.
    public func save(_ opportunity: Opportunity) throws {
        try write { db in
            if let error = RecordRules.validate(opportunity, references: DatabaseReferences(db: db)) {
                throw StoreError.invalid(error)
            }
            try Self.upsert(db, opportunity, now: now)
        }
    }

    /// Creates or replaces a template.
    public func save(_ template: ActivityTemplate) throws {
        if let error = RecordRules.validate(template) { throw StoreError.invalid(error) }
        try write { db in try Self.upsert(db, template, now: now) }
    }

    /// All employees, by id.
    public func employees() throws -> [Employee] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM employees ORDER BY id").map(Self.employee) }
    }
    /// All partners, by id.
    public func partners() throws -> [BusinessPartner] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM partners ORDER BY id").map(Self.partner) }
    }
    /// All contacts, by id.
    public func contacts() throws -> [Contact] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM contacts ORDER BY id").map(Self.contact) }
    }
    /// All opportunities, by id.
    public func opportunities() throws -> [Opportunity] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM opportunities ORDER BY id").map(Self.opportunity) }
    }
    /// All templates, by id.
    public func templates() throws -> [ActivityTemplate] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM templates ORDER BY id").compactMap(Self.template) }
    }

    /// Contacts whose e-mail matches, case-insensitively (indexed).
    public func contacts(withEmail email: String) throws -> [Contact] {
        try read { db in DatabaseReferences(db: db).contacts(withEmail: email) }
    }

    /// One employee.
    public func employee(_ id: String) throws -> Employee? { try read { try Self.fetchEmployee($0, id) } }
    /// One partner.
    public func partner(_ id: String) throws -> BusinessPartner? { try read { try Self.fetchPartner($0, id) } }
    /// One contact.
    public func contact(_ id: String) throws -> Contact? { try read { try Self.fetchContact($0, id) } }
    /// One opportunity.
    public func opportunity(_ id: String) throws -> Opportunity? { try read { try Self.fetchOpportunity($0, id) } }
    /// One template.
    public func template(_ id: String) throws -> ActivityTemplate? { try read { try Self.fetchTemplate($0, id) } }

    // MARK: - Rows

    static func fetchEmployee(_ db: Database, _ id: String) throws -> Employee? {
        try Row.fetchOne(db, sql: "SELECT * FROM employees WHERE id = ?", arguments: [id]).map(employee)
    }
    static func fetchPartner(_ db: Database, _ id: String) throws -> BusinessPartner? {
        try Row.fetchOne(db, sql: "SELECT * FROM partners WHERE id = ?", arguments: [id]).map(partner)
    }
    static func fetchContact(_ db: Database, _ id: String) throws -> Contact? {
        try Row.fetchOne(db, sql: "SELECT * FROM contacts WHERE id = ?", arguments: [id]).map(contact)
    }
    static func fetchOpportunity(_ db: Database, _ id: String) throws -> Opportunity? {
        try Row.fetchOne(db, sql: "SELECT * FROM opportunities WHERE id = ?", arguments: [id]).map(opportunity)
    }
    static func fetchTemplate(_ db: Database, _ id: String) throws -> ActivityTemplate? {
        try Row.fetchOne(db, sql: "SELECT * FROM templates WHERE id = ?", arguments: [id]).flatMap(template)
    }

    static func employee(_ row: Row) -> Employee {
        Employee(
            id: row["id"],
            name: row["name"],
            mailbox: row["mailbox"],
            sync: row["sync"],
            timeZone: row["time_zone"],
            backend: row["backend"]
        )
    }
    static func partner(_ row: Row) -> BusinessPartner {
        BusinessPartner(
            id: row["id"],
            name: row["name"],
            internalRep: row["internal_rep"],
            externalRep: row["external_rep"]
        )
    }
    static func contact(_ row: Row) -> Contact {
        Contact(
            id: row["id"],
            name: row["name"],
            partner: row["partner"],
            email: row["email"],
            phone: row["phone"],
            optedOut: row["opted_out"]
        )
    }
    static func opportunity(_ row: Row) -> Opportunity {
        Opportunity(id: row["id"], name: row["name"], partner: row["partner"])
    }
    static func template(_ row: Row) -> ActivityTemplate? {
        guard let type = ActivityType(rawValue: row["type"]), let priority = Priority(rawValue: row["priority"]) else {
            return nil
        }
        return ActivityTemplate(
            id: row["id"],
            type: type,
            subject: row["subject"],
            information: row["information"],
            priority: priority,
            dueInDays: row["due_in_days"]
        )
    }

    static func upsert(_ db: Database, _ e: Employee, now: String) throws {
        try db.execute(
            sql: """
                INSERT INTO employees (id, name, mailbox, sync, time_zone, backend, created_at, updated_at, sync_since)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET name = excluded.name, mailbox = excluded.mailbox, sync = excluded.sync,
                time_zone = excluded.time_zone, backend = excluded.backend, updated_at = excluded.updated_at,
                sync_since = CASE WHEN excluded.sync = 0 THEN NULL WHEN employees.sync = 1 THEN employees.sync_since
                ELSE excluded.sync_since END
                """,
            arguments: [e.id, e.name, e.mailbox, e.sync, e.timeZone, e.backend, now, now, e.sync ? now : nil]
        )
    }
    static func upsert(_ db: Database, _ p: BusinessPartner, now: String) throws {
        try db.execute(
            sql: """
                INSERT INTO partners (id, name, internal_rep, external_rep, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET name = excluded.name, internal_rep = excluded.internal_rep,
                external_rep = excluded.external_rep, updated_at = excluded.updated_at
                """,
            arguments: [p.id, p.name, p.internalRep, p.externalRep, now, now]
        )
    }
    static func upsert(_ db: Database, _ c: Contact, now: String) throws {
        try db.execute(
            sql: """
                INSERT INTO contacts (id, name, partner, email, phone, opted_out, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET name = excluded.name, partner = excluded.partner, email = excluded.email,
                phone = excluded.phone, opted_out = excluded.opted_out, updated_at = excluded.updated_at
                """,
            arguments: [c.id, c.name, c.partner, c.email, c.phone, c.optedOut, now, now]
        )
    }
    static func upsert(_ db: Database, _ o: Opportunity, now: String) throws {
        try db.execute(
            sql: """
                INSERT INTO opportunities (id, name, partner, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET name = excluded.name, partner = excluded.partner, updated_at = excluded.updated_at
                """,
            arguments: [o.id, o.name, o.partner, now, now]
        )
    }
    static func upsert(_ db: Database, _ t: ActivityTemplate, now: String) throws {
        try db.execute(
            sql: """
                INSERT INTO templates (id, type, subject, information, priority, due_in_days, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET type = excluded.type, subject = excluded.subject,
                information = excluded.information, priority = excluded.priority, due_in_days = excluded.due_in_days,
                updated_at = excluded.updated_at
                """,
            arguments: [t.id, t.type.rawValue, t.subject, t.information, t.priority.rawValue, t.dueInDays, now, now]
        )
    }
}
