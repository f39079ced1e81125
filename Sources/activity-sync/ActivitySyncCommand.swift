import ArgumentParser
import Foundation

/// The `activity-sync` executable: the daemon and every ops and record command.
@main
struct ActivitySyncCommand: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "activity-sync",
        abstract: "Keeps CRM activities and Exchange mailboxes in step, both ways, over EWS.",
        version: version,
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
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
