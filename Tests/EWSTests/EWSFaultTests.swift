import EWS
import EWSTestServer
import Foundation
import Testing

@Suite("EWS throttling, faults and authentication")
struct EWSFaultTests {
    typealias F = FakeExchangeFixture

    @Test("ErrorServerBusy: no request for that mailbox before BackOffMilliseconds has passed")
    func serverBusyBackOff() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        let client = fixture.client()
        fixture.fake.inject(.serverBusy(backOffMilliseconds: 400), operation: "GetFolder", mailbox: F.alice)
        async let first = client.getFolders([.tasks], mailbox: F.alice)
        try await Self.waitForBackOff(client, F.alice)
        async let second = client.getFolders([.calendar], mailbox: F.alice)
        let results = try await [first, second]
        #expect(results.allSatisfy { $0.first?.value != nil })
        let requests = fixture.fake.requests.filter { $0.operation == "GetFolder" }
        #expect(requests.count == 3)
        let busyAt = try #require(requests.first { $0.fault != nil }?.at)
        // Lower bounds only: they hold however loaded the machine is.
        for later in requests.filter({ $0.fault == nil }) {
            #expect(later.at.timeIntervalSince(busyAt) >= 0.39)
        }
    }

    @Test(
        "the wait of the throttling answer that used up the retries is still honoured by the next call (the soak found it)",
        arguments: [FakeExchange.Fault.serverBusy(backOffMilliseconds: 1500), .retryAfter("2")]
    )
    func backOffAfterRetriesUsedUp(fault: FakeExchange.Fault) async throws {
        let fixture = try F()
        defer { fixture.finish() }
        let client = fixture.client(retry: RetryPolicy(maxAttempts: 1, baseDelaySeconds: 0.01, maxDelaySeconds: 0.01))
        fixture.fake.inject(fault, operation: "GetFolder", mailbox: F.alice)
        await #expect(throws: EWSError.self) { _ = try await client.getFolders([.tasks], mailbox: F.alice) }
        let held = try #require(await client.backOffRemaining(mailbox: F.alice), "\(fault): no back-off kept")
        #expect(held > .seconds(1), "\(fault): \(held)")
    }

    @Test("in-band throttling (HTTP 200, ErrorInternalServerError wrapping ErrorServerBusy) backs off that long")
    func inBandInternalBusy() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        let client = fixture.client()
        fixture.fake.inject(.inBandInternalBusy(backOffMilliseconds: 400), operation: "GetFolder", mailbox: F.alice)
        #expect(try await client.getFolders([.tasks], mailbox: F.alice).first?.value != nil)
        let requests = fixture.fake.requests.filter { $0.operation == "GetFolder" }
        #expect(requests.count == 2, "retried once, after the back-off")
        let busyAt = try #require(requests.first { $0.fault != nil }?.at)
        #expect(requests.last!.at.timeIntervalSince(busyAt) >= 0.39)
        #expect(await client.throttledCount(mailbox: F.alice) == 1)
    }

    /// Waits until the client has seen the busy answer (however slow a loaded machine is).
    static func waitForBackOff(_ client: EWSClient, _ mailbox: String) async throws {
        for _ in 0..<500 where await client.backOffRemaining(mailbox: mailbox) == nil {
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test("the back-off of one mailbox does not hold back another")
    func backOffIsPerMailbox() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        let client = fixture.client()
        fixture.fake.inject(.serverBusy(backOffMilliseconds: 3000), operation: "GetFolder", mailbox: F.alice)
        let busy = Task { try await client.getFolders([.tasks], mailbox: F.alice) }
        try await Self.waitForBackOff(client, F.alice)
        let started = Date()
        _ = try await client.getFolders([.tasks], mailbox: F.bob)
        #expect(Date().timeIntervalSince(started) < 2.5)
        #expect(await client.backOffRemaining(mailbox: F.alice) != nil)
        busy.cancel()
    }

    @Test("a read whose connection drops is retried; a write whose connection drops is ambiguous")
    func droppedConnection() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        let client = fixture.client()
        fixture.fake.inject(.dropConnection, operation: "GetFolder", times: 2)
        #expect(try await client.getFolders([.tasks], mailbox: F.alice)[0].value != nil)
        #expect(fixture.fake.requestCount("GetFolder") == 3)
        // The client cannot tell "dropped before applying" from "dropped after": it must not resend.
        fixture.fake.inject(.dropConnection, operation: "CreateItem")
        await #expect {
            _ = try await client.createItems([F.task("T", activity: "A1")], in: .tasks, mailbox: F.alice)
        } throws: { ($0 as? EWSError)?.kind == .ambiguous }
        #expect(fixture.fake.requestCount("CreateItem") == 1)
    }

    @Test(
        "HTTP 503 and 429 are answered before EWS runs, so even writes are retried",
        arguments: [FakeExchange.Fault.httpStatus(503), .httpStatus(429)]
    )
    func transientRetried(fault: FakeExchange.Fault) async throws {
        let fixture = try F()
        defer { fixture.finish() }
        fixture.fake.inject(fault, operation: "CreateItem", times: 2)
        let results = try await fixture.client().createItems(
            [F.task("T", activity: "A1")],
            in: .tasks,
            mailbox: F.alice
        )
        #expect(results[0].value != nil)
        #expect(fixture.fake.requestCount("CreateItem") == 3)
        #expect(fixture.fake.items(mailbox: F.alice, folder: "tasks").count == 1)
    }

    @Test("retries are bounded: a server that stays busy gives a throttled error")
    func retriesBounded() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        fixture.fake.inject(.serverBusy(backOffMilliseconds: 10), times: 100)
        do {
            _ = try await fixture.client().getFolders([.tasks], mailbox: F.alice)
            Issue.record("expected a throttled error")
        } catch let error as EWSError {
            #expect(error.kind == .throttled)
            #expect(error.responseCode == "ErrorServerBusy")
        }
        #expect(fixture.fake.requestCount("GetFolder") == 4)
    }

    @Test("a CreateItem whose answer is lost is reported as ambiguous and never resent")
    func lostAnswerIsAmbiguous() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        fixture.fake.inject(.dropAfterApplying, operation: "CreateItem")
        do {
            _ = try await fixture.client().createItems([F.task("T", activity: "A1")], in: .tasks, mailbox: F.alice)
            Issue.record("expected an ambiguous error")
        } catch let error as EWSError {
            #expect(error.kind == .ambiguous)
        }
        #expect(fixture.fake.requestCount("CreateItem") == 1)
        #expect(fixture.fake.items(mailbox: F.alice, folder: "tasks").count == 1)
    }

    @Test("a truncated answer to a write is ambiguous; to a read it is a malformed-response error")
    func truncatedAnswers() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        let client = fixture.client()
        fixture.fake.inject(.malformedXML, operation: "CreateItem")
        await #expect {
            _ = try await client.createItems([F.task("T", activity: "A1")], in: .tasks, mailbox: F.alice)
        } throws: { ($0 as? EWSError)?.kind == .ambiguous }
        fixture.fake.inject(.malformedXML, operation: "GetFolder")
        await #expect { _ = try await client.getFolders([.tasks], mailbox: F.alice) } throws: {
            ($0 as? EWSError)?.kind == .malformedResponse
        }
    }

    @Test("HTTP 500 without a SOAP fault: a read fails as malformed, a write is ambiguous")
    func bare500() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        let client = fixture.client()
        fixture.fake.inject(.httpStatus(500), operation: "GetFolder")
        await #expect { _ = try await client.getFolders([.tasks], mailbox: F.alice) } throws: {
            ($0 as? EWSError)?.kind == .malformedResponse && ($0 as? EWSError)?.httpStatus == 500
        }
        fixture.fake.inject(.httpStatus(500), operation: "CreateItem")
        await #expect {
            _ = try await client.createItems([F.task("T", activity: "A1")], in: .tasks, mailbox: F.alice)
        } throws: { ($0 as? EWSError)?.kind == .ambiguous }
    }

    @Test("a slow answer past the timeout is a transport error (curl 28)")
    func slowAnswer() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        fixture.fake.inject(.delay(seconds: 2), operation: "GetFolder")
        let client = fixture.client(retry: RetryPolicy(maxAttempts: 1), timeoutSeconds: 0.5)
        await #expect { _ = try await client.getFolders([.tasks], mailbox: F.alice) } throws: {
            ($0 as? EWSError)?.curlCode == 28
        }
    }

    @Test("a wrong password is an authentication error; so is a 401 mid-session")
    func wrongPassword() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        let bad = fixture.client(credentials: .basic(username: "svc-crm", password: "wrong"))
        await #expect { _ = try await bad.getFolders([.tasks], mailbox: F.alice) } throws: {
            ($0 as? EWSError)?.kind == .authentication && ($0 as? EWSError)?.httpStatus == 401
        }
        fixture.fake.inject(.unauthorized, operation: "GetFolder")
        await #expect { _ = try await fixture.client().getFolders([.tasks], mailbox: F.alice) } throws: {
            ($0 as? EWSError)?.kind == .authentication
        }
    }

    @Test("impersonation denied and a missing mailbox are faults naming the cause")
    func impersonationDenied() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        let client = fixture.client()
        await #expect { _ = try await client.getFolders([.tasks], mailbox: F.carol) } throws: {
            ($0 as? EWSError)?.responseCode == "ErrorImpersonateUserDenied" && ($0 as? EWSError)?.kind == .fault
        }
        fixture.fake.addAccount(.init(username: "admin", password: "pw"))
        let admin = fixture.client(credentials: .basic(username: "admin", password: "pw"))
        await #expect { _ = try await admin.getFolders([.tasks], mailbox: "nobody@contoso.test") } throws: {
            ($0 as? EWSError)?.responseCode == "ErrorNonExistentMailbox"
        }
        #expect(try await admin.getFolders([.tasks], mailbox: F.carol)[0].value != nil)
    }

    @Test("OAuth2: one token serves many requests, is renewed before expiry and after a 401")
    func oauthToken() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        fixture.fake.tokenLifetimeSeconds = 3600
        let client = fixture.oauthClient()
        for _ in 0..<3 { _ = try await client.getFolders([.tasks], mailbox: F.alice) }
        #expect(fixture.fake.requestCount("token") == 1)
        fixture.fake.inject(.unauthorized, operation: "GetFolder")
        #expect(try await client.getFolders([.tasks], mailbox: F.alice)[0].value != nil)
        #expect(fixture.fake.requestCount("token") == 2)

        // Renewed 0.2 s before it runs out. (Four seconds, not two: beside the whole suite on two cores a first
        // call once took long enough for an extra renewal — five tokens, not four.)
        fixture.fake.tokenLifetimeSeconds = 4
        let shortLived = fixture.oauthClient()
        _ = try await shortLived.getFolders([.tasks], mailbox: F.alice)
        try await Task.sleep(for: .seconds(4))
        #expect(try await shortLived.getFolders([.tasks], mailbox: F.alice)[0].value != nil)
        #expect(fixture.fake.requestCount("token") == 4)

        let wrong = fixture.client(
            credentials: .oauth2(
                OAuth2ClientCredentials(
                    tokenURL: fixture.fake.tokenURL,
                    clientId: "app-1",
                    clientSecret: "nope",
                    scope: "x"
                )
            )
        )
        await #expect { _ = try await wrong.getFolders([.tasks], mailbox: F.alice) } throws: {
            ($0 as? EWSError)?.kind == .authentication && !"\($0)".contains("nope")
        }
    }

    @Test("the configuration's description never contains a secret")
    func noSecretInDescription() {
        let configuration = EWSConfiguration(
            url: "https://mail.example.com/EWS/Exchange.asmx",
            credentials: .ntlm(username: "svc", password: "hunter2")
        )
        #expect(!configuration.description.contains("hunter2"))
        #expect(configuration.description.contains("ntlm(svc)"))
    }
}
