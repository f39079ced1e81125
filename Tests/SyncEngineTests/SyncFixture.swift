import ActivityModel
import EWS
import EWSMailbox
import EWSTestServer
import Foundation
import Store
import SyncEngine
import SyncPlanning

/// A fake Exchange, a real SQLite store and the engine for Alice's mailbox.
final class SyncFixture {
    static let alice = "alice@contoso.test"
    let fake: FakeExchange
    let store: Store
    let client: EWSClient
    var settings = SyncSettings(instance: "test", defaultZone: TimeZone(identifier: "Europe/Amsterdam")!)
    let now = Date(timeIntervalSince1970: 1_796_000_000)  // 2026-11-30

    init(storePath: String? = nil) throws {
        fake = try FakeExchange()
        try fake.start()
        fake.addAccount(.init(username: "svc", password: "pw"))
        fake.addMailbox(Self.alice)
        store = try Store(path: storePath ?? NSTemporaryDirectory() + "sync-\(UUID().uuidString)/s.sqlite")
        client = EWSClient(
            configuration: EWSConfiguration(
                url: fake.url,
                credentials: .basic(username: "svc", password: "pw"),
                retry: RetryPolicy(maxAttempts: 3, baseDelaySeconds: 0.01, maxDelaySeconds: 0.05)
            )
        )
        if storePath == nil { try seed() }
    }

    deinit { fake.stop() }

    func seed() throws {
        try store.save(Employee(id: "E1", name: "Alice", mailbox: Self.alice, sync: true, timeZone: "Europe/Amsterdam"))
        try store.save(BusinessPartner(id: "BP1", name: "Fabrikam"))
        try store.save(Contact(id: "C1", name: "Pat Doe", partner: "BP1", email: "pat@fabrikam.test"))
    }

    func pass() async throws -> PassReport {
        try await engine(for: try store.employee("E1")!).runPass()
    }

    /// The engine for an employee's mailbox over EWS, at the fixture's time.
    func engine(for employee: Employee, store other: (any SyncStore)? = nil) -> MailboxSync {
        MailboxSync.ews(
            store: other ?? store,
            client: client,
            settings: settings,
            employee: employee,
            clock: { [now] in now }
        )
    }

    @discardableResult
    func addTask(_ id: String, subject: String = "Call back", due: String = "2026-12-03T16:00:00Z") throws -> Activity {
        var task = Activity(id: id, type: .task, subject: subject, owner: "E1")
        task.partner = "BP1"
        task.due = due
        return try store.addActivity(task)
    }

    @discardableResult
    func addAppointment(_ id: String) throws -> Activity {
        var appointment = Activity(id: id, type: .appointment, subject: "Visit", owner: "E1")
        appointment.start = "2026-12-04T09:00:00Z"
        appointment.end = "2026-12-04T10:00:00Z"
        appointment.contact = "C1"
        appointment.attendees = [Attendee(email: "pat@fabrikam.test")]
        return try store.addActivity(appointment)
    }

    /// A task created in the CRM and synced once; returns its item in Alice's mailbox.
    func syncedTask(_ id: String) async throws -> FakeItemSnapshot {
        try addTask(id)
        _ = try await pass()
        guard let item = tasks.first(where: { $0.extended["ActivityId"] == id }) else {
            throw FakeExchangeError("task \(id) did not reach Exchange")
        }
        return item
    }

    /// Edits an item of Alice's as a user in Outlook would.
    func outlookEdit(_ item: FakeItemSnapshot, _ fields: [String: String]) {
        fake.userUpdate(mailbox: Self.alice, itemId: item.id, fields: fields.mapValues { Optional($0) })
    }

    var tasks: [FakeItemSnapshot] { fake.items(mailbox: Self.alice, folder: "tasks") }
    var calendar: [FakeItemSnapshot] { fake.items(mailbox: Self.alice, folder: "calendar") }
}
