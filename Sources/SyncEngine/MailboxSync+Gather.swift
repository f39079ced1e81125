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
    /// Items of ours the echo listing after this pass's writes passed over (its cursor covers them).
    var echoed: Set<String> = []
    var listedFromStart: Set<FolderKind> = []
    /// Folders whose listing stopped at the page bound this pass (it goes on next pass).
    var cutShort: Set<FolderKind> = []
    /// Linked items' DateTimeCreated first seen this pass (our own creates' echoes among them), by activity:
    /// recorded in their links at the end of the pass.
    var linkCreated: [String: (item: String, created: String)] = [:]
    /// Items found by the identity of a journalled create (ours, though the answer was lost), with that create's
    /// entry: the values it sent are what the item is judged by.
    var journalled: [String: JournalEntry] = [:]
    /// Activities whose item we were removing when a crash or a lost answer cut the bookkeeping off.
    var ourRemovals: Set<String> = []
    /// Items any mailbox judged users' copies whose release has not landed: never taken for the original, nor
    /// for an activity's old item when it moves.
    var releasingAnywhere = PendingReleases()
    /// Delete halves of ownership moves not yet landed, by activity.
    var moveOuts: [String: ForeignLink] = [:]
    /// The old item as a move-out journalled by this mailbox's passes judged it.
    var moveOutsJudged: [String: JudgedItem] = [:]
    /// The CRM's values when that move-out was journalled (its old item's edits carried).
    var moveOutsCRM: [String: SyncFields] = [:]
    /// The item here as another mailbox's move-out judged it.
    var judgedHere: [String: JudgedItem] = [:]
    /// Activities living in another mailbox now whose move-out from this one has not landed: the items here
    /// as it judged them (every one of them goes with it, so none is a user's copy).
    var leaving: [String: JudgedItem] = [:]
    /// Those move-outs' journal entries, by "activity|item": an item of theirs this pass removes settles them.
    var leavingEntries: [String: [Int64]] = [:]
    /// Creates journalled by another mailbox and never confirmed, by activity: where, and what they sent.
    var createdElsewhere: [String: (mailbox: String, folder: FolderKind, sent: SyncFields, entry: Int64)] = [:]
    /// Imports whose stamp went out but whose activity was never added, by activity id: their journal entries.
    var importing: [String: Int64] = [:]
    /// Updates sent but never confirmed (a lost answer, a crash), by activity: the values and fields written.
    var unconfirmed: [String: [(fields: SyncFields, changed: [SyncFields.Field])]] = [:]
}

extension MailboxSync {
    func gatherRemote(fromStart: Bool = false) async throws -> Remote {
        var remote = Remote()
        let links = try linksByItem()
        for folder in service.folders {
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
            if pages.last?.more == true {
                // Cut at the page bound: the next pass goes on from the last cursor. What was not listed is not
                // gone — no linked item counts as deleted for not being seen.
                remote.listedFromStart.remove(folder)
                remote.cutShort.insert(folder)
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
                        remote.noteCreated(header, links: links)
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
            // A link whose version is unknown (re-linked while our update of it was under way) is read until
            // that update lands.
            for link in links.values where link.folder == folder && link.changeKey == nil {
                if !remote.deleted.contains(link.itemId), pending.insert(link.itemId).inserted {
                    changed.append(link.itemId)
                }
            }
            // A link whose item no saved cursor knows (made by a pass that kept its cursors: throttled, stopped,
            // killed) is read by id unless listed now: the cursor would never report its delete.
            let unknown = links.values.filter {
                !Defects.unlistedLinksTrusted && $0.folder == folder && !$0.listed && !remote.seen.contains($0.itemId)
                    && !remote.deleted.contains($0.itemId)
            }
            for link in unknown where pending.insert(link.itemId).inserted { changed.append(link.itemId) }
            // Change pages carry no body: what changed is read whole (the service batches its requests).
            for item in try await service.read(changed.filter(pending.contains), in: folder) {
                remote.items[item.id] = item
            }
            for link in unknown {
                if remote.items[link.itemId] != nil {
                    remote.seen.insert(link.itemId)
                } else {
                    remote.deleted.insert(link.itemId)
                }
            }
        }
        var unlisted: [FolderKind: [SyncLink]] = [:]
        for link in links.values
        where remote.listedFromStart.contains(link.folder) && !remote.seen.contains(link.itemId)
            && !remote.deleted.contains(link.itemId)
        {
            unlisted[link.folder, default: []].append(link)
        }
        for (folder, missing) in unlisted.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            guard !service.listsWholeFolders else {
                for link in missing { remote.deleted.insert(link.itemId) }
                continue
            }
            // A windowed listing leaves out linked items outside the window: each is read, and only one the
            // mailbox no longer has is gone (SPEC: linked items stay linked whatever their date).
            let found = Dictionary(
                try await service.read(missing.map(\.itemId), in: folder).map { ($0.id, $0) },
                uniquingKeysWith: { first, _ in first }
            )
            for link in missing {
                guard let item = found[link.itemId] else {
                    remote.deleted.insert(link.itemId)
                    continue
                }
                remote.seen.insert(link.itemId)
                if link.changeKey == nil || link.changeKey != item.version { remote.items[item.id] = item }
            }
        }
        return remote
    }

    /// Writes journalled but never confirmed (a crash, a lost answer). Creates: their identities are looked
    /// up, so an item that was created after all is re-linked instead of created again. Stamps and copy
    /// releases: the item is read again, so one that never landed is planned again. Returns the entries this
    /// pass settles (each one whose pair's actions all land).
    func reconcileJournal(into remote: inout Remote) async throws -> [JournalEntry] {
        // Ownership moves whose delete half has not landed, whichever mailbox's pass journalled them: the
        // mailbox that owns the activity now sees each one through (the activity may have moved on, or back).
        var movingOut: [JournalEntry] = []
        // (An entry of a folder the backend does not serve now waits, open, until it is served: its pair is not
        // planned, so nothing would finish it.)
        let served = Set(service.folders)
        for entry in try store.openJournal(action: "move-out") {
            guard let activity = entry.activityId, let item = entry.itemId, let out = entry.moveOut else { continue }
            let owner: Activity?
            do { owner = try store.activity(activity) } catch { continue }  // (Unreadable: its pair waits too.)
            // (A move-out's payload names no folder: the activity's kind does.)
            if let owner, !served.contains(FolderKind(placement(owner))) { continue }
            let ownedHere = owner?.mailboxEmployee == employee.id
            if out.mailbox.lowercased() == mailbox.lowercased() {
                guard ownedHere else {
                    remote.leavingEntries["\(activity)|\(item)", default: []].append(entry.id)
                    // Its items here go with that move-out: none of them is a user's copy.
                    if let judged = out.judged {
                        remote.leaving[activity] = remote.leaving[activity]?.spanning(judged) ?? judged
                    }
                    continue
                }
                // The activity came back here before that move-out landed: the linked item, gone, was removed by
                // us (that one, or the same item moved, found by its identity), not by a user; and one not
                // modified since it was judged holds no edit (its edits were carried into the CRM then).
                if let link = try store.link(activityId: activity), link.mailbox.lowercased() == mailbox.lowercased() {
                    remote.ourRemovals.insert(activity)
                }
                if let judged = out.judged {
                    remote.judgedHere[activity] = remote.judgedHere[activity]?.spanning(judged) ?? judged
                }
                movingOut.append(entry)
            } else if ownedHere {
                // Sent again. (An activity with several items there has an entry per item: the first stands for
                // them, the rest are found again by identity; what was judged spans them all. Entries for
                // another mailbox wait for a later pass.)
                if remote.moveOuts[activity] == nil {
                    remote.moveOuts[activity] = ForeignLink(
                        mailbox: out.mailbox,
                        itemId: item,
                        base: out.base?.upgradedTaskBase
                    )
                    remote.moveOutsCRM[activity] = out.crm
                }
                guard remote.moveOuts[activity]?.mailbox.lowercased() == out.mailbox.lowercased() else { continue }
                if let judged = out.judged {
                    remote.moveOutsJudged[activity] =
                        remote.moveOutsJudged[activity].map { $0.spanning(judged) } ?? judged
                }
                movingOut.append(entry)
            }
            // (Owned by a third mailbox now: that one's passes see it through.)
        }
        for entry in try store.openJournal(action: "release") {
            remote.releasingAnywhere.add(entry)
        }
        for entry in try store.openJournal(action: "create") where entry.mailbox.lowercased() != mailbox.lowercased() {
            guard let activity = entry.activityId, let sent = entry.sent?.fields else { continue }
            remote.createdElsewhere[activity] = (entry.mailbox, entry.folder, sent, entry.id)
        }
        let open = try store.openJournal(mailbox: mailbox).filter {
            $0.activityId != nil && $0.action != "move-out" && served.contains($0.folder)
        }
        guard !open.isEmpty else { return movingOut }
        // Evidence that needs no request.
        for entry in open {
            guard let activity = entry.activityId else { continue }
            switch entry.action {
            case "update":
                // An item holding what we sent holds our write (read when it changed, like any other).
                if let sent = entry.sent {
                    remote.unconfirmed[activity, default: []].append((sent.fields, sent.changed ?? []))
                }
            case "remove":
                // A delete of ours never confirmed: its item going is not a user's delete.
                remote.ourRemovals.insert(activity)
            case "import":
                // The stamp went out before the activity was added; an item carrying it finishes the import.
                remote.importing[activity] = entry.id
            default: break
            }
        }
        for folder in service.folders {
            let entries = open.filter { $0.folder == folder }
            let creates = entries.filter { $0.action == "create" }
            // (An activity whose create was cut off more than once has an entry per attempt: its item is judged by
            // the one that sent what it holds, else by the latest.)
            let attempts = Dictionary(grouping: creates.filter { $0.activityId != nil }, by: { $0.activityId! })
            for chunk in Array(Set(creates.compactMap(\.activityId))).sorted().chunks(of: 50) {
                for item in try await service.find(activityIds: Array(chunk), in: folder) {
                    remote.items[item.id] = item
                    guard let activity = item.activityId, let tries = attempts[activity], let latest = tries.last
                    else { continue }
                    let entry = tries.last { $0.sent?.fields == item.fields } ?? latest
                    remote.journalled[item.id] = entry
                }
            }
            let stamped = entries.filter { ["stamp", "release", "import"].contains($0.action) && $0.state != .held }
                .compactMap(\.itemId)
                .filter { remote.items[$0] == nil && !remote.deleted.contains($0) }
            for item in try await service.read(stamped, in: folder) { remote.items[item.id] = item }
        }
        // (A held import waits for the user's next change of its item: it stays open.)
        return open.filter { $0.state != .held } + movingOut
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
                for case .changed(let header) in page.changes { remote.noteCreated(header, links: links) }
                let onlyEchoes = page.changes.allSatisfy { change in
                    switch change {
                    case .changed(let header): return links[header.id]?.changeKey == header.version
                    case .removed(let id): return links[id] == nil
                    }
                }
                guard onlyEchoes else { break }
                cursor = page.cursor
                for case .changed(let header) in page.changes { remote.echoed.insert(header.id) }
            }
            remote.cursors[folder] = cursor
        }
    }

    /// Records the ids and creation times of linked items this pass saw (see `Remote.linkCreated`).
    func recordLinkCreated(_ remote: Remote, in tx: any SyncStoreTransaction) throws {
        for (activity, seen) in remote.linkCreated.sorted(by: { $0.key < $1.key }) {
            try tx.noteLinkCreated(activityId: activity, itemId: seen.item, created: seen.created)
        }
    }

    func linksByItem() throws -> [String: SyncLink] {
        Dictionary(try store.links(mailbox: mailbox).map { ($0.itemId, $0) }, uniquingKeysWith: { a, _ in a })
    }
}

extension Remote {
    /// A linked item's creation time not yet in its link.
    mutating func noteCreated(_ header: RemoteHeader, links: [String: SyncLink]) {
        guard !header.created.isEmpty, let link = links[header.id], link.created == nil else { return }
        linkCreated[link.activityId] = (header.id, header.created)
    }
}
