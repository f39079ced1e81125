import ActivityModel
import ArgumentParser
import EWS
import EWSMailbox
import EWSTestServer
import Foundation
import Graph
import GraphMailbox
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
        // Bob's mailbox is on Exchange Online: the fake Microsoft Graph serves it (a hybrid organisation).
        let graphFake = try FakeGraph()
        try graphFake.start()
        defer { graphFake.stop() }
        let employees = try store.employees().filter(\.sync)
        fake.addAccount(
            .init(
                username: "svc-crm",
                password: "demo-password",
                mayImpersonate: Set(employees.filter { $0.backend != "graph" }.compactMap(\.mailbox))
            )
        )
        for employee in employees {
            if employee.backend == "graph" {
                graphFake.addMailbox(employee.mailbox!)
            } else {
                fake.addMailbox(employee.mailbox!)
            }
        }
        graphFake.addClient(id: "demo-app", secret: "demo-secret")
        let clients = Clients(
            ews: EWSClient(
                configuration: EWSConfiguration(
                    url: fake.url,
                    credentials: .basic(username: "svc-crm", password: "demo-password")
                )
            ),
            graph: GraphClient(
                configuration: GraphConfiguration(
                    baseURL: graphFake.baseURL,
                    tokenURL: graphFake.tokenURL,
                    clientId: "demo-app",
                    credential: .secret("demo-secret")
                )
            )
        )
        let settings = SyncSettings(instance: "demo", defaultZone: .gmt)
        print("Fake Exchange (EWS) at \(fake.url); service account svc-crm (impersonation): Alice.")
        print("Fake Microsoft Graph at \(graphFake.baseURL); app-only client demo-app: Bob.")
        print("CRM store (temporary SQLite): \(store.path)\n")

        print("== Pass 1: first sync ==")
        try await Self.pass(store, clients, settings, employees)
        Self.showExchange(fake, graphFake, employees)

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
        graphFake.userCreateEvent(
            mailbox: employees[1].mailbox!,
            subject: "Lunch with Pat",
            start: Date().addingTimeInterval(3 * 86_400),
            end: Date().addingTimeInterval(3 * 86_400 + 3600),
            extra: ["categories": ["CRM"]]
        )
        print("Outlook (Bob, Exchange Online): new appointment 'Lunch with Pat' with category CRM")
        if let task = graphFake.todoTasks(mailbox: employees[1].mailbox!).first, let id = task["id"] as? String {
            graphFake.userUpdateTodoTask(mailbox: employees[1].mailbox!, id: id, properties: ["status": "completed"])
            print("Microsoft To Do (Bob): '\(task["title"] as? String ?? "")' marked completed")
        }

        print("\n== Pass 2 ==")
        try await Self.pass(store, clients, settings, employees)
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
        Self.showExchange(fake, graphFake, employees)
        print("\n== Pass 3: nothing left to do ==")
        try await Self.pass(store, clients, settings, employees)
        print(
            "Requests sent: EWS \(fake.requestCount()), Graph \(graphFake.requests.count); schema violations: "
                + "EWS \(fake.schemaViolations.count), Graph \(graphFake.violations.count); "
                + "meeting mail sent by Graph: \(graphFake.meetingMail.count)"
        )
    }

    struct Clients {
        var ews: EWSClient
        var graph: GraphClient
    }

    static func pass(
        _ store: Store,
        _ clients: Clients,
        _ settings: SyncSettings,
        _ employees: [Employee]
    ) async throws {
        for employee in employees {
            let sync =
                employee.backend == "graph"
                ? MailboxSync.graph(store: store, client: clients.graph, settings: settings, employee: employee)
                : MailboxSync.ews(store: store, client: clients.ews, settings: settings, employee: employee)
            let report = try await sync.runPass()
            // (As a pass prints it: one line per action naming the activity, the totals last.)
            if report.plan.actions.isEmpty {
                print("\(employee.mailbox!): nothing to do")
                continue
            }
            let text = PlanText(dryRun: false) { try? store.activity($0) }
            print("\(employee.mailbox!): \(text.head(report.plan.actions.count))")
            for action in report.plan.actions { print("  " + text.line(action)) }
            print("  " + text.totals(report.plan.actions))
        }
    }

    static func showExchange(_ fake: FakeExchange, _ graph: FakeGraph, _ employees: [Employee]) {
        for employee in employees {
            if employee.backend == "graph" {
                for event in graph.events(mailbox: employee.mailbox!) {
                    let identity = (event["singleValueExtendedProperties"] as? [[String: Any]] ?? []).first {
                        ($0["id"] as? String)?.hasSuffix("Name ActivityId") == true
                    }
                    print(
                        "Outlook \(employee.name) calendar (Graph): '\(event["subject"] as? String ?? "")'"
                            + " ActivityId=\(identity?["value"] as? String ?? "-")"
                    )
                }
                for task in graph.todoTasks(mailbox: employee.mailbox!) {
                    let identity = (task["extensions"] as? [[String: Any]])?.first
                    let due = (task["dueDateTime"] as? [String: String])?["dateTime"].map { " due \($0.prefix(10))" }
                    print(
                        "To Do \(employee.name) Tasks (Graph): '\(task["title"] as? String ?? "")'"
                            + " ActivityId=\(identity?["ActivityId"] as? String ?? "-") \(task["status"] as? String ?? "")"
                            + (due ?? "")
                    )
                }
                continue
            }
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
            Employee(
                id: "E2",
                name: "Bob Jones",
                mailbox: "bob@contoso.test",
                sync: true,
                timeZone: "America/New_York",
                backend: "graph"
            )
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
        var offer = Activity(id: "A5", type: .task, subject: "Send the renewal offer", owner: "E2")
        offer.partner = "BP1"
        offer.due = CRMTime.format(soon.addingTimeInterval(86_400))
        _ = try store.addActivity(offer)
        var mailing = Activity(id: "A4", type: .mailing, subject: "Price list 2027", owner: "E2")
        mailing.date = CRMTime.format(soon)
        _ = try store.addActivity(mailing)
    }
}
