import ActivityModel
import ArgumentParser
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
        @Option var type: ActivityType
        @Option(help: "Choose the id (default: the next free A<n>).") var id: String?
        @OptionGroup var fields: ActivityFields
        func validate() throws {
            guard fields.owner != nil else { throw ValidationError("--owner is required (an employee id)") }
        }
        func run() throws {
            let store = try global.openStore()
            var activity = Activity(id: id ?? "", type: type, subject: "", owner: "")
            try fields.apply(to: &activity)
            CLI.print(CLI.run { try store.addActivity(activity) }.id)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List activities (tombstones hidden).")
        @OptionGroup var global: GlobalOptions
        @Option var type: ActivityType?
        @Option var owner: String?
        @Flag(name: .customLong("include-deleted")) var includeDeleted = false
        @Flag(help: "One JSON document (an array in the import shape).") var json = false
        func run() throws {
            let store = try global.openStore()
            let activities = CLI.run { try store.activities(includeDeleted: includeDeleted, type: type, owner: owner) }
            CLI.warnUnreadable(store)
            if json { return CLI.printJSON(activities) }
            CLI.printTable(
                ["ID", "TYPE", "STATUS", "WHEN", "OWNER", "SUBJECT"],
                activities.map { a in
                    [
                        a.id + (a.deleted ? " (deleted)" : ""), a.type.rawValue, a.status,
                        a.start ?? a.due ?? a.date ?? "-",
                        a.owner, a.subject,
                    ]
                }
            )
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one activity.")
        @OptionGroup var global: GlobalOptions
        @Argument var id: String
        @Flag(help: "One JSON document in the import shape.") var json = false
        func run() throws {
            let store = try global.openStore()
            guard let a = CLI.run({ try store.activity(id) }) else { CLI.fail("no activity \(id)") }
            if json { return CLI.printJSON(a) }
            CLI.printFields(Self.fields(a))
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
        @Argument var id: String
        @OptionGroup var fields: ActivityFields
        func run() throws {
            let store = try global.openStore()
            _ = CLI.run { try store.updateActivity(id) { try fields.apply(to: &$0) } }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete (tombstone, restorable) an activity.")
        @OptionGroup var global: GlobalOptions
        @Argument var id: String
        func run() throws {
            let store = try global.openStore()
            CLI.run { try store.deleteActivity(id) }
        }
    }

    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Restore a deleted activity.")
        @OptionGroup var global: GlobalOptions
        @Argument var id: String
        func run() throws {
            let store = try global.openStore()
            CLI.run { try store.restoreActivity(id) }
        }
    }

    struct FollowUpCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "follow-up",
            abstract: "Create a follow-up (call, task, appointment or e-mail) of an activity; prints its id."
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The activity followed up.") var origin: String
        @Option var type: ActivityType
        @Option(help: "Choose the id (default: the next free A<n>).") var id: String?
        @OptionGroup var fields: ActivityFields
        func run() throws {
            let store = try global.openStore()
            let created = CLI.run {
                try store.followUp(from: origin, type: type, id: id, subject: fields.subject, owner: fields.owner) {
                    try fields.apply(to: &$0)
                }
            }
            CLI.print(created.id)
        }
    }
}
