import ArgumentParser
import EWS
import Foundation
import Store
import SyncEngine

/// `activity-sync run --once [--dry-run]`: one pass over every active sync user's mailbox.
/// (The long-running daemon — scheduler, notifications, systemd — is the next piece of work.)
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Synchronise every active sync user's mailbox (--once: one pass, then exit)."
    )
    @OptionGroup var global: GlobalOptions
    @Flag(help: "One pass over all mailboxes, then exit.") var once = false
    @Flag(name: .customLong("dry-run"), help: "With --once: print the plan per mailbox and change nothing.")
    var dryRun = false

    func validate() throws {
        guard once else { throw ValidationError("only --once is available in this release (the daemon comes next)") }
    }

    func run() async throws {
        let configuration = try global.configuration()
        let ews: EWSConfiguration
        do { ews = try configuration.ewsConfiguration() } catch let error as ConfigurationError {
            CLI.fail("configuration: \(error.description)", code: 2)
        }
        let store = try global.openStore()
        // One process writes to Exchange for a store at a time.
        let lock = CLI.run { try store.lockForDaemon() }
        defer { withExtendedLifetime(lock) {} }
        let client = EWSClient(configuration: ews)
        var failed = false
        for employee in CLI.run({ try store.employees() }) where employee.sync && employee.mailbox != nil {
            do {
                let report = try await MailboxSync(
                    store: store,
                    client: client,
                    settings: configuration.syncSettings,
                    employee: employee
                ).runPass(dryRun: dryRun)
                Self.print(report, dryRun: dryRun)
                failed = failed || report.paused != nil || !report.failures.isEmpty
            } catch {
                failed = true
                CLI.print("\(employee.mailbox!): pass failed: \(error)")
            }
        }
        if failed { throw ExitCode(3) }
    }

    static func print(_ report: PassReport, dryRun: Bool) {
        let actions = report.plan.actions.filter { if case .skip = $0 { false } else { true } }
        CLI.print("\(report.mailbox): \(dryRun ? "would do" : "did") \(actions.count) actions")
        for action in report.plan.actions { CLI.print("  \(action)") }
        if let paused = report.paused {
            CLI.print("  paused: \(paused); run resync --mailbox \(report.mailbox) --allow-deletes")
        }
        for failure in report.failures { CLI.print("  failed: \(failure)") }
        if report.ambiguous > 0 {
            CLI.print("  \(report.ambiguous) creates unconfirmed; reconciled by identity next pass")
        }
    }
}
