import ArgumentParser
import EWS
import Foundation

/// `config check`: validates the configuration and the credentials (for `ExecStartPre=`).
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check the configuration.",
        subcommands: [Check.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Validate the configuration file, environment overrides and secret files; exit 2 naming what is wrong."
        )
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let configuration = try global.configuration()
            let ews: EWSConfiguration
            do { ews = try configuration.ewsConfiguration() } catch let error as ConfigurationError {
                CLI.fail("configuration: \(error.description)", code: 2)
            }
            CLI.print("configuration ok: \(configuration.file ?? "(defaults only)")")
            CLI.print("  store: \(configuration.storePath())")
            CLI.print("  \(ews.description)")  // the description never contains a secret
            for warning in configuration.exchangeWarnings() { CLI.print("  warning: \(warning)") }
        }
    }
}
