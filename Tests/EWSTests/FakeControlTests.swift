import EWS
import EWSTestServer
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Issue 17: benchmarks drive Outlook edits in the stand-alone fake over `/control/` and time a CRM change's
/// arrival by the fake's report of client writes.
@Suite("the fake's control door and write report")
struct FakeControlTests {
    typealias F = FakeExchangeFixture

    func post(_ fake: FakeExchange, _ object: [String: Any]) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(fake.port)/control/outlook-edit")!)
        request.httpMethod = "POST"
        request.httpBody = try JSONSerialization.data(withJSONObject: object)
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        return (status, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
    }

    @Test("closed unless enabled; enabled, it edits N items from an offset as Outlook would and names them")
    func outlookEdit() async throws {
        let fixture = try FakeExchangeFixture()
        defer { fixture.finish() }
        let fake = fixture.fake
        let writes = Writes()
        fake.onClientWrite = { writes.add("\($0) \($1)") }
        let created = try await fixture.client().createItems(
            [F.task("one", activity: "A1"), F.task("two", activity: "A2"), F.task("three", activity: "A3")],
            in: .tasks,
            mailbox: F.alice
        )
        #expect(created.allSatisfy { $0.value != nil })
        #expect(writes.all == ["alice@contoso.test one", "alice@contoso.test two", "alice@contoso.test three"])
        let request: [String: Any] = ["mailbox": F.alice, "count": 2, "offset": 1, "subject": "Edited"]
        #expect(try await post(fake, request).0 == 404)

        fake.controlEnabled = true
        let before = fake.items(mailbox: F.alice, folder: "tasks")
        let (status, answer) = try await post(fake, request)
        #expect(status == 200)
        let edited = answer["edited"] as? [[String: String]] ?? []
        #expect(edited.map { $0["subject"] } == ["Edited 1", "Edited 2"])
        let after = fake.items(mailbox: F.alice, folder: "tasks")
        #expect(after.map { $0.fields["Subject"] } == ["one", "Edited 1", "Edited 2"])
        #expect(edited.map { $0["item_id"] } == after.dropFirst().map(\.id))
        #expect(after[0].changeKey == before[0].changeKey && after[1].changeKey != before[1].changeKey)
        #expect(writes.all.count == 3)  // Outlook's edits are no client writes
    }
}

/// Client writes the fake reported, in order.
final class Writes: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ write: String) { lock.withLock { list.append(write) } }
    var all: [String] { lock.withLock { list } }
}
