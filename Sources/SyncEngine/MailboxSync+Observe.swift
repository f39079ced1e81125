import ActivityModel
import EWS
import EWSMailbox
import Foundation
import Store
import SyncPlanning

/// The pairs of a pass and what the executor needs to act on them.
struct Observations {
    var pairs: [PairObservation] = []
    var linkedCount = 0
    var activities: [String: Activity] = [:]
    var links: [String: SyncLink] = [:]
    var items: [String: (item: EWSItem, folder: String)] = [:]
}

extension MailboxSync {
    /// The item class and folder an activity lives in.
    func placement(_ activity: Activity) -> (kind: ItemKind, folder: String) {
        activity.type == .task || (activity.type == .call && settings.callsAsTasks)
            ? (.task, "tasks") : (.calendarItem, "calendar")
    }

    func observe(remote: Remote, now: Date) throws -> Observations {
        var result = Observations()
        let activities = try store.activities(includeDeleted: true, mailboxEmployee: employee.id).filter {
            $0.type.isSynchronisable && $0.mailboxEmployee == employee.id
        }
        result.activities = Dictionary(activities.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        result.links = Dictionary(
            try store.links(mailbox: mailbox).map { ($0.activityId, $0) },
            uniquingKeysWith: { a, _ in a }
        )
        result.items = remote.items
        result.linkedCount = result.links.count
        var byIdentity: [String: EWSItem] = [:]
        var foreign: [EWSItem] = []
        for (item, _) in remote.items.values {
            if let activity = mapping.identity(of: item) {
                byIdentity[activity] = item
            } else if !mapping.belongsToOtherInstance(item) {
                foreign.append(item)  // Outlook's own: an import candidate
            }
        }
        let decoder = JSONDecoder()
        for id in Set(result.activities.keys).union(result.links.keys).union(byIdentity.keys).sorted() {
            let activity = result.activities[id]
            let link = result.links[id]
            let base = link.flatMap { try? decoder.decode(SyncFields.self, from: Data($0.base.utf8)) }
            let crm = activity.map { crmSide($0, now: now) }
            var exchange: ExchangeSide?
            if let item = byIdentity[id] {
                exchange = exchangeSide(item, carrying: base ?? crm?.fields, now: now)
            } else if let link, let base, !remote.deleted.contains(link.itemId) {
                // Not reported since the last pass: the item is as we left it.
                exchange = ExchangeSide(
                    itemId: link.itemId,
                    changeKey: link.changeKey,
                    kind: link.folder == "tasks" ? .task : .calendarItem,
                    fields: base,
                    activityId: id,
                    hasCategory: true
                )
            }
            if activity == nil && link == nil, let item = exchange, item.activityId != nil,
                let moved = try store.activity(id), moved.type.isSynchronisable, !moved.deleted
            {
                // The activity now lives in another employee's mailbox (a new organizer or assignee): this
                // copy goes, as if it were linked and the CRM side had left.
                result.pairs.append(
                    PairObservation(crm: nil, exchange: item, base: item.fields, linkedItemId: item.itemId)
                )
                continue
            }
            result.pairs.append(PairObservation(crm: crm, exchange: exchange, base: base, linkedItemId: link?.itemId))
        }
        for item in foreign.sorted(by: { ($0.itemId?.id ?? "") < ($1.itemId?.id ?? "") }) {
            result.pairs.append(PairObservation(crm: nil, exchange: exchangeSide(item, carrying: nil, now: now)))
        }
        return result
    }

    func crmSide(_ activity: Activity, now: Date) -> CRMSide {
        CRMSide(
            activityId: activity.id,
            fields: SyncFields(activity: activity, zone: mapping.zone),
            deleted: activity.deleted,
            synchronize: activity.synchronize,
            inWindow: inWindow(activity.start ?? activity.due, now: now),
            updatedAt: activity.updatedAt ?? ""
        )
    }

    func exchangeSide(_ item: EWSItem, carrying: SyncFields?, now: Date) -> ExchangeSide {
        ExchangeSide(
            itemId: item.itemId?.id ?? "",
            changeKey: item.itemId?.changeKey,
            kind: item.kind == .task ? .task : .calendarItem,
            fields: mapping.fields(of: item, carrying: carrying),
            lastModified: item.lastModifiedTime.map(CRMTime.format) ?? "",
            activityId: mapping.identity(of: item),
            hasCategory: mapping.hasCategory(item),
            isRecurring: item.isRecurring == true || item.calendarItemType == "RecurringMaster",
            inWindow: inWindow((item.start ?? item.dueDate).map(CRMTime.format), now: now)
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
