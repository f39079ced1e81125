import EWS
import EWSTestServer
import Foundation
import Testing

@Suite("EWS item operations against the fake Exchange")
struct EWSItemOperationTests {
    typealias F = FakeExchangeFixture

    @Test("GetFolder resolves the calendar and tasks folders of an impersonated mailbox")
    func getFolder() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        let results = try await fixture.client().getFolders([.calendar, .tasks], mailbox: F.alice)
        #expect(results.count == 2)
        #expect(results[0].value?.displayName == "Calendar")
        #expect(results[1].value?.displayName == "Tasks")
        #expect(results[0].value?.id != results[1].value?.id)
    }

    @Test("a task created with every mapped field reads back with the same values")
    func taskRoundTrip() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        let client = fixture.client()
        let task = F.task("Call back about renewal", activity: "A1")
        let created = try await client.createItems(
            [task],
            in: .tasks,
            mailbox: F.alice,
            timeZoneId: "W. Europe Standard Time"
        )
        let id = try #require(created.first?.value)
        #expect(id.changeKey != nil)
        let read = try await client.getItems([id], mailbox: F.alice, shape: F.fullShape)
        var item = try #require(read.first?.value)
        #expect(item.lastModifiedTime != nil && item.dateTimeCreated != nil)
        item.lastModifiedTime = nil
        item.dateTimeCreated = nil
        item.itemId = nil
        item.isRecurring = nil
        #expect(item == task)
    }

    @Test("a calendar item with attendees and time zones reads back with the same values")
    func calendarRoundTrip() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        let client = fixture.client()
        let appointment = F.appointment("Customer visit", activity: "A2")
        let created = try await client.createItems([appointment], in: .calendar, mailbox: F.alice)
        let id = try #require(created.first?.value)
        let read = try await client.getItems([id], mailbox: F.alice, shape: F.fullShape)
        var item = try #require(read.first?.value)
        #expect(item.calendarItemType == "Single")
        #expect(item.isRecurring == false)
        item.lastModifiedTime = nil
        item.dateTimeCreated = nil
        item.itemId = nil
        item.isRecurring = nil
        item.calendarItemType = nil
        #expect(item == appointment)
    }

    @Test("a batch returns one result per item and one unknown id fails only itself")
    func perItemErrors() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        let client = fixture.client()
        let created = try await client.createItems(
            (1...3).map { F.task("Task \($0)", activity: "A\($0)") },
            in: .tasks,
            mailbox: F.alice
        )
        let ids = created.compactMap(\.value)
        #expect(ids.count == 3)
        let unknown = EWSItemId(id: "AAMkDoesNotExist")
        let read = try await client.getItems([ids[0], unknown, ids[2]], mailbox: F.alice, shape: .idOnly)
        #expect(read[0].value?.itemId?.id == ids[0].id)
        #expect(read[1].failure?.responseCode == "ErrorItemNotFound")
        #expect(read[1].failure?.kind == .item)
        #expect(read[2].value?.itemId?.id == ids[2].id)
        let deleted = try await client.deleteItems([ids[1], unknown], mailbox: F.alice)
        #expect(deleted[0].failure == nil)
        #expect(deleted[1].failure?.responseCode == "ErrorItemNotFound")
        #expect(fixture.fake.items(mailbox: F.alice, folder: "tasks").count == 2)
        #expect(fixture.fake.deletedItems(mailbox: F.alice).map(\.id) == [ids[1].id])
        #expect(fixture.fake.requests.last { $0.operation == "CreateItem" }?.itemCount == 3)
    }

    @Test("UpdateItem sets and deletes fields and the extended property; a stale ChangeKey conflicts")
    func updateItem() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        let client = fixture.client()
        let id = try #require(
            try await client.createItems([F.task("Old", activity: "A1")], in: .tasks, mailbox: F.alice)[0].value
        )
        var values = EWSItem(kind: .task)
        values.subject = "New subject"
        values.status = .completed
        values.percentComplete = 100
        values.extendedProperties[F.instanceId] = "prod"
        let change = EWSItemChange(
            itemId: id,
            item: values,
            updates: [
                .set(.subject), .set(.status), .set(.percentComplete), .delete(.dueDate), .setExtended(F.instanceId),
                .set(.categories),  // nil value: deleted
            ]
        )
        let updated = try await client.updateItems([change], mailbox: F.alice)
        let newId = try #require(updated[0].value)
        #expect(newId.id == id.id)
        #expect(newId.changeKey != id.changeKey)
        let snapshot = try #require(fixture.fake.items(mailbox: F.alice, folder: "tasks").first)
        #expect(snapshot.fields["Subject"] == "New subject")
        #expect(snapshot.fields["Status"] == "Completed")
        #expect(snapshot.fields["PercentComplete"] == "100")
        #expect(snapshot.fields["DueDate"] == nil)
        #expect(snapshot.fields["Categories"] == nil)
        #expect(snapshot.extended["InstanceId"] == "prod")
        #expect(snapshot.extended["ActivityId"] == "A1")

        let stale = try await client.updateItems([change], mailbox: F.alice)
        #expect(stale[0].failure?.responseCode == "ErrorIrresolvableConflict")
        #expect(fixture.fake.items(mailbox: F.alice, folder: "tasks").first?.changeKey == newId.changeKey)
    }

    @Test("FindItem finds items by the extended property, paging through short pages")
    func findItemByProperty() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        let client = fixture.client()
        _ = try await client.createItems(
            (1...12).map { F.task("T\($0)", activity: "A\($0)") },
            in: .tasks,
            mailbox: F.alice
        )
        fixture.fake.findPageLimit = 3
        let wanted = ["A2", "A5", "A7", "A8", "A11", "A99"]
        let found = try await client.findItems(
            in: .tasks,
            mailbox: F.alice,
            restriction: .or(wanted.map { .isEqualTo(F.activityId, $0) }),
            shape: EWSItemShape(fields: [.subject], extendedProperties: [F.activityId])
        )
        #expect(Set(found.compactMap { $0.extendedProperties[F.activityId] }) == ["A2", "A5", "A7", "A8", "A11"])
        #expect(fixture.fake.requestCount("FindItem") == 2)
        let all = try await client.findItems(in: .tasks, mailbox: F.alice, shape: .idOnly)
        #expect(all.count == 12)
        #expect(fixture.fake.requestCount("FindItem") == 2 + 4)
    }

    @Test("delegate access names the mailbox in folder ids instead of impersonating")
    func delegateAccess() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        let client = fixture.client(impersonation: false)
        let created = try await client.createItems([F.task("Delegate", activity: "A1")], in: .tasks, mailbox: F.bob)
        #expect(created[0].value != nil)
        #expect(fixture.fake.items(mailbox: F.bob, folder: "tasks").count == 1)
        #expect(fixture.fake.requests.last?.mailbox == F.bob)
    }
}
