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
    @Argument(help: "The JSON document (- reads standard input).") var file: String

    func run() throws {
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: file) else { CLI.fail("cannot read \(file)") }
            data = contents
        }
        let document: CRMDocument
        do { document = try CRMDocument.decode(data) } catch {
            CLI.fail("\(file) is not an import document: \(error.reason); nothing was written")
        }
        let store = try global.openStore()
        let summary = CLI.run { try store.importDocument(document) }
        let written = CRMDocument.recordKinds
            .map { "\(summary.written[$0] ?? 0) \($0)" }.joined(separator: ", ")
        CLI.print("imported \(written); \(summary.unchanged) activities unchanged")
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
    @Argument(help: "Where to write the copy: a new file (restore: copy it back with the daemon stopped).")
    var file: String
    func run() throws {
        let store = try global.openStore()
        // A backup that cannot be written is this command's failure (exit 1), whatever SQLite calls it — exit 2
        // is kept for configuration problems, which monitoring tells apart.
        do { try store.backup(to: file) } catch let error as StoreError {
            CLI.fail(error.message)  // ("backup to FILE failed: …")
        } catch {
            CLI.fail("backup to \(file) failed: \(error)")
        }
        CLI.print("backup written to \(file)")
    }
}
