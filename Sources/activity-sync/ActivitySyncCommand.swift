import ArgumentParser
import Foundation

/// The `activity-sync` executable: the daemon and every ops and record command.
@main
struct ActivitySyncCommand: AsyncParsableCommand {
    static let version = "0.1.0"
    /// `--version`: the release and the commit it was built from (`BuildInfoPlugin`; "-dirty" for a build with
    /// uncommitted changes), so a bug report names exactly what ran.
    static let versionLine = "\(version) (commit \(BuildInfo.commit))"

    static let configuration = CommandConfiguration(
        commandName: "activity-sync",
        abstract: "Keeps CRM activities and Exchange mailboxes in step, both ways, over EWS and Microsoft Graph.",
        version: versionLine,
        subcommands: [
            DemoCommand.self, RunCommand.self, ResyncCommand.self, CheckCommand.self, StatusCommand.self,
            PauseCommand.self, ResumeCommand.self, PurgeCommand.self, EmployeeCommand.self,
            PartnerCommand.self,
            ContactCommand.self,
            OpportunityCommand.self,
            ActivityCommand.self, TemplateCommand.self, GenerateCommand.self, ImportCommand.self, ExportCommand.self,
            BackupCommand.self, ConfigCommand.self, ConflictsCommand.self, AuditCommand.self,
        ]
    )

    /// Files this process creates (the store, its WAL, a backup) are its user's only, whatever the caller's
    /// umask: they hold the whole CRM. (The unit sets UMask=0077 for the daemon too.)
    static func main() async {
        umask(0o077)
        do {
            var command = try parseAsRoot(globalOptionsAfterCommand(Array(CommandLine.arguments.dropFirst())))
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    /// SPEC §4 calls `--config` a global option: given before the command (`activity-sync --config F status`) it is
    /// moved after it, where every command's `GlobalOptions` reads it (before a `--` that ends the options).
    static func globalOptionsAfterCommand(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var rest = arguments[...]
        while let first = rest.first, first == "--config" || first.hasPrefix("--config=") {
            leading.append(first)
            rest = rest.dropFirst()
            if first == "--config", let value = rest.first {
                leading.append(value)
                rest = rest.dropFirst()
            }
        }
        guard !leading.isEmpty else { return arguments }
        var moved = Array(rest)
        moved.insert(contentsOf: leading, at: moved.firstIndex(of: "--") ?? moved.endIndex)
        return moved
    }
}
