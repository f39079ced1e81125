import ActivityModel
import Foundation
import SyncPlanning

/// What the mailbox reported since the saved cursors.
struct Remote {
    /// Items read whole this pass, by id.
    var items: [String: RemoteItem] = [:]
    var deleted: Set<String> = []
    var cursors: [FolderKind: String] = [:]
    /// Every item id listed or reported this pass, and the folders listed from the start: in those,
    /// a linked item that was not listed is gone.
    var seen: Set<String> = []
    var listedFromStart: Set<FolderKind> = []
}

extension MailboxSync {
    func gatherRemote(fromStart: Bool = false) async throws -> Remote {
        var remote = Remote()
        let links = try linksByItem()
        for folder in FolderKind.allCases {
            let cursor = fromStart ? nil : try store.cursor(mailbox: mailbox, folder: folder)
            if cursor == nil { remote.listedFromStart.insert(folder) }
            let pages: [ChangePage]
            do {
                pages = try await service.changes(in: folder, from: cursor)
            } catch is CursorExpired {
                // The cursor is gone: read the folder from the start; identities re-link what is ours.
                remote.listedFromStart.insert(folder)
                pages = try await service.changes(in: folder, from: nil)
            }
            var changed: [String] = []
            var pending: Set<String> = []
            for page in pages {
                remote.cursors[folder] = page.cursor
                for change in page.changes {
                    switch change {
                    case .changed(let header):
                        remote.deleted.remove(header.id)
                        remote.seen.insert(header.id)
                        // Our own write coming back: the version is the one we stored.
                        if let link = links[header.id], link.changeKey != nil, link.changeKey == header.version {
                            continue
                        }
                        if pending.insert(header.id).inserted { changed.append(header.id) }
                    case .removed(let id):
                        remote.deleted.insert(id)
                        remote.items[id] = nil
                        pending.remove(id)
                    }
                }
            }
            // Change pages carry no body: what changed is read whole (the service batches its requests).
            for item in try await service.read(changed.filter(pending.contains), in: folder) {
                remote.items[item.id] = item
            }
        }
        for link in links.values
        where remote.listedFromStart.contains(link.folder) && !remote.seen.contains(link.itemId) {
            remote.deleted.insert(link.itemId)
        }
        return remote
    }

    /// Writes journalled but never confirmed (a crash, a lost answer). Creates: their identities are looked
    /// up, so an item that was created after all is re-linked instead of created again. Stamps: the item is
    /// read again, so a stamp that never landed is planned again. Returns the entries settled.
    func reconcileJournal(into remote: inout Remote) async throws -> [Int64] {
        let open = try store.openJournal(mailbox: mailbox).filter { $0.activityId != nil }
        guard !open.isEmpty else { return [] }
        for folder in FolderKind.allCases {
            let entries = open.filter { FolderKind(rawValue: $0.payload ?? "") ?? .tasks == folder }
            let creates = entries.filter { $0.action == "create" }.compactMap(\.activityId)
            for chunk in creates.chunks(of: 50) {
                for item in try await service.find(activityIds: Array(chunk), in: folder) {
                    remote.items[item.id] = item
                }
            }
            let stamped = entries.filter { $0.action == "stamp" }.compactMap(\.itemId)
                .filter { remote.items[$0] == nil && !remote.deleted.contains($0) }
            for item in try await service.read(stamped, in: folder) { remote.items[item.id] = item }
        }
        return open.map(\.id)
    }

    /// Reads past the echoes of this pass's own writes, so the saved cursor is after them: otherwise an item
    /// we created and a user deleted before the next pass would net out to nothing there and go unseen.
    /// A page with anything but our echoes stops the cursor where it was (that change is read next pass).
    func absorbEchoes(folders written: Set<FolderKind>, into remote: inout Remote) async throws {
        for folder in FolderKind.allCases where written.contains(folder) {
            guard let start = remote.cursors[folder] else { continue }
            let links = try linksByItem()
            var cursor = start
            for page in try await service.changes(in: folder, from: start) {
                let onlyEchoes = page.changes.allSatisfy { change in
                    switch change {
                    case .changed(let header): return links[header.id]?.changeKey == header.version
                    case .removed(let id): return links[id] == nil
                    }
                }
                guard onlyEchoes else { break }
                cursor = page.cursor
            }
            remote.cursors[folder] = cursor
        }
    }

    func linksByItem() throws -> [String: SyncLink] {
        Dictionary(try store.links(mailbox: mailbox).map { ($0.itemId, $0) }, uniquingKeysWith: { a, _ in a })
    }
}
