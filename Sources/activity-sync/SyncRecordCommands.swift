import ActivityModel
import ArgumentParser
import Foundation
import Store
import SyncPlanning

/// `conflicts list [--json] | conflicts resolve ID --take crm|exchange`.
struct ConflictsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: "Conflicts the sync recorded: both values and the policy's winner.",
        subcommands: [List.self, Resolve.self]
    )

    /// SPEC §4's `conflicts list --json` shape.
    struct Row: Encodable {
        var id: Int64
        var activity, mailbox, field: String
        var crm_value, exchange_value, base_value: String?
        var winner, policy, at: String
        var resolved: Bool

        init(_ c: ConflictRecord) {
            id = c.id
            activity = c.activityId
            mailbox = c.mailbox
            field = c.field
            crm_value = c.crmValue
            exchange_value = c.exchangeValue
            base_value = c.baseValue
            winner = c.winner
            policy = c.policy
            at = c.at
            resolved = c.resolved
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(id, forKey: .id)
            try c.encode(activity, forKey: .activity)
            try c.encode(mailbox, forKey: .mailbox)
            try c.encode(field, forKey: .field)
            try c.encode(crm_value, forKey: .crm_value)
            try c.encode(exchange_value, forKey: .exchange_value)
            try c.encode(base_value, forKey: .base_value)
            try c.encode(winner, forKey: .winner)
            try c.encode(policy, forKey: .policy)
            try c.encode(at, forKey: .at)
            try c.encode(resolved, forKey: .resolved)
        }

        enum Keys: String, CodingKey {
            case id, activity, mailbox, field, crm_value, exchange_value, base_value, winner, policy, at, resolved
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List conflicts (open ones; --all for resolved too).")
        @OptionGroup var global: GlobalOptions
        @Flag var all = false
        @Flag var json = false
        func run() throws {
            let conflicts = CLI.run { try global.openStore().conflicts(includeResolved: all) }
            if json { return CLI.printJSON(conflicts.map(Row.init)) }
            CLI.printTable(
                ["ID", "ACTIVITY", "FIELD", "CRM", "EXCHANGE", "WINNER", "AT"],
                conflicts.map {
                    [
                        String($0.id), $0.activityId, $0.field, $0.crmValue ?? "-", $0.exchangeValue ?? "-",
                        $0.winner + ($0.resolved ? " (resolved)" : ""), $0.at,
                    ]
                }
            )
        }
    }

    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Settle a conflict by hand: the chosen value is written to the CRM and synced from there."
        )
        @OptionGroup var global: GlobalOptions
        @Argument var id: Int64
        @Option(help: "crm or exchange: whose value to keep.") var take: String

        func validate() throws {
            guard ["crm", "exchange"].contains(take) else { throw ValidationError("--take '\(take)': crm or exchange") }
        }

        func run() throws {
            let store = try global.openStore()
            guard let conflict = CLI.run({ try store.conflict(id) }) else { CLI.fail("no conflict \(id)") }
            guard let field = SyncFields.Field(rawValue: conflict.field) else {
                CLI.fail("conflict \(id): unknown field")
            }
            let value = take == "crm" ? conflict.crmValue : conflict.exchangeValue
            let settings = try global.configuration().syncSettings
            CLI.run {
                _ = try store.updateActivity(conflict.activityId) { activity in
                    // (The compared values are the mailbox owner's: dates and a task's reminder are in that zone.)
                    let zone =
                        try store.employee(activity.mailboxEmployee).map(settings.zone(of:)) ?? settings.defaultZone
                    var fields = SyncFields(activity: activity, zone: zone)
                    guard fields.setText(field, value) else {
                        throw StoreError.refused("conflict \(id): '\(value ?? "")' is not a value of \(field.rawValue)")
                    }
                    fields.apply(to: &activity, zone: zone)
                }
                try store.markConflictResolved(id)
            }
            CLI.print(
                "conflict \(id): \(conflict.activityId).\(conflict.field) = \(value ?? "null") (\(take)); syncs on the next pass"
            )
        }
    }
}

/// `audit [--activity ID] [--mailbox ADDR] [--since T] [--json]`: the sync's decisions per item.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Per-item sync decisions.")
    @OptionGroup var global: GlobalOptions
    @Option var activity: String?
    @Option var mailbox: String?
    @Option(help: "RFC 3339 time with a zone.") var since: String?
    @Flag var json = false

    struct Row: Encodable {
        var at: String
        var pass, mailbox, activity, item: String?
        var action: String
        var fields, winner, reason: String?

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(at, forKey: .at)
            try c.encode(pass, forKey: .pass)
            try c.encode(mailbox, forKey: .mailbox)
            try c.encode(activity, forKey: .activity)
            try c.encode(item, forKey: .item)
            try c.encode(action, forKey: .action)
            try c.encode(fields, forKey: .fields)
            try c.encode(winner, forKey: .winner)
            try c.encode(reason, forKey: .reason)
        }

        enum Keys: String, CodingKey { case at, pass, mailbox, activity, item, action, fields, winner, reason }
    }

    func run() throws {
        var from: String?
        if let since {
            guard case .success(.instant(let instant)) = CRMTime.parse(since) else {
                throw ValidationError("--since '\(since)': an RFC 3339 time with a zone")
            }
            from = CRMTime.format(instant)
        }
        let entries = CLI.run {
            try global.openStore().auditEntries(activityId: activity, mailbox: mailbox, since: from)
        }
        if json {
            return CLI.printJSON(
                entries.map {
                    Row(
                        at: $0.at,
                        pass: $0.pass,
                        mailbox: $0.mailbox,
                        activity: $0.activityId,
                        item: $0.itemId,
                        action: $0.action,
                        fields: $0.fields,
                        winner: $0.winner,
                        reason: $0.reason
                    )
                }
            )
        }
        CLI.printTable(
            ["AT", "MAILBOX", "ACTIVITY", "ACTION", "FIELDS", "WINNER", "REASON"],
            entries.map {
                [
                    $0.at, $0.mailbox ?? "-", $0.activityId ?? "-", $0.action, $0.fields ?? "-", $0.winner ?? "-",
                    $0.reason ?? "-",
                ]
            }
        )
    }
}
