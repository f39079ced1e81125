import Foundation
import Testing

/// The store and the secrets as an admin meets them on a host: commands run as root before the first start, and
/// as the service user afterwards (simulated by `nobody` through setpriv). Every refusal says what is wrong in
/// owners and modes and what to run; nothing leaves a store the service user cannot use.
@Suite(
    "the activity-sync binary: the store and secrets as root and as the service user",
    .enabled(if: CLIRunner.canSwitchUser, "needs root and setpriv to run the binary as another user")
)
struct CLIServiceUserTests {
    static let nobody: uid_t = 65534

    /// A CLI folder the service user may enter and read (its configuration), but not write.
    static func runner(store: String = "crm.sqlite") throws -> CLIRunner {
        let cli = try CLIRunner(config: "store:\n  path: \(store)\n")
        chmod(cli.folder, 0o755)
        chmod(cli.path("activity-sync.yaml"), 0o644)
        return cli
    }

    @Test("a store root made is refused to the service user by owner and mode, with the chown that fixes it")
    func rootOwnedStore() throws {
        let cli = try Self.runner()
        try cli.ok("employee", "list")  // root creates the store: 0600 root:root
        let refused = try cli.run(["employee", "list"], asUser: Self.nobody)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("crm.sqlite (root:root, mode 0600) is not writable by user nobody"))
        #expect(refused.stderr.contains("chown activity-sync: \(cli.path("crm.sqlite"))"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("SQLite error"))
    }

    @Test("a store folder the service user may not create names the folder, not a Foundation error")
    func folderNotWritable() throws {
        let cli = try Self.runner(store: "state/deeper/crm.sqlite")
        let refused = try cli.run(["employee", "list"], asUser: Self.nobody)
        #expect(refused.status == 2)
        #expect(
            refused.stderr.contains("may not create one in \(cli.folder) (root:root, mode 0755)"),
            "\(refused.stderr)"
        )
        #expect(!refused.stderr.contains("NSCocoaErrorDomain"))
        #expect(!FileManager.default.fileExists(atPath: cli.path("state")))
        // config check, run by the service user (ExecStartPre=), says so before the daemon starts.
        let check = try cli.run(["config", "check"], asUser: Self.nobody)
        #expect(check.status == 2 && check.stderr.contains("store: there is none yet"), "\(check.stderr)")
    }

    @Test(
        "status and check as root before the first start create no store; a store root makes in the service's folder is the service's"
    )
    func rootLeavesNothingBehind() throws {
        let cli = try Self.runner(store: "state/crm.sqlite")
        let status = try cli.run("status")
        #expect(status.status == 0 && status.stdout.contains("never ran (no store yet)"))
        #expect(try cli.run("status", "--expect-daemon").status == 3)
        _ = try cli.run("check")  // no Exchange configured: it fails, but leaves nothing either
        #expect(!FileManager.default.fileExists(atPath: cli.path("state")))
        // The state folder exists and is the service user's (systemd's StateDirectory=): root's first write there
        // hands the new store over.
        mkdir(cli.path("state"), 0o700)
        chown(cli.path("state"), Self.nobody, Self.nobody)
        try cli.ok("employee", "add", "--id", "E1", "--name", "Alice", "--mailbox", "alice@contoso.test")
        var info = stat()
        #expect(stat(cli.path("state/crm.sqlite"), &info) == 0 && info.st_uid == Self.nobody)
        let listed = try cli.run(["employee", "list"], asUser: Self.nobody)
        #expect(listed.status == 0 && listed.stdout.contains("Alice"), "\(listed.stderr)")
    }

    @Test(
        "a secret only root may read: the service user is told why and how to run the command with the unit's credential"
    )
    func secretAsServiceUser() throws {
        let (fake, cli) = try SyncCLIFixture.make()
        defer { fake.stop() }
        chmod(cli.folder, 0o755)
        chmod(cli.path("activity-sync.yaml"), 0o644)
        for command in [["config", "check"], ["check"]] {
            let refused = try cli.run(command, asUser: Self.nobody)
            #expect(refused.status == 2, "\(command)")
            #expect(refused.stderr.contains("user nobody may not read secret file"), "\(refused.stderr)")
            #expect(refused.stderr.contains("-p LoadCredential=exchange-password:\(cli.path("exchange-password"))"))
            #expect(refused.stderr.contains("chmod 0640"))
            #expect(!refused.stderr.contains("pw\n"))
        }
        // With the credential handed over as the unit does it, the same command works.
        let credentials = cli.path("credentials")
        mkdir(credentials, 0o700)
        try "pw\n".write(toFile: credentials + "/exchange-password", atomically: true, encoding: .utf8)
        chmod(credentials + "/exchange-password", 0o400)
        chown(credentials, Self.nobody, Self.nobody)
        chown(credentials + "/exchange-password", Self.nobody, Self.nobody)
        let handed = try cli.run(
            ["config", "check"],
            environment: ["CREDENTIALS_DIRECTORY": credentials],
            asUser: Self.nobody
        )
        #expect(handed.status == 2 && handed.stderr.contains("store: there is none yet"), "\(handed.stderr)")
    }

    @Test("config check as root checks the store for the service user; before the first start it notes StateDirectory=")
    func configCheckForServiceUser() throws {
        let cli = try Self.runner(store: "state/crm.sqlite")
        try """
        store:
          path: state/crm.sqlite
        exchange:
          url: https://mail.example.com/EWS/Exchange.asmx
          auth:
            method: basic
            username: svc
        """.write(toFile: cli.path("activity-sync.yaml"), atomically: true, encoding: .utf8)
        try SyncCLIFixture.writePassword("pw", in: cli)
        let environment = ["ACTIVITY_SYNC_SERVICE_USER": "nobody"]
        let before = try cli.run(["config", "check"], environment: environment)
        #expect(before.status == 0, "\(before.stderr)")
        #expect(before.stdout.contains("does not exist yet: the unit's StateDirectory= creates it for nobody"))
        mkdir(cli.path("state"), 0o755)  // root's, as `sudo mkdir` would leave it
        let refused = try cli.run(["config", "check"], environment: environment)
        #expect(
            refused.status == 2 && refused.stderr.contains("user nobody may not create one in"),
            "\(refused.stderr)"
        )
        chown(cli.path("state"), Self.nobody, Self.nobody)
        #expect(try cli.run(["config", "check"], environment: environment).status == 0)
    }
}
