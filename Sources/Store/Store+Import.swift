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
    /// Upserts every record of the document by id in one transaction: all or nothing. The first bad
    /// record stops the import, and the error names it with its position.
    public func importDocument(_ document: CRMDocument) throws -> ImportSummary {
        let now = self.now  // one timestamp for the whole import
        return try write { db in
            let references = OverlayReferences(document, base: DatabaseReferences(db: db))
            var summary = ImportSummary()
            func refuse(_ kind: String, _ index: Int, _ error: ValidationError) -> StoreError {
                var located = error
                located.record = "\(kind)[\(index)] (\(error.record))"
                return StoreError.invalid(located)
            }
            for (index, employee) in document.employees.enumerated() {
                if let error = RecordRules.validate(employee) { throw refuse("employees", index, error) }
                try Self.upsert(db, employee, now: now)
            }
            for (index, partner) in document.partners.enumerated() {
                if let error = RecordRules.validate(partner, references: references) {
                    throw refuse("partners", index, error)
                }
                try Self.upsert(db, partner, now: now)
            }
            for (index, contact) in document.contacts.enumerated() {
                if let error = RecordRules.validate(contact, references: references) {
                    throw refuse("contacts", index, error)
                }
                try Self.upsert(db, contact, now: now)
            }
            for (index, opportunity) in document.opportunities.enumerated() {
                if let error = RecordRules.validate(opportunity, references: references) {
                    throw refuse("opportunities", index, error)
                }
                try Self.upsert(db, opportunity, now: now)
            }
            for (index, template) in document.templates.enumerated() {
                if let error = RecordRules.validate(template) { throw refuse("templates", index, error) }
                try Self.upsert(db, template, now: now)
            }
            summary.written = [
                "employees": document.employees.count, "partners": document.partners.count,
                "contacts": document.contacts.count, "opportunities": document.opportunities.count,
                "templates": document.templates.count,
            ]
            var activitiesWritten = 0
            for (index, activity) in document.activities.enumerated() {
                let previous = try Self.fetchActivity(db, activity.id)
                let incoming = activity.content
                if let previous, previous.content == incoming {
                    summary.unchanged += 1
                    continue
                }
                let valid: Activity
                switch ActivityRules.validated(incoming, previous: previous, references: references) {
                case .success(let activity): valid = activity
                case .failure(let error): throw refuse("activities", index, error)
                }
                try Self.insertOrReplace(db, valid, seq: try Self.nextChangeSeq(db), origin: .local, now: now)
                activitiesWritten += 1
            }
            summary.written["activities"] = activitiesWritten
            return summary
        }
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
                activities: try Row.fetchAll(db, sql: "SELECT * FROM activities ORDER BY id").map(Self.activity)
            )
        }
    }
}
