import Foundation
import SyncEngine
import SyncPlanning

/// Drives one operation of a backend's `MailboxService` (the engine's whole view of a mailbox: the client, its
/// decoding and the item mapping) on the fuzzer's answer. Whatever the answer, the call may fail with an error,
/// never trap, hang or leak.
public enum MailboxServiceDriver {
    /// The operations, numbered 0..<operations.
    public static let operations = 10

    /// A selector byte's operation (its low four bits; 10–15 are the harness's own extras) and folder (bit 4).
    public static func decode(_ selector: Int) -> (operation: Int, folder: FolderKind) {
        (selector & 15, selector & 16 == 0 ? .tasks : .calendar)
    }

    /// The selector byte of an operation on a folder (the seeds' first byte).
    public static func selector(_ operation: Int, _ folder: FolderKind) -> UInt8 {
        UInt8(operation | (folder == .calendar ? 16 : 0))
    }

    /// Runs one operation; `ids` are the items it names (the seed generator passes items its fake holds).
    public static func run(
        _ service: any MailboxService,
        operation: Int,
        folder: FolderKind,
        ids: [(id: String, version: String?)] = [("AAMkAGZ1enoAAA=", "CQAAABYA"), ("AAMkAGZ1enoAAB=", nil)]
    ) async -> String {
        let kind: ItemKind = folder == .tasks ? .task : .calendarItem
        let fields = SyncFields(
            subject: "Fuzz",
            status: kind == .task ? "not_started" : "planned",
            start: kind == .task ? nil : "2026-12-03T09:00:00Z",
            end: kind == .task ? nil : "2026-12-03T10:00:00Z",
            due: kind == .task ? "2026-12-03" : nil
        )
        let (id, version) = ids[0]
        do {
            switch operation % operations {
            case 0: _ = try await service.changes(in: folder, from: nil)
            case 1: _ = try await service.changes(in: folder, from: "H4sIAAAAAAAEAGNgYGBkYGBg")
            case 2: _ = try await service.read(ids.map(\.id), in: folder)
            case 3: _ = try await service.find(activityIds: ["A1", "A2"], in: folder)
            case 4: _ = try await service.listOwn(in: folder)
            case 5:
                _ = try await service.create(
                    [NewItem(activityId: "A1", kind: kind, fields: fields, crmLine: "Fabrikam", invitations: false)],
                    in: folder
                )
            case 6:
                _ = try await service.update([
                    ItemUpdate(
                        id: id,
                        version: version,
                        activityId: "A1",
                        kind: kind,
                        fields: fields,
                        changed: [.subject, .status],
                        crmLine: nil,
                        meetingMail: false
                    )
                ])
            case 7: _ = try await service.remove([ItemRemoval(id: id, cancellations: false, version: version)])
            case 8: _ = try await service.stamp([IdentityStamp(id: id, version: version, kind: kind, activityId: "A1")])
            default: _ = try await service.stamp([IdentityStamp(id: id, version: nil, kind: kind, activityId: nil)])
            }
            return "ok"
        } catch {
            return "\(error)"  // (Described, as the daemon logs it: the description must not trap either.)
        }
    }
}
