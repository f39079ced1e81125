import Foundation
import Logging
import SyncEngine
import SyncPlanning

extension AppConfiguration {
    /// The sync engine's settings from the `sync.*` and `crm.*` keys.
    package var syncSettings: SyncSettings {
        var settings = SyncSettings(
            instance: string("crm.instance_id") ?? "default",
            category: string("sync.category") ?? "CRM",
            policy: SyncPolicy(
                conflictPolicy: SyncPolicy.ConflictPolicy(rawValue: string("sync.conflict_policy") ?? "") ?? .crmWins,
                importRule: SyncPolicy.ImportRule(rawValue: string("sync.import") ?? "") ?? .category,
                remoteDelete: SyncPolicy.RemoteDelete(rawValue: string("sync.remote_delete") ?? "") ?? .tombstone,
                maxDeletes: int("sync.max_deletes"),
                maxDeleteRatio: double("sync.max_delete_ratio")
            ),
            batchSize: int("sync.batch_size"),
            pastDays: int("sync.window.past_days"),
            futureDays: int("sync.window.future_days"),
            callsAsTasks: string("sync.calls_as") == "task",
            defaultZone: TimeZone(identifier: string("exchange.time_zone") ?? "UTC") ?? .gmt
        )
        settings.sendInvitations = string("sync.send_invitations") == "all"
        return settings
    }
}

extension AppConfiguration {
    /// `log.level` for swift-log.
    package var logLevel: Logger.Level {
        switch string("log.level") {
        case "trace": .trace
        case "debug": .debug
        case "notice": .notice
        case "warning": .warning
        case "error": .error
        default: .info
        }
    }
}
