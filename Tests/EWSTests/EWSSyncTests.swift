import EWS
import EWSTestServer
import Foundation
import Testing

@Suite("SyncFolderItems against the fake Exchange")
struct EWSSyncTests {
    typealias F = FakeExchangeFixture
    static let shape = EWSItemShape(fields: [.subject, .lastModifiedTime], extendedProperties: [F.activityId])

    @Test("pages follow IncludesLastItemInRange and each state resumes where the last page ended")
    func paging() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        let client = fixture.client()
        _ = try await client.createItems(
            (1...25).map { F.task("T\($0)", activity: "A\($0)") },
            in: .tasks,
            mailbox: F.alice
        )
        var pages: [EWSSyncPage] = []
        var state: String?
        try await client.syncFolder(.tasks, mailbox: F.alice, from: nil, shape: Self.shape, maxChanges: 10) { page in
            pages.append(page)
            state = page.syncState
        }
        #expect(pages.map(\.changes.count) == [10, 10, 5])
        #expect(pages.map(\.includesLastItemInRange) == [false, false, true])
        let created = pages.flatMap(\.changes).compactMap { change -> String? in
            if case .created(let item) = change { return item.extendedProperties[F.activityId] }
            return nil
        }
        #expect(Set(created) == Set((1...25).map { "A\($0)" }))

        let quiet = try await client.syncFolderItems(.tasks, mailbox: F.alice, syncState: state, shape: Self.shape)
        #expect(quiet.changes.isEmpty)
        #expect(quiet.includesLastItemInRange)
    }

    @Test("updates, deletes and moves show as Update, Delete, and Delete plus Create")
    func changeKinds() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        let client = fixture.client()
        let ids = try await client.createItems(
            (1...3).map { F.task("T\($0)", activity: "A\($0)") },
            in: .tasks,
            mailbox: F.alice
        )
        .compactMap(\.value)
        let start = try await client.syncFolderItems(.tasks, mailbox: F.alice, syncState: nil, shape: Self.shape)
        fixture.fake.userUpdate(mailbox: F.alice, itemId: ids[0].id, fields: ["Subject": "Edited in Outlook"])
        fixture.fake.userDelete(mailbox: F.alice, itemId: ids[1].id)
        let moved = try #require(fixture.fake.userMove(mailbox: F.alice, itemId: ids[2].id, to: "calendar"))
        let next = try await client.syncFolderItems(
            .tasks,
            mailbox: F.alice,
            syncState: start.syncState,
            shape: Self.shape
        )
        #expect(next.changes.count == 3)
        #expect(
            next.changes.contains {
                if case .updated(let item) = $0 { item.subject == "Edited in Outlook" } else { false }
            }
        )
        #expect(next.changes.contains(.deleted(EWSItemId(id: ids[1].id))))
        #expect(next.changes.contains(.deleted(EWSItemId(id: ids[2].id))))
        let calendar = try await client.syncFolderItems(.calendar, mailbox: F.alice, syncState: nil, shape: Self.shape)
        guard case .created(let item) = try #require(calendar.changes.first) else {
            Issue.record("expected a create in the calendar")
            return
        }
        #expect(item.itemId?.id == moved)
        #expect(item.extendedProperties[F.activityId] == "A3")
    }

    @Test("an item created and deleted between two syncs is not reported")
    func createdAndDeleted() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        let client = fixture.client()
        let start = try await client.syncFolderItems(.tasks, mailbox: F.alice, syncState: nil, shape: Self.shape)
        let id = fixture.fake.userCreate(
            mailbox: F.alice,
            folder: "tasks",
            kind: "Task",
            fields: ["Subject": "Short-lived"]
        )
        fixture.fake.userDelete(mailbox: F.alice, itemId: id)
        let next = try await client.syncFolderItems(
            .tasks,
            mailbox: F.alice,
            syncState: start.syncState,
            shape: Self.shape
        )
        #expect(next.changes.isEmpty)
    }

    @Test("an invalid sync state is reported as ErrorInvalidSyncStateData")
    func invalidState() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        let client = fixture.client()
        let start = try await client.syncFolderItems(.tasks, mailbox: F.alice, syncState: nil, shape: Self.shape)
        fixture.fake.invalidateSyncStates(mailbox: F.alice)
        await #expect(throws: EWSError.self) {
            _ = try await client.syncFolderItems(
                .tasks,
                mailbox: F.alice,
                syncState: start.syncState,
                shape: Self.shape
            )
        }
        do {
            _ = try await client.syncFolderItems(
                .tasks,
                mailbox: F.alice,
                syncState: "bm90LWEtc3RhdGU=",
                shape: Self.shape
            )
            Issue.record("a garbage state was accepted")
        } catch let error as EWSError {
            #expect(error.responseCode == "ErrorInvalidSyncStateData")
            #expect(error.kind == .item)
        }
    }

    @Test("paging stops when the server hands back the state it was sent")
    func unchangedStateStops() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        let stuck = "c3R1Y2s="
        let body =
            "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
            + "<m:SyncFolderItemsResponse xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\">"
            + "<m:ResponseMessages><m:SyncFolderItemsResponseMessage ResponseClass=\"Success\"><m:ResponseCode>NoError"
            + "</m:ResponseCode><m:SyncState>\(stuck)</m:SyncState><m:IncludesLastItemInRange>false</m:IncludesLastItemInRange>"
            + "<m:Changes/></m:SyncFolderItemsResponseMessage></m:ResponseMessages></m:SyncFolderItemsResponse></s:Body></s:Envelope>"
        fixture.fake.inject(.rawBody(Array(body.utf8)), operation: "SyncFolderItems", times: 5)
        var calls = 0
        try await fixture.client().syncFolder(.tasks, mailbox: F.alice, from: stuck, shape: Self.shape) { _ in
            calls += 1
        }
        #expect(calls == 1)
        #expect(fixture.fake.requestCount("SyncFolderItems") == 1)
    }
}
