import ActivityModel
import GRDB

/// Reference lookups inside a transaction, for validation.
struct DatabaseReferences: CRMReferences {
    let db: Database

    func employee(_ id: String) -> Employee? { try? Store.fetchEmployee(db, id) }
    func partner(_ id: String) -> BusinessPartner? { try? Store.fetchPartner(db, id) }
    func contact(_ id: String) -> Contact? { try? Store.fetchContact(db, id) }
    func opportunity(_ id: String) -> Opportunity? { try? Store.fetchOpportunity(db, id) }
    func activity(_ id: String) -> Activity? { try? Store.fetchActivity(db, id) }
    func template(_ id: String) -> ActivityTemplate? { try? Store.fetchTemplate(db, id) }
    func contacts(withEmail email: String) -> [Contact] {
        (try? Row.fetchAll(db, sql: "SELECT * FROM contacts WHERE email = ?", arguments: [email]).map(Store.contact))
            ?? []
    }
}

/// The records of an import document in front of the store's, so a document may refer to its own records.
struct OverlayReferences: CRMReferences {
    let base: DatabaseReferences
    let employees: [String: Employee]
    let partners: [String: BusinessPartner]
    let contacts: [String: Contact]
    let opportunities: [String: Opportunity]
    let templates: [String: ActivityTemplate]
    /// Index into the document's activities (not copies: a bulk import holds 100,000 of them).
    let activityIndex: [String: Int]
    let documentActivities: [Activity]
    let contactsByEmail: [String: [Contact]]

    init(_ document: CRMDocument, base: DatabaseReferences) {
        self.base = base
        employees = Dictionary(document.employees.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        partners = Dictionary(document.partners.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        contacts = Dictionary(document.contacts.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        opportunities = Dictionary(document.opportunities.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        templates = Dictionary(document.templates.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        documentActivities = document.activities
        activityIndex = Dictionary(
            document.activities.indices.map { (document.activities[$0].id, $0) },
            uniquingKeysWith: { $1 }
        )
        contactsByEmail = Dictionary(grouping: document.contacts.filter { $0.email != nil }) { $0.email!.lowercased() }
    }

    func employee(_ id: String) -> Employee? { employees[id] ?? base.employee(id) }
    func partner(_ id: String) -> BusinessPartner? { partners[id] ?? base.partner(id) }
    func contact(_ id: String) -> Contact? { contacts[id] ?? base.contact(id) }
    func opportunity(_ id: String) -> Opportunity? { opportunities[id] ?? base.opportunity(id) }
    func activity(_ id: String) -> Activity? { activityIndex[id].map { documentActivities[$0] } ?? base.activity(id) }
    func template(_ id: String) -> ActivityTemplate? { templates[id] ?? base.template(id) }
    func contacts(withEmail email: String) -> [Contact] {
        let fromDocument = contactsByEmail[email.lowercased()] ?? []
        let shadowed = Set(fromDocument.map(\.id))
        return fromDocument
            + base.contacts(withEmail: email).filter { !shadowed.contains($0.id) && contacts[$0.id] == nil }
    }
}
