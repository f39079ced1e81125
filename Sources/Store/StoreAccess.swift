import Foundation
import GRDB

/// Whether this process may use the store at a path, said in owners, modes and the command that fixes it —
/// instead of SQLite's "unable to open database file" or a Foundation error dump. And the one thing root must not
/// do: leave behind a store the service user cannot open.
enum StoreAccess {
    /// A user the store is checked for: this process (nil), or another one — `config check` run by root checks
    /// for the service user.
    struct User {
        var name: String
        var uid: uid_t
        var groups: [gid_t]

        /// The user of that name, if the system has one.
        init?(named name: String) {
            guard let entry = getpwnam(name) else { return nil }
            self.name = name
            uid = entry.pointee.pw_uid
            var count: Int32 = 64
            var list = [gid_t](repeating: 0, count: Int(count))
            if getgrouplist(name, entry.pointee.pw_gid, &list, &count) < 0 { count = 0 }
            groups = [entry.pointee.pw_gid] + list.prefix(Int(max(count, 0)))
        }

        /// Whether the mode bits let this user read, write and (for a folder) enter the path.
        func mayWrite(_ path: String, folder: Bool) -> Bool {
            var info = stat()
            guard stat(path, &info) == 0 else { return false }
            if uid == 0 { return true }
            let needed: mode_t = folder ? 0o3 : 0o6  // write+search, or read+write
            let shift: mode_t =
                info.st_uid == uid ? 6 : groups.contains(info.st_gid) ? 3 : 0
            return (info.st_mode >> shift) & needed == needed
        }
    }

    /// Why `user` (default: this process) cannot create or open the store at `path`, or nil when it may (root
    /// always may).
    static func problem(path: String, for user: User? = nil) -> String? {
        let who = user?.name ?? me
        func may(_ path: String, folder: Bool) -> Bool {
            if let user { return user.mayWrite(path, folder: folder) }
            return access(path, folder ? W_OK | X_OK : R_OK | W_OK) == 0
        }
        let folder = folder(of: path)
        if FileManager.default.fileExists(atPath: path) {
            for file in [path, path + "-wal", path + "-shm"]
            where FileManager.default.fileExists(atPath: file) && !may(file, folder: false) {
                return "\(describe(file)) is not writable by user \(who); \(fix(file, for: who))"
            }
            // WAL mode creates the -wal and -shm files next to the store.
            if !may(folder, folder: true) {
                return "its folder \(describe(folder)) is not writable by user \(who), and the store needs its -wal "
                    + "and -shm files there; \(fix(folder, for: who))"
            }
            return nil
        }
        let existing = nearestExisting(folder)
        if !may(existing, folder: true) {
            return "there is none yet, and user \(who) may not create one in \(describe(existing)); "
                + fix(existing, for: who)
        }
        return nil
    }

    /// SQLite's failure to open, in words: what the code means here and what to do.
    static func explain(_ error: DatabaseError, path: String) -> String {
        switch error.resultCode {
        case .SQLITE_NOTADB:
            return "\(path) is no activity-sync store (not an SQLite database): check store.path"
        case .SQLITE_CORRUPT:
            return "the store is damaged (\(error.message ?? "corrupt")): restore the last backup "
                + "(README, Backups) or move the file aside to start afresh"
        case .SQLITE_FULL:
            return "the disk holding \(folder(of: path)) is full: free space, then run again"
        case .SQLITE_READONLY:
            return "the store or its file system is read-only for user \(me): check the mount and the file's owner"
        case .SQLITE_CANTOPEN:
            return problem(path: path) ?? "SQLite cannot open the file (\(error.message ?? "unable to open"))"
        default:
            return "SQLite error \(error.resultCode.rawValue): \(error.message ?? "\(error)")"
        }
    }

    /// After root created the store: the store, its -wal/-shm and the folders made for it go to the owner of the
    /// folder they were made in, when that is not root — `sudo activity-sync employee add …` in the service's
    /// state folder leaves a store the service can open. (Before the first start the state folder does not exist;
    /// systemd's `StateDirectory=` hands what root made in it to the service user when it starts the unit.)
    static func handOver(path: String, createdFolders: [String]) {
        guard geteuid() == 0 else { return }
        let parent = createdFolders.last.map { folder(of: $0) } ?? folder(of: path)
        var info = stat()
        guard stat(parent, &info) == 0, info.st_uid != 0 else { return }
        for file in createdFolders + [path, path + "-wal", path + "-shm"]
        where FileManager.default.fileExists(atPath: file) {
            _ = chown(file, info.st_uid, info.st_gid)
        }
    }

    /// Folders that do not exist yet between `path` and the nearest existing ancestor, outermost last.
    static func missingFolders(for path: String) -> [String] {
        var missing: [String] = []
        var current = folder(of: path)
        while !FileManager.default.fileExists(atPath: current), current != "/", !current.isEmpty {
            missing.append(current)
            current = folder(of: current)
        }
        return missing
    }

    static func folder(of path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        return folder.isEmpty ? "." : folder
    }

    private static func nearestExisting(_ folder: String) -> String {
        var current = folder
        while !FileManager.default.fileExists(atPath: current), current != "/", current != "." {
            current = Self.folder(of: current)
        }
        return current
    }

    private static var me: String { name(of: geteuid()) }

    private static func name(of uid: uid_t) -> String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid \(uid)" }
        return String(cString: name)
    }

    private static func group(of gid: gid_t) -> String {
        guard let entry = getgrgid(gid), let name = entry.pointee.gr_name else { return "gid \(gid)" }
        return String(cString: name)
    }

    /// "PATH (owner:group, mode 0700)".
    private static func describe(_ path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return path }
        let mode = String(info.st_mode & 0o7777, radix: 8)
        return "\(path) (\(name(of: info.st_uid)):\(group(of: info.st_gid)), mode 0\(mode))"
    }

    /// The command that gives the file or folder to whoever needs it.
    private static func fix(_ path: String, for who: String) -> String {
        var info = stat()
        _ = stat(path, &info)
        let owner = name(of: info.st_uid)
        if info.st_uid != 0 {
            return "run the command as \(owner), whose store it is (sudo -u \(owner) activity-sync …)"
        }
        return "it is root's: give it to the user the service runs as (chown activity-sync: \(path)), or set "
            + "store.path to a folder user \(who) may write"
    }
}
