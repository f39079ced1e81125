import ActivityModel
import ArgumentParser
import Foundation
import Store

/// `import FILE.json`: bulk upsert by id, all records in one transaction.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Upsert CRM records by id from a JSON document (- for stdin); all or nothing."
    )
    @OptionGroup var global: GlobalOptions
    @Argument var file: String

    func run() throws {
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: file) else { CLI.fail("cannot read \(file)") }
            data = contents
        }
        let document: CRMDocument
        do { document = try JSONDecoder().decode(CRMDocument.self, from: data) } catch {
            let reason = Self.wholeNumberPastRange(in: data) ?? Self.describe(error)
            CLI.fail("\(file) is not an import document: \(reason); nothing was written")
        }
        let store = try global.openStore()
        let summary = CLI.run { try store.importDocument(document) }
        let written = ["employees", "partners", "contacts", "opportunities", "templates", "activities"]
            .map { "\(summary.written[$0] ?? 0) \($0)" }.joined(separator: ", ")
        CLI.print("imported \(written); \(summary.unchanged) activities unchanged")
    }

    /// Fields holding whole numbers (minutes, days).
    static let wholeNumberFields: Set<String> = ["duration_minutes", "reminder_minutes", "due_in_days"]

    /// The path of a whole-number field whose JSON number is no whole number within ±2⁶³ (Foundation's decoder
    /// reports those as "not valid JSON", naming nothing), e.g. `activities[0].duration_minutes: 1e+300 …`.
    static func wholeNumberPastRange(in data: Data) -> String? {
        guard let root = try? JSONSerialization.jsonObject(with: data) else { return nil }
        func find(_ value: Any, _ path: String) -> String? {
            if let object = value as? [String: Any] {
                for (key, child) in object.sorted(by: { $0.key < $1.key }) {
                    let here = path.isEmpty ? key : path + "." + key
                    if Self.wholeNumberFields.contains(key), let number = child as? NSNumber,
                        Int(exactly: number.doubleValue) == nil || "\(number)".contains(where: { ".eE".contains($0) })
                            || number.doubleValue.magnitude >= 9.2e18
                    {
                        return "\(here): \(number) is not a whole number within the field's range"
                    }
                    if let found = find(child, here) { return found }
                }
            }
            if let array = value as? [Any] {
                for (index, child) in array.enumerated() {
                    if let found = find(child, path + "[\(index)]") { return found }
                }
            }
            return nil
        }
        return find(root, "")
    }

    /// Names the JSON path of a decoding failure, e.g. `activities[3].type`.
    static func describe(_ error: any Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error as? DecodingError {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            let location = path(context)
            return "\(location.isEmpty ? "" : location + ": ")missing field '\(key.stringValue)'"
        default:
            return "\(error)"
        }
    }
}

/// `export`: the whole CRM as one JSON document on stdout.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every CRM record as one JSON document to stdout."
    )
    @OptionGroup var global: GlobalOptions
    func run() throws {
        let store = try global.openStore()
        CLI.printJSON(CLI.run { try store.exportDocument() })
        CLI.warnUnreadable(store)
    }
}

/// `backup FILE`: a consistent copy of the store while the daemon runs.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent copy of the store to FILE."
    )
    @OptionGroup var global: GlobalOptions
    @Argument var file: String
    func run() throws {
        let store = try global.openStore()
        CLI.run { try store.backup(to: file) }
        CLI.print("backup written to \(file)")
    }
}
