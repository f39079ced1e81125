import ActivityModel
import ArgumentParser
import Store

/// `list`, `show` and the shells of `add`/`update` for a record kind; the field options differ per kind.
struct RecordList<Record: CLIRecord>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "list", abstract: "List \(Record.kind)s.")
    }
    @OptionGroup var global: GlobalOptions
    @Flag(help: "One JSON document (an array in the import shape).") var json = false
    func run() throws { try Record.list(global, json: json) }
}

struct RecordShow<Record: CLIRecord>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "show", abstract: "Show one \(Record.kind).")
    }
    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("The record's id.", valueName: "id")) var id: String
    @Flag(help: "One JSON document in the import shape.") var json = false
    func run() throws { try Record.show(id, global, json: json) }
}

/// `employee add|list|show|update`.
struct EmployeeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "employee",
        abstract: "Manage employees (sync users).",
        subcommands: [Add.self, RecordList<Employee>.self, RecordShow<Employee>.self, Update.self]
    )
    static let kind = Employee.kind

    struct Fields: ParsableArguments {
        @Option(help: "Full name, as colleagues see it.") var name: String?
        @Option(help: "Exchange primary SMTP address (empty clears it).") var mailbox: String?
        @Option(help: "true or false: whether the employee's mailbox is synchronised.") var sync: Bool?
        @Option(name: .customLong("time-zone"), help: "IANA zone, e.g. Europe/Amsterdam.") var timeZone: String?
        @Option(help: "ews or graph: how the mailbox is reached (empty: exchange.backend).") var backend: String?

        func apply(to employee: inout Employee) {
            if let name { employee.name = name }
            employee.mailbox = CLI.optional(mailbox, current: employee.mailbox)
            if let sync { employee.sync = sync }
            employee.timeZone = CLI.optional(timeZone, current: employee.timeZone)
            employee.backend = CLI.optional(backend, current: employee.backend)
        }
    }

    struct Add: ParsableCommand {
        static var configuration: CommandConfiguration { RecordHelp.add(kind) }
        @OptionGroup var global: GlobalOptions
        @Option(help: "The new record's id (unique among its kind).") var id: String
        @OptionGroup var fields: Fields
        func run() throws {
            try Employee.write(id, global, create: true, blank: Employee(id: id, name: ""), apply: fields.apply)
        }
    }

    struct Update: ParsableCommand {
        static var configuration: CommandConfiguration { RecordHelp.update(kind) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The record's id.") var id: String
        @OptionGroup var fields: Fields
        func run() throws {
            try Employee.write(id, global, create: false, blank: Employee(id: id, name: ""), apply: fields.apply)
        }
    }
}

/// `partner add|list|show|update`.
struct PartnerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partner",
        abstract: "Manage business partners.",
        subcommands: [Add.self, RecordList<BusinessPartner>.self, RecordShow<BusinessPartner>.self, Update.self]
    )
    static let kind = BusinessPartner.kind

    struct Fields: ParsableArguments {
        @Option(help: "The partner's name.") var name: String?
        @Option(name: .customLong("internal-rep"), help: "Internal sales rep (employee id; empty clears it).")
        var internalRep: String?
        @Option(name: .customLong("external-rep"), help: "Field sales rep (employee id; empty clears it).")
        var externalRep: String?

        func apply(to partner: inout BusinessPartner) {
            if let name { partner.name = name }
            partner.internalRep = CLI.optional(internalRep, current: partner.internalRep)
            partner.externalRep = CLI.optional(externalRep, current: partner.externalRep)
        }
    }

    struct Add: ParsableCommand {
        static var configuration: CommandConfiguration { RecordHelp.add(kind) }
        @OptionGroup var global: GlobalOptions
        @Option(help: "The new record's id (unique among its kind).") var id: String
        @OptionGroup var fields: Fields
        func run() throws {
            try BusinessPartner.write(
                id,
                global,
                create: true,
                blank: BusinessPartner(id: id, name: ""),
                apply: fields.apply
            )
        }
    }

    struct Update: ParsableCommand {
        static var configuration: CommandConfiguration { RecordHelp.update(kind) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The record's id.") var id: String
        @OptionGroup var fields: Fields
        func run() throws {
            try BusinessPartner.write(
                id,
                global,
                create: false,
                blank: BusinessPartner(id: id, name: ""),
                apply: fields.apply
            )
        }
    }
}

/// `contact add|list|show|update`.
struct ContactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contact",
        abstract: "Manage contacts.",
        subcommands: [Add.self, RecordList<Contact>.self, RecordShow<Contact>.self, Update.self]
    )
    static let kind = Contact.kind

    struct Fields: ParsableArguments {
        @Option(help: "The contact's name.") var name: String?
        @Option(help: "Business partner id (empty clears it).") var partner: String?
        @Option(help: "E-mail address: how an Outlook attendee is matched to the contact.") var email: String?
        @Option(help: "Phone number.") var phone: String?
        @Option(name: .customLong("opted-out"), help: "true or false.") var optedOut: Bool?

        func apply(to contact: inout Contact) {
            if let name { contact.name = name }
            contact.partner = CLI.optional(partner, current: contact.partner)
            contact.email = CLI.optional(email, current: contact.email)
            contact.phone = CLI.optional(phone, current: contact.phone)
            if let optedOut { contact.optedOut = optedOut }
        }
    }

    struct Add: ParsableCommand {
        static var configuration: CommandConfiguration { RecordHelp.add(kind) }
        @OptionGroup var global: GlobalOptions
        @Option(help: "The new record's id (unique among its kind).") var id: String
        @OptionGroup var fields: Fields
        func run() throws {
            try Contact.write(id, global, create: true, blank: Contact(id: id, name: ""), apply: fields.apply)
        }
    }

    struct Update: ParsableCommand {
        static var configuration: CommandConfiguration { RecordHelp.update(kind) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The record's id.") var id: String
        @OptionGroup var fields: Fields
        func run() throws {
            try Contact.write(id, global, create: false, blank: Contact(id: id, name: ""), apply: fields.apply)
        }
    }
}

/// `opportunity add|list|show|update`.
struct OpportunityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opportunity",
        abstract: "Manage opportunities.",
        subcommands: [Add.self, RecordList<Opportunity>.self, RecordShow<Opportunity>.self, Update.self]
    )
    static let kind = Opportunity.kind

    struct Fields: ParsableArguments {
        @Option(help: "The opportunity's name.") var name: String?
        @Option(help: "Business partner id (empty clears it).") var partner: String?

        func apply(to opportunity: inout Opportunity) {
            if let name { opportunity.name = name }
            opportunity.partner = CLI.optional(partner, current: opportunity.partner)
        }
    }

    struct Add: ParsableCommand {
        static var configuration: CommandConfiguration { RecordHelp.add(kind) }
        @OptionGroup var global: GlobalOptions
        @Option(help: "The new record's id (unique among its kind).") var id: String
        @OptionGroup var fields: Fields
        func run() throws {
            try Opportunity.write(id, global, create: true, blank: Opportunity(id: id, name: ""), apply: fields.apply)
        }
    }

    struct Update: ParsableCommand {
        static var configuration: CommandConfiguration { RecordHelp.update(kind) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The record's id.") var id: String
        @OptionGroup var fields: Fields
        func run() throws {
            try Opportunity.write(id, global, create: false, blank: Opportunity(id: id, name: ""), apply: fields.apply)
        }
    }
}

/// The help of the record kinds' `add` and `update`.
enum RecordHelp {
    static func add(_ kind: String) -> CommandConfiguration {
        CommandConfiguration(commandName: "add", abstract: "Add \(article(kind)) \(kind); prints its id.")
    }

    static func update(_ kind: String) -> CommandConfiguration {
        CommandConfiguration(
            commandName: "update",
            abstract: "Change fields of \(article(kind)) \(kind); an empty value (--phone \"\") clears an optional one."
        )
    }

    static func article(_ kind: String) -> String { "aeiou".contains(kind.first ?? "x") ? "an" : "a" }
}
