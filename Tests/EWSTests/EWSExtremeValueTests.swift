import EWS
import EWSTestServer
import Foundation
import Testing

/// Numbers a server sends at their extremes (issue 11): never a trap, every wait within the hour.
@Suite("extreme numbers from a server: clamped, never a trap")
struct EWSExtremeValueTests {
    typealias F = FakeExchangeFixture

    /// Starts a GetFolder that meets the fault, waits until the client holds back (or has finished), and
    /// returns the back-off it holds for the mailbox then.
    static func backOff(after fault: FakeExchange.Fault) async throws -> (Duration?, finished: Bool) {
        let fixture = try F()
        defer { fixture.finish() }
        fixture.fake.inject(fault, operation: "GetFolder")
        let client = fixture.client()
        let call = Task { try await client.getFolders([.tasks], mailbox: F.alice) }
        for _ in 0..<200 {
            if fixture.fake.requestCount("GetFolder") == 2 { break }
            if let held = await client.backOffRemaining(mailbox: F.alice), held > .seconds(1) {
                call.cancel()
                return (held, false)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        let finished = (try? await call.value) != nil
        return (await client.backOffRemaining(mailbox: F.alice), finished)
    }

    @Test(
        "Retry-After past any sane wait holds the mailbox back an hour at most",
        arguments: ["inf", "Infinity", "1e300", "9223372036854775807", "3600000"]
    )
    func hugeRetryAfter(text: String) async throws {
        let (held, _) = try await Self.backOff(after: .retryAfter(text))
        let wait = try #require(held)
        #expect(wait > .seconds(3500) && wait <= .seconds(3600), "\(text): \(wait)")
    }

    @Test(
        "Retry-After that is no wait (NaN, negative, zero, not a number) retries after the usual delay",
        arguments: ["nan", "-5", "-inf", "0", "soon", "Wed, 21 Oct 2015 07:28:00 GMT"]
    )
    func noRetryAfter(text: String) async throws {
        let (held, finished) = try await Self.backOff(after: .retryAfter(text))
        #expect(finished, "\(text)")
        #expect(held == nil || held! < .seconds(1), "\(text): \(String(describing: held))")
    }

    @Test("BackOffMilliseconds of Int.max holds the mailbox back an hour at most")
    func hugeBackOffMilliseconds() async throws {
        let (held, _) = try await Self.backOff(after: .serverBusy(backOffMilliseconds: Int.max))
        let wait = try #require(held)
        #expect(wait > .seconds(3500) && wait <= .seconds(3600), "\(wait)")
    }

    @Test("BackOffMilliseconds past every integer type (the hostile mode's) holds the mailbox back an hour at most")
    func backOffPastIntegers() async throws {
        let (held, _) = try await Self.backOff(after: FakeExchange.Hostile.backOffExtreme.fault)
        let wait = try #require(held)
        #expect(wait > .seconds(3500) && wait <= .seconds(3600), "\(wait)")
    }

    @Test("a wait longer than a minute ends the call as throttled, saying how long, instead of being sat out")
    func longWaitEndsTheCall() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        fixture.fake.inject(.retryAfter("600"), operation: "GetFolder")
        let client = fixture.client()
        await #expect { _ = try await client.getFolders([.tasks], mailbox: F.alice) } throws: {
            let error = $0 as? EWSError
            return error?.kind == .throttled && error?.isThrottling == true
                && (590_000...600_000).contains(error?.backOffMilliseconds ?? 0) && "\($0)".contains("for another 59")
        }
        #expect(fixture.fake.requestCount("GetFolder") == 1)
        #expect(try await client.getFolders([.tasks], mailbox: F.bob)[0].value != nil, "Bob is not held back")
    }

    @Test("a negative BackOffMilliseconds is no wait")
    func negativeBackOffMilliseconds() async throws {
        let (held, finished) = try await Self.backOff(after: .serverBusy(backOffMilliseconds: Int.min))
        #expect(finished)
        #expect(held == nil || held! < .seconds(1))
    }

    @Test("a back-off an earlier process stored 1000 days ahead holds the mailbox back an hour at most")
    func storedBackOff() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        let client = fixture.client()
        await client.holdOff(mailbox: F.alice, until: Date().addingTimeInterval(1000 * 86_400))
        let wait = try #require(await client.backOffRemaining(mailbox: F.alice))
        #expect(wait > .seconds(3500) && wait <= .seconds(3600), "\(wait)")
        await client.holdOff(mailbox: F.bob, until: Date.distantFuture.addingTimeInterval(.greatestFiniteMagnitude))
        #expect(await client.backOffRemaining(mailbox: F.bob).map { $0 <= .seconds(3600) } ?? false)
    }
}

extension EWSExtremeValueTests {
    @Test(
        "a token endpoint's expires_in at its extremes: the token is used, renewed within a day, never a trap",
        arguments: ["1e300", "9223372036854775807", "-1", "0", "\"NaN\"", "\"inf\""]
    )
    func extremeTokenLifetime(text: String) async throws {
        let fixture = try F()
        defer { fixture.finish() }
        fixture.fake.tokenExpiresInText = text
        let client = fixture.oauthClient()
        for _ in 0..<2 { #expect(try await client.getFolders([.tasks], mailbox: F.alice)[0].value != nil, "\(text)") }
        // (A lifetime that is no lifetime renews the token for each request rather than keep a dead one.)
        #expect((1...2).contains(fixture.fake.requestCount("token")), "\(text)")
    }
}

extension EWSExtremeValueTests {
    @Test("a hung server costs a call two timeouts at most, not one per attempt; the error says it timed out")
    func hungServer() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        fixture.fake.inject(.delay(seconds: 3), operation: "GetFolder", times: 10)
        let client = fixture.client(
            retry: RetryPolicy(maxAttempts: 5, baseDelaySeconds: 0.01, maxDelaySeconds: 0.02),
            timeoutSeconds: 0.5
        )
        await #expect { _ = try await client.getFolders([.tasks], mailbox: F.alice) } throws: {
            ($0 as? EWSError)?.kind == .transport && "\($0)".lowercased().contains("timed out")
        }
        #expect(fixture.fake.requestCount("GetFolder") == 2, "five attempts allowed, two timeouts spent")
    }

    @Test("a mailbox whose server hangs holds no other mailbox back")
    func hungMailboxAlone() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        fixture.fake.inject(.delay(seconds: 3), operation: "GetFolder", mailbox: F.alice, times: 10)
        let client = fixture.client(
            retry: RetryPolicy(maxAttempts: 5, baseDelaySeconds: 0.01, maxDelaySeconds: 0.02),
            timeoutSeconds: 1
        )
        let hung = Task { try await client.getFolders([.tasks], mailbox: F.alice) }
        while fixture.fake.requestCount("GetFolder") == 0 { try await Task.sleep(for: .milliseconds(10)) }
        // Bob's answer comes while Alice's call still waits on its timeouts (one transfer loop serves both).
        #expect(try await client.getFolders([.tasks], mailbox: F.bob)[0].value != nil)
        #expect(fixture.fake.requestCount("GetFolder") <= 3, "Alice's call is still in its first or second try")
        hung.cancel()
        _ = try? await hung.value
    }
}
