import EWS
import EWSTestServer
import Foundation
import Testing

@Suite("EWS notifications against the fake Exchange")
struct EWSNotificationTests {
    typealias F = FakeExchangeFixture

    @Test("a pull subscription reports a created and a modified item through GetEvents")
    func pull() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        let client = fixture.client()
        let subscription = try await client.subscribePull(folders: [.tasks, .calendar], mailbox: F.alice)
        let id = fixture.fake.userCreate(mailbox: F.alice, folder: "tasks", kind: "Task", fields: ["Subject": "New"])
        fixture.fake.userUpdate(mailbox: F.alice, itemId: id, fields: ["Subject": "Newer"])
        let batch = try await client.getEvents(
            subscription: subscription.id,
            watermark: try #require(subscription.watermark),
            mailbox: F.alice
        )
        #expect(batch.events.map(\.type) == ["CreatedEvent", "ModifiedEvent"])
        #expect(batch.events.allSatisfy { $0.itemId == id })
        #expect(batch.watermark != nil)
        let quiet = try await client.getEvents(
            subscription: subscription.id,
            watermark: batch.watermark!,
            mailbox: F.alice
        )
        #expect(quiet.events.map(\.type) == ["StatusEvent"])
    }

    @Test("streaming subscriptions of two mailboxes share one GetStreamingEvents connection")
    func streaming() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        fixture.fake.streamingLifetimeSeconds = 3
        let client = fixture.client()
        let a = try await client.subscribeStreaming(folders: [.tasks], mailbox: F.alice)
        let b = try await client.subscribeStreaming(folders: [.calendar], mailbox: F.bob)
        let stream = client.streamEvents(
            subscriptions: [a.id, b.id],
            anchorMailbox: F.alice,
            connectionTimeoutMinutes: 1
        )
        let collector = Task {
            var seen: [EWSEvent] = []
            for try await event in stream { seen.append(event) }
            return seen
        }
        try await Task.sleep(for: .milliseconds(300))
        let taskId = fixture.fake.userCreate(mailbox: F.alice, folder: "tasks", kind: "Task", fields: ["Subject": "x"])
        let eventId = fixture.fake.userCreate(
            mailbox: F.bob,
            folder: "calendar",
            kind: "CalendarItem",
            fields: ["Subject": "y"]
        )
        fixture.fake.userCreate(mailbox: F.bob, folder: "tasks", kind: "Task", fields: ["Subject": "not subscribed"])
        // The fake closes the connection after its lifetime: the stream then ends normally.
        let events = try await collector.value
        #expect(events.map(\.itemId) == [taskId, eventId])
        #expect(events.map(\.subscriptionId) == [a.id, b.id])
        #expect(fixture.fake.requestCount("GetStreamingEvents") == 1)
    }

    @Test("a streaming connection for an unknown subscription ends with ErrorSubscriptionNotFound")
    func unknownSubscription() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        let stream = fixture.client().streamEvents(subscriptions: ["nope"], anchorMailbox: F.alice)
        await #expect { for try await _ in stream {} } throws: {
            ($0 as? EWSError)?.responseCode == "ErrorSubscriptionNotFound"
        }
    }

    @Test("affinity: Subscribe with a group anchor returns the backend cookie; the connection needs it")
    func affinity() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        fixture.fake.streamingLifetimeSeconds = 1
        let client = fixture.client()
        let a = try await client.subscribeStreaming(folders: [.tasks], mailbox: F.alice, groupAnchor: F.alice)
        let b = try await client.subscribeStreaming(folders: [.tasks], mailbox: F.bob, groupAnchor: F.alice)
        #expect(a.affinityCookie == "X-BackEndOverrideCookie=MBX01~\(F.alice)")
        #expect(b.affinityCookie == a.affinityCookie)
        let subscribes = fixture.fake.requests.filter { $0.operation == "Subscribe" }
        #expect(subscribes.map { $0.headers["x-anchormailbox"] } == [F.alice, F.alice])
        #expect(subscribes.allSatisfy { $0.headers["x-preferserveraffinity"] == "true" })
        // Without the cookie the connection reaches another server, which does not know them.
        let lost = client.streamEvents(
            subscriptions: [a.id, b.id],
            anchorMailbox: F.alice,
            connectionTimeoutMinutes: 1
        )
        await #expect { for try await _ in lost {} } throws: {
            ($0 as? EWSError)?.responseCode == "ErrorSubscriptionNotFound"
        }
        let found = client.streamEvents(
            subscriptions: [a.id, b.id],
            anchorMailbox: F.alice,
            connectionTimeoutMinutes: 1,
            affinityCookie: a.affinityCookie
        )
        for try await _ in found {}  // ends normally after the fake's one-second lifetime
        #expect(
            fixture.fake.requests.last { $0.operation == "GetStreamingEvents" }?.headers["cookie"] == a.affinityCookie
        )
        #expect(fixture.fake.schemaViolations.isEmpty)
    }

    @Test("Set-Cookie lines: the X-BackEndOverrideCookie pair is picked without its attributes")
    func cookieParsing() {
        #expect(
            EWSClient.affinityCookie("exchangecookie=abc; path=/\nX-BackEndOverrideCookie=MBX7~x@y; path=/; secure")
                == "X-BackEndOverrideCookie=MBX7~x@y"
        )
        #expect(EWSClient.affinityCookie("exchangecookie=abc") == nil)
        #expect(EWSClient.affinityCookie(nil) == nil)
    }
}
