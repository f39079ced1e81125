import ActivityModel
import Daemon
import Foundation
import Yams

/// A configuration the daemon refuses to start with: the message names the key and the value.
package struct ConfigurationError: Error, CustomStringConvertible {
    package var description: String

    package init(description: String) { self.description = description }

    /// Every problem found at once: one line, or a count and a line each.
    package init(_ problems: [String]) {
        description =
            problems.count == 1
            ? problems[0] : "\(problems.count) problems:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}

/// The YAML configuration of SPEC §5: every key with its default, checked strictly (an unknown key or a
/// bad value is refused by name), with `ACTIVITY_SYNC_<KEY>` environment overrides.
package struct AppConfiguration: Sendable {
    package enum Kind: Sendable {
        case string
        case optionalString
        case int(ClosedRange<Int>)
        case double(ClosedRange<Double>)
        case bool
        case choice([String])
        /// `IPV4:PORT` or `[IPV6]:PORT`, or null (off).
        case listenAddress
        /// An IANA zone with a Windows id (`WindowsTimeZone.problem`).
        case timeZone
    }

    package struct Key: Sendable {
        package var path: String
        package var kind: Kind
        package var defaultValue: String?
    }

    /// Every key the file may hold.
    package static let keys: [Key] = [
        Key(path: "crm.instance_id", kind: .string, defaultValue: "default"),
        Key(path: "store.path", kind: .string, defaultValue: "/var/lib/activity-sync/activity-sync.sqlite"),
        Key(path: "store.retention_days", kind: .int(1...36500), defaultValue: "365"),
        Key(path: "exchange.backend", kind: .choice(Employee.backends), defaultValue: "ews"),
        Key(path: "exchange.url", kind: .optionalString, defaultValue: nil),
        Key(path: "exchange.version", kind: .string, defaultValue: "Exchange2016"),
        Key(path: "exchange.time_zone", kind: .timeZone, defaultValue: "UTC"),
        Key(
            path: "exchange.auth.method",
            kind: .choice(["ntlm", "negotiate", "basic", "oauth2"]),
            defaultValue: "ntlm"
        ),
        Key(path: "exchange.auth.username", kind: .optionalString, defaultValue: nil),
        Key(path: "exchange.auth.password_file", kind: .string, defaultValue: "exchange-password"),
        Key(path: "exchange.auth.token_url", kind: .optionalString, defaultValue: nil),
        Key(path: "exchange.auth.client_id", kind: .optionalString, defaultValue: nil),
        Key(path: "exchange.auth.client_secret_file", kind: .string, defaultValue: "exchange-client-secret"),
        Key(path: "exchange.auth.scope", kind: .string, defaultValue: "https://outlook.office365.com/.default"),
        Key(path: "exchange.impersonation", kind: .bool, defaultValue: "true"),
        Key(path: "exchange.tls.verify", kind: .bool, defaultValue: "true"),
        Key(path: "exchange.tls.ca_file", kind: .optionalString, defaultValue: nil),
        Key(path: "exchange.tls.allow_cleartext", kind: .bool, defaultValue: "false"),
        Key(path: "exchange.timeout_seconds", kind: .int(1...3600), defaultValue: "60"),
        Key(path: "graph.tenant_id", kind: .optionalString, defaultValue: nil),
        Key(path: "graph.client_id", kind: .optionalString, defaultValue: nil),
        Key(path: "graph.certificate_file", kind: .optionalString, defaultValue: "graph-client.pem"),
        Key(path: "graph.client_secret_file", kind: .optionalString, defaultValue: nil),
        Key(path: "graph.signing", kind: .choice(["PS256", "RS256"]), defaultValue: "PS256"),
        Key(path: "graph.base_url", kind: .string, defaultValue: "https://graph.microsoft.com/v1.0"),
        Key(
            path: "graph.token_url",
            kind: .string,
            defaultValue: "https://login.microsoftonline.com/{tenant_id}/oauth2/v2.0/token"
        ),
        Key(path: "graph.tasks", kind: .choice(["todo", "calendar", "none"]), defaultValue: "todo"),
        Key(path: "graph.todo_list", kind: .optionalString, defaultValue: nil),
        Key(path: "sync.interval_seconds", kind: .int(1...86400), defaultValue: "60"),
        Key(path: "sync.window.past_days", kind: .int(0...3650), defaultValue: "30"),
        Key(path: "sync.window.future_days", kind: .int(0...3650), defaultValue: "365"),
        Key(
            path: "sync.conflict_policy",
            kind: .choice(["crm-wins", "exchange-wins", "newest-wins"]),
            defaultValue: "crm-wins"
        ),
        Key(path: "sync.calls_as", kind: .choice(["appointment", "task"]), defaultValue: "appointment"),
        Key(path: "sync.category", kind: .string, defaultValue: "CRM"),
        Key(path: "sync.import", kind: .choice(["category", "all", "none"]), defaultValue: "category"),
        Key(path: "sync.remote_delete", kind: .choice(["tombstone", "unlink"]), defaultValue: "tombstone"),
        Key(path: "sync.send_invitations", kind: .choice(["none", "all"]), defaultValue: "none"),
        Key(path: "sync.max_deletes", kind: .int(0...1_000_000), defaultValue: "50"),
        Key(path: "sync.max_delete_ratio", kind: .double(0...1), defaultValue: "0.2"),
        Key(path: "sync.batch_size", kind: .int(1...512), defaultValue: "100"),
        Key(path: "sync.concurrency", kind: .int(1...256), defaultValue: "4"),
        Key(path: "sync.notifications", kind: .choice(["streaming", "pull", "none"]), defaultValue: "streaming"),
        Key(path: "sync.pull_interval_seconds", kind: .int(1...3600), defaultValue: "10"),
        Key(
            path: "log.level",
            kind: .choice(["trace", "debug", "info", "notice", "warning", "error"]),
            defaultValue: "info"
        ),
        Key(path: "metrics.listen", kind: .listenAddress, defaultValue: nil),
    ]

    /// Values by key path (after defaults, file and environment).
    package private(set) var values: [String: String] = [:]
    /// The file read, if any.
    package private(set) var file: String?
    /// Where each value came from: `default`, `file`, or `environment (ACTIVITY_SYNC_…)` (`config show`).
    package private(set) var sources: [String: String] = [:]

    /// The environment variable that overrides a key: `sync.interval_seconds` → `ACTIVITY_SYNC_SYNC_INTERVAL_SECONDS`.
    package static func environmentName(_ path: String) -> String {
        "ACTIVITY_SYNC_" + path.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    /// " (did you mean 'sync.interval_seconds'?)" for a mistyped key path, or nothing.
    static func hint(_ path: String) -> String {
        NearestName.to(path, among: keys.map(\.path)).map { " (did you mean '\($0)'?)" } ?? ""
    }

    /// Variables named like overrides that are none: build and test switches.
    static let switches: Set<String> = [
        "ACTIVITY_SYNC_FUZZ", "ACTIVITY_SYNC_PROPERTY_SEED", "ACTIVITY_SYNC_PROPERTY_DRAWS",
        "ACTIVITY_SYNC_TEST_PYTHON", "ACTIVITY_SYNC_JOURNAL_SOCKET", "ACTIVITY_SYNC_SERVICE_USER",
    ]

    /// `ACTIVITY_SYNC_*` variables that override no key (a typo is silently ignored otherwise): one warning each,
    /// naming the variable it most likely meant.
    package static func environmentWarnings(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> [String] {
        let names = keys.map { environmentName($0.path) }
        return environment.keys.filter {
            $0.hasPrefix("ACTIVITY_SYNC_") && !names.contains($0) && !switches.contains($0)
        }
        .sorted().map { name in
            let hint = NearestName.to(name, among: names).map { " (did you mean \($0)?)" } ?? ""
            return "\(name) is set but overrides no configuration key; it is ignored\(hint)"
        }
    }

    /// Loads `explicitPath`, else `/etc/activity-sync/activity-sync.yaml`, else `./activity-sync.yaml`,
    /// else the defaults alone; then applies the environment.
    package static func load(
        explicitPath: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws
        -> AppConfiguration
    {
        var configuration = AppConfiguration()
        for key in keys {
            configuration.values[key.path] = key.defaultValue
            configuration.sources[key.path] = "default"
        }
        var problems: [String] = []
        let candidates = explicitPath.map { [$0] } ?? ["/etc/activity-sync/activity-sync.yaml", "activity-sync.yaml"]
        if let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            // Kept absolute: relative store and secret paths are taken from the file's folder.
            configuration.file = URL(fileURLWithPath: path).standardizedFileURL.path
            problems += try configuration.read(
                file: path,
                overridden: Set(keys.map(\.path).filter { environment[environmentName($0)] != nil })
            )
        } else if let explicitPath {
            throw ConfigurationError(description: "configuration file \(explicitPath) does not exist")
        }
        for key in keys {
            if let value = environment[environmentName(key.path)] {
                do {
                    configuration.values[key.path] = try check(key, value, source: environmentName(key.path))
                    configuration.sources[key.path] = "environment (\(environmentName(key.path)))"
                } catch {
                    problems.append(error.description)
                }
            }
        }
        if !problems.isEmpty { throw ConfigurationError(problems) }
        return configuration
    }

    /// Reads the file into `values`; a file that is no configuration throws, and the problems of its keys and values
    /// are returned, all of them.
    private mutating func read(file path: String, overridden: Set<String>) throws -> [String] {
        // (At most one byte past the bound is read: a huge file is refused without being read whole. And not
        // through `String(contentsOfFile:)`, whose Linux path for a file of size 0 leaks its 4 KiB buffer — found by
        // `scripts/fuzz config`.)
        let bytes: Data
        do {
            guard let handle = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileReadNoPermission) }
            defer { try? handle.close() }
            bytes = try handle.read(upToCount: Self.largestFile + 1) ?? Data()
        } catch {
            throw ConfigurationError(description: "cannot read \(path): \(error.localizedDescription)")
        }
        guard bytes.count <= Self.largestFile else {
            throw ConfigurationError(
                description: "\(path) is larger than \(Self.largestFile) bytes; not a configuration"
            )
        }
        guard let text = String(data: bytes, encoding: .utf8) else {
            throw ConfigurationError(description: "\(path) is not UTF-8 text; not a configuration")
        }
        let composed: Node?
        do { composed = try Yams.compose(yaml: text) } catch {
            throw ConfigurationError(description: "\(path) is not valid YAML: \(error)")
        }
        // Aliases share what they name while composed; building values from them copies it each time, so a
        // few lines of nested aliases would expand without bound (a "billion laughs"). Counted first.
        guard let node = composed else { return [] }
        var budget = Self.largestTree
        guard Self.fits(node, within: &budget) else {
            throw ConfigurationError(
                description:
                    "\(path) expands to more than \(Self.largestTree) YAML nodes (nested aliases?); not a configuration"
            )
        }
        // (Yams traps on a mapping key that is a list or a mapping — `? [a, b]: c`, `[*a: *a]` — when it builds values:
        // a configuration that stopped the daemon at a reload, found by `scripts/fuzz config`. Refused first.)
        guard !Self.hasComplexKey(node) else {
            throw ConfigurationError(
                description: "\(path) has a YAML key that is a list or a mapping, not a word; not a configuration"
            )
        }
        var problems: [String] = []
        flatten(node.any, prefix: "", file: path, overridden: overridden, problems: &problems)
        return problems
    }

    /// The largest configuration file read, and the most YAML nodes it may expand to (aliases included).
    package static let largestFile = 1 << 20
    package static let largestTree = 10_000

    /// Whether the tree has at most `budget` nodes, counting what aliases repeat; stops as soon as it has not.
    package static func fits(_ node: Node, within budget: inout Int) -> Bool {
        budget -= 1
        guard budget >= 0 else { return false }
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping where !fits(key, within: &budget) || !fits(value, within: &budget) {
                return false
            }
        case .sequence(let sequence):
            for child in sequence where !fits(child, within: &budget) { return false }
        default: break
        }
        return true
    }

    /// Whether a mapping anywhere in the tree has a key that is not a scalar.
    package static func hasComplexKey(_ node: Node) -> Bool {
        switch node {
        case .mapping(let mapping):
            return mapping.contains { key, value in key.scalar == nil || hasComplexKey(value) }
        case .sequence(let sequence):
            return sequence.contains(where: hasComplexKey)
        default:
            return false
        }
    }

    /// Walks the YAML mappings, in key order, collecting every problem (one run of `config check` names them all);
    /// values the environment overrides are not checked here (the environment value is), so a bad file value can
    /// be worked around at once.
    private mutating func flatten(
        _ node: Any,
        prefix: String,
        file: String,
        overridden: Set<String>,
        problems: inout [String]
    ) {
        guard let mapping = node as? [String: Any] else {
            problems.append("\(file): \(prefix.isEmpty ? "the document" : prefix) must be a mapping")
            return
        }
        for (name, value) in mapping.sorted(by: { $0.key < $1.key }) {
            let path = prefix.isEmpty ? name : "\(prefix).\(name)"
            if let nested = value as? [String: Any] {
                guard Self.keys.contains(where: { $0.path.hasPrefix(path + ".") }) else {
                    problems.append("\(file): unknown key '\(path)'\(Self.hint(path))")
                    continue
                }
                flatten(nested, prefix: path, file: file, overridden: overridden, problems: &problems)
                continue
            }
            guard let key = Self.keys.first(where: { $0.path == path }) else {
                problems.append("\(file): unknown key '\(path)'\(Self.hint(path))")
                continue
            }
            if overridden.contains(path) { continue }
            if value is NSNull {
                if key.kind.isOptional {
                    values[path] = nil
                    sources[path] = "file"
                } else {
                    problems.append("\(file): \(path) needs a value")
                }
                continue
            }
            do {
                values[path] = try Self.check(key, "\(value)", source: file)
                sources[path] = "file"
            } catch {
                problems.append(error.description)
            }
        }
    }

    private static func check(_ key: Key, _ value: String, source: String) throws(ConfigurationError) -> String {
        func refuse(_ why: String) -> ConfigurationError {
            ConfigurationError(description: "\(source): \(key.path) '\(value)': \(why)")
        }
        switch key.kind {
        case .string, .optionalString:
            if value.isEmpty { throw refuse("must not be empty") }
        case .int(let range):
            guard let number = Int(value), range.contains(number) else {
                throw refuse("must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
        case .double(let range):
            guard let number = Double(value), range.contains(number) else {
                throw refuse("must be a number from \(range.lowerBound) to \(range.upperBound)")
            }
        case .bool:
            guard ["true", "false"].contains(value.lowercased()) else { throw refuse("must be true or false") }
            return value.lowercased()
        case .choice(let options):
            guard options.contains(value) else { throw refuse("must be one of \(options.joined(separator: ", "))") }
        case .timeZone:
            if let problem = WindowsTimeZone.problem(with: value) { throw refuse(problem) }
        case .listenAddress:
            guard ListenAddress(value) != nil else {
                throw refuse("must be IPV4:PORT or [IPV6]:PORT, e.g. 127.0.0.1:9464 or [::1]:9464, or null")
            }
        }
        return value
    }

    /// A string value.
    package func string(_ path: String) -> String? { values[path] }
    /// An integer value (validated at load).
    package func int(_ path: String) -> Int { Int(values[path] ?? "") ?? 0 }
    /// A number value (validated at load).
    package func double(_ path: String) -> Double { Double(values[path] ?? "") ?? 0 }
    /// A boolean value (validated at load).
    package func bool(_ path: String) -> Bool { values[path] == "true" }

    /// The store file: a relative `store.path` is taken from `$STATE_DIRECTORY` (systemd's
    /// StateDirectory=), else from the configuration file's folder, else the working directory.
    package func storePath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let path = string("store.path") ?? "activity-sync.sqlite"
        if path.hasPrefix("/") { return path }
        if let state = environment["STATE_DIRECTORY"]?.split(separator: ":").first { return "\(state)/\(path)" }
        if let file { return ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(path) }
        return path
    }
}

extension AppConfiguration.Kind {
    /// Kinds whose value may be null.
    package var isOptional: Bool {
        switch self {
        case .optionalString, .listenAddress: true
        default: false
        }
    }
}
