import ActivityModel
import ArgumentParser
import Foundation
import Store

/// `activity add|list|show|update|delete|restore|follow-up`.
struct ActivityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activity",
        abstract: "Manage CRM activities.",
        subcommands: [Add.self, List.self, Show.self, Update.self, Delete.self, Restore.self, FollowUpCommand.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an activity; prints its id.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The kind of activity.") var type: ActivityType
        @Option(help: "Choose the id (default: the next free A<n>).") var id: String?
        @Option(help: "Owner (employee id): an appointment or call goes to their mailbox.") var owner: String
        @OptionGroup var fields: ActivityFields
        func run() throws {
            let store = try global.openStore()
            var activity = Activity(id: id ?? "", type: type, subject: "", owner: owner)
            try fields.apply(to: &activity)
            CLI.print(CLI.run { try store.addActivity(activity) }.id)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List activities (tombstones hidden) in id order, times in each owner's zone.",
            discussion: "Filters combine. Text shows 100 rows a page (--offset for the next); --json lists all "
                + "unless --limit is given, its times in UTC as stored."
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this type.") var type: ActivityType?
        @Option(help: "Only activities this employee owns (employee id).") var owner: String?
        @Option(name: .customLong("assigned-to"), help: "Only tasks assigned to this employee (employee id).")
        var assignedTo: String?
        @Option(help: "Only activities of this business partner (partner id).") var partner: String?
        @Option(help: "Only activities in this status (e.g. planned, not_started, completed).") var status: String?
        @Option(help: "Only from this day on (YYYY-MM-DD, or a time with a zone), by start, due or date.")
        var from: String?
        @Option(help: "Only up to this day, inclusive (YYYY-MM-DD, or a time with a zone).") var to: String?
        @Option(help: "At most this many rows (text default 100; 0: all).") var limit: Int?
        @Option(help: "Skip this many rows first (the next page: --offset 100).") var offset = 0
        @Flag(help: "Times in UTC instead of each owner's zone.") var utc = false
        @Flag(name: .customLong("include-deleted"), help: "Deleted activities (tombstones) too.")
        var includeDeleted = false
        @Flag(help: "One JSON document (an array in the import shape; times in UTC).") var json = false

        func validate() throws {
            if let limit, limit < 0 { throw ValidationError("--limit \(limit): 0 or more") }
            if offset < 0 { throw ValidationError("--offset \(offset): 0 or more") }
            for (name, value) in [("from", from), ("to", to)] {
                if let value, ActivityView.instant(value) == nil {
                    throw ValidationError("--\(name) '\(value)': a date (2026-12-03) or a time with a zone")
                }
            }
        }

        func run() throws {
            let store = try global.openStore()
            let settings = try global.configuration().syncSettings
            let view = ActivityView(store: store, settings: settings, utc: utc)
            let all = CLI.run { try store.activities(includeDeleted: includeDeleted, type: type, owner: owner) }
            CLI.warnUnreadable(store)
            let matching = all.filter { matches($0, zone: settings.defaultZone) }.sorted {
                NaturalOrder.less($0.id, $1.id)
            }
            let count = limit ?? (json ? 0 : 100)
            let page = Array(matching.dropFirst(offset).prefix(count == 0 ? Int.max : count))
            if json { return CLI.printJSON(page) }
            CLI.printTable(
                ["ID", "TYPE", "STATUS", "WHEN", "OWNER", "SUBJECT"],
                page.map { a in
                    [
                        a.id + (a.deleted ? " (deleted)" : ""), a.type.rawValue, a.status,
                        view.time(ActivityView.when(a), in: view.zone(of: a)) ?? "-", a.owner, a.subject,
                    ]
                }
            )
            if offset + page.count < matching.count || offset > 0 {
                let shown = page.isEmpty ? "none" : "\(offset + 1)-\(offset + page.count)"
                var footer = "\nshowing \(shown) of \(matching.count)"
                if offset + page.count < matching.count { footer += "; next page: --offset \(offset + page.count)" }
                CLI.print(footer)
            }
        }

        /// The filters beyond type and owner (which the store applies); a day given to --from/--to counts whole
        /// in `zone` (the configured default zone).
        func matches(_ a: Activity, zone: TimeZone) -> Bool {
            if let assignedTo, a.assignedTo != assignedTo { return false }
            if let partner, a.partner != partner { return false }
            if let status, a.status != status { return false }
            guard from != nil || to != nil else { return true }
            guard let when = ActivityView.instant(ActivityView.when(a)) else { return false }
            if let from, let start = Self.bound(from, zone: zone, end: false), when < start { return false }
            if let to, let end = Self.bound(to, zone: zone, end: true), when >= end { return false }
            return true
        }

        /// The instant given, or a day's start (`end`: the next day's start) in `zone`.
        static func bound(_ text: String, zone: TimeZone, end: Bool) -> Foundation.Date? {
            switch CRMTime.parse(text) {
            case .success(.instant(let instant)): return end ? instant.addingTimeInterval(0.001) : instant
            case .success(.date(let y, let m, let d)):
                return ActivityView.dayStart(y, m, d, in: zone, later: end ? 1 : 0)
            default: return nil
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one activity: its fields with names, its Outlook item, last sync and open conflicts."
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The activity's id.") var id: String
        @Flag(help: "Times in UTC instead of the mailbox owner's zone.") var utc = false
        @Flag(help: "One JSON document in the import shape (times in UTC, ids only).") var json = false
        func run() throws {
            let store = try global.openStore()
            guard let a = CLI.run({ try store.activity(id) }) else { CLI.fail("no activity \(id)") }
            if json { return CLI.printJSON(a) }
            let view = ActivityView(store: store, settings: try global.configuration().syncSettings, utc: utc)
            CLI.printFields(view.fields(a))
        }

        static func fields(_ a: Activity) -> [(String, String?)] {
            var fields: [(String, String?)] = [
                ("id", a.id), ("type", a.type.rawValue), ("subject", a.subject), ("status", a.status),
                ("priority", a.priority.rawValue), ("sensitivity", a.sensitivity.rawValue),
                ("information", a.information),
                ("partner", a.partner), ("contact", a.contact), ("opportunity", a.opportunity),
                ("linked_activity", a.linkedActivity), ("owner", a.owner), ("assigned_to", a.assignedTo),
                ("organizer", a.organizer), ("start", a.start), ("end", a.end), ("due", a.due),
                ("all_day", a.allDay ? "yes" : "no"), ("duration_minutes", a.durationMinutes.map(String.init)),
                ("direction", a.direction), ("location", a.location), ("show_as", a.showAs?.rawValue),
                ("reminder_minutes", a.reminderMinutes.map(String.init)),
                ("percent_complete", a.percentComplete.map { String(format: "%g", $0) }),
            ]
            for attendee in a.attendees {
                fields.append(
                    ("attendee", "\(attendee.email) (\(attendee.attendance.rawValue), \(attendee.response.rawValue))")
                )
            }
            if a.type == .mailing || a.type == .email { fields.append(("date", a.date)) }
            if a.type == .email {
                fields += [
                    ("from", a.from), ("to", a.to.joined(separator: ", ")), ("cc", a.cc.joined(separator: ", ")),
                ]
            }
            fields += [
                ("synchronize", a.synchronize ? "yes" : "no"), ("origin", a.origin.rawValue), ("template", a.template),
                ("deleted", a.deleted ? "yes" : "no"), ("created_at", a.createdAt), ("updated_at", a.updatedAt),
                ("change_seq", a.changeSeq.map(String.init)),
            ]
            return fields
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change fields of an activity.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The activity's id.") var id: String
        @Option(help: "New owner (employee id): the item moves to their mailbox.") var owner: String?
        @OptionGroup var fields: ActivityFields
        func run() throws {
            let store = try global.openStore()
            var before: Activity?
            let after = CLI.run {
                try store.updateActivity(id) {
                    before = $0
                    if let owner { $0.owner = owner }
                    try fields.apply(to: &$0)
                }
            }
            let old = Dictionary(before.map(Show.fields) ?? [], uniquingKeysWith: { a, _ in a })
            let changed = Show.fields(after).filter { ["updated_at", "change_seq"].contains($0.0) == false }
                .filter { old[$0.0] != $0.1 }.map(\.0)
            let unique = changed.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            CLI.print(unique.isEmpty ? "\(id) unchanged" : "\(id) updated: \(unique.joined(separator: ", "))")
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete (tombstone, restorable) an activity.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The activity's id.") var id: String
        func run() throws {
            let store = try global.openStore()
            CLI.run { try store.deleteActivity(id) }
            CLI.print("\(id) deleted; `activity-sync activity restore \(id)` brings it back")
        }
    }

    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Restore a deleted activity.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The activity's id.") var id: String
        func run() throws {
            let store = try global.openStore()
            CLI.run { try store.restoreActivity(id) }
            CLI.print("\(id) restored")
        }
    }

    struct FollowUpCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "follow-up",
            abstract: "Create a follow-up (call, task, appointment or e-mail) of an activity; prints its id."
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The activity followed up.") var origin: String
        @Option(help: "The follow-up's kind: call, task, appointment or email.") var type: ActivityType
        @Option(help: "Choose the id (default: the next free A<n>).") var id: String?
        @Option(help: "Owner (employee id; default: the followed-up activity's owner).") var owner: String?
        @OptionGroup var fields: ActivityFields
        func run() throws {
            let store = try global.openStore()
            let created = CLI.run {
                try store.followUp(from: origin, type: type, id: id, subject: fields.subject, owner: owner) {
                    try fields.apply(to: &$0)
                }
            }
            CLI.print(created.id)
        }
    }
}
