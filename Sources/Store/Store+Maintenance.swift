import ActivityModel
import Foundation
import GRDB

/// Holds the store's daemon lock until released (or the process ends, which releases it too).
public final class DaemonLock: Sendable {
    private let fd: Int32

    init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }
}

extension Store {
    /// A consistent copy of the store while others keep using it (`VACUUM INTO` on a read snapshot).
    public func backup(to destination: String) throws {
        // (lstat, not fileExists: a dangling symlink there would have the backup written wherever it points.)
        var info = stat()
        guard lstat(destination, &info) != 0 else {
            let what = info.st_mode & S_IFMT == S_IFLNK ? "is a symbolic link" : "exists"
            throw StoreError(.invalid, "backup target \(destination) \(what); choose a new file")
        }
        // Outside a transaction (VACUUM refuses to run inside one); VACUUM INTO reads one consistent
        // snapshot by itself, on a reader connection, so the daemon's writes go on meanwhile.
        do {
            try pool.unsafeRead { db in try db.execute(sql: "VACUUM INTO ?", arguments: [destination]) }
        } catch {
            throw StoreError(.database, "backup to \(destination) failed: \(error)")
        }
    }

    /// Removes audit entries, finished journal entries and tombstones older than the retention period.
    @discardableResult
    public func prune(retentionDays: Int) throws -> (audit: Int, journal: Int, tombstones: Int) {
        let cutoff = CRMTime.format(clock().addingTimeInterval(-Double(retentionDays) * 86_400))
        return try write { db in
            try db.execute(sql: "DELETE FROM audit WHERE at < ?", arguments: [cutoff])
            let audit = db.changesCount
            try db.execute(sql: "DELETE FROM journal WHERE state = 'done' AND updated_at < ?", arguments: [cutoff])
            let journal = db.changesCount
            try db.execute(sql: "DELETE FROM activities WHERE deleted = 1 AND deleted_at < ?", arguments: [cutoff])
            return (audit, journal, db.changesCount)
        }
    }

    /// Who holds the daemon lock now.
    public enum DaemonLockState: Sendable, Equatable {
        /// A daemon, or a `run --once`/`resync` without one.
        case held(pid: Int32)
        case free
        /// No kernel lock table to read (not Linux).
        case unknown
    }

    /// The daemon lock's state, read from the kernel's lock table (`/proc/locks`) rather than by trying the lock —
    /// a probe could make a starting daemon think another one runs.
    public func daemonLock(
        locks: String? = try? String(contentsOfFile: "/proc/locks", encoding: .utf8)
    )
        -> DaemonLockState
    {
        guard let locks else { return .unknown }
        var info = stat()
        guard stat(path + ".lock", &info) == 0 else { return .free }
        // `1: FLOCK  ADVISORY  WRITE 4242 08:01:1311744 0 EOF`: the holder's pid, then major:minor:inode (hex major
        // and minor).
        let dev = UInt64(info.st_dev)
        let (major, minor) = (
            ((dev >> 8) & 0xfff) | ((dev >> 32) & 0xffff_f000), (dev & 0xff) | ((dev >> 12) & 0xffff_ff00)
        )
        let device = String(format: "%02llx:%02llx:%llu", major, minor, UInt64(info.st_ino))
        for line in locks.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[1] == "FLOCK", let pid = Int32(fields[4]) else { continue }
            if fields[5].lowercased() == device { return .held(pid: pid) }
        }
        return .free
    }

    /// Takes the daemon lock (`flock` on `<store>.lock`): a second daemon on the same store is refused.
    /// CLI commands do not take it; SQLite's own locking keeps their short transactions safe.
    public func lockForDaemon() throws -> DaemonLock {
        let lockPath = path + ".lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError(.database, "cannot open \(lockPath): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw StoreError(.locked, "another activity-sync daemon is running on \(path) (lock \(lockPath) is held)")
        }
        return DaemonLock(fd: fd)
    }
}
