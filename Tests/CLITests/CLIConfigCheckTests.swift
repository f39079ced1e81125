import Foundation
import Testing

@Suite("the activity-sync binary: config check")
struct CLIConfigCheckTests {
    static let config = """
        store:
          path: crm.sqlite
        exchange:
          url: https://mail.contoso.test/EWS/Exchange.asmx
          auth:
            method: ntlm
            username: CONTOSO\\svc-crm
            password_file: exchange-password

        """

    static func runner(mode: Int, config: String = config) throws -> CLIRunner {
        let cli = try CLIRunner(config: config)
        let secret = cli.path("exchange-password")
        try "Sup3r-secret\n".write(toFile: secret, atomically: true, encoding: .utf8)
        chmod(secret, mode_t(mode))
        return cli
    }

    @Test("a good configuration passes and prints no secret")
    func passes() throws {
        let cli = try Self.runner(mode: 0o600)
        let output = try cli.run("config", "check")
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("ntlm(CONTOSO\\svc-crm)"))
        #expect(!output.stdout.contains("Sup3r-secret") && !output.stderr.contains("Sup3r-secret"))
    }

    @Test("a secret file readable by others is refused, naming the file")
    func worldReadableSecret() throws {
        let cli = try Self.runner(mode: 0o644)
        let output = try cli.run("config", "check")
        #expect(output.status == 2)
        #expect(
            output.stderr.contains("secret file \(cli.path("exchange-password")) is readable or writable by others")
        )
    }

    @Test("secrets are looked up in $CREDENTIALS_DIRECTORY first; a missing one is named")
    func credentialsDirectory() throws {
        let cli = try Self.runner(mode: 0o600)
        let missing = try cli.run("config", "check", environment: ["CREDENTIALS_DIRECTORY": cli.path("creds")])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read secret file \(cli.path("creds"))/exchange-password"))
    }

    @Test("a missing URL or user name is named")
    func missingPieces() throws {
        let noURL = try Self.runner(mode: 0o600, config: "store:\n  path: crm.sqlite\n")
        #expect(try noURL.run("config", "check").stderr.contains("exchange.url is required"))
        let noUser = try Self.runner(
            mode: 0o600,
            config: "exchange:\n  url: https://mail.contoso.test/EWS/Exchange.asmx\n  auth:\n    method: basic\n"
        )
        let output = try noUser.run("config", "check")
        #expect(output.status == 2)
        #expect(output.stderr.contains("exchange.auth.username is required for exchange.auth.method basic"))
    }
}
