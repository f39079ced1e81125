import EWS
import EWSTestServer
import Foundation
import Graph
import Testing

@Suite("Graph app-only auth against the fake token endpoint")
struct GraphAuthTests {
    @Test(
        "a certificate assertion (PS256 with x5t#S256, RS256 with x5t) is accepted and its token cached",
        arguments: ClientCertificate.Algorithm.allCases
    )
    func certificate(algorithm: ClientCertificate.Algorithm) async throws {
        let fixture = try GraphFixture(algorithm: algorithm)
        let first = try await fixture.client.token()
        #expect(try await fixture.client.token() == first)
        let answer = try await fixture.client.send(
            GraphRequest("GET", "/users/\(GraphFixture.alice)/calendar/events/nope", mailbox: GraphFixture.alice)
        )
        #expect(answer.status == 404 && answer.errorCode == "ErrorItemNotFound")
    }

    @Test("the assertion names the token URL as audience, the client as issuer and subject, and lives five minutes")
    func claims() async throws {
        let certificate = try ClientCertificate(pem: TestCertificates.app)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let jwt = try await certificate.assertion(
            clientId: "app",
            tokenURL: "https://login.test/t/oauth2/v2.0/token",
            now: now
        )
        let parts = jwt.split(separator: ".").map(String.init)
        func decode(_ part: String) throws -> [String: Any] {
            var base64 = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while base64.count % 4 != 0 { base64 += "=" }
            let data = try #require(Data(base64Encoded: base64))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
        let header = try decode(parts[0])
        let claims = try decode(parts[1])
        #expect(header["alg"] as? String == "PS256" && header["x5t#S256"] as? String == certificate.thumbprintSHA256)
        #expect(claims["iss"] as? String == "app" && claims["sub"] as? String == "app")
        #expect(
            (claims["aud"] as? String ?? (claims["aud"] as? [String])?.first)
                == "https://login.test/t/oauth2/v2.0/token"
        )
        #expect((claims["exp"] as? Double ?? 0) - (claims["nbf"] as? Double ?? 0) == 300)
        #expect(!(claims["jti"] as? String ?? "").isEmpty)
        #expect(certificate.notValidAfter > now)
    }

    @Test("a certificate the app registration does not hold is refused with Entra's code, as an auth failure")
    func unknownCertificate() async throws {
        let fixture = try GraphFixture()
        let stranger = GraphClient(
            configuration: GraphConfiguration(
                baseURL: fixture.fake.baseURL,
                tokenURL: fixture.fake.tokenURL,
                clientId: GraphFixture.clientId,
                credential: .certificate(try ClientCertificate(pem: TestCertificates.other))
            )
        )
        do {
            _ = try await stranger.token()
            Issue.record("a foreign certificate got a token")
        } catch let error as EWSError {
            #expect(error.kind == .authentication && error.message.contains("AADSTS700027"))
            #expect(error.description.hasPrefix("Graph authentication"))
        }
    }

    @Test("a client secret works; a wrong one is refused (AADSTS7000215) and never logged")
    func secret() async throws {
        let fixture = try GraphFixture()
        fixture.fake.addClient(id: "secret-app", secret: "s3cret")
        func client(_ secret: String) -> GraphClient {
            GraphClient(
                configuration: GraphConfiguration(
                    baseURL: fixture.fake.baseURL,
                    tokenURL: fixture.fake.tokenURL,
                    clientId: "secret-app",
                    credential: .secret(secret)
                )
            )
        }
        #expect(!(try await client("s3cret").token()).isEmpty)
        do {
            _ = try await client("wrong").token()
            Issue.record("a wrong secret got a token")
        } catch let error as EWSError {
            #expect(error.message.contains("AADSTS7000215") && !error.description.contains("wrong"))
        }
        #expect(!client("s3cret").configuration.description.contains("s3cret"))
    }

    @Test("a key file without its certificate, or with another key's, is a configuration error naming the file")
    func badFiles() throws {
        let keyOnly = TestCertificates.app.components(separatedBy: "-----BEGIN CERTIFICATE-----")[0]
        #expect(throws: EWSError.self) { try ClientCertificate(pem: keyOnly) }
        let encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkq\n-----END ENCRYPTED PRIVATE KEY-----\n"
        do {
            _ = try ClientCertificate(pem: encrypted)
            Issue.record("an encrypted key was taken")
        } catch {
            #expect(error.message.contains("encrypted") && error.message.contains("openssl pkey"))
        }
        let mixed =
            TestCertificates.app.components(separatedBy: "-----BEGIN CERTIFICATE-----")[0]
            + "-----BEGIN CERTIFICATE-----"
            + TestCertificates.other.components(separatedBy: "-----BEGIN CERTIFICATE-----")[1]
        do {
            _ = try ClientCertificate(pem: mixed)
            Issue.record("a certificate of another key was taken")
        } catch {
            #expect(error.message.contains("graph.certificate_file") && error.message.contains("does not belong"))
        }
    }

    @Test("a revoked token is renewed once; during an auth outage the pass fails as auth, the delta token lives on")
    func revoked() async throws {
        let fixture = try GraphFixture()
        let service = fixture.service()
        let cursor = try #require(try await service.changes(in: .calendar, from: nil).last?.cursor)
        fixture.fake.revokeTokens()
        // Renewed once: the pass goes on.
        _ = try await service.changes(in: .calendar, from: cursor)
        #expect(fixture.fake.requests.filter { $0.status == 401 }.count == 1)
        // An outage: the token is refused and cannot be renewed. An auth failure — never CursorExpired (a mass
        // re-read, evolution-ews #313) — and the same cursor works once the outage is over.
        fixture.fake.revokeTokens()
        fixture.fake.tokenOutage = true
        do {
            _ = try await service.changes(in: .calendar, from: cursor)
            Issue.record("a pass ran without a token")
        } catch let error as EWSError {
            #expect(error.kind == .authentication && error.backend == "Graph")
        }
        fixture.fake.tokenOutage = false
        #expect(try await service.changes(in: .calendar, from: cursor).flatMap(\.changes).isEmpty)
    }
}
