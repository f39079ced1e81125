import ActivityModel
import Foundation
import GRDB

/// The embedded SQLite store: CRM records, change tracking, and the sync engine's bookkeeping.
///
/// One file in WAL mode, so the daemon and CLI commands can use it at once (a busy timeout covers
/// the moments both write); `synchronous=FULL` because the sync bookkeeping must survive power loss
/// as well as a crash; foreign keys on.
public final class Store: Sendable {
    let pool: DatabasePool
    /// The file the store lives in.
    public let path: String
    let clock: @Sendable () -> Date

    /// Opens (creating and migrating when needed) the store at `path`. `busySeconds`: how long a write waits
    /// for another process's write (an import) before it gives up with `StoreError.Code.busy`.
    /// Opens the store at `path`, creating it (and its folder) unless `create` is false — then a missing store is
    /// `.notFound`: a command that only reads (`status`, `check`) leaves nothing behind, least of all as root.
    public init(
        path: String,
        create: Bool = true,
        busySeconds: Double = 10,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        self.path = path
        self.clock = clock
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(busySeconds)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        let existed = FileManager.default.fileExists(atPath: path)
        if !existed && !create {
            throw StoreError(
                .notFound,
                "no store at \(path) yet: the daemon creates it on its first start (so does a command that writes, "
                    + "such as employee add)"
            )
        }
        if let problem = StoreAccess.problem(path: path) {
            throw StoreError(.database, "cannot open the store at \(path): \(problem)")
        }
        let createdFolders = StoreAccess.missingFolders(for: path)
        do {
            if !createdFolders.isEmpty {
                try FileManager.default.createDirectory(
                    atPath: StoreAccess.folder(of: path),
                    withIntermediateDirectories: true
                )
            }
            pool = try DatabasePool(path: path, configuration: configuration)
            let migrator = StoreSchema.migrator()
            // A store a newer build migrated (a rollback that kept the new store) is refused, not half-understood:
            // this build would write rows without what the newer one relies on.
            let unknown = try pool.read { try migrator.appliedIdentifiers($0).subtracting(migrator.migrations) }
            if !unknown.isEmpty {
                throw StoreError(
                    .database,
                    "the store at \(path) was migrated by a newer activity-sync (\(unknown.sorted().joined(separator: ", "))): "
                        + "install that version again, or restore the backup taken before the upgrade"
                )
            }
            try migrator.migrate(pool)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw StoreError(.database, "cannot open the store at \(path): \(StoreAccess.explain(error, path: path))")
        } catch {
            throw StoreError(.database, "cannot open the store at \(path): \(error.localizedDescription)")
        }
        if !existed { StoreAccess.handOver(path: path, createdFolders: createdFolders) }
    }

    /// Why the store at `path` cannot be created or opened by `user` (default: this process), or nil — what
    /// `config check` proves before the service starts, in owners, modes and the command that fixes it.
    public static func accessProblem(path: String, user: String? = nil) -> String? {
        StoreAccess.problem(path: path, for: user.flatMap(StoreAccess.User.init(named:)))
    }

    /// Runs a write transaction, mapping SQLite failures to `StoreError`; the caller's own errors pass
    /// through unchanged (and roll the transaction back).
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.write(body) } catch let error as DatabaseError {
            throw Self.storeError(error, "store write failed")
        }
    }

    /// Runs a read, mapping SQLite failures to `StoreError`.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch let error as DatabaseError {
            throw Self.storeError(error, "store read failed")
        }
    }

    /// SQLite's "busy" (another process held its write longer than the busy timeout) is its own code: the
    /// caller yields and tries again soon; it is no failure of the store.
    static func storeError(_ error: DatabaseError, _ what: String) -> StoreError {
        guard error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED else {
            return StoreError(.database, "\(what): \(error)")
        }
        return StoreError(
            .busy,
            "the store is busy: another process (an import, a backup) held a write longer than the busy timeout"
        )
    }

    var now: String { CRMTime.format(clock()) }
}
