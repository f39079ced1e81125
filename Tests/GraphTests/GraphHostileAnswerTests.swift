import EWS
import EWSTestServer
import Foundation
import Graph
import GraphMailbox
import SyncEngine
import Testing

/// Answers a broken or hostile Graph could give: a clear error or a bounded value, never a trap, a hang or a
/// token sent elsewhere.
@Suite("Graph: hostile and broken answers give a clear error, never a crash")
struct GraphHostileAnswerTests {
    static func json(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("a delta page that is not JSON, not an object, deeply nested or without links is a malformed answer")
    func brokenPages() async throws {
        let fixture = try GraphFixture()
        let service = fixture.service(clock: GraphMailboxTests.now)
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        for body in ["<html>busy</html>", "[1, 2]", deep, #"{"value": "x"}"#, #"{"value": []}"#] {
            fixture.fake.answerNext(status: 200, body: Self.json(body))
            do {
                _ = try await service.changes(in: .calendar, from: nil)
                Issue.record("accepted \(body.prefix(40))")
            } catch let error as EWSError {
                #expect(error.kind == .malformedResponse && error.backend == "Graph")
            }
        }
    }

    @Test("a next link to another host is refused: the token never leaves graph.base_url's host")
    func foreignLink() async throws {
        let fixture = try GraphFixture()
        let service = fixture.service(clock: GraphMailboxTests.now)
        fixture.fake.answerNext(
            status: 200,
            body: Self.json(#"{"value": [], "@odata.nextLink": "https://attacker.example/v1.0/steal"}"#)
        )
        do {
            _ = try await service.changes(in: .calendar, from: nil)
            Issue.record("followed a link to another host")
        } catch let error as EWSError {
            #expect(error.kind == .malformedResponse && error.message.contains("attacker.example"))
        }
    }

    @Test("the Retry-After of the 429 that used up the retries is still honoured by the next call (the soak found it)")
    func backOffAfterRetriesUsedUp() async throws {
        let fixture = try GraphFixture(
            retry: RetryPolicy(maxAttempts: 1, baseDelaySeconds: 0.01, maxDelaySeconds: 0.01)
        )
        let service = fixture.service(clock: GraphMailboxTests.now)
        fixture.fake.answerNext(status: 429, headers: [("Retry-After", "2")], body: Self.json("{}"))
        await #expect(throws: EWSError.self) { _ = try await service.changes(in: .calendar, from: nil) }
        let held = try #require(await fixture.client.backOffRemaining(mailbox: GraphFixture.alice), "no back-off kept")
        #expect(held > .seconds(1), "\(held)")
    }

    @Test("extreme numbers (reminder, status in a batch, Retry-After) are clamped or refused, never a trap")
    func extremeNumbers() async throws {
        let fixture = try GraphFixture(
            retry: RetryPolicy(maxAttempts: 1, baseDelaySeconds: 0.01, maxDelaySeconds: 0.01)
        )
        let service = fixture.service(clock: GraphMailboxTests.now)
        let event = """
            {"id": "AAMk1", "changeKey": "ck", "subject": "x", "isReminderOn": true,
             "reminderMinutesBeforeStart": 1e300, "start": {"dateTime": "2026-12-04T09:00:00.0000000", "timeZone": "UTC"},
             "end": {"dateTime": "99999-12-04T09:00:00", "timeZone": "UTC"}, "createdDateTime": "garbage"}
            """
        fixture.fake.answerNext(status: 200, body: Self.json(event))
        let read = try await service.read(["AAMk1"], in: .calendar)
        #expect(read.first?.fields.reminderMinutes == 1_000_000_000 && read.first?.fields.end == nil)
        #expect(read.first?.created == "")
        // A batch whose statuses are absurd: no answer for those requests, not a crash.
        fixture.fake.answerNext(
            status: 200,
            body: Self.json(#"{"responses": [{"id": "0", "status": 1e300}, {"id": "1", "status": -7}]}"#)
        )
        let both = try await fixture.client.batch([
            GraphRequest("GET", "/users/\(GraphFixture.alice)/calendar/events/a", mailbox: GraphFixture.alice),
            GraphRequest("GET", "/users/\(GraphFixture.alice)/calendar/events/b", mailbox: GraphFixture.alice),
        ])
        #expect(both.map { (try? $0.get())?.status } == [999, 0])
        // Throttled inside a batch with a Retry-After of NaN, 1e300 or a negative: bounded to an hour at most.
        let answers = ["nan", "1e300", "-5"].enumerated().map { index, hint in
            #"{"id": "\#(index)", "status": 429, "headers": {"Retry-After": "\#(hint)"}, "body": {}}"#
        }
        fixture.fake.answerNext(
            status: 200,
            body: Self.json(#"{"responses": ["# + answers.joined(separator: ",") + "]}")
        )
        let outcomes = try await service.remove((0..<3).map { ItemRemoval(id: "x\($0)", cancellations: false) })
        #expect(outcomes.count == 3)
        for outcome in outcomes {
            guard case .throttled(let until) = outcome else {
                Issue.record("\(outcome)")
                continue
            }
            let wait = until.timeIntervalSince(GraphMailboxTests.now())
            #expect(wait >= 0 && wait <= 3600)
        }
    }
}
