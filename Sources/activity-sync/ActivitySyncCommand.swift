import ArgumentParser

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
}
