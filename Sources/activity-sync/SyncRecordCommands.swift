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
        var taken, resolved_by, resolved_at: String?

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
            taken = c.taken
            resolved_by = c.resolvedBy
            resolved_at = c.resolvedAt
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
            try c.encode(taken, forKey: .taken)
            try c.encode(resolved_by, forKey: .resolved_by)
            try c.encode(resolved_at, forKey: .resolved_at)
        }

        enum Keys: String, CodingKey {
            case id, activity, mailbox, field, crm_value, exchange_value, base_value, winner, policy, at, resolved
            case taken, resolved_by, resolved_at
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List conflicts (open ones; --all for resolved too).")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Resolved conflicts too.") var all = false
        @Flag(help: "One JSON document instead of the table.") var json = false
        func run() throws {
            let conflicts = CLI.run { try global.openStore().conflicts(includeResolved: all) }
            if json { return CLI.printJSON(conflicts.map(Row.init)) }
            CLI.printTable(
                ["ID", "ACTIVITY", "FIELD", "CRM", "EXCHANGE", "WINNER", "AT"],
                conflicts.map {
                    [
                        String($0.id), $0.activityId, $0.field, $0.crmValue ?? "-", $0.exchangeValue ?? "-",
                        $0.winner + Self.resolution($0), $0.at,
                    ]
                }
            )
            if conflicts.contains(where: { !$0.resolved }) {
                CLI.print(
                    "\nThe policy's winner is synced already; to keep the other value: "
                        + "activity-sync conflicts resolve ID --take crm|exchange"
                )
            }
        }

        /// " (resolved: took exchange, by alice (uid 1000))"; "" for an open one.
        static func resolution(_ c: ConflictRecord) -> String {
            guard c.resolved else { return "" }
            guard let taken = c.taken else { return " (resolved)" }
            return " (resolved: took \(taken)\(c.resolvedBy.map { ", by \($0)" } ?? ""))"
        }
    }

    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Settle a conflict by hand: the chosen value is written to the CRM and synced from there."
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The conflict's id (`conflicts list`).") var id: Int64
        @Option(help: "crm or exchange: whose value to keep.") var take: String

        func validate() throws {
            guard ["crm", "exchange"].contains(take) else { throw ValidationError("--take '\(take)': crm or exchange") }
        }

        func run() throws {
            let store = try global.openStore()
            guard let conflict = CLI.run({ try store.conflict(id) }) else { CLI.fail("no conflict \(id)") }
            // Once settled, its values are history: taking one again would overwrite what was edited since.
            if conflict.resolved {
                CLI.fail(
                    "conflict \(id) is resolved already\(List.resolution(conflict))\(conflict.resolvedAt.map { " at \($0)" } ?? ""); "
                        + "nothing changed. To change \(conflict.activityId) now: activity-sync activity update \(conflict.activityId)",
                    code: 1
                )
            }
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
                try store.markConflictResolved(id, taken: take, by: Operator.current)
            }
            Operator.audit(
                store,
                action: "conflict-resolve",
                mailbox: conflict.mailbox,
                activity: conflict.activityId,
                fields: conflict.field,
                winner: take,
                reason: "conflict \(id): took \(take)'s value"
            )
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
    @Option(help: "Only entries about this activity.") var activity: String?
    @Option(help: "Only entries about this mailbox.") var mailbox: String?
    @Option(
        help: ArgumentHelp(
            "Only entries from then on: a time (2026-12-03T09:00:00+01:00), a date (2026-12-03, midnight local time) "
                + "or a duration back from now (30m, 2h, 7d, 1d12h).",
            valueName: "when"
        )
    )
    var since: String?
    @Flag(help: "One JSON document instead of the table.") var json = false

    struct Row: Encodable {
        var at: String
        var pass, mailbox, activity, item: String?
        var action: String
        var fields, winner, reason: String?
        /// Who acted: null for the sync's own decisions, the user for ops' commands.
        var by: String?

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
            try c.encode(by, forKey: .by)
        }

        enum Keys: String, CodingKey { case at, pass, mailbox, activity, item, action, fields, winner, reason, by }
    }

    func run() throws {
        var from: String?
        if let since {
            guard let instant = Self.instant(since, now: Date(), zone: .current) else {
                throw ValidationError(
                    "--since '\(since)': a time with a zone (2026-12-03T09:00:00+01:00), a date (2026-12-03) "
                        + "or a duration back from now (30m, 2h, 7d)"
                )
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
                        reason: $0.reason,
                        by: $0.actor
                    )
                }
            )
        }
        CLI.printTable(
            ["AT", "BY", "MAILBOX", "ACTIVITY", "ACTION", "FIELDS", "WINNER", "REASON"],
            entries.map {
                [
                    $0.at, $0.actor ?? "sync", $0.mailbox ?? "-", $0.activityId ?? "-", $0.action, $0.fields ?? "-",
                    $0.winner ?? "-", $0.reason ?? "-",
                ]
            }
        )
    }

    /// `--since`: a time with a zone, a date (its midnight in `zone`), or a duration back from `now` — units
    /// w, d, h, m, s, combined as in 1d12h.
    static func instant(_ text: String, now: Date, zone: TimeZone) -> Date? {
        switch CRMTime.parse(text) {
        case .success(.instant(let instant)): return instant
        case .success(.date(let y, let m, let d)): return ActivityView.dayStart(y, m, d, in: zone)
        case .failure: break
        }
        let units: [Character: Double] = ["w": 604_800, "d": 86_400, "h": 3_600, "m": 60, "s": 1]
        var seconds = 0.0
        var digits = ""
        for character in text {
            if character.isASCII && character.isNumber {
                digits.append(character)
            } else if let unit = units[character], let n = Double(digits), digits.count <= 6 {
                seconds += n * unit
                digits = ""
            } else {
                return nil
            }
        }
        guard digits.isEmpty, seconds > 0 else { return nil }
        return now.addingTimeInterval(-seconds)
    }
}
