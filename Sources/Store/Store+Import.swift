import ActivityModel
import Foundation
import GRDB

/// What an import did.
public struct ImportSummary: Sendable, Equatable {
    /// Records written (new or changed), by kind.
    public var written: [String: Int] = [:]
    /// Records identical to what was stored (not written, no change sequence used).
    public var unchanged: Int = 0
}

extension Store {
    /// Upserts every record of the document by id: all or nothing. The first bad record stops the import, and
    /// the error names it with its position. Everything is validated on a read snapshot first, so the write
    /// transaction — which holds the store against the daemon's passes — only writes (it validates again only
    /// what changed in between).
    public func importDocument(_ document: CRMDocument) throws -> ImportSummary {
        let now = self.now  // one timestamp for the whole import
        let prepared = try read { db in try Self.prepareImport(document, db) }
        return try write { db in
            let current = try prepared.isCurrent(db) ? prepared : try Self.prepareImport(document, db)
            return try Self.applyImport(document, current, db, now: now)
        }
    }

    /// An import validated: the activities to write (canonical form) and what each replaces.
    struct PreparedImport {
        var activities: [Activity] = []
        /// Every imported activity id with the change number it had when validated (nil: new).
        var seen: [(id: String, seq: Int64?)] = []
        var unchanged = 0

        /// Whether no activity it read changed since (else it is validated again inside the write).
        func isCurrent(_ db: Database) throws -> Bool {
            let statement = try db.cachedStatement(sql: "SELECT change_seq FROM activities WHERE id = ?")
            for (id, seq) in seen where try Int64.fetchOne(statement, arguments: [id]) != seq { return false }
            return true
        }
    }

    static func prepareImport(_ document: CRMDocument, _ db: Database) throws -> PreparedImport {
        let references = OverlayReferences(document, base: DatabaseReferences(db: db))
        func refuse(_ kind: String, _ index: Int, _ error: ValidationError) -> StoreError {
            var located = error
            located.record = "\(kind)[\(index)] (\(error.record))"
            return StoreError.invalid(located)
        }
        for (index, employee) in document.employees.enumerated() {
            if let error = RecordRules.validate(employee) { throw refuse("employees", index, error) }
        }
        for (index, partner) in document.partners.enumerated() {
            if let error = RecordRules.validate(partner, references: references) {
                throw refuse("partners", index, error)
            }
        }
        for (index, contact) in document.contacts.enumerated() {
            if let error = RecordRules.validate(contact, references: references) {
                throw refuse("contacts", index, error)
            }
        }
        for (index, opportunity) in document.opportunities.enumerated() {
            if let error = RecordRules.validate(opportunity, references: references) {
                throw refuse("opportunities", index, error)
            }
        }
        for (index, template) in document.templates.enumerated() {
            if let error = RecordRules.validate(template) { throw refuse("templates", index, error) }
        }
        var prepared = PreparedImport()
        for (index, activity) in document.activities.enumerated() {
            let previous = try fetchActivity(db, activity.id)
            prepared.seen.append((activity.id, previous?.changeSeq))
            let incoming = activity.content
            if let previous, previous.content == incoming {
                prepared.unchanged += 1
                continue
            }
            switch ActivityRules.validated(incoming, previous: previous, references: references) {
            case .success(let activity): prepared.activities.append(activity)
            case .failure(let error): throw refuse("activities", index, error)
            }
        }
        return prepared
    }

    static func applyImport(
        _ document: CRMDocument,
        _ prepared: PreparedImport,
        _ db: Database,
        now: String
    ) throws -> ImportSummary {
        for employee in document.employees { try upsert(db, employee, now: now) }
        for partner in document.partners { try upsert(db, partner, now: now) }
        for contact in document.contacts { try upsert(db, contact, now: now) }
        for opportunity in document.opportunities { try upsert(db, opportunity, now: now) }
        for template in document.templates { try upsert(db, template, now: now) }
        for activity in prepared.activities {
            try insertOrReplace(db, activity, seq: try nextChangeSeq(db), origin: .local, now: now)
        }
        return ImportSummary(
            written: [
                "employees": document.employees.count, "partners": document.partners.count,
                "contacts": document.contacts.count, "opportunities": document.opportunities.count,
                "templates": document.templates.count, "activities": prepared.activities.count,
            ],
            unchanged: prepared.unchanged
        )
    }

    /// Every record, tombstoned activities included, in the import shape plus read-only bookkeeping.
    public func exportDocument() throws -> CRMDocument {
        try read { db in
            CRMDocument(
                employees: try Row.fetchAll(db, sql: "SELECT * FROM employees ORDER BY id").map(Self.employee),
                partners: try Row.fetchAll(db, sql: "SELECT * FROM partners ORDER BY id").map(Self.partner),
                contacts: try Row.fetchAll(db, sql: "SELECT * FROM contacts ORDER BY id").map(Self.contact),
                opportunities: try Row.fetchAll(db, sql: "SELECT * FROM opportunities ORDER BY id").map(
                    Self.opportunity
                ),
                templates: try Row.fetchAll(db, sql: "SELECT * FROM templates ORDER BY id").compactMap(Self.template),
                activities: try Row.fetchAll(db, sql: "SELECT * FROM activities ORDER BY id").compactMap(Self.activity)
            )
        }
    }
}
