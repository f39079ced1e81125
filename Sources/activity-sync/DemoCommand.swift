import ActivityModel
import ArgumentParser
import EWS
import EWSTestServer
import Foundation
import Store
import SyncPlanning

/// `activity-sync demo`: the job against the bundled fake Exchange on loopback, in a temporary store.
///
/// For now it stops at the plan: it reaches every mailbox, reads its folders' changes from the start,
/// and prints what the first pass would do. Executing the plan is the sync engine's next step.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run against the bundled fake Exchange on 127.0.0.1 (never reads /etc or the configured store)."
    )

    func run() async throws {
        let folder = NSTemporaryDirectory() + "activity-sync-demo-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try Store(path: folder + "/activity-sync.sqlite")
        try Self.seed(store)
        let fake = try FakeExchange()
        try fake.start()
        defer { fake.stop() }
        let employees = try store.employees().filter(\.sync)
        fake.addAccount(
            .init(
                username: "svc-crm",
                password: "demo-password",
                mayImpersonate: Set(employees.compactMap(\.mailbox))
            )
        )
        for employee in employees { fake.addMailbox(employee.mailbox!) }
        let client = EWSClient(
            configuration: EWSConfiguration(
                url: fake.url,
                credentials: .basic(username: "svc-crm", password: "demo-password")
            )
        )
        print("Fake Exchange at \(fake.url); service account svc-crm (impersonation).")
        print("CRM store (temporary): \(store.path)\n")
        let activities = try store.activities()
        for employee in employees {
            try await Self.show(employee, activities: activities, client: client)
        }
        let kept = activities.filter { !$0.type.isSynchronisable }.map { "\($0.id) (\($0.type.rawValue))" }
        print("Stay in the CRM (never synchronised): \(kept.joined(separator: ", "))")
        print("\nRequests sent: \(fake.requestCount()); schema violations: \(fake.schemaViolations.count)")
        print("This release plans the first pass; executing it comes with the sync engine.")
    }

    static func show(_ employee: Employee, activities: [Activity], client: EWSClient) async throws {
        let mailbox = employee.mailbox!
        let zone = TimeZone(identifier: employee.timeZone ?? "UTC") ?? .gmt
        print(
            "\(employee.name) <\(mailbox)>, \(employee.timeZone ?? "UTC") (\(WindowsTimeZone.id(forIANA: zone.identifier) ?? "UTC")):"
        )
        var items: [ExchangeSide] = []
        for (folder, kind) in [(EWSFolder.calendar, ItemKind.calendarItem), (.tasks, .task)] {
            let page = try await client.syncFolderItems(folder, mailbox: mailbox, syncState: nil, shape: .idOnly)
            print("  \(kind == .task ? "tasks" : "calendar"): \(page.changes.count) items in Exchange")
            items += page.changes.compactMap { change in
                guard case .created(let item) = change, let id = item.itemId?.id else { return nil }
                return ExchangeSide(itemId: id, kind: kind, fields: SyncFields(subject: item.subject ?? "", status: ""))
            }
        }
        let mine = activities.filter { $0.type.isSynchronisable && $0.mailboxEmployee == employee.id }
        let pairs =
            mine.map { activity in
                PairObservation(
                    crm: CRMSide(activityId: activity.id, fields: SyncFields(activity: activity, zone: zone)),
                    exchange: nil
                )
            } + items.map { PairObservation(crm: nil, exchange: $0) }
        let plan = SyncPlanner.makePlan(pairs, policy: SyncPolicy())
        print("  first pass would do:")
        for action in plan.actions {
            guard case .createRemote(let id, let fields) = action else {
                print("    \(action)")
                continue
            }
            let when = fields.start ?? fields.due.map { "due \($0)" } ?? ""
            print("    create in Exchange: \(id) \"\(fields.subject)\" \(when)")
        }
        print("")
    }

    /// A small CRM: two sync users, a partner with contacts, and activities of every type.
    static func seed(_ store: Store) throws {
        try store.save(
            Employee(
                id: "E1",
                name: "Alice Smith",
                mailbox: "alice@contoso.test",
                sync: true,
                timeZone: "Europe/Amsterdam"
            )
        )
        try store.save(
            Employee(id: "E2", name: "Bob Jones", mailbox: "bob@contoso.test", sync: true, timeZone: "America/New_York")
        )
        try store.save(BusinessPartner(id: "BP1", name: "Fabrikam", internalRep: "E1", externalRep: "E2"))
        try store.save(Contact(id: "C1", name: "Pat Doe", partner: "BP1", email: "pat@fabrikam.test"))
        try store.save(Opportunity(id: "O1", name: "Fabrikam renewal", partner: "BP1"))
        let soon = Date().addingTimeInterval(2 * 86_400)
        var task = Activity(id: "A1", type: .task, subject: "Call back about renewal", owner: "E1")
        task.partner = "BP1"
        task.contact = "C1"
        task.opportunity = "O1"
        task.due = CRMTime.format(soon)
        _ = try store.addActivity(task)
        var visit = Activity(id: "A2", type: .appointment, subject: "Customer visit", owner: "E1")
        visit.partner = "BP1"
        visit.start = CRMTime.format(soon)
        visit.end = CRMTime.format(soon.addingTimeInterval(3600))
        visit.attendees = [Attendee(email: "pat@fabrikam.test", name: "Pat Doe")]
        _ = try store.addActivity(visit)
        var call = Activity(id: "A3", type: .call, subject: "Follow-up call", owner: "E2")
        call.start = CRMTime.format(soon.addingTimeInterval(86_400))
        call.durationMinutes = 15
        call.direction = "outgoing"
        _ = try store.addActivity(call)
        var mailing = Activity(id: "A4", type: .mailing, subject: "Price list 2027", owner: "E2")
        mailing.date = CRMTime.format(soon)
        _ = try store.addActivity(mailing)
    }
}
