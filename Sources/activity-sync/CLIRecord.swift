import ActivityModel
import Store

/// What `list`, `show`, `add` and `update` need of a record kind, so the four record commands share one
/// implementation of each.
protocol CLIRecord: Encodable {
    static var kind: String { get }
    static var columns: [String] { get }
    var id: String { get }
    var row: [String] { get }
    var fields: [(String, String?)] { get }
    static func all(in store: Store) throws -> [Self]
    static func one(_ id: String, in store: Store) throws -> Self?
    func save(in store: Store) throws
}

extension CLIRecord {
    static func list(_ global: GlobalOptions, json: Bool) throws {
        let store = try global.openStore()
        let records = CLI.run { try all(in: store) }.sorted { NaturalOrder.less($0.id, $1.id) }
        if json { return CLI.printJSON(records) }
        CLI.printTable(columns, records.map(\.row))
    }

    static func show(_ id: String, _ global: GlobalOptions, json: Bool) throws {
        let store = try global.openStore()
        guard let record = CLI.run({ try one(id, in: store) }) else { CLI.fail("no \(kind) \(id)") }
        if json { return CLI.printJSON(record) }
        CLI.printFields(record.fields)
    }

    /// Creates (`existing: false`) or changes a record; `apply` sets the options given.
    static func write(
        _ id: String,
        _ global: GlobalOptions,
        create: Bool,
        blank: Self,
        apply: (inout Self) -> Void
    ) throws {
        let store = try global.openStore()
        var record: Self
        if create {
            if CLI.run({ try one(id, in: store) }) != nil { CLI.fail("\(kind) \(id) already exists; use update") }
            record = blank
        } else {
            guard let existing = CLI.run({ try one(id, in: store) }) else { CLI.fail("no \(kind) \(id)") }
            record = existing
        }
        apply(&record)
        CLI.run { try record.save(in: store) }
        CLI.print(create ? id : "\(kind) \(id) updated")
    }
}

extension Employee: CLIRecord {
    static let kind = "employee"
    static let columns = ["ID", "NAME", "MAILBOX", "SYNC", "TIME ZONE", "BACKEND"]
    var row: [String] {
        [id, name, mailbox ?? "-", sync ? "yes" : "no", timeZone ?? "(default)", backend ?? "(default)"]
    }
    var fields: [(String, String?)] {
        [
            ("id", id), ("name", name), ("mailbox", mailbox), ("sync", sync ? "yes" : "no"), ("time_zone", timeZone),
            ("backend", backend),
        ]
    }
    static func all(in store: Store) throws -> [Employee] { try store.employees() }
    static func one(_ id: String, in store: Store) throws -> Employee? { try store.employee(id) }
    func save(in store: Store) throws { try store.save(self) }
}

extension BusinessPartner: CLIRecord {
    static let kind = "partner"
    static let columns = ["ID", "NAME", "INTERNAL REP", "EXTERNAL REP"]
    var row: [String] { [id, name, internalRep ?? "-", externalRep ?? "-"] }
    var fields: [(String, String?)] {
        [("id", id), ("name", name), ("internal_rep", internalRep), ("external_rep", externalRep)]
    }
    static func all(in store: Store) throws -> [BusinessPartner] { try store.partners() }
    static func one(_ id: String, in store: Store) throws -> BusinessPartner? { try store.partner(id) }
    func save(in store: Store) throws { try store.save(self) }
}

extension Contact: CLIRecord {
    static let kind = "contact"
    static let columns = ["ID", "NAME", "PARTNER", "EMAIL", "PHONE", "OPTED OUT"]
    var row: [String] { [id, name, partner ?? "-", email ?? "-", phone ?? "-", optedOut ? "yes" : "no"] }
    var fields: [(String, String?)] {
        [
            ("id", id), ("name", name), ("partner", partner), ("email", email), ("phone", phone),
            ("opted_out", optedOut ? "yes" : "no"),
        ]
    }
    static func all(in store: Store) throws -> [Contact] { try store.contacts() }
    static func one(_ id: String, in store: Store) throws -> Contact? { try store.contact(id) }
    func save(in store: Store) throws { try store.save(self) }
}

extension Opportunity: CLIRecord {
    static let kind = "opportunity"
    static let columns = ["ID", "NAME", "PARTNER"]
    var row: [String] { [id, name, partner ?? "-"] }
    var fields: [(String, String?)] { [("id", id), ("name", name), ("partner", partner)] }
    static func all(in store: Store) throws -> [Opportunity] { try store.opportunities() }
    static func one(_ id: String, in store: Store) throws -> Opportunity? { try store.opportunity(id) }
    func save(in store: Store) throws { try store.save(self) }
}

extension ActivityTemplate: CLIRecord {
    static let kind = "template"
    static let columns = ["ID", "TYPE", "SUBJECT", "PRIORITY", "DUE IN DAYS"]
    var row: [String] { [id, type.rawValue, subject, priority.rawValue, dueInDays.map(String.init) ?? "-"] }
    var fields: [(String, String?)] {
        [
            ("id", id), ("type", type.rawValue), ("subject", subject), ("information", information),
            ("priority", priority.rawValue), ("due_in_days", dueInDays.map(String.init)),
        ]
    }
    static func all(in store: Store) throws -> [ActivityTemplate] { try store.templates() }
    static func one(_ id: String, in store: Store) throws -> ActivityTemplate? { try store.template(id) }
    func save(in store: Store) throws { try store.save(self) }
}
