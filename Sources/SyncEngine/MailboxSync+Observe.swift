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
}

extension MailboxSync {
    func observe(remote: Remote, now: Date) throws -> Observations {
        var result = Observations()
        let activities = try store.activities(ofMailboxEmployee: employee.id).filter {
            $0.type.isSynchronisable && $0.mailboxEmployee == employee.id
        }
        result.activities = Dictionary(activities.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let linkList = try store.links(mailbox: mailbox)
        let links = Dictionary(linkList.map { ($0.activityId, $0) }, uniquingKeysWith: { a, _ in a })
        let linkedItems = Dictionary(linkList.map { ($0.itemId, $0.activityId) }, uniquingKeysWith: { a, _ in a })
        result.items = remote.items
        result.linkedCount = links.count
        // Items belong to a pair by this instance's identity, else by the ItemId of a link (an item whose
        // identity stamp never landed); the rest are Outlook's own, import candidates.
        var byActivity: [String: RemoteItem] = [:]
        var foreign: [RemoteItem] = []
        for item in remote.items.values.sorted(by: { $0.id < $1.id }) where !item.otherInstance {
            if let activity = item.activityId ?? linkedItems[item.id] {
                if byActivity[activity] == nil || links[activity]?.itemId == item.id { byActivity[activity] = item }
            } else {
                foreign.append(item)
            }
        }
        for id in Set(result.activities.keys).union(links.keys).union(byActivity.keys).sorted() {
            let link = links[id]
            var crm = result.activities[id].map { crmSide($0, now: now) }
            if crm == nil, let moved = try store.activity(id), moved.type.isSynchronisable {
                // It lives in another employee's mailbox now (a new organizer or assignee).
                crm = crmSide(moved, now: now, ownedElsewhere: true)
            }
            var exchange: ExchangeSide?
            if let item = byActivity[id] {
                exchange = exchangeSide(item, carrying: link?.base ?? crm?.fields, now: now)
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
            }
            var elsewhere: ForeignLink?
            if link == nil, let crm, !crm.ownedElsewhere, !crm.deleted, crm.synchronize,
                let other = try store.link(activityId: id), other.mailbox.lowercased() != mailbox.lowercased()
            {
                elsewhere = ForeignLink(mailbox: other.mailbox, itemId: other.itemId)
            }
            result.pairs.append(
                PairObservation(
                    crm: crm,
                    exchange: exchange,
                    base: link?.base,
                    linkedItemId: link?.itemId,
                    linkedElsewhere: elsewhere
                )
            )
        }
        for item in foreign {
            result.pairs.append(PairObservation(crm: nil, exchange: exchangeSide(item, carrying: nil, now: now)))
        }
        return result
    }

    func crmSide(_ activity: Activity, now: Date, ownedElsewhere: Bool = false) -> CRMSide {
        CRMSide(
            activityId: activity.id,
            kind: placement(activity),
            fields: SyncFields(activity: activity, zone: zone),
            deleted: activity.deleted,
            synchronize: activity.synchronize,
            inWindow: inWindow(activity.start ?? activity.due, now: now),
            updatedAt: activity.updatedAt ?? "",
            responses: Dictionary(
                activity.attendees.map { ($0.email.lowercased(), $0.response) },
                uniquingKeysWith: { a, _ in a }
            ),
            ownedElsewhere: ownedElsewhere
        )
    }

    /// The item's side of a pair; values the backend does not keep come from `carrying` (base or CRM).
    func exchangeSide(_ item: RemoteItem, carrying: SyncFields?, now: Date) -> ExchangeSide {
        var fields = item.fields
        if let carrying { for field in item.unkept { fields.take(field, from: carrying) } }
        return ExchangeSide(
            itemId: item.id,
            changeKey: item.version,
            kind: item.kind,
            fields: fields,
            lastModified: item.lastModified,
            activityId: item.activityId,
            hasCategory: item.hasCategory,
            isRecurring: item.isRecurring,
            inWindow: inWindow(fields.start ?? fields.due, now: now),
            responses: item.responses
        )
    }

    /// Inside `sync.window`; something without a date is always inside.
    func inWindow(_ text: String?, now: Date) -> Bool {
        guard let text, let time = try? CRMTime.parse(text).get() else { return true }
        let instant: Date
        switch time {
        case .instant(let date): instant = date
        case .date: instant = (try? CRMTime.parse(text + "T12:00:00Z").get().instant) ?? now
        }
        return instant >= now.addingTimeInterval(-Double(settings.pastDays) * 86_400)
            && instant <= now.addingTimeInterval(Double(settings.futureDays) * 86_400)
    }
}
