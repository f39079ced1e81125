import ActivityModel
import ArgumentParser
import EWS
import EWSMailbox
import EWSTestServer
import Foundation
import Store
import SyncEngine
import SyncPlanning

/// `activity-sync demo`: the whole job against the bundled fake Exchange on loopback, in a temporary
/// store: seed a small CRM, sync, edit in "Outlook" and conflictingly in the CRM, sync again, show both sides.
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
        let settings = SyncSettings(instance: "demo", defaultZone: .gmt)
        print("Fake Exchange at \(fake.url); service account svc-crm (impersonation).")
        print("CRM store (temporary SQLite): \(store.path)\n")

        print("== Pass 1: first sync ==")
        try await Self.pass(store, client, settings, employees)
        Self.showExchange(fake, employees)

        print("\n== Meanwhile ==")
        let alice = employees[0].mailbox!
        if let item = fake.items(mailbox: alice, folder: "tasks").first {
            fake.userUpdate(
                mailbox: alice,
                itemId: item.id,
                fields: [
                    "Subject": "Call back (Outlook wording)", "Status": "InProgress",
                    "PercentComplete": "50",
                ]
            )
            print("Outlook (Alice): task renamed to 'Call back (Outlook wording)', status In Progress, 50 %")
        }
        _ = try store.updateActivity("A1") { $0.subject = "Call back about the renewal offer" }
        print("CRM: A1 renamed to 'Call back about the renewal offer' (the same field: a conflict)")
        fake.userCreate(
            mailbox: employees[1].mailbox!,
            folder: "calendar",
            kind: "CalendarItem",
            fields: [
                "Subject": "Lunch with Pat", "Start": CRMTime.format(Date().addingTimeInterval(3 * 86_400)),
                "End": CRMTime.format(Date().addingTimeInterval(3 * 86_400 + 3600)), "Categories": "CRM",
            ]
        )
        print("Outlook (Bob): new appointment 'Lunch with Pat' with category CRM")

        print("\n== Pass 2 ==")
        try await Self.pass(store, client, settings, employees)
        for conflict in try store.conflicts() {
            print(
                "conflict on \(conflict.activityId).\(conflict.field): CRM '\(conflict.crmValue ?? "")' vs Exchange "
                    + "'\(conflict.exchangeValue ?? "")' → \(conflict.winner) (\(conflict.policy))"
            )
        }
        print("\n== Both sides now ==")
        for activity in try store.activities() {
            print(
                "CRM \(activity.id) \(activity.type.rawValue): '\(activity.subject)' \(activity.status)"
                    + (activity.origin == .exchange ? " (imported from Outlook)" : "")
            )
        }
        Self.showExchange(fake, employees)
        print("\n== Pass 3: nothing left to do ==")
        try await Self.pass(store, client, settings, employees)
        print("Requests sent: \(fake.requestCount()); schema violations: \(fake.schemaViolations.count)")
    }

    static func pass(
        _ store: Store,
        _ client: EWSClient,
        _ settings: SyncSettings,
        _ employees: [Employee]
    ) async throws {
        for employee in employees {
            let report = try await MailboxSync.ews(store: store, client: client, settings: settings, employee: employee)
                .runPass()
            let actions = report.plan.actions.map(\.description)
            print("\(employee.mailbox!): " + (actions.isEmpty ? "nothing to do" : actions.joined(separator: "; ")))
        }
    }

    static func showExchange(_ fake: FakeExchange, _ employees: [Employee]) {
        for employee in employees {
            for folder in ["calendar", "tasks"] {
                for item in fake.items(mailbox: employee.mailbox!, folder: folder) {
                    print(
                        "Outlook \(employee.name) \(folder): '\(item.fields["Subject"] ?? "")'"
                            + " ActivityId=\(item.extended["ActivityId"] ?? "-") \(item.fields["Status"] ?? "")"
                    )
                }
            }
        }
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
