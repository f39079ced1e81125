import AppConfig
import ArgumentParser
import Foundation

/// `config show [--json]`: the configuration in force — every key, its value and where it came from (the file,
/// an `ACTIVITY_SYNC_*` variable, or the default). Secrets live in files and are never read here; a credential
/// file key shows where it is looked up.
struct ConfigShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show the effective configuration: each key's value and source (file, environment, default)."
    )
    @OptionGroup var global: GlobalOptions
    @Flag(help: "One JSON document instead of the table.") var json = false

    struct Entry: Encodable {
        var key: String
        var value: String?
        var source: String
        /// Where a relative path resolves: a credential file (`$CREDENTIALS_DIRECTORY`, else the file's folder), the
        /// store (`$STATE_DIRECTORY`, else the file's folder).
        var path: String?

        /// A key without a value is `null`, not left out.
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(key, forKey: .key)
            try c.encode(value, forKey: .value)
            try c.encode(source, forKey: .source)
            try c.encodeIfPresent(path, forKey: .path)
        }

        enum Keys: String, CodingKey { case key, value, source, path }
    }

    func run() throws {
        let configuration = try global.configuration()
        let entries = AppConfiguration.keys.map { key -> Entry in
            let value = configuration.string(key.path).map(Self.masked)
            let isCredential = key.path.hasSuffix("_file") && key.path != "exchange.tls.ca_file"
            let path =
                key.path == "store.path"
                ? configuration.storePath() : isCredential ? value.map { configuration.credentialPath($0) } : nil
            return Entry(
                key: key.path,
                value: value,
                source: configuration.sources[key.path] ?? "default",
                path: path == value ? nil : path
            )
        }
        if json { return CLI.printJSON(entries) }
        CLI.print("configuration: \(configuration.file ?? "(no file: defaults and environment only)")")
        CLI.printTable(
            ["KEY", "VALUE", "SOURCE"],
            entries.map { entry in
                let value = (entry.value ?? "null") + (entry.path.map { "  (read from \($0))" } ?? "")
                return [entry.key, value, entry.source]
            }
        )
    }

    /// A URL's user name and password, were one ever put there (the loader refuses it, but the text is shown).
    static func masked(_ value: String) -> String {
        guard var parts = URLComponents(string: value), parts.user != nil || parts.password != nil else { return value }
        parts.user = "***"
        parts.password = parts.password == nil ? nil : "***"
        return parts.string ?? "***"
    }
}
