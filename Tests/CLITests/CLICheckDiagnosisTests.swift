import EWSTestServer
import Foundation
import Testing

/// `check` as the person installing it meets it: before the first sync user, and with each setting wrong in the
/// way it usually is — each failure under the column it belongs to, its text naming the cause and the fix.
@Suite("the activity-sync binary: check proves the service account and names each failure's cause")
struct CLICheckDiagnosisTests {
    static func row(_ output: CLIRunner.Output) throws -> [String: String] {
        let rows = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]]
        return try #require(rows?.first).compactMapValues { $0 as? String }
    }

    /// The fixture's configuration with `exchange.url` (and the password) replaced.
    static func runner(url: String, fake: FakeExchange, password: String = "pw") throws -> CLIRunner {
        let cli = try CLIRunner(
            config: """
                store:
                  path: crm.sqlite
                exchange:
                  url: \(url)
                  auth:
                    method: basic
                    username: svc
                    password_file: exchange-password
                """
        )
        try SyncCLIFixture.writePassword(password, in: cli)
        return cli
    }

    @Test("no sync users yet: the endpoint and the service account are proven, a wrong password is exit 3")
    func freshInstall() throws {
        let (fake, cli) = try SyncCLIFixture.make()
        defer { fake.stop() }
        let good = try cli.run("check", "--json")
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        let row = try Self.row(good)
        #expect(row["mailbox"] == "(service account)" && row["endpoint"] == "ok" && row["authentication"] == "ok")
        #expect(try cli.run("check").stdout.contains("No sync users yet: the endpoint and the service account"))
        let wrong = try Self.runner(url: fake.url, fake: fake, password: "not-it")
        let refused = try wrong.run("check", "--json")
        #expect(refused.status == 3)
        let failed = try Self.row(refused)
        #expect(failed["endpoint"] == "ok" && failed["authentication"] == "failed")
        #expect(failed["error"]?.contains("check exchange.auth.username and the password") == true)
        #expect(!refused.stdout.contains("not-it"))
        // The probe addressed no mailbox: no impersonation header went out.
        #expect(
            fake.requests.contains {
                $0.operation == "GetFolder" && $0.mailbox == "svc" && $0.headers["x-anchormailbox"] == nil
            }
        )
        #expect(fake.schemaViolations == [])
    }

    @Test("nothing listening: ENDPOINT failed (not AUTH), the text says what to look at")
    func connectionRefused() throws {
        let (fake, _) = try SyncCLIFixture.make()
        fake.stop()
        let gone = try Self.runner(url: fake.url, fake: fake)
        let output = try gone.run("check", "--json")
        #expect(output.status == 3)
        let row = try Self.row(output)
        #expect(row["endpoint"] == "failed" && row["authentication"] == "-", "\(row)")
        #expect(row["error"]?.contains("nothing accepts connections there") == true)
    }

    @Test("a URL that is no EWS (HTTP 404): ENDPOINT failed, the text names the path EWS lives at")
    func notFound() throws {
        let (fake, _) = try SyncCLIFixture.make()
        defer { fake.stop() }
        let output = try Self.runner(url: "http://127.0.0.1:\(fake.port)/owa", fake: fake).run("check", "--json")
        #expect(output.status == 3)
        let row = try Self.row(output)
        #expect(row["endpoint"] == "failed" && row["authentication"] == "-", "\(row)")
        #expect(row["error"]?.contains("HTTP 404") == true && row["error"]?.contains("/EWS/Exchange.asmx") == true)
    }

    @Test("https:// to the plain-HTTP port: answered 400 as IIS does, reported as plain HTTP, not retried")
    func tlsToPlainPort() throws {
        let (fake, _) = try SyncCLIFixture.make()
        defer { fake.stop() }
        let output = try Self.runner(url: "https://127.0.0.1:\(fake.port)/EWS/Exchange.asmx", fake: fake)
            .run("check", "--json")
        #expect(output.status == 3)
        let row = try Self.row(output)
        #expect(row["endpoint"] == "failed", "\(row)")
        #expect(row["error"]?.contains("the port speaks plain HTTP; use http:// or the HTTPS port") == true)
        #expect(fake.notHTTPConnections == 1)  // a permanent failure: one attempt, not the retry budget
    }
}
