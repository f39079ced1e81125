import EWS
import EWSTestServer
import Foundation
import Testing

@Suite("hostile and broken answers give a clear error, bounded memory, no crash")
struct EWSHostileResponseTests {
    typealias F = FakeExchangeFixture

    static func answer(_ fake: FakeExchange, _ text: String) {
        fake.inject(.rawBody(Array(text.utf8)), operation: "GetFolder")
    }

    static func expectMalformed(_ fixture: F, containing fragment: String) async {
        do {
            _ = try await fixture.client().getFolders([.tasks], mailbox: F.alice)
            Issue.record("the hostile answer was accepted")
        } catch let error as EWSError {
            #expect(error.kind == .malformedResponse)
            #expect(error.message.contains(fragment), "\(error.message)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("billion laughs: the DTD is refused before any entity is expanded")
    func billionLaughs() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        var dtd = "<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        for level in 1...9 {
            dtd += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1);", count: 10) + "\">"
        }
        dtd = dtd.replacingOccurrences(of: "&lol0;", with: "&lol;") + "]>"
        Self.answer(
            fixture.fake,
            "<?xml version=\"1.0\"?>\(dtd)<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>&lol9;</s:Body></s:Envelope>"
        )
        await Self.expectMalformed(fixture, containing: "dtdRefused")
    }

    @Test("an external entity is never loaded")
    func externalEntity() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        Self.answer(
            fixture.fake,
            "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                + "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>&xxe;</s:Body></s:Envelope>"
        )
        await Self.expectMalformed(fixture, containing: "dtdRefused")
    }

    @Test("a 200 MB answer is cut off at the configured limit")
    func hugeBody() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        fixture.fake.inject(.hugeBody(megabytes: 200), operation: "GetFolder")
        let client = fixture.client(maxResponseBytes: 16 << 20)
        await #expect { _ = try await client.getFolders([.tasks], mailbox: F.alice) } throws: {
            ($0 as? EWSError)?.kind == .malformedResponse && "\($0)".contains("larger than")
                && ($0 as? EWSError)?.limit == "answer_bytes"
        }
        #expect(fixture.fake.requestCount("GetFolder") == 1)
    }

    @Test("15 MB of tiny elements (within the byte limit) is refused at the element limit, not kept")
    func tinyElements() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        fixture.fake.inject(.tinyElements(megabytes: 15), operation: "GetFolder")
        await #expect { _ = try await fixture.client().getFolders([.tasks], mailbox: F.alice) } throws: {
            let error = $0 as? EWSError
            return error?.kind == .malformedResponse && error?.limit == "answer_elements"
                && "\($0)".contains("more than 50000 elements")
        }
        #expect(fixture.fake.requestCount("GetFolder") == 1)
    }

    @Test("truncated XML is a malformed answer")
    func truncated() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        Self.answer(
            fixture.fake,
            "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><m:GetFolderResp"
        )
        await Self.expectMalformed(fixture, containing: "refused")
    }

    @Test("the wrong namespace (https, as some Microsoft pages print it) is refused")
    func wrongNamespace() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        Self.answer(
            fixture.fake,
            "<s:Envelope xmlns:s=\"https://schemas.xmlsoap.org/soap/envelope/\"><s:Body/></s:Envelope>"
        )
        await Self.expectMalformed(fixture, containing: "not a SOAP 1.1 envelope")
        Self.answer(
            fixture.fake,
            "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
                + "<m:GetFolderResponse xmlns:m=\"https://schemas.microsoft.com/exchange/services/2006/messages\"/></s:Body></s:Envelope>"
        )
        await Self.expectMalformed(fixture, containing: "no EWS response")
    }

    @Test("deep nesting is refused")
    func deepNesting() async throws {
        let fixture = try F()
        defer { fixture.finish() }
        Self.answer(
            fixture.fake,
            "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
                + String(repeating: "<a>", count: 5000) + String(repeating: "</a>", count: 5000)
                + "</s:Body></s:Envelope>"
        )
        await Self.expectMalformed(fixture, containing: "nesting")
    }
}
