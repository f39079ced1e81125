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
                let items = batch.compactMap(newItem)
                // Intent first: after a crash or a lost answer, the journal says which identities to look for.
                let journal = try store.transaction { tx in
                    try items.map {
                        try tx.journal(
                            pass: pass,
                            mailbox: mailbox,
                            activityId: $0.activityId,
                            itemId: nil,
                            action: "create",
                            payload: folder.rawValue
                        )
                    }
                }
                let outcomes = try await sync.service.create(items, in: folder)
                for (index, outcome) in outcomes.enumerated() {
                    let item = items[index]
                    guard case .done(let id, let version) = outcome else {
                        try fail(item.activityId, item: nil, action: "create-remote", outcome) { tx in
                            try tx.markJournal(journal[index], outcome == .ambiguous ? .ambiguous : .done, itemId: nil)
                        }
                        continue
                    }
                    let crm = holds[item.activityId]?.crm ?? item.fields
                    try store.transaction { tx in
                        try tx.saveLink(
                            SyncLink(
                                activityId: item.activityId,
                                mailbox: mailbox,
                                folder: folder,
                                itemId: id,
                                changeKey: version,
                                base: SyncFields.confirmedBase(previous: nil, crm: crm, exchange: item.fields),
                                syncedSeq: observations.activities[item.activityId]?.changeSeq ?? 0
                            )
                        )
                        try tx.markJournal(journal[index], .done, itemId: id)
                        try tx.audit(audit(item.activityId, item: id, action: "create-remote"))
                    }
                    holds[item.activityId] = (crm, item.fields)
                    executed.append(batch[index])
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
            invitations: invitations
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
                        meetingMail: mail
                    )
                )
            }
            let outcomes = try await sync.service.update(requests)
            for (index, outcome) in outcomes.enumerated() {
                let request = requests[index]
                switch outcome {
                case .done(let id, let version):
                    let seq = observations.activities[request.activityId]?.changeSeq
                    try store.transaction { tx in
                        try confirm(request.activityId, exchange: request.fields, in: tx) {
                            $0.itemId = id
                            $0.changeKey = version
                            $0.syncedSeq = seq ?? $0.syncedSeq  // the CRM's version is in Exchange now
                        }
                        try tx.audit(
                            audit(request.activityId, item: id, action: "update-remote", fields: request.changed)
                        )
                    }
                    executed.append(batch[index])
                case .stale where replans < 3:
                    // Changed in Exchange since we read it: re-read, merge again, retry — never overwrite.
                    replans += 1
                    try await replan(request.activityId, item: request.id, kind: request.kind)
                default:
                    // The base stays: the next pass sees the CRM's change again and sends it again.
                    try fail(request.activityId, item: request.id, action: "update-remote", outcome)
                }
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
                    requests.append(ItemRemoval(id: item, cancellations: cancellations))
                    if target == mailbox { writtenFolders.insert(FolderKind(kind(of: item, activity: activity))) }
                }
                let outcomes = try await service.remove(requests)
                for (index, outcome) in outcomes.enumerated() {
                    let removal = removals[index]
                    // A vanished item is as good as deleted.
                    guard outcome.isDone || outcome == .notFound else {
                        try fail(removal.activity, item: removal.item, action: "delete-remote", outcome)
                        continue
                    }
                    try store.transaction { tx in
                        // Only the link to this very item goes: after an ownership change the activity is
                        // linked elsewhere.
                        if let link = try tx.link(activityId: removal.activity), link.itemId == removal.item {
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
    /// landed); journalled, so a stamp whose answer is lost is checked next pass.
    mutating func stamp(_ stamps: [(item: String, activity: String?)]) async throws {
        var requests: [(stamp: IdentityStamp, folder: FolderKind)] = []
        for (item, activity) in stamps {
            guard let activity = activity ?? imported[item], let read = observations.items[item] else { continue }
            requests.append(
                (IdentityStamp(id: item, version: read.version, kind: read.kind, activityId: activity), read.folder)
            )
        }
        for chunk in requests.chunks(of: sync.settings.batchSize) {
            try sync.checkStop()
            let batch = Array(chunk)
            let journal = try store.transaction { tx in
                try batch.map {
                    try tx.journal(
                        pass: pass,
                        mailbox: mailbox,
                        activityId: $0.stamp.activityId,
                        itemId: $0.stamp.id,
                        action: "stamp",
                        payload: $0.folder.rawValue
                    )
                }
            }
            batch.forEach { writtenFolders.insert($0.folder) }
            let outcomes = try await sync.service.stamp(batch.map(\.stamp))
            for (index, outcome) in outcomes.enumerated() {
                let stamp = batch[index].stamp
                guard case .done(let id, let version) = outcome else {
                    // A lost answer stays open: the item is read again next pass.
                    try fail(stamp.activityId, item: stamp.id, action: "stamp-identity", outcome) { tx in
                        if outcome != .ambiguous { try tx.markJournal(journal[index], .done, itemId: nil) }
                    }
                    continue
                }
                try store.transaction { tx in
                    try confirm(stamp.activityId, in: tx) {
                        $0.itemId = id
                        $0.changeKey = version
                    }
                    try tx.markJournal(journal[index], .done, itemId: id)
                    try tx.audit(audit(stamp.activityId, item: id, action: "stamp-identity"))
                }
                executed.append(.stampIdentity(item: stamp.id, activity: stamp.activityId))
            }
        }
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
