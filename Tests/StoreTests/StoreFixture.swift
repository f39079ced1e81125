import ActivityModel
import Foundation
import Store

/// A store in a fresh temporary file with a small CRM: two employees, a partner, contacts, an opportunity.
struct StoreFixture {
    let folder: String
    let store: Store

    init(seed: Bool = true) throws {
        folder = NSTemporaryDirectory() + "activity-sync-store-" + UUID().uuidString
        store = try Store(path: folder + "/activity-sync.sqlite", clock: { Date(timeIntervalSince1970: 1_796_000_000) })
        if seed { try Self.seed(store) }
    }

    static func seed(_ store: Store) throws {
        try store.save(Employee(id: "E1", name: "Alice Smith", mailbox: "alice@contoso.test", sync: true))
        try store.save(
            Employee(id: "E2", name: "Bob Jones", mailbox: "bob@contoso.test", sync: true, timeZone: "Europe/Berlin")
        )
        try store.save(BusinessPartner(id: "BP1", name: "Fabrikam", internalRep: "E1", externalRep: "E2"))
        try store.save(BusinessPartner(id: "BP2", name: "Northwind", internalRep: "E2"))
        try store.save(Contact(id: "C1", name: "Pat Doe", partner: "BP1", email: "pat@fabrikam.test"))
        try store.save(Contact(id: "C2", name: "Sam Roe", partner: "BP1", email: "sam@fabrikam.test", optedOut: true))
        try store.save(Opportunity(id: "O1", name: "Fabrikam renewal", partner: "BP1"))
    }

    static func task(_ id: String = "", subject: String = "Call back about renewal") -> Activity {
        var task = Activity(id: id, type: .task, subject: subject, owner: "E1")
        task.partner = "BP1"
        task.contact = "C1"
        task.opportunity = "O1"
        task.due = "2026-12-03T17:00:00+01:00"
        task.reminderMinutes = 15
        return task
    }

    static func appointment(_ id: String = "") -> Activity {
        var appointment = Activity(id: id, type: .appointment, subject: "Customer visit", owner: "E1")
        appointment.partner = "BP1"
        appointment.start = "2026-12-04T09:00:00Z"
        appointment.end = "2026-12-04T10:00:00Z"
        appointment.attendees = [Attendee(email: "pat@fabrikam.test", name: "Pat Doe")]
        return appointment
    }
}
