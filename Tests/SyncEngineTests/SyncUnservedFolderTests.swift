import ActivityModel
import EWSMailbox
import EWSTestServer
import Foundation
import Store
import SyncEngine
import SyncPlanning
import Testing

/// A folder the mailbox's service does not serve (tasks held after a backend switch, `graph.tasks: none`): its
/// activities and their links are left as they are. Before issue 14, the links were kept in the pass while their
/// activities were not, so each read as moved to another mailbox and its item was deleted as a move's old half.
@Suite("sync: what lives in a folder the backend does not serve is left alone")
struct SyncUnservedFolderTests {
    @Test("a linked task is neither deleted nor unlinked while its folder is not served, and syncs when it is again")
    func heldTasks() async throws {
        let fixture = try SyncFixture()
        let item = try await fixture.syncedTask("T1")
        let employee = try #require(try fixture.store.employee("E1"))
        var service = EWSMailboxService(
            client: fixture.client,
            mailbox: SyncFixture.alice,
            mapping: ItemMapping(fixture.settings, for: employee)
        )
        service.servesTasks = false
        let unserved = service
        let held = MailboxSync(
            store: fixture.store,
            service: unserved,
            services: { _ in unserved },
            settings: fixture.settings,
            employee: employee,
            clock: { [now = fixture.now] in now }
        )
        _ = try fixture.store.updateActivity("T1") { $0.subject = "Changed while held" }
        let report = try await held.runPass()
        #expect(report.plan.actions.isEmpty, "\(report.plan)")
        #expect(fixture.tasks.map(\.id) == [item.id])
        #expect(try fixture.store.link(activityId: "T1")?.itemId == item.id)
        let again = try await fixture.pass()
        #expect(again.plan.description.contains("update-remote T1"))
        #expect(fixture.tasks.first?.fields["Subject"] == "Changed while held")
    }
}
