import ActivityModel
import Foundation
import SyncPlanning

/// The pairs of a pass and what the executor needs to act on them.
struct Observations {
    var pairs: [PairObservation] = []
    var linkedCount = 0
    var activities: [String: Activity] = [:]
    /// Items read this pass, by id.
    var items: [String: RemoteItem] = [:]
    /// Unfinished imports' journal entries, by activity id.
    var importing: [String: Int64] = [:]
    /// Lost creates' journal entries, by the item each found.
    var journalled: [String: JournalEntry] = [:]
    /// Activities whose pending move-out waited this pass (the item of a link elsewhere went first).
    var deferredMoveOuts: Set<String> = []
    /// Other mailboxes' unconfirmed creates this pass judged (the item found goes, or none landed), by
    /// activity: settled when the pair's actions land, so a user's copy made there later is never taken for
    /// that create.
    var judgedCreates: [String: Int64] = [:]
    /// Other mailboxes' move-outs of items here, by "activity|item" (see `Remote.leavingEntries`).
    var leavingEntries: [String: [Int64]] = [:]
    /// Activities whose stored record cannot be read, with the store's reason: their pairs are not planned.
    var unreadable: [String: String] = [:]
}

extension MailboxSync {
    func observe(remote: Remote, now: Date) async throws -> Observations {
        var result = Observations()
        // (What belongs in a folder the backend does not serve is left alone: Graph mailboxes' tasks.)
        let served = Set(service.folders)
        let activities = try store.activities(ofMailboxEmployee: employee.id).filter {
            $0.type.isSynchronisable && $0.mailboxEmployee == employee.id && served.contains(FolderKind(placement($0)))
        }
        result.activities = Dictionary(activities.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        // (And their links, as they are: one left out of the activities above would read as moved out — its item
        // deleted as the old half of an ownership move.)
        let linkList = try store.links(mailbox: mailbox).filter { served.contains($0.folder) }
        let links = Dictionary(linkList.map { ($0.activityId, $0) }, uniquingKeysWith: { a, _ in a })
        let linkedItems = Dictionary(linkList.map { ($0.itemId, $0.activityId) }, uniquingKeysWith: { a, _ in a })
        result.items = remote.items
        result.importing = remote.importing
        result.journalled = remote.journalled
        result.leavingEntries = remote.leavingEntries
        result.linkedCount = links.count
        // Items belong to a pair by this instance's identity, else by the ItemId of a link (an item whose
        // identity stamp never landed); the rest are Outlook's own, import candidates.
        var carrying: [String: [RemoteItem]] = [:]
        var foreign: [RemoteItem] = []
        for item in remote.items.values.sorted(by: { $0.id < $1.id }) where !item.otherInstance {
            if let activity = item.activityId ?? linkedItems[item.id] {
                carrying[activity, default: []].append(item)
            } else {
                foreign.append(item)
            }
        }
        // Activities of this mailbox linked in another one: moving in (a new organizer or assignee).
        var linkedElsewhere: [String: SyncLink] = [:]
        for id in result.activities.keys.sorted() where links[id] == nil {
            if let other = try store.link(activityId: id), other.mailbox.lowercased() != mailbox.lowercased() {
                linkedElsewhere[id] = other
            }
        }
        // Activities of this mailbox not linked here (about to be created, moving in — deleted or not —, or
        // matched by an item seen this pass): every item carrying their identity here is found first, so
        // nothing is duplicated and copies are told apart.
        let unlinked = result.activities.values.filter {
            links[$0.id] == nil
                && (carrying[$0.id] != nil || remote.judgedHere[$0.id] != nil || linkedElsewhere[$0.id] != nil
                    || remote.moveOuts[$0.id] != nil
                    || (!$0.deleted && $0.synchronize && inWindow($0.start ?? $0.due, now: now)))
        }
        // (So are imports whose stamp landed but whose activity is not there yet: a copy may carry the id too.)
        var lookups = Dictionary(grouping: unlinked.map(\.id)) { id in
            FolderKind(placement(result.activities[id]!))
        }
        for (id, items) in carrying where remote.importing[id] != nil && result.activities[id] == nil {
            lookups[items[0].folder, default: []].append(id)
        }
        for item in try await existingItems(lookups, listed: remote.listedFromStart)
        where !remote.deleted.contains(item.id) {
            guard let id = item.activityId, !(carrying[id] ?? []).contains(where: { $0.id == item.id }) else {
                continue
            }
            carrying[id, default: []].append(item)
            result.items[item.id] = item
        }
        // Activities changed in the CRM since their last sync outside the synced fields (a partner, a contact):
        // their items, not listed, are read, so our line is compared with what the CRM names now.
        // (Only where no synced field moved: a pair that acts anyway is not read again, so an item whose values the
        // CRM refused is retried only when it changes.)
        let unlisted = linkList.filter { link in
            guard let activity = result.activities[link.activityId], let seq = activity.changeSeq,
                seq > link.syncedSeq, !activity.deleted, !link.itemId.isEmpty
            else { return false }
            return carrying[link.activityId] == nil && !remote.deleted.contains(link.itemId)
                && form.fields(of: activity).changedFields(from: link.base.upgradedTaskBase).isEmpty
        }
        for (folder, group) in Dictionary(grouping: unlisted, by: \.folder).sorted(by: {
            $0.key.rawValue < $1.key.rawValue
        }) {
            for chunk in group.map(\.itemId).sorted().chunks(of: 50) {
                for item in try await service.read(Array(chunk), in: folder) {
                    guard let id = item.activityId ?? linkedItems[item.id], result.activities[id] != nil else {
                        continue
                    }
                    carrying[id, default: []].append(item)
                    result.items[item.id] = item
                }
            }
        }
        let (byActivity, copies) = originals(carrying, links: links, remote: remote)
        // A link whose item now carries another activity's identity: a second import of that item.
        var duplicates: [String: String] = [:]
        for link in linkList {
            if let owner = remote.items[link.itemId]?.activityId, owner != link.activityId {
                duplicates[link.activityId] = owner
            }
        }
        for id in Set(result.activities.keys).union(links.keys).union(byActivity.keys).sorted() {
            let stored = links[id]
            var link = stored
            var crm = result.activities[id].map { crmSide($0, now: now) }
            if crm == nil {
                let moved: Activity?
                do {
                    moved = try store.activity(id)
                } catch {
                    // Its stored record cannot be read (a damaged store): its pair is left as it is, neither
                    // side written, until the record is back (never taken for a deleted activity).
                    result.unreadable[id] = "\(error)"
                    continue
                }
                // It lives in another employee's mailbox now (a new organizer or assignee).
                if let moved, moved.type.isSynchronisable { crm = crmSide(moved, now: now, ownedElsewhere: true) }
            }
            if let original = duplicates[id] {
                result.pairs.append(
                    PairObservation(
                        crm: crm,
                        exchange: nil,
                        base: link?.base,
                        linkedItemId: link?.itemId,
                        duplicateOf: original
                    )
                )
                continue
            }
            var exchange: ExchangeSide?
            if let old = stored?.base, old.isOldTaskBase {
                // (Stored by a release that compared a task's reminder in the CRM's minutes: in today's form, judged
                // by what each side held then; saved below as rebased.)
                link?.base = old.upgradedTaskBase(
                    crmMinutes: result.activities[id]?.reminderMinutes,
                    crm: crm?.fields.reminderDueBy,
                    exchange: byActivity[id].map { $0.fields.reminderDueBy } ?? old.reminderMinutes
                )
            }
            var base = link?.base
            var uncertain: Set<SyncFields.Field> = []
            var ours: SyncFields?
            if let item = byActivity[id] {
                exchange = exchangeSide(item, carrying: link?.base ?? crm?.fields, now: now)
                // Our line no longer names what the CRM has (or the user took it off): the body is written again.
                // (A last `CRM: ` line the CRM holds in its text is the user's, not ours.)
                let users =
                    item.unstrippedInformation != nil && exchange?.fields.information == item.unstrippedInformation
                let line = users ? nil : item.crmLine
                // (Only on an item that holds nothing new: a rewrite beside Outlook's changes would be a write of its
                // own in a pass that merges them, and one not applied would leave them judged by nothing.)
                if item.activityId == id, let activity = result.activities[id], !activity.deleted,
                    exchange?.fields == link?.base, crmLine(activity) != line
                {
                    exchange?.misaligned.insert(.information)
                }
                // Being moved out by the new owner's pass, whose carried edits landed with its journal entry: an
                // item not modified since holds no edit (an older copy's older values are none).
                if let judged = remote.judgedHere[id], let held = exchange, judged.holdsNothingNew(held) {
                    // (Not linked here yet, as the activity came back before the move-out landed: linked as it is.)
                    if link != nil { base = held.fields } else { ours = held.fields }
                }
                // An update of ours that was never confirmed (its answer lost and the read-back failed too), on
                // an item that changed since: a field holding what it sent holds our write; any other value may
                // be ours undone by the user, or ours never applied — a conflict, settled and recorded.
                if let held = exchange?.fields, var moved = base {
                    for sent in remote.unconfirmed[id] ?? [] {
                        for field in sent.changed where held.text(field) == sent.fields.text(field) {
                            moved.take(field, from: sent.fields)
                        }
                        for field in sent.changed where held.text(field) != sent.fields.text(field) {
                            uncertain.insert(field)
                        }
                    }
                    base = moved
                }
            } else if let link, !remote.deleted.contains(link.itemId) {
                // Not reported since the last pass: the item is as we left it.
                exchange = ExchangeSide(
                    itemId: link.itemId,
                    changeKey: link.changeKey,
                    kind: link.folder.itemKind,
                    fields: link.base,
                    activityId: id,
                    hasCategory: true
                )
                // Changed in the CRM since its last sync (its synced fields too, or it would have been read above): the
                // write that change causes carries the body, so our line names what the CRM has now.
                if let activity = result.activities[id], !activity.deleted, (activity.changeSeq ?? 0) > link.syncedSeq {
                    exchange?.misaligned.insert(.information)
                }
            }
            var elsewhere: ForeignLink?
            // Linked in another mailbox, yet this mailbox's now: an ownership move (whatever else the pair plans,
            // that item goes, since an activity has one link).
            if link == nil, let crm, !crm.ownedElsewhere, let other = linkedElsewhere[id] {
                let pending = remote.moveOuts[id]?.mailbox.lowercased() == other.mailbox.lowercased()
                elsewhere = try await previousOwnersItem(
                    other,
                    judged: pending ? remote.moveOutsJudged[id] : nil,
                    releasing: remote.releasingAnywhere,
                    now: now
                )
                // (Pending for another mailbox: it waits; for that one, its items go with these.)
                if remote.moveOuts[id] != nil && !pending { result.deferredMoveOuts.insert(id) }
            }
            if elsewhere == nil, let crm, !crm.ownedElsewhere, let pending = remote.moveOuts[id] {
                // The old item is judged against this pair's base: an edit made there since still comes along.
                let old = try await previousOwnersItem(
                    SyncLink(
                        activityId: id,
                        mailbox: pending.mailbox,
                        folder: FolderKind(crm.kind),
                        itemId: pending.itemId,
                        changeKey: nil,
                        base: pending.base ?? base ?? crm.fields,
                        syncedSeq: 0
                    ),
                    judged: remote.moveOutsJudged[id],
                    releasing: remote.releasingAnywhere,
                    now: now
                )
                elsewhere = old
                elsewhere?.crmBase = remote.moveOutsCRM[id]
            }
            if elsewhere == nil, link == nil, linkedElsewhere[id] == nil, let crm, !crm.ownedElsewhere,
                let created = remote.createdElsewhere[id]
            {
                // Created in another mailbox with the answer lost, and moved here since: that item, if the
                // create landed, is its previous owner's, judged against what was sent.
                let old = try await previousOwnersItem(
                    SyncLink(
                        activityId: id,
                        mailbox: created.mailbox,
                        folder: created.folder,
                        itemId: "",
                        changeKey: nil,
                        base: created.sent,
                        syncedSeq: 0
                    ),
                    judged: nil,
                    releasing: remote.releasingAnywhere,
                    now: now
                )
                if old.item != nil { elsewhere = old }
                result.judgedCreates[id] = created.entry
            }
            // A move-out journalled before: its carried edits landed with the entry. The item there now (the one
            // judged, or one found by identity when that is gone) not modified since holds no edit to carry: it is
            // the same, or an older copy whose older values are no edit.
            if let found = elsewhere?.item, let judged = remote.moveOutsJudged[id], judged.holdsNothingNew(found) {
                elsewhere?.base = found.fields
            }

            // The CRM's withheld attendees (opted out, the organizer) are out of the comparison on every side: an
            // item or base an older release wrote with them shows no change for it.
            let withheld = Set(
                (result.activities[id]?.attendees ?? []).filter(SyncFields.withheld).map { $0.email.lowercased() }
            )
            if !withheld.isEmpty {
                exchange?.fields.attendees.removeAll { withheld.contains(SyncFields.attendee($0).email) }
                base?.attendees.removeAll { withheld.contains(SyncFields.attendee($0).email) }
            }
            result.pairs.append(
                PairObservation(
                    crm: crm,
                    exchange: exchange,
                    base: base,
                    linkedItemId: link?.itemId,
                    linkedElsewhere: elsewhere,
                    journalled: exchange.flatMap { remote.journalled[$0.itemId]?.sent?.fields } ?? ours,
                    importing: crm == nil && remote.importing[id] != nil,
                    // (A link whose version is unknown takes the one read, once nothing more is under way.)
                    // (A CRM change outside the synced fields is in step once compared: its sequence is recorded.)
                    rebased: base != stored?.base || (link?.changeKey == nil && link != nil && byActivity[id] != nil)
                        || (result.activities[id]?.changeSeq ?? 0) > (link?.syncedSeq ?? Int64.max),
                    uncertain: uncertain,
                    removedByUs: exchange == nil && remote.ourRemovals.contains(id)
                )
            )
        }
        for (item, activity) in copies {
            result.pairs.append(
                PairObservation(crm: nil, exchange: exchangeSide(item, carrying: nil, now: now), copyOf: activity)
            )
        }
        for item in foreign {
            result.pairs.append(PairObservation(crm: nil, exchange: exchangeSide(item, carrying: nil, now: now)))
        }
        return result
    }

    /// Items carrying the identity of these activities here (one FindItem per 50 per folder; none in a folder
    /// this pass listed whole, where every such item was read already — a windowed listing is not whole).
    func existingItems(_ ids: [FolderKind: [String]], listed: Set<FolderKind>) async throws -> [RemoteItem] {
        var found: [RemoteItem] = []
        for folder in FolderKind.allCases where !(listed.contains(folder) && service.listsWholeFolders) {
            for chunk in (ids[folder] ?? []).sorted().chunks(of: 50) {
                found += try await service.find(activityIds: Array(chunk), in: folder)
            }
        }
        return found
    }

    /// Of the items carrying one identity, the original and the user's copies (SPEC §3): the item with the
    /// linked ItemId is the original; while the linked item is still there unchanged, every other one is a
    /// copy; without either, the one made when the linked item was made (a move keeps DateTimeCreated), else
    /// the earliest made, is the original (never one already judged a copy).
    func originals(
        _ carrying: [String: [RemoteItem]],
        links: [String: SyncLink],
        remote: Remote
    ) -> (
        originals: [String: RemoteItem], copies: [(RemoteItem, String)]
    ) {
        var originals: [String: RemoteItem] = [:]
        var copies: [(RemoteItem, String)] = []
        for (activity, items) in carrying.sorted(by: { $0.key < $1.key }) {
            let link = links[activity]
            let original: RemoteItem?
            // Items another mailbox's move-out will remove (it judged them, or they are no younger): none is a copy.
            var leaving: Set<String> = []
            if let linked = items.first(where: { $0.id == link?.itemId }) {
                original = linked
            } else if let link, !remote.deleted.contains(link.itemId) {
                original = nil
            } else {
                // (An item another mailbox's move-out judged, gone now: a user's copy made of it later is a copy.)
                let judged = remote.judgedHere[activity] ?? remote.leaving[activity]
                let candidates = items.filter {
                    // (A copy already judged so is never taken for the original, whatever else moves meanwhile.)
                    !remote.releasingAnywhere.contains($0, carrying: activity, in: mailbox)
                        && judged?.mayBe(created: $0.created) ?? true
                }
                // The linked item moved keeps its DateTimeCreated: known, it names the original (an older item
                // restored from Deleted Items is not it); else the item a create whose answer was lost made — it
                // holds what that create sent, unlike a user's older copy of an item gone —; else the earliest made.
                let created = candidates.filter { item in
                    guard let sent = remote.journalled[item.id]?.sent?.fields else { return false }
                    // (The time decides only whether it is in the window, not compared here.)
                    return exchangeSide(item, carrying: sent, now: .distantPast).fields == sent
                }
                original =
                    candidates.first { !$0.created.isEmpty && $0.created == link?.created }
                    ?? (created.count == 1 ? created.first : nil)
                    ?? candidates.min { ($0.created, $0.id) < ($1.created, $1.id) }
                if remote.leaving[activity] != nil { leaving = Set(candidates.map(\.id)) }
            }
            originals[activity] = original
            if Defects.copiesKept {
                // (The defect: the first item read, or the linked one, stands for the pair; no copy is released.)
                originals[activity] = items.first { $0.id == link?.itemId } ?? items.first
                continue
            }
            for item in items where item.id != original?.id && item.activityId != nil && !leaving.contains(item.id) {
                copies.append((item, activity))
            }
        }
        return (originals, copies)
    }

    /// The activity's link in its previous owner's mailbox, with that item as it is now (its unsynced Outlook
    /// edits move along with it). Every item there is found by its identity and goes: with the linked one
    /// there, the others made no later than it (a deleted one restored; a user's copy made later is the
    /// user's); without it (moved), all of them, the one made when the linked one was (else the earliest
    /// made) standing for it. Once judged, every item made no later than the judged items goes, the linked
    /// one there or not.
    func previousOwnersItem(
        _ other: SyncLink,
        judged: JudgedItem?,
        releasing: PendingReleases = PendingReleases(),
        now: Date
    ) async throws -> ForeignLink {
        var other = other
        other.base = other.base.upgradedTaskBase
        var previous = ForeignLink(mailbox: other.mailbox, itemId: other.itemId, base: other.base)
        let service = services(other.mailbox)
        // (No ItemId: a create whose answer was lost; found by identity only.)
        let read = other.itemId.isEmpty ? nil : try await service.read([other.itemId], in: other.folder).first
        // (One carrying another identity now — released as a user's copy, then imported — is not its item, and
        // never removed for it.)
        let linked = read.flatMap { $0.activityId == nil || $0.activityId == other.activityId ? $0 : nil }
        if read != nil && linked == nil { previous.itemId = "" }
        let found = try await service.find(activityIds: [other.activityId], in: other.folder)
            .filter { $0.id != other.itemId && judged?.mayBe(created: $0.created) ?? true }
            // (A user's copy whose release has not landed yet is the user's, not the activity's old item.)
            .filter { !releasing.contains($0, carrying: other.activityId, in: other.mailbox) }
            .sorted { ($0.created, $0.id) < ($1.created, $1.id) }
        // (Moved: the one made when the linked item was made is it; else the earliest made.)
        let moved = found.first { !$0.created.isEmpty && $0.created == other.created }
        guard let item = linked ?? moved ?? found.first else { return previous }
        previous.itemId = item.id
        previous.item = exchangeSide(item, carrying: other.base, now: now)
        // (Once judged, every item made no later than the latest judged goes: the first pass may have judged a
        // restored item and one moved since, and the entry kept for the older one must not spare the other.)
        previous.others = found.filter {
            $0.id != item.id
                && (linked == nil || judged != nil || item.created.isEmpty || $0.created.isEmpty
                    || $0.created <= item.created)
        }.map { exchangeSide($0, carrying: other.base, now: now) }
        return previous
    }

    func crmSide(_ activity: Activity, now: Date, ownedElsewhere: Bool = false) -> CRMSide {
        CRMSide(
            activityId: activity.id,
            kind: placement(activity),
            fields: form.fields(of: activity),
            deleted: activity.deleted,
            synchronize: activity.synchronize,
            inWindow: inWindow(activity.start ?? activity.due, now: now),
            updatedAt: activity.updatedAt ?? "",
            responses: Dictionary(
                activity.attendees.map { ($0.email.lowercased(), $0.response) },
                uniquingKeysWith: { a, _ in a }
            ),
            ownedElsewhere: ownedElsewhere,
            reminderAtStart: activity.type == .call && placement(activity) == .task
                ? SyncFields.taskReminder(minutes: 0, due: activity.start, zone: zone) : nil
        )
    }

    /// The item's side of a pair; values the backend does not keep come from `carrying` (base or CRM).
    func exchangeSide(_ item: RemoteItem, carrying: SyncFields?, now: Date) -> ExchangeSide {
        var fields = item.fields
        if let carrying { for field in item.unkept { fields.take(field, from: carrying) } }
        // (A percentage the item does not keep cannot make it completed: one reopened in To Do — completed is 100 % —
        // reads at the percentage it answers, not at the base's 100.)
        if item.unkept.contains(.percentComplete), fields.status != "completed", fields.percentComplete == 100 {
            fields.percentComplete = item.fields.percentComplete
        }
        // (A task that keeps a call, read in the call's terms: see `SyncFields(call:zone:)`.)
        if item.kind == .task, let carrying, SyncFields.callTaskStatus[carrying.status] != nil {
            fields = fields.asCall(carrying: carrying, zone: zone)
        }
        // (A last `CRM: ` line the CRM holds as part of the text is the user's, not ours: kept.)
        if let whole = item.unstrippedInformation, whole == carrying?.information { fields.information = whole }
        return ExchangeSide(
            itemId: item.id,
            changeKey: item.version,
            kind: item.kind,
            fields: fields,
            lastModified: item.lastModified,
            created: item.created,
            activityId: item.activityId,
            hasCategory: item.hasCategory,
            isRecurring: item.isRecurring,
            inWindow: inWindow(fields.start ?? fields.due, now: now),
            responses: item.responses,
            misaligned: item.misaligned
        )
    }

    /// The body's `CRM: ` line: partner, contact, opportunity, and a call's direction and duration (and its time
    /// of day, on a task, which keeps dates only).
    func crmLine(_ activity: Activity) -> String? {
        var parts = (try? store.referenceNames(of: activity)) ?? []
        if activity.type == .call {
            let time = placement(activity) == .task ? activity.start.flatMap(timeOfDay) : nil
            parts.append(
                [activity.direction, time, activity.durationMinutes.map { "\($0) min" }].compactMap { $0 }.joined(
                    separator: ", "
                )
            )
        }
        let line = parts.filter { !$0.isEmpty }.joined(separator: " · ")
        return line.isEmpty ? nil : line
    }

    /// `HH:mm` of an instant in the owner's zone.
    func timeOfDay(_ text: String) -> String? {
        guard let instant = try? CRMTime.parse(text).get().instant else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.hour, .minute], from: instant)
        return String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
    }

    /// Inside `sync.window`; something without a date is always inside.
    func inWindow(_ text: String?, now: Date) -> Bool { settings.inWindow(text, now: now) }
}
