import ActivityModel
import Foundation
import SyncPlanning

extension PlanExecutor {
    mutating func createRemote(_ creates: [SyncAction]) async throws {
        var byFolder: [FolderKind: [Create]] = [:]
        for action in creates {
            guard case .createRemote(let activity, let kind, let fields, let invitations) = action else { continue }
            byFolder[FolderKind(kind), default: []].append(Create(action, activity, kind, fields, invitations))
        }
        for folder in FolderKind.allCases {
            guard let group = byFolder[folder] else { continue }
            writtenFolders.insert(folder)
            for start in stride(from: 0, to: group.count, by: sync.settings.batchSize) {
                try sync.checkStop()
                let batch = Array(group[start..<min(start + sync.settings.batchSize, group.count)])
                // Intent first: after a crash or a lost answer, the journal says which identities to look for.
                let journal = try store.transaction { tx in
                    try batch.map {
                        try tx.journal(
                            pass: pass,
                            mailbox: mailbox,
                            activityId: $0.activity,
                            action: "create",
                            payload: folder.rawValue
                        )
                    }
                }
                let outcomes = try await sync.service.create(
                    batch.map {
                        NewItem(
                            activityId: $0.activity,
                            kind: $0.kind,
                            fields: $0.fields,
                            crmLine: crmLine($0.activity),
                            invitations: $0.invitations
                        )
                    },
                    in: folder
                )
                for (index, outcome) in outcomes.enumerated() {
                    let create = batch[index]
                    guard case .done(let id, let version) = outcome else {
                        try store.transaction { tx in
                            try tx.markJournal(journal[index], outcome == .ambiguous ? .ambiguous : .done, itemId: nil)
                        }
                        try fail(create.activity, item: nil, action: "create-remote", outcome)
                        continue
                    }
                    try store.transaction { tx in
                        let crm = holds[create.activity]?.crm ?? create.fields
                        let base = SyncFields.confirmedBase(previous: nil, crm: crm, exchange: create.fields)
                        try tx.saveLink(
                            SyncLink(
                                activityId: create.activity,
                                mailbox: mailbox,
                                folder: folder,
                                itemId: id,
                                changeKey: version,
                                base: base,
                                syncedSeq: observations.activities[create.activity]?.changeSeq ?? 0
                            )
                        )
                        try tx.markJournal(journal[index], .done, itemId: id)
                        try tx.audit(audit(create.activity, item: id, action: "create-remote"))
                    }
                    holds[create.activity] = (holds[create.activity]?.crm ?? create.fields, create.fields)
                    executed.append(create.action)
                }
            }
        }
    }

    mutating func updateRemote(_ updates: [SyncAction]) async throws {
        for start in stride(from: 0, to: updates.count, by: sync.settings.batchSize) {
            try sync.checkStop()
            let batch = Array(updates[start..<min(start + sync.settings.batchSize, updates.count)])
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
        var byMailbox: [String: [SyncAction]] = [:]
        for action in deletes {
            guard case .deleteRemote(_, _, let other, _, _) = action else { continue }
            byMailbox[other ?? mailbox, default: []].append(action)
        }
        for (target, actions) in byMailbox.sorted(by: { $0.key < $1.key }) {
            let service = target == mailbox ? sync.service : sync.services(target)
            for start in stride(from: 0, to: actions.count, by: sync.settings.batchSize) {
                try sync.checkStop()
                let batch = Array(actions[start..<min(start + sync.settings.batchSize, actions.count)])
                var removals: [(activity: String, item: String, reason: RemovalReason)] = []
                for case .deleteRemote(let activity, let item, _, let reason, _) in batch {
                    removals.append((activity, item, reason))
                    if target == mailbox { writtenFolders.insert(FolderKind(kind(of: item, activity: activity))) }
                }
                let outcomes = try await service.remove(
                    batch.map { action in
                        guard case .deleteRemote(_, let item, _, _, let cancellations) = action else {
                            return ItemRemoval(id: "", cancellations: false)
                        }
                        return ItemRemoval(id: item, cancellations: cancellations)
                    }
                )
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
        var requests: [(stamp: IdentityStamp, folder: FolderKind, action: SyncAction)] = []
        for (item, activity) in stamps {
            guard let activity = activity ?? imported[item], let read = observations.items[item] else { continue }
            requests.append(
                (
                    IdentityStamp(id: item, version: read.version, kind: read.kind, activityId: activity),
                    read.folder, .stampIdentity(item: item, activity: activity)
                )
            )
        }
        guard !requests.isEmpty else { return }
        for start in stride(from: 0, to: requests.count, by: sync.settings.batchSize) {
            try sync.checkStop()
            let batch = Array(requests[start..<min(start + sync.settings.batchSize, requests.count)])
            let journal = try store.transaction { tx in
                try batch.map {
                    writtenFolders.insert($0.folder)
                    let id = try tx.journal(
                        pass: pass,
                        mailbox: mailbox,
                        activityId: $0.stamp.activityId,
                        action: "stamp",
                        payload: $0.folder.rawValue
                    )
                    try tx.markJournal(id, .intended, itemId: $0.stamp.id)
                    return id
                }
            }
            let outcomes = try await sync.service.stamp(batch.map(\.stamp))
            for (index, outcome) in outcomes.enumerated() {
                let request = batch[index]
                guard case .done(let id, let version) = outcome else {
                    if outcome != .ambiguous {
                        try store.transaction { try $0.markJournal(journal[index], .done, itemId: nil) }
                    }
                    try fail(request.stamp.activityId, item: request.stamp.id, action: "stamp-identity", outcome)
                    continue
                }
                try store.transaction { tx in
                    try confirm(request.stamp.activityId, in: tx) {
                        $0.itemId = id
                        $0.changeKey = version
                    }
                    try tx.markJournal(journal[index], .done, itemId: id)
                    try tx.audit(audit(request.stamp.activityId, item: id, action: "stamp-identity"))
                }
                executed.append(request.action)
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

/// One create of a batch.
struct Create {
    var action: SyncAction
    var activity: String
    var kind: ItemKind
    var fields: SyncFields
    var invitations: Bool

    init(_ action: SyncAction, _ activity: String, _ kind: ItemKind, _ fields: SyncFields, _ invitations: Bool) {
        self.action = action
        self.activity = activity
        self.kind = kind
        self.fields = fields
        self.invitations = invitations
    }
}
