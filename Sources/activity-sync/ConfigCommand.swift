import AppConfig
import ArgumentParser
import EWS
import Foundation
import Store

/// `config check`: validates the configuration and the credentials (for `ExecStartPre=`).
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check, show or start the configuration.",
        subcommands: [Check.self, ConfigShowCommand.self, ConfigInitCommand.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Validate the configuration file, environment overrides and secret files; exit 2 naming what is wrong."
        )
        @OptionGroup var global: GlobalOptions

        /// The user `systemd/activity-sync.sysusers` creates and the unit runs as (`ACTIVITY_SYNC_SERVICE_USER`
        /// names another, for a unit with its own `User=`).
        static let serviceUser = "activity-sync"

        func run() throws {
            let configuration = try global.configuration()
            // Each backend the file sets up is checked: EWS when it is the default or has a URL, Graph when it is
            // the default or has a client id. (The store is not opened, only its access checked: this runs before the
            // service does.)
            let backend = configuration.string("exchange.backend") ?? "ews"
            var lines: [String] = []
            var warnings = AppConfiguration.environmentWarnings()
            var problems: [String] = []
            do {
                if backend == "ews" || configuration.string("exchange.url") != nil {
                    lines.append(try configuration.ewsConfiguration().description)  // (never a secret)
                    warnings += configuration.exchangeWarnings()
                }
                if backend == "graph" || configuration.string("graph.client_id") != nil {
                    let graph = try configuration.graphConfiguration()
                    lines.append(graph.description)
                    warnings += configuration.graphWarnings(graph)
                }
            } catch let error as ConfigurationError {
                problems.append("configuration: \(error.description)")
            }
            // The store must be usable by whoever runs the service: this user, or — run by root — the service
            // user the package creates, when the system has one.
            let name = ProcessInfo.processInfo.environment["ACTIVITY_SYNC_SERVICE_USER"] ?? Self.serviceUser
            let serviceUser = geteuid() == 0 && getpwnam(name) != nil ? name : nil
            let store = configuration.storePath()
            let folder = (store as NSString).deletingLastPathComponent
            if serviceUser != nil && !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
                // Before the first start: the unit's StateDirectory= makes the folder, the service user's.
                warnings.append(
                    "the store's folder \(folder) does not exist yet: the unit's StateDirectory= creates it for "
                        + "\(name) at the first start"
                )
            } else if let problem = Store.accessProblem(path: store, user: serviceUser) {
                problems.append("store: \(problem)")
            }
            if let last = problems.last {
                for problem in problems.dropLast() { CLI.error(problem) }
                CLI.fail(last, code: 2)
            }
            CLI.print("configuration ok: \(configuration.file ?? "(defaults only)")")
            CLI.print("  store: \(configuration.storePath())")
            CLI.print("  default backend: \(backend)")
            for line in lines { CLI.print("  \(line)") }
            for warning in warnings { CLI.print("  warning: \(warning)") }
        }
    }
}
