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

    @Test(
        "a secret file others may read, or anyone but its owner may write, is refused naming the file and the fix",
        arguments: [
            (0o644, "is readable by others; chmod o-r it"), (0o604, "is readable by others"),
            (0o620, "is writable by others than its owner"), (0o602, "is writable by others than its owner"),
            (0o640, "is readable by its group"), (0o660, "is writable by others than its owner"),
        ]
    )
    func secretPermissions(mode: Int, reason: String) throws {
        let cli = try Self.runner(mode: mode)
        // (Group-readable is refused here for a group other than ours; run as root, the file is root's.)
        chown(cli.path("exchange-password"), getuid(), getgid() == 65534 ? 65533 : 65534)
        let output = try cli.run("config", "check")
        #expect(output.status == 2, "\(String(mode, radix: 8))")
        #expect(
            output.stderr.contains("secret file \(cli.path("exchange-password")) \(reason)"),
            "\(String(mode, radix: 8)): \(output.stderr)"
        )
        #expect(!output.stderr.contains("Sup3r-secret"))
        #expect(try Self.runner(mode: 0o400).run("config", "check").status == 0)
    }

    @Test("a mistyped ACTIVITY_SYNC_ variable is listed with the one it likely meant; a mistyped key says it too")
    func mistypedOverride() throws {
        let cli = try Self.runner(mode: 0o600)
        let output = try cli.run("config", "check", environment: ["ACTIVITY_SYNC_SYNC_INTERVAL": "5"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(
            output.stdout.contains(
                "warning: ACTIVITY_SYNC_SYNC_INTERVAL is set but overrides no configuration key; it is ignored "
                    + "(did you mean ACTIVITY_SYNC_SYNC_INTERVAL_SECONDS?)"
            ),
            "\(output.stdout)"
        )
        // A bad value for a known key stays a refusal (exit 2).
        let bad = try cli.run("config", "check", environment: ["ACTIVITY_SYNC_SYNC_INTERVAL_SECONDS": "often"])
        #expect(bad.status == 2 && bad.stderr.contains("ACTIVITY_SYNC_SYNC_INTERVAL_SECONDS"), "\(bad.stderr)")
        let typo = try CLIRunner(config: Self.config + "sync:\n  intervall_seconds: 5\n")
        let refused = try typo.run("config", "check")
        #expect(
            refused.status == 2
                && refused.stderr.contains(
                    "unknown key 'sync.intervall_seconds' (did you mean 'sync.interval_seconds'?)"
                ),
            "\(refused.stderr)"
        )
    }

    @Test("every problem of the file and the environment is reported at once, not only the first")
    func allProblemsAtOnce() throws {
        let cli = try Self.runner(
            mode: 0o600,
            config: Self.config + "sync:\n  interval_seconds: often\n  conflict_policy: loudest-wins\n  colour: red\n"
        )
        let output = try cli.run("config", "check", environment: ["ACTIVITY_SYNC_SYNC_CONCURRENCY": "0"])
        #expect(output.status == 2)
        for expected in [
            "4 problems:",
            "sync.conflict_policy 'loudest-wins': must be one of crm-wins, exchange-wins, newest-wins",
            "sync.interval_seconds 'often': must be a whole number from 1 to 86400",
            "unknown key 'sync.colour'",
            "ACTIVITY_SYNC_SYNC_CONCURRENCY: sync.concurrency '0': must be a whole number from 1 to 256",
        ] {
            #expect(output.stderr.contains(expected), "\(expected)\n\(output.stderr)")
        }
    }

    @Test("--config is a global option: accepted before the command too (SPEC §4)")
    func configBeforeCommand() throws {
        let cli = try Self.runner(mode: 0o600)
        let elsewhere = try CLIRunner()  // another folder: only --config points at the first one's file
        for arguments in [
            ["--config", cli.path("activity-sync.yaml"), "config", "check"],
            ["--config=\(cli.path("activity-sync.yaml"))", "config", "check"],
            ["config", "check", "--config", cli.path("activity-sync.yaml")],
        ] {
            let output = try elsewhere.run(arguments)
            #expect(output.status == 0, "\(arguments): \(output.stderr)")
            #expect(output.stdout.contains("configuration ok: \(cli.path("activity-sync.yaml"))"), "\(output.stdout)")
        }
        let missing = try elsewhere.run(["--config", cli.path("nope.yaml"), "employee", "list"])
        #expect(missing.status == 2 && missing.stderr.contains("nope.yaml does not exist"), "\(missing.stderr)")
    }

    @Test("a root-owned secret readable by the service user's group is accepted (root:activity-sync 0640)")
    func groupReadableForService() throws {
        let cli = try Self.runner(mode: 0o640)
        let owner = getuid()
        let output = try cli.run("config", "check")
        // (Only root can give a file to root; as another user, a group-readable file of one's own is refused.)
        #expect(output.status == (owner == 0 ? 0 : 2), "\(output.stderr)")
    }

    @Test("a YAML alias bomb, a deep nesting and a huge file are refused at once, naming the limit")
    func hostileYAML() throws {
        var bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for (level, name) in "bcdefghi".enumerated() {
            let previous = level == 0 ? "a" : String(Array("bcdefghi")[level - 1])
            bomb += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
        }
        let cases = [
            (bomb, "expands to more than 10000 YAML nodes"),
            (String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000), "not valid YAML"),
            (
                "store:\n  path: crm.sqlite\n#" + String(repeating: "x", count: 2 << 20) + "\n",
                "larger than 1048576 bytes"
            ),
        ]
        for (yaml, message) in cases {
            let cli = try CLIRunner(config: yaml)
            let output = try cli.run("config", "check")
            #expect(output.status == 2, "\(message): \(output.stderr.prefix(300))")
            #expect(output.stderr.contains(message), "\(output.stderr.prefix(300))")
        }
    }

    @Test(
        "every numeric option at its extremes is refused naming the key and its range, in the file and the environment",
        arguments: [
            "store.retention_days", "exchange.timeout_seconds", "sync.interval_seconds", "sync.window.past_days",
            "sync.window.future_days", "sync.max_deletes", "sync.max_delete_ratio", "sync.batch_size",
            "sync.concurrency", "sync.pull_interval_seconds",
        ]
    )
    func extremeOptions(key: String) throws {
        for value in ["9223372036854775808", "-9223372036854775809", "-1", "1e300", "nan", "inf", "-inf", "0x10"] {
            let name = "ACTIVITY_SYNC_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
            let cli = try Self.runner(mode: 0o600)
            let output = try cli.run(["config", "check"], environment: [name: value])
            #expect(output.status == 2, "\(key)=\(value): \(output.stdout)")
            #expect(output.stderr.contains(name), "\(key)=\(value): \(output.stderr)")
        }
    }

    @Test("time zones: an alias is taken; one without a Windows zone is refused in the file and for an employee")
    func timeZones() throws {
        let cli = try Self.runner(mode: 0o600)
        let refused = try cli.run(
            ["config", "check"],
            environment: ["ACTIVITY_SYNC_EXCHANGE_TIME_ZONE": "Antarctica/Troll"]
        )
        #expect(refused.status == 2 && refused.stderr.contains("no Windows time zone"), "\(refused.stderr)")
        let alias = try cli.run(["config", "check"], environment: ["ACTIVITY_SYNC_EXCHANGE_TIME_ZONE": "US/Eastern"])
        #expect(alias.status == 0, "\(alias.stderr)")
        try cli.ok("employee", "add", "--id", "E1", "--name", "Alice", "--time-zone", "US/Eastern")
        let troll = try cli.run("employee", "add", "--id", "E2", "--name", "Bob", "--time-zone", "Antarctica/Troll")
        #expect(troll.status != 0 && troll.stderr.contains("no Windows time zone"), "\(troll.stderr)")
    }

    @Test("a password inside exchange.url is refused and never printed")
    func passwordInURL() throws {
        let cli = try Self.runner(
            mode: 0o600,
            config: Self.config.replacingOccurrences(of: "https://mail", with: "https://svc:Hunter2-secret@mail")
        )
        let output = try cli.run("config", "check")
        #expect(output.status == 2)
        #expect(output.stderr.contains("exchange.url holds a user name or password"))
        #expect(!output.stderr.contains("Hunter2") && !output.stdout.contains("Hunter2"))
    }

    @Test("http:// to another host is refused unless allow_cleartext; to this host it warns; verify off warns")
    func cleartext() throws {
        let remote = Self.config.replacingOccurrences(of: "https://mail", with: "http://mail")
        let refused = try Self.runner(mode: 0o600, config: remote).run("config", "check")
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("exchange.url 'http://mail.contoso.test/EWS/Exchange.asmx': http:// to a host"))
        #expect(refused.stderr.contains("exchange.tls.allow_cleartext: true"))
        let allowed = try Self.runner(
            mode: 0o600,
            config: remote + "  tls:\n    allow_cleartext: true\n    verify: false\n"
        ).run("config", "check")
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(
            allowed.stdout.contains("warning: exchange.url is http://: the service account's secret goes in clear text")
        )
        #expect(allowed.stdout.contains("warning: TLS certificate verification is off"))
        let loopback = try Self.runner(
            mode: 0o600,
            config: Self.config.replacingOccurrences(of: "https://mail.contoso.test", with: "http://127.0.0.1:8080")
        ).run("config", "check")
        #expect(loopback.status == 0, "\(loopback.stderr)")
        #expect(loopback.stdout.contains("clear text (to this host)"))
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

@Suite("the activity-sync binary: config show and config init")
struct CLIConfigShowTests {
    @Test("config show: every key with its value and source (file, environment, default); credential files resolved")
    func show() throws {
        let cli = try CLIRunner(config: "store:\n  path: crm.sqlite\nsync:\n  concurrency: 8\n")
        let credentials = cli.path("credentials")
        let output = try cli.run(
            ["config", "show", "--json"],
            environment: ["ACTIVITY_SYNC_SYNC_INTERVAL_SECONDS": "30", "CREDENTIALS_DIRECTORY": credentials]
        )
        #expect(output.status == 0, "\(output.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]])
        func row(_ key: String) -> [String: Any]? { rows.first { $0["key"] as? String == key } }
        #expect(rows.count > 30)
        #expect(
            row("sync.concurrency")?["source"] as? String == "file"
                && row("sync.concurrency")?["value"] as? String == "8"
        )
        #expect(
            row("sync.interval_seconds")?["source"] as? String == "environment (ACTIVITY_SYNC_SYNC_INTERVAL_SECONDS)"
        )
        #expect(row("sync.batch_size")?["source"] as? String == "default")
        #expect(row("exchange.auth.password_file")?["path"] as? String == credentials + "/exchange-password")
        #expect(row("store.path")?["path"] as? String == cli.path("crm.sqlite"))
        #expect(row("metrics.listen")?["value"] is NSNull)
        let text = try cli.ok("config", "show")
        #expect(text.contains("configuration: \(cli.path("activity-sync.yaml"))") && text.contains("KEY"))
    }

    @Test(
        "config init --auth writes a starting file each method's configuration loads from; a filled-in basic one checks ok",
        arguments: ["ntlm", "negotiate", "basic", "oauth2", "graph-certificate", "graph-secret"]
    )
    func initFile(method: String) throws {
        let cli = try CLIRunner()
        let file = cli.path("new.yaml")
        #expect(try cli.run("config", "init", "--auth", method, "--output", file).status == 0)
        let shown = try cli.run("--config", file, "config", "show", "--json")
        #expect(shown.status == 0, "\(shown.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [[String: Any]])
        let backend = rows.first { $0["key"] as? String == "exchange.backend" }
        #expect(backend?["source"] as? String == "file")
        #expect(backend?["value"] as? String == (method.hasPrefix("graph") ? "graph" : "ews"))
        if !method.hasPrefix("graph") {
            let auth = rows.first { $0["key"] as? String == "exchange.auth.method" }
            #expect(auth?["value"] as? String == method && auth?["source"] as? String == "file")
        }
        // Never over an existing file.
        let again = try cli.run("config", "init", "--auth", method, "--output", file)
        #expect(again.status == 1 && again.stderr.contains("exists; not overwritten"))
        if method == "basic" {
            try SyncCLIFixture.writePassword("secret", in: cli)
            let check = try cli.run("--config", file, "config", "check")
            // (Root may create /var/lib/activity-sync; another user is told about the store's folder, nothing else.)
            #expect(check.status == 0 || check.stderr.contains("store: "), "\(check.stderr)")
            #expect(!check.stderr.contains("exchange."), "\(check.stderr)")
        }
    }
}
