import ActivityModel
import EWS
import EWSMailbox
import EWSTestServer
import Foundation
import Store
import SyncEngine
import Testing

@Suite("resync, lost sync states, paused mailboxes, other instances")
struct SyncResyncTests {
    func pass(_ f: SyncFixture, _ mode: PassMode) async throws -> PassReport {
        let employee = try #require(try f.store.employee("E1"))
        return try await f.engine(for: employee).runPass(mode: mode)
    }

    @Test("ErrorInvalidSyncStateData: the folder is read from the start and matched by identity; nothing is duplicated")
    func invalidSyncState() async throws {
        let f = try SyncFixture()
        for index in 0..<4 { try f.addTask("T\(index)") }
        _ = try await f.pass()
        f.fake.invalidateSyncStates(mailbox: SyncFixture.alice)
        let item = try #require(f.tasks.first { $0.extended["ActivityId"] == "T1" })
        f.outlookEdit(item, ["Status": "Deferred"])
        let report = try await f.pass()
        #expect(report.failures == [])
        #expect(f.tasks.count == 4)
        #expect(try f.store.activity("T1")?.status == "deferred")
        #expect(try await f.pass().plan.isEmpty)
    }

    @Test("a resync lists both sides: an item deleted while the state saw nothing is noticed")
    func resyncFindsDeletes() async throws {
        let f = try SyncFixture()
        for index in 0..<3 { try f.addTask("T\(index)") }
        _ = try await f.pass()
        let report = try await pass(f, .resync(allowDeletes: false, restoreDeletes: false))
        #expect(report.plan.isEmpty, "\(report.plan)")
        // Delete behind the engine's back and wipe the states: only a full listing can tell.
        let item = try #require(f.tasks.first)
        f.fake.userDelete(mailbox: SyncFixture.alice, itemId: item.id)
        f.fake.invalidateSyncStates(mailbox: SyncFixture.alice)
        _ = try await pass(f, .resync(allowDeletes: false, restoreDeletes: false))
        #expect(try f.store.activities().count == 2)
        #expect(f.fake.requestCount("CreateItem") == 1)
    }

    @Test("a paused mailbox: --allow-deletes executes the deletes, --restore-deletes puts them back")
    func pausedMailbox() async throws {
        for restore in [false, true] {
            let f = try SyncFixture()
            f.settings.policy.maxDeletes = 2
            for index in 0..<4 { try f.addTask("T\(index)") }
            _ = try await f.pass()
            for item in f.tasks { f.fake.userDelete(mailbox: SyncFixture.alice, itemId: item.id) }
            #expect(try await f.pass().paused != nil)
            #expect(try f.store.activities().count == 4)
            _ = try await pass(f, .resync(allowDeletes: !restore, restoreDeletes: restore))
            if restore {
                #expect(f.tasks.count == 4)  // re-created from the CRM, with the same identities
                #expect(Set(f.tasks.compactMap { $0.extended["ActivityId"] }) == ["T0", "T1", "T2", "T3"])
                #expect(try f.store.activities().count == 4)
            } else {
                #expect(try f.store.activities().isEmpty)
                #expect(try f.store.activities(includeDeleted: true).count == 4)  // tombstones: restorable
            }
            #expect(try await f.pass().plan.isEmpty)
        }
    }

    @Test("items of another CRM instance are never touched, imported or deleted")
    func otherInstance() async throws {
        let f = try SyncFixture()
        f.settings.policy.importRule = .all
        let foreign = f.fake.userCreate(
            mailbox: SyncFixture.alice,
            folder: "tasks",
            kind: "Task",
            fields: ["Subject": "From the test CRM", "Categories": "CRM"],
            extended: ["ActivityId": "A1", "InstanceId": "other"],
            propertySet: "ec00f11f-9b22-45fe-906c-a4e6b3326e4e"
        )
        try f.addTask("A1", subject: "Ours")
        _ = try await f.pass()
        let items = f.tasks
        #expect(items.count == 2)
        let theirs = try #require(items.first { $0.id == foreign })
        #expect(theirs.fields["Subject"] == "From the test CRM" && theirs.extended["InstanceId"] == "other")
        #expect(try f.store.activities().map(\.subject) == ["Ours"])
        #expect(try await f.pass().plan.isEmpty)
    }
}

@Suite("ownership changes and sync users")
struct SyncOwnershipTests {
    static let bob = "bob@contoso.test"

    func pass(_ f: SyncFixture, _ employee: String) async throws -> PassReport {
        let employee = try #require(try f.store.employee(employee))
        return try await f.engine(for: employee).runPass()
    }

    @Test("a new assignee moves the item to their mailbox, whichever mailbox syncs first", arguments: [true, false])
    func newAssignee(newOwnerFirst: Bool) async throws {
        let f = try SyncFixture()
        f.fake.addMailbox(Self.bob)
        try f.store.save(Employee(id: "E2", name: "Bob", mailbox: Self.bob, sync: true))
        try f.addTask("A1")
        _ = try await pass(f, "E1")
        _ = try await pass(f, "E2")
        #expect(f.tasks.count == 1)
        _ = try f.store.updateActivity("A1") { $0.assignedTo = "E2" }
        for employee in newOwnerFirst ? ["E2", "E1"] : ["E1", "E2"] { _ = try await pass(f, employee) }
        #expect(f.tasks.isEmpty)
        let bobs = f.fake.items(mailbox: Self.bob, folder: "tasks")
        #expect(bobs.map { $0.extended["ActivityId"] } == ["A1"])
        #expect(try f.store.link(activityId: "A1")?.mailbox == Self.bob)
        for employee in ["E1", "E2"] { #expect(try await pass(f, employee).plan.isEmpty) }
    }
}

extension SyncOwnershipTests {
    @Test("sync turned off and on: items stay, links dormant; an Outlook edit made meanwhile wins without a conflict")
    func syncUserOff() async throws {
        let f = try SyncFixture()
        try f.addTask("A1")
        _ = try await pass(f, "E1")
        try f.store.save(Employee(id: "E1", name: "Alice", mailbox: SyncFixture.alice, sync: false))
        #expect(try MailboxSync.dormantLinks(store: f.store, mailbox: SyncFixture.alice) == 1)
        #expect(try f.store.link(activityId: "A1") != nil)
        #expect(f.tasks.count == 1)
        f.outlookEdit(f.tasks[0], ["Subject": "Edited meanwhile"])
        try f.store.save(Employee(id: "E1", name: "Alice", mailbox: SyncFixture.alice, sync: true))
        let employee = try #require(try f.store.employee("E1"))
        let report = try await f.engine(for: employee).runPass()
        #expect(!report.plan.description.contains("conflict"), "\(report.plan)")
        #expect(try f.store.activity("A1")?.subject == "Edited meanwhile")
        #expect(f.tasks.count == 1)
    }
}
