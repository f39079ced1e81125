import ActivityModel
import Foundation
import SyncPlanning

extension PlanExecutor {
    mutating func createRemote(_ creates: [SyncAction]) async throws {
        let byFolder = Dictionary(grouping: creates) { action -> FolderKind in
            guard case .createRemote(_, let kind, _, _) = action else { return .tasks }
            return FolderKind(kind)
        }
        for folder in FolderKind.allCases {
            guard let group = byFolder[folder] else { continue }
            writtenFolders.insert(folder)
            for chunk in group.chunks(of: sync.settings.batchSize) {
                try sync.checkStop()
                let batch = Array(chunk)
                var items = batch.compactMap(newItem)
                // Intent first: after a crash or a lost answer, the journal says which identities to look for.
                let journal = try store.transaction { tx in
                    try items.map {
                        try intend(
                            "create",
                            activity: $0.activityId,
                            item: nil,
                            payload: JournalEntry.payload(folder: folder, sent: $0.fields),
                            in: tx
                        )
                    }
                }
                for index in items.indices { items[index].transaction = "\(items[index].activityId)-\(journal[index])" }
                let service = sync.service
                let sending = items
                let outcomes = try await send(items.count) { try await service.create(sending, in: folder) }
                var confirmed: [(index: Int, link: SyncLink, crm: SyncFields)] = []
                for (index, outcome) in outcomes.enumerated() {
                    let item = items[index]
                    guard case .done(let id, let version) = outcome else {
                        try fail(item.activityId, item: nil, action: "create-remote", outcome) { tx in
                            try tx.markJournal(journal[index], outcome == .ambiguous ? .ambiguous : .done, itemId: nil)
                        }
                        continue
                    }
                    let crm = holds[item.activityId]?.crm ?? item.fields
                    let link = SyncLink(
                        activityId: item.activityId,
                        mailbox: mailbox,
                        folder: folder,
                        itemId: id,
                        changeKey: version,
                        base: SyncFields.confirmedBase(previous: nil, crm: crm, exchange: item.fields),
                        syncedSeq: max(
                            observations.activities[item.activityId]?.changeSeq ?? 0,
                            ownWrites[item.activityId] ?? 0
                        )
                    )
                    confirmed.append((index, link, crm))
                }
                // The batch's confirmed results in one transaction: one commit (and fsync) per batch instead of per
                // item. A crash before it loses only this batch's results, whose journal entries stay `intended`:
                // the next pass finds the items by identity and links them (journal reconciliation), as it would
                // after a crash between two per-item commits.
                try store.transaction { tx in
                    for result in confirmed {
                        try tx.saveLink(result.link)
                        try tx.markJournal(journal[result.index], .done, itemId: result.link.itemId)
                        try tx.audit(audit(result.link.activityId, item: result.link.itemId, action: "create-remote"))
                    }
                }
                for result in confirmed {
                    holds[result.link.activityId] = (result.crm, items[result.index].fields)
                    executed.append(batch[result.index])
                }
            }
        }
    }

    func newItem(_ action: SyncAction) -> NewItem? {
        guard case .createRemote(let activity, let kind, let fields, let invitations) = action else { return nil }
        return NewItem(
            activityId: activity,
            kind: kind,
            fields: fields,
            crmLine: crmLine(activity),
            invitations: invitations,
            attendeeNames: attendeeNames(activity)
        )
    }

    mutating func updateRemote(_ updates: [SyncAction]) async throws {
        for chunk in updates.chunks(of: sync.settings.batchSize) {
            try sync.checkStop()
            let batch = Array(chunk)
            var requests: [ItemUpdate] = []
            for case .updateRemote(let activity, let item, let version, let fields, let changed, let mail) in batch {
                let kind = kind(of: item, activity: activity)
                writtenFolders.insert(FolderKind(kind))
                requests.append(
                    ItemUpdate(
                        id: item,
                        version: version,
                        activityId: activity,
                        kind: kind,
                        fields: fields,
                        changed: changed,
                        crmLine: crmLine(activity),
                        meetingMail: mail,
                        attendeeNames: attendeeNames(activity)
                    )
                )
            }
            // Intent first: an update whose confirmation never lands is recognised next pass by what it sent.
            let journal = try store.transaction { tx in
                try requests.map {
                    try intend(
                        "update",
                        activity: $0.activityId,
                        item: $0.id,
                        payload: JournalEntry.payload(
                            folder: FolderKind($0.kind),
                            sent: $0.fields,
                            changed: $0.changed
                        ),
                        in: tx
                    )
                }
            }
            let service = sync.service
            var outcomes = try await send(requests.count) { try await service.update(requests) }
            try await settleLostAnswers(requests, &outcomes)
            for (index, outcome) in outcomes.enumerated() {
                let request = requests[index]
                if outcome != .ambiguous, !outcome.isDone {
                    try store.transaction { tx in try tx.markJournal(journal[index], .done, itemId: nil) }
                }
                switch outcome {
                case .done(let id, let version):
                    let seq = observations.activities[request.activityId]?.changeSeq
                    try store.transaction { tx in
                        try tx.markJournal(journal[index], .done, itemId: id)
                        try confirm(request.activityId, exchange: request.fields, in: tx) {
                            $0.itemId = id
                            $0.changeKey = version
                            // The CRM's version is in Exchange now (never back: a write of ours may have moved it on).
                            $0.syncedSeq = max(seq ?? $0.syncedSeq, $0.syncedSeq)
                        }
                        try tx.audit(
                            audit(request.activityId, item: id, action: "update-remote", fields: request.changed)
                        )
                    }
                    executed.append(batch[index])
                case .stale where replans[request.activityId, default: 0] < 2 && throttledUntil == nil:
                    // Changed in Exchange since we read it: re-read, merge again, retry — never overwrite.
                    replans[request.activityId, default: 0] += 1
                    try await replan(request.activityId, item: request.id, kind: request.kind)
                default:
                    // The base stays: the next pass sees the CRM's change again and sends it again. A lost
                    // answer stays open in the journal: the item is judged by what was sent.
                    try fail(request.activityId, item: request.id, action: "update-remote", outcome) { tx in
                        if outcome == .ambiguous { try tx.markJournal(journal[index], .ambiguous, itemId: nil) }
                    }
                }
            }
        }
    }

    /// Updates whose answer was lost are read back at once: an item holding every value sent (under a new
    /// version) took the update. The rest stay open, judged next pass by what they sent.
    mutating func settleLostAnswers(_ requests: [ItemUpdate], _ outcomes: inout [WriteOutcome]) async throws {
        let lost = outcomes.indices.filter { outcomes[$0] == .ambiguous }
        guard !lost.isEmpty, throttledUntil == nil else { return }
        let byFolder = Dictionary(grouping: lost) { FolderKind(requests[$0].kind) }
        for (folder, indices) in byFolder.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let read = try await sync.service.read(indices.map { requests[$0].id }, in: folder)
            let items = Dictionary(read.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            for index in indices {
                let request = requests[index]
                func holds(_ field: SyncFields.Field, _ item: RemoteItem) -> Bool {
                    item.unkept.contains(field) || item.fields.text(field) == request.fields.text(field)
                }
                guard let item = items[request.id], item.version != request.version,
                    request.changed.allSatisfy({ holds($0, item) })
                else { continue }
                // Anything else changed too (a user's edit right after ours): the old version is kept, so the
                // item reads as changed next pass and that edit is merged, not taken for our echo.
                let onlyOurs = SyncFields.Field.allCases.allSatisfy { holds($0, item) }
                outcomes[index] = .done(id: item.id, version: onlyOurs ? item.version : request.version)
            }
        }
    }

    mutating func deleteRemote(_ deletes: [SyncAction]) async throws {
        let byMailbox = Dictionary(grouping: deletes) { action -> String in
            guard case .deleteRemote(_, _, let other, _, _) = action else { return mailbox }
            return other ?? mailbox
        }
        for (target, actions) in byMailbox.sorted(by: { $0.key < $1.key }) {
            let service = target == mailbox ? sync.service : sync.services(target)
            for chunk in actions.chunks(of: sync.settings.batchSize) {
                try sync.checkStop()
                let batch = Array(chunk)
                var removals: [(activity: String, item: String, reason: RemovalReason)] = []
                var requests: [ItemRemoval] = []
                for case .deleteRemote(let activity, let item, _, let reason, let cancellations) in batch {
                    removals.append((activity, item, reason))
                    // This mailbox's deletes are conditional on the version the plan saw (the read's, else the link's).
                    var version: String?
                    if target == mailbox {
                        version = observations.items[item]?.version
                        if version == nil, let link = try store.link(activityId: activity), link.itemId == item,
                            link.mailbox.lowercased() == mailbox.lowercased()
                        {
                            version = link.changeKey
                        }
                    }
                    requests.append(ItemRemoval(id: item, cancellations: cancellations, version: version))
                    if target == mailbox { writtenFolders.insert(FolderKind(kind(of: item, activity: activity))) }
                }
                // Intent first (this mailbox's deletes; move-outs are journalled already): an item gone after
                // a crash or a lost answer was removed by us, not by a user, and is not a user's delete.
                let intents: [Int64?] = try store.transaction { tx in
                    try removals.map { removal in
                        guard target == mailbox else { return nil }
                        return try intend(
                            "remove",
                            activity: removal.activity,
                            item: removal.item,
                            payload: FolderKind(kind(of: removal.item, activity: removal.activity)).rawValue,
                            in: tx
                        )
                    }
                }
                let outcomes = try await send(requests.count) { try await service.remove(requests) }
                for (index, outcome) in outcomes.enumerated() {
                    let removal = removals[index]
                    // (Keyed by mailbox too: ItemIds of two mailboxes may coincide, and this mailbox's own delete of
                    // the activity's item must never settle another mailbox's move-out.)
                    let journal =
                        target == mailbox
                        ? intents[index] : moveOutJournal["\(target.lowercased())|\(removal.activity)|\(removal.item)"]
                    // Changed since the plan saw it (a conditional delete refused): read again and plan again — the
                    // edit is merged or settled as a conflict with the delete, never thrown away.
                    if outcome == .stale, target == mailbox, replans[removal.activity, default: 0] < 2,
                        throttledUntil == nil
                    {
                        replans[removal.activity, default: 0] += 1
                        if let journal {
                            try store.transaction { tx in try tx.markJournal(journal, .done, itemId: nil) }
                        }
                        try await replan(
                            removal.activity,
                            item: removal.item,
                            kind: kind(of: removal.item, activity: removal.activity)
                        )
                        continue
                    }
                    // A vanished item is as good as deleted.
                    guard outcome.isDone || outcome == .notFound else {
                        try fail(removal.activity, item: removal.item, action: "delete-remote", outcome) { tx in
                            guard let journal else { return }
                            if case .refused = outcome {
                                try tx.markJournal(journal, .done, itemId: nil)
                            } else if intents[index] != nil {
                                // Not applied: planned again from the CRM's state. A lost answer stays open.
                                try tx.markJournal(journal, outcome == .ambiguous ? .ambiguous : .done, itemId: nil)
                            }
                        }
                        continue
                    }
                    try store.transaction { tx in
                        if let journal { try tx.markJournal(journal, .done, itemId: nil) }
                        // (Another mailbox's move-out of this very item is seen through by this delete.)
                        if target == mailbox {
                            for entry in observations.leavingEntries["\(removal.activity)|\(removal.item)"] ?? [] {
                                try tx.markJournal(entry, .done, itemId: nil)
                            }
                        }
                        // Only the link to this very item goes: after an ownership change the activity is
                        // linked elsewhere. (A move-out's delete takes the old mailbox's link whatever its item id:
                        // the item removed may be the linked one moved since.)
                        if let link = try tx.link(activityId: removal.activity),
                            link.mailbox.lowercased() == target.lowercased(),
                            link.itemId == removal.item || target.lowercased() != mailbox.lowercased()
                        {
                            try tx.removeLink(activityId: removal.activity)
                        }
                        try tx.audit(
                            audit(
                                removal.activity,
                                item: removal.item,
                                action: "delete-remote",
                                reason: removal.reason == .ownerChanged ? "owner changed" : nil,
                                mailbox: target
                            )
                        )
                    }
                    executed.append(batch[index])
                }
            }
        }
    }

    /// Writes this instance's identity on items (imports made this pass, and links whose stamp never
    /// landed), and takes it off users' copies; journalled, so one that did not land (a lost answer, a
    /// passing fault, a crash) has its item read and planned again next pass.
    mutating func stamp(
        _ stamps: [(item: String, activity: String?)],
        releases: [(item: String, activity: String)]
    )
        async throws
    {
        var requests: [(stamp: IdentityStamp, folder: FolderKind, activity: String, journal: Int64?)] = []
        for (item, activity) in stamps {
            guard let activity = activity ?? imported[item]?.activity.id, let read = observations.items[item] else {
                continue
            }
            let stamp = IdentityStamp(id: item, version: read.version, kind: read.kind, activityId: activity)
            requests.append((stamp, read.folder, activity, imported[item]?.journal))
        }
        for (item, activity) in releases {
            guard let read = observations.items[item] else { continue }
            let release = IdentityStamp(id: item, version: read.version, kind: read.kind, activityId: nil)
            requests.append((release, read.folder, activity, releaseJournal[item]))
        }
        let service = sync.service
        // (Ownership moves journalled while a copy still carried the identity: see the release below.)
        let moveOuts = releases.isEmpty ? [] : try store.openJournal(action: "move-out")
        for chunk in requests.chunks(of: sync.settings.batchSize) {
            try sync.checkStop()
            let batch = Array(chunk)
            let journal = try store.transaction { tx in
                try batch.map {
                    if let journal = $0.journal { return journal }
                    if $0.stamp.activityId == nil { return try intendRelease($0.stamp.id, of: $0.activity, in: tx) }
                    return try intend(
                        "stamp",
                        activity: $0.activity,
                        item: $0.stamp.id,
                        payload: $0.folder.rawValue,
                        in: tx
                    )
                }
            }
            batch.forEach { writtenFolders.insert($0.folder) }
            let outcomes = try await send(batch.count) { try await service.stamp(batch.map(\.stamp)) }
            for (index, outcome) in outcomes.enumerated() {
                let (stamp, _, activity, _) = batch[index]
                let release = stamp.activityId == nil
                guard case .done(let id, let version) = outcome else {
                    // Open unless it can never land: the item is read again next pass and planned again.
                    try fail(activity, item: stamp.id, action: release ? "release-copy" : "stamp-identity", outcome) {
                        tx in
                        if outcome == .notFound || { if case .refused = outcome { true } else { false } }()
                            || Defects.stampJournalClosed
                        {
                            try tx.markJournal(journal[index], .done, itemId: nil)
                        }
                    }
                    continue
                }
                if let pending = imported[stamp.id] {
                    // The item carries the new activity's id: now the activity is added.
                    try finishImport(pending, item: id, version: version)
                    executed.append(.stampIdentity(item: stamp.id, activity: activity))
                    continue
                }
                try store.transaction { tx in
                    if release {
                        // The user's own item now: no ownership move journalled while it carried the identity takes
                        // it along (its values are no edit of the activity's, and it is never removed for it).
                        for entry in moveOuts where entry.activityId == activity && entry.itemId == stamp.id {
                            try tx.markJournal(entry.id, .done, itemId: nil)
                        }
                        try tx.audit(
                            audit(
                                activity,
                                item: id,
                                action: "release-copy",
                                reason: "a user's copy of \(activity): now the user's own item"
                            )
                        )
                    } else {
                        try confirm(activity, in: tx) {
                            $0.itemId = id
                            $0.changeKey = version
                        }
                        try tx.audit(audit(activity, item: id, action: "stamp-identity"))
                    }
                    try tx.markJournal(journal[index], .done, itemId: id)
                }
                executed.append(
                    release
                        ? .releaseCopy(item: stamp.id, activity: activity)
                        : .stampIdentity(item: stamp.id, activity: activity)
                )
            }
        }
    }

    /// Journals a copy's release before it is sent: its folder and DateTimeCreated (a move keeps it, so the copy is
    /// known again under a new ItemId).
    func intendRelease(_ item: String, of activity: String, in tx: any SyncStoreTransaction) throws -> Int64 {
        let read = observations.items[item]
        return try intend(
            "release",
            activity: activity,
            item: item,
            payload: JournalEntry.releasePayload(folder: read?.folder ?? .tasks, created: read?.created ?? ""),
            in: tx
        )
    }

    /// Sends one request, unless Exchange asked for a back-off earlier in the pass: then nothing more goes to
    /// the mailbox, and the rest is deferred (planned again after the wait).
    mutating func send(_ count: Int, _ request: () async throws -> [WriteOutcome]) async throws -> [WriteOutcome] {
        if let until = throttledUntil { return Array(repeating: .throttled(until: until), count: count) }
        let outcomes = try await request()
        for case .throttled(let until) in outcomes { throttledUntil = max(throttledUntil ?? until, until) }
        return outcomes
    }

    /// Plans one pair again from a fresh read of its item (the pass's policy and time), and runs that plan.
    mutating func replan(_ activityId: String, item itemId: String, kind: ItemKind) async throws {
        guard let activity = try store.activity(activityId),
            let fresh = try await sync.service.read([itemId], in: FolderKind(kind)).first
        else { return }
        let link = try store.link(activityId: activityId)
        observations.items[itemId] = fresh
        observations.activities[activityId] = activity
        let crm = sync.crmSide(activity, now: now)
        let exchange = sync.exchangeSide(fresh, carrying: link?.base ?? crm.fields, now: now)
        holds[activityId] = (crm.fields, exchange.fields)
        let pair = PairObservation(crm: crm, exchange: exchange, base: link?.base, linkedItemId: link?.itemId)
        try await execute(SyncPlan(SyncPlanner.plan(pair, policy: policy)))
    }

    /// The item's class: as read or linked, else where the activity belongs.
    func kind(of item: String, activity: String) -> ItemKind {
        observations.items[item]?.kind ?? itemKinds[item] ?? observations.activities[activity].map(sync.placement)
            ?? .task
    }
}
