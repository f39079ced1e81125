import ActivityModel
import Foundation
import Store
import SyncEngine

/// How `activity list` and `activity show` present activities to a person (issue 18): times in the owner's
/// zone (`--utc`: UTC; `--json` keeps the stored UTC, SPEC §4), and records named, not only numbered.
struct ActivityView {
    var store: Store
    var settings: SyncSettings
    var utc: Bool
    private var employees: [String: Employee] = [:]

    init(store: Store, settings: SyncSettings, utc: Bool) {
        self.store = store
        self.settings = settings
        self.utc = utc
        employees = Dictionary(((try? store.employees()) ?? []).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The zone an activity's times are shown in: its mailbox owner's (the one Outlook shows them in).
    func zone(of activity: Activity) -> TimeZone {
        if utc { return .gmt }
        return employees[activity.mailboxEmployee].map(settings.zone(of:)) ?? settings.defaultZone
    }

    /// "2026-12-03 17:00 +01:00"; a date stays a date; text that is no CRM time is shown as stored.
    func time(_ text: String?, in zone: TimeZone) -> String? {
        guard let text else { return nil }
        guard case .success(.instant(let instant)) = CRMTime.parse(text) else { return text }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = zone == .gmt ? "yyyy-MM-dd HH:mm 'UTC'" : "yyyy-MM-dd HH:mm xxx"
        return formatter.string(from: instant)
    }

    /// When the activity takes place or is due (start, due, or an e-mail's date).
    static func when(_ a: Activity) -> String? { a.start ?? a.due ?? a.date }

    /// The instant `when` stands for (a date at its noon UTC, as `SyncSettings.inWindow` counts it).
    static func instant(_ text: String?) -> Date? {
        guard let text, let time = try? CRMTime.parse(text).get() else { return nil }
        if case .date = time { return try? CRMTime.parse(text + "T12:00:00Z").get().instant }
        return time.instant
    }

    /// The start of a day in `zone` (`later` days on: the next day's start is the end of this one); nil for a date
    /// the calendar has not (2026-02-30). `--from`/`--to` of `activity list` and a date given to `audit --since`.
    static func dayStart(_ year: Int, _ month: Int, _ day: Int, in zone: TimeZone, later: Int = 0) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: year, month: month, day: day)
        guard components.isValidDate(in: calendar), let start = calendar.date(from: components) else { return nil }
        return calendar.date(byAdding: .day, value: later, to: start)
    }

    func employee(_ id: String?) -> String? { id.map { id in employees[id].map { "\(id) (\($0.name))" } ?? id } }

    /// "P1 (Contoso Ltd)": the id with the record's name; the id alone when it is not there.
    func named(_ id: String?, _ name: (String) throws -> String?) -> String? {
        id.map { id in ((try? name(id)) ?? nil).map { "\(id) (\($0))" } ?? "\(id) (not found)" }
    }

    /// Every field of `activity show`, names and zone applied, then its life in Outlook.
    func fields(_ a: Activity) -> [(String, String?)] {
        let zone = zone(of: a)
        var fields = ActivityCommand.Show.fields(a)
        let replaced: [String: String?] = [
            "partner": named(a.partner) { try store.partner($0)?.name },
            "contact": named(a.contact) { try store.contact($0)?.name },
            "opportunity": named(a.opportunity) { try store.opportunity($0)?.name },
            "linked_activity": named(a.linkedActivity) { id in
                try store.activity(id).map { "\($0.type.rawValue) \(PlanText.subject($0.subject, .normal))" }
            },
            "owner": employee(a.owner), "assigned_to": employee(a.assignedTo), "organizer": employee(a.organizer),
            "start": time(a.start, in: zone), "end": time(a.end, in: zone), "due": time(a.due, in: zone),
            "date": time(a.date, in: zone), "created_at": time(a.createdAt, in: zone),
            "updated_at": time(a.updatedAt, in: zone),
        ]
        fields = fields.map { field in replaced[field.0].map { (field.0, $0) } ?? field }
        fields.append(("times_in", utc ? "UTC" : "\(zone.identifier) (the mailbox owner's zone; --utc for UTC)"))
        return fields + outlook(a, zone: zone)
    }

    /// Where the activity is in Outlook, when it last synced, and its open conflicts.
    func outlook(_ a: Activity, zone: TimeZone) -> [(String, String?)] {
        var fields: [(String, String?)] = []
        let link = (try? store.link(activityId: a.id)) ?? nil
        if let link {
            fields.append(
                ("outlook", "\(link.mailbox), \(link.folder.rawValue) folder, item \(PlanText.short(link.itemId))")
            )
        } else if !a.type.isSynchronisable {
            fields.append(("outlook", "not synced (\(a.type.rawValue)s stay in the CRM)"))
        } else if !a.synchronize {
            fields.append(("outlook", "not synced (synchronize is off)"))
        } else {
            let mailbox = employees[a.mailboxEmployee].flatMap { $0.sync ? $0.mailbox : nil }
            fields.append(
                (
                    "outlook",
                    mailbox.map { "not linked yet: the next pass of \($0) creates it" }
                        ?? "not synced (\(a.mailboxEmployee) is not a sync user)"
                )
            )
        }
        let last = ((try? store.auditEntries(activityId: a.id)) ?? []).last { $0.actor == nil }
        fields.append(("last_sync", last.map { "\(time($0.at, in: zone) ?? $0.at) (\($0.action))" }))
        let open = ((try? store.conflicts()) ?? []).filter { $0.activityId == a.id }
        fields.append(("conflicts", open.isEmpty ? "none open" : "\(open.count) open"))
        for c in open.reversed() {
            let values = "CRM \(PlanText.quoted(c.crmValue)), Outlook \(PlanText.quoted(c.exchangeValue))"
            fields.append(
                (
                    "conflict",
                    "#\(c.id) \(c.field): \(values); \(c.winner) kept (conflicts resolve \(c.id) --take crm|exchange)"
                )
            )
        }
        return fields
    }
}
