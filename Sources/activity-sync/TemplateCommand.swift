import ActivityModel
import ArgumentParser
import Store

/// `template add|list|show`.
struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Manage activity templates for global addition.",
        subcommands: [Add.self, RecordList<ActivityTemplate>.self, RecordShow<ActivityTemplate>.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a task or mailing template; prints its id.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The template's id.") var id: String
        @Option(help: "task or mailing.") var type: ActivityType
        @Option(help: "The subject each generated activity gets.") var subject: String
        @Option(help: "The information text each generated activity gets.") var information: String?
        @Option(help: "How urgent each generated activity is.") var priority: Priority = .normal
        @Option(name: .customLong("due-in-days"), help: "A generated task is due this many days after generation.")
        var dueInDays: Int?
        func run() throws {
            let template = ActivityTemplate(
                id: id,
                type: type,
                subject: subject,
                information: information,
                priority: priority,
                dueInDays: dueInDays
            )
            try ActivityTemplate.write(id, global, create: true, blank: template) { _ in }
        }
    }
}

/// `generate`: global addition from a template.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate one activity per selected business object from a template (global addition)."
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "The template's id (`template list`).") var template: String
    @Option(help: "Comma-separated partner ids.") var partners: String?
    @Option(help: "Comma-separated contact ids.") var contacts: String?
    @Option(help: "Comma-separated opportunity ids.") var opportunities: String?
    @Option(help: "Comma-separated activity ids.") var activities: String?
    @Option(name: .customLong("assign-to"), help: "none, internal-rep, external-rep or employee:ID.") var assignTo =
        "none"
    @Option(help: "Owner of what is created (employee id).") var owner: String
    @Flag(help: "Print what would be created; write nothing.") var simulate = false
    @Flag(help: "The generated activities as one JSON document.") var json = false

    func validate() throws {
        let chosen = [partners, contacts, opportunities, activities].compactMap { $0 }
        guard chosen.count == 1 else {
            throw ValidationError("choose exactly one of --partners, --contacts, --opportunities, --activities")
        }
        guard GlobalAddition.AssignRule(assignTo) != nil else {
            throw ValidationError("--assign-to '\(assignTo)': none, internal-rep, external-rep or employee:ID")
        }
    }

    func run() throws {
        func ids(_ list: String) -> [String] {
            list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let targets: GlobalAddition.Targets
        if let partners {
            targets = .partners(ids(partners))
        } else if let contacts {
            targets = .contacts(ids(contacts))
        } else if let opportunities {
            targets = .opportunities(ids(opportunities))
        } else {
            targets = .activities(ids(activities ?? ""))
        }
        let store = try global.openStore()
        let created = CLI.run {
            try store.generate(
                template: template,
                targets: targets,
                assign: GlobalAddition.AssignRule(assignTo)!,
                owner: owner,
                simulate: simulate
            )
        }
        if json { return CLI.printJSON(created) }
        if simulate { CLI.print("simulation: \(created.count) activities would be created; nothing was written") }
        CLI.printTable(
            ["ID", "TYPE", "SUBJECT", "PARTNER", "CONTACT", "ASSIGNED TO", "DUE"],
            created.map { a in
                [
                    a.id, a.type.rawValue, a.subject, a.partner ?? "-", a.contact ?? "-", a.assignedTo ?? "-",
                    a.due ?? a.date ?? "-",
                ]
            }
        )
    }
}
