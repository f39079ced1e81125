import ActivityModel
import AppConfig
import ArgumentParser
import Foundation
import Store

/// `--config` (every command takes it) and the shared ways of opening the store and reporting errors.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "Configuration file (default /etc/activity-sync/activity-sync.yaml, then ./activity-sync.yaml)."
    )
    var config: String?

    /// The configuration, or exit 2 with the key and value named.
    func configuration() throws -> AppConfiguration {
        do { return try AppConfiguration.load(explicitPath: config) } catch let error as ConfigurationError {
            CLI.fail("configuration: \(error.description)", code: 2)
        }
    }

    /// The store the configuration names.
    func openStore() throws -> Store {
        let configuration = try configuration()
        do { return try Store(path: configuration.storePath()) } catch { CLI.fail("\(error)", code: 2) }
    }

    /// The store, if one exists: commands that only read (`status`, `check`) never create it — run as root
    /// before the first start, they would leave a store the service user could not open.
    func existingStore() throws -> Store? {
        let configuration = try configuration()
        do { return try Store(path: configuration.storePath(), create: false) } catch let error as StoreError
            where error.code == .notFound
        {
            CLI.warn(error.message)
            return nil
        } catch {
            CLI.fail("\(error)", code: 2)
        }
    }
}

/// Output and exit helpers shared by the commands.
enum CLI {
    /// Writes a message to stderr and exits with the code (1: refused input, 2: configuration).
    static func fail(_ message: String, code: Int32 = 1) -> Never {
        error(message)
        exit(code)
    }

    /// One `error:` line on stderr (when a command reports several before it exits).
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }

    /// Runs a store operation, turning refusals into exit 1 with the store's message.
    @discardableResult
    static func run<T>(_ body: () throws -> T) -> T {
        do { return try body() } catch let error as StoreError {
            fail(error.message, code: error.code == .database ? 2 : 1)
        } catch {
            fail("\(error)")
        }
    }

    /// One JSON document on stdout: stable field names, sorted keys, RFC 3339 times.
    static func printJSON<T: Encodable>(_ value: T) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("null".utf8)
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    /// Plain lines on stdout.
    static func print(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// A left-aligned table with a header row.
    static func printTable(_ header: [String], _ rows: [[String]]) {
        guard !rows.isEmpty else {
            print("(none)")
            return
        }
        let rows = rows.map { $0.map(safe) }
        let widths = header.indices.map { column in
            ([header[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
        }
        for row in [header] + rows {
            print(
                row.enumerated().map { index, cell in
                    index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                }.joined(separator: "  ")
            )
        }
    }

    /// `key: value` lines for one record.
    static func printFields(_ fields: [(String, String?)]) {
        let width = fields.map(\.0.count).max() ?? 0
        for (name, value) in fields {
            print(name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + (value.map(safe) ?? "-"))
        }
    }

    /// CRM text as a terminal shows it: control characters escaped (an ESC in a subject must not drive the
    /// terminal; a line break must not forge a row).
    static func safe(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: ActivityLimits.isControl) else { return text }
        return text.unicodeScalars.map { ActivityLimits.isControl($0) ? $0.escaped(asASCII: true) : String($0) }
            .joined()
    }

    /// A warning on stderr (the journal, under systemd).
    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
    }

    /// Names activities whose stored record cannot be read (left out of what follows), on stderr.
    static func warnUnreadable(_ store: Store) {
        for id in (try? store.unreadableActivities()) ?? [] {
            warn("activity \(id): its stored record is unreadable (the store is damaged); left out")
        }
    }

    /// An empty option means "clear the field" on update.
    static func optional(_ value: String?, current: String?) -> String? {
        guard let value else { return current }
        return value.isEmpty ? nil : value
    }
}
