import EWS
import Foundation
import Testing

@Suite(
    "NTLM against an NTLM-checking double (pyspnego)",
    .enabled(if: NTLMDouble.missing == nil, "\(NTLMDouble.missing ?? "")")
)
struct EWSNTLMTests {
    static let user = "CONTOSO\\svc-crm"

    static func client(
        port: Int,
        scheme: String = "http",
        password: String = "Pa55word",
        tls: TLSOptions = TLSOptions(),
        credentials: EWSCredentials? = nil,
        attempts: Int = 1
    ) -> EWSClient {
        EWSClient(
            configuration: EWSConfiguration(
                url: "\(scheme)://127.0.0.1:\(port)/EWS/Exchange.asmx",
                credentials: credentials ?? .ntlm(username: user, password: password),
                tls: tls,
                retry: RetryPolicy(maxAttempts: attempts, baseDelaySeconds: 0.01)
            )
        )
    }

    static func stats(port: Int, scheme: String, tls: TLSOptions) async throws -> [String: Int] {
        let response = try await CurlEventLoop.shared.perform(
            HTTPRequest(
                url: "\(scheme)://127.0.0.1:\(port)/stats",
                body: [],
                tls: tls
            )
        )
        return try JSONDecoder().decode([String: Int].self, from: Data(response.body))
    }

    @Test("one NTLM handshake serves many requests on the reused connection (HTTP)")
    func ntlmOverHTTP() async throws {
        let double = try NTLMDouble(user: Self.user, password: "Pa55word")
        defer { double.stop() }
        let client = Self.client(port: double.port)
        for _ in 0..<6 {
            #expect(
                try await client.getFolders([.tasks], mailbox: "alice@contoso.test")[0].value?.displayName == "Tasks"
            )
        }
        let stats = try await Self.stats(port: double.port, scheme: "http", tls: TLSOptions())
        #expect(stats["requests"] == 6)
        #expect(stats["handshakes"] == 1)
    }

    @Test("a wrong NTLM password is an authentication error")
    func wrongPassword() async throws {
        let double = try NTLMDouble(user: Self.user, password: "Pa55word")
        defer { double.stop() }
        await #expect {
            _ = try await Self.client(port: double.port, password: "wrong").getFolders([.tasks], mailbox: "a@b.test")
        } throws: { ($0 as? EWSError)?.kind == .authentication && !"\($0)".contains("wrong") }
    }

    @Test("Basic against an NTLM-only server names the scheme it offers and the setting to change, not the password")
    func schemeNotOffered() async throws {
        let double = try NTLMDouble(user: Self.user, password: "Pa55word")
        defer { double.stop() }
        let basic = Self.client(port: double.port, credentials: .basic(username: "svc", password: "Pa55word"))
        await #expect {
            _ = try await basic.getFolders([.tasks], mailbox: "alice@contoso.test")
        } throws: {
            let text = "\($0)"
            return ($0 as? EWSError)?.kind == .authentication
                && text.contains("does not offer Basic authentication (it offers: NTLM)")
                && text.contains("set exchange.auth.method to ntlm") && !text.contains("Pa55word")
        }
        // A wrong password with the offered scheme reads as such.
        await #expect {
            _ = try await Self.client(port: double.port, password: "wrong").getFolders([.tasks], mailbox: "a@b.test")
        } throws: { "\($0)".contains("check exchange.auth.username and the password") }
    }

    @Test("an untrusted certificate names exchange.tls.ca_file and is not retried: it would fail the same way")
    func untrustedCertificateNotRetried() async throws {
        let certificates = try TestCertificates()
        let double = try NTLMDouble(user: Self.user, password: "Pa55word", tls: certificates)
        defer { double.stop() }
        let untrusting = Self.client(port: double.port, scheme: "https", attempts: 5)
        await #expect { _ = try await untrusting.getFolders([.tasks], mailbox: "alice@contoso.test") } throws: {
            ($0 as? EWSError)?.curlCode == 60 && "\($0)".contains("set exchange.tls.ca_file")
        }
        let trusted = TLSOptions(verify: true, caFile: certificates.caFile)
        // One connection for the refused handshake, one for this question: no second attempt.
        #expect(try await Self.stats(port: double.port, scheme: "https", tls: trusted)["connections"] == 2)
    }

    @Test("NTLM over HTTPS with a private CA; without the CA the certificate is refused")
    func ntlmOverHTTPS() async throws {
        let certificates = try TestCertificates()
        let double = try NTLMDouble(user: Self.user, password: "Pa55word", tls: certificates)
        defer { double.stop() }
        let trusted = TLSOptions(verify: true, caFile: certificates.caFile)
        let client = Self.client(port: double.port, scheme: "https", tls: trusted)
        for _ in 0..<3 {
            #expect(try await client.getFolders([.tasks], mailbox: "alice@contoso.test")[0].value != nil)
        }
        #expect(try await Self.stats(port: double.port, scheme: "https", tls: trusted)["handshakes"] == 1)
        let untrusting = Self.client(port: double.port, scheme: "https")
        await #expect { _ = try await untrusting.getFolders([.tasks], mailbox: "alice@contoso.test") } throws: {
            ($0 as? EWSError)?.curlCode == 60 && ($0 as? EWSError)?.kind == .transport
        }
    }
}
