import ActivityModel
import Foundation
import SyncPlanning

/// Links made over another backend: an employee's mailbox moved between EWS and Microsoft Graph (SPEC §6). Events
/// carry the same identity property either way and re-link by it in an ordinary pass; a task does not (To Do reads
/// no extended property, EWS no open extension), so its link's item id is unknown here. The first pass over the
/// new backend finds each such task — by this instance's identity where the item carries it, else by the values
/// both sides last held (subject and due date, one to one) — stamps our identity on it and re-links it. What is
/// found neither way stays **held**: its folder is neither listed nor planned (nothing created, deleted or
/// imported twice) until every link of it is found, or ops decide (README, "Moving a mailbox between EWS and
/// Graph").
public enum ForeignLinks {
    /// How a held link was found.
    public enum Found: Sendable, Equatable {
        /// The item carries this instance's identity (made over the new backend, or stamped before a crash).
        case identity(RemoteItem)
        /// A user's own item (no identity) whose subject and due date are the link's base's, the only one.
        case values(RemoteItem)
    }

    /// Which items are the held links' (pure): first by identity, then by subject and due date among the items
    /// no instance claims — a key shared by two links or two items matches nothing (ambiguous: held for ops).
    public static func match(_ links: [SyncLink], in items: [RemoteItem]) -> [String: Found] {
        var found: [String: Found] = [:]
        var taken: Set<String> = []
        let byIdentity = Dictionary(grouping: items.filter { $0.activityId != nil }) { $0.activityId! }
        for link in links {
            guard let carrying = byIdentity[link.activityId], carrying.count == 1, let item = carrying.first else {
                continue
            }
            found[link.activityId] = .identity(item)
            taken.insert(item.id)
        }
        func key(_ fields: SyncFields) -> String { "\(fields.subject)\u{1F}\(fields.due ?? "-")" }
        let open = links.filter { found[$0.activityId] == nil }
        let linksByKey = Dictionary(grouping: open) { key($0.base) }
        let candidates = items.filter {
            $0.activityId == nil && !$0.otherInstance && !$0.isRecurring && !taken.contains($0.id)
        }
        let itemsByKey = Dictionary(grouping: candidates) { key($0.fields) }
        for (value, group) in linksByKey where group.count == 1 {
            guard let matching = itemsByKey[value], matching.count == 1 else { continue }
            found[group[0].activityId] = .values(matching[0])
        }
        return found
    }
}

extension MailboxSync {
    /// This mailbox's links the service does not recognise as its own items' (made over another backend).
    func foreignLinks() throws -> [SyncLink] {
        let served = Set(service.folders)
        return try store.links(mailbox: mailbox).filter {
            served.contains($0.folder) && !$0.itemId.isEmpty && !service.recognises(itemId: $0.itemId, in: $0.folder)
        }
    }

    /// Finds and re-links the links made over another backend (stamping our identity on items found by their
    /// values); answers the folders still held and what was done or would be, one line each.
    func migrateForeignLinks(
        _ links: [SyncLink],
        pass: String,
        dryRun: Bool
    ) async throws -> (
        held: Set<FolderKind>, lines: [String]
    ) {
        var held: Set<FolderKind> = []
        var lines: [String] = []
        let would = dryRun ? "would " : ""
        for (folder, group) in Dictionary(grouping: links, by: \.folder).sorted(by: {
            $0.key.rawValue < $1.key.rawValue
        }) {
            var ids: [String] = []
            for page in try await service.changes(in: folder, from: nil) {
                for case .changed(let header) in page.changes { ids.append(header.id) }
            }
            var items: [RemoteItem] = []
            for chunk in Array(Set(ids)).sorted().chunks(of: 50) {
                items += try await service.read(Array(chunk), in: folder)
            }
            let found = ForeignLinks.match(group, in: items)
            let stamps = group.compactMap { link -> IdentityStamp? in
                guard case .values(let item) = found[link.activityId] else { return nil }
                return IdentityStamp(id: item.id, version: item.version, kind: item.kind, activityId: link.activityId)
            }
            var outcomes: [String: WriteOutcome] = [:]
            if !dryRun, !stamps.isEmpty {
                for (stamp, outcome) in zip(stamps, try await service.stamp(stamps)) {
                    outcomes[stamp.activityId ?? ""] = outcome
                }
            }
            for link in group.sorted(by: { $0.activityId < $1.activityId }) {
                let item: RemoteItem
                var version: String?
                let how: String
                switch found[link.activityId] {
                case .identity(let carrying)?:
                    (item, version, how) = (carrying, carrying.version, "by its identity")
                case .values(let matching)?:
                    (item, how) = (matching, "by its subject and due date; identity stamped")
                    if !dryRun {
                        guard case .done(_, let stamped)? = outcomes[link.activityId] else {
                            held.insert(folder)
                            lines.append("hold \(link.activityId): stamping its item failed; tried again next pass")
                            continue
                        }
                        version = stamped
                    }
                case nil:
                    held.insert(folder)
                    lines.append(
                        "hold \(link.activityId) (\(folder.rawValue)): made over the other backend and not found here "
                            + "by its identity, nor by its subject and due date alone; nothing created or deleted"
                    )
                    continue
                }
                lines.append("\(would)relink \(link.activityId) → \(item.id) (backend switched: found \(how))")
                if dryRun { continue }
                try store.transaction { tx in
                    var moved = link
                    moved.itemId = item.id
                    moved.changeKey = version
                    moved.created = item.knownCreated
                    try tx.saveLink(moved)
                    try tx.audit(
                        AuditEntry(
                            pass: pass,
                            mailbox: mailbox,
                            activityId: link.activityId,
                            itemId: item.id,
                            action: "relink",
                            reason: "backend switched: found \(how)"
                        )
                    )
                }
            }
            if dryRun { held.insert(folder) }
        }
        return (held, lines)
    }
}

/// A mailbox service with some folders held: not served this pass (their links made over another backend are not
/// all found yet). Everything else is the service's.
struct HeldFolders: MailboxService {
    let inner: any MailboxService
    let held: Set<FolderKind>

    var address: String { inner.address }
    var listsWholeFolders: Bool { inner.listsWholeFolders }
    var folders: [FolderKind] { inner.folders.filter { !held.contains($0) } }

    func changes(in folder: FolderKind, from cursor: String?) async throws -> [ChangePage] {
        try await inner.changes(in: folder, from: cursor)
    }
    func read(_ ids: [String], in folder: FolderKind) async throws -> [RemoteItem] {
        try await inner.read(ids, in: folder)
    }
    func find(activityIds: [String], in folder: FolderKind) async throws -> [RemoteItem] {
        try await inner.find(activityIds: activityIds, in: folder)
    }
    func listOwn(in folder: FolderKind) async throws -> [RemoteHeader] { try await inner.listOwn(in: folder) }
    func create(_ items: [NewItem], in folder: FolderKind) async throws -> [WriteOutcome] {
        try await inner.create(items, in: folder)
    }
    func update(_ updates: [ItemUpdate]) async throws -> [WriteOutcome] { try await inner.update(updates) }
    func remove(_ removals: [ItemRemoval]) async throws -> [WriteOutcome] { try await inner.remove(removals) }
    func stamp(_ stamps: [IdentityStamp]) async throws -> [WriteOutcome] { try await inner.stamp(stamps) }
    func recognises(itemId: String, in folder: FolderKind) -> Bool { inner.recognises(itemId: itemId, in: folder) }
}
