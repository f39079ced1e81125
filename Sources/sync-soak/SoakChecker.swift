import ActivityModel
import EWSTestServer
import Foundation
import Store

/// The simulator's invariants (README "The simulator"), read on the real sides once the soak settled: the SQLite
/// store the daemon wrote and the fake's mailboxes. The simulator's own checker reads its in-memory doubles; this
/// one checks the same properties for what the soak's users do (the fields they edit, creates, deletes):
/// identity (each activity one item in its mailbox, each item one activity), convergence, no lost edit, every
/// category item imported, and every back-off the server asked for honoured.
struct SoakChecker {
    let fake: FakeExchange
    let store: Store
    let mailboxes: [String]
    let log: [SoakEdit]
    /// When the daemon was SIGKILLed: a back-off asked for in the instant before a kill may not have reached the
    /// store, so the next process cannot know it.
    let kills: [Date]

    func problems() throws -> [String] {
        let activities = Dictionary(
            uniqueKeysWithValues: try store.activities(includeDeleted: true).map { ($0.id, $0) }
        )
        var problems: [String] = []
        for (index, mailbox) in mailboxes.enumerated() {
            problems += try identityAndConvergence(mailbox, employee: "E\(index + 1)", activities)
        }
        problems += try lostEdits(activities)
        problems += backOffViolations()
        return problems
    }

    private func identityAndConvergence(
        _ mailbox: String,
        employee: String,
        _ activities: [String: Activity]
    ) throws -> [String] {
        var problems: [String] = []
        let items = fake.items(mailbox: mailbox, folder: "tasks") + fake.items(mailbox: mailbox, folder: "calendar")
        let carrying = Dictionary(grouping: items.filter { $0.extended["ActivityId"] != nil }) {
            $0.extended["ActivityId"]!
        }
        let links = Dictionary(uniqueKeysWithValues: try store.links(mailbox: mailbox).map { ($0.activityId, $0) })
        for activity in activities.values where activity.mailboxEmployee == employee && activity.type.isSynchronisable {
            let own = carrying[activity.id] ?? []
            if activity.deleted || !activity.synchronize {
                if !own.isEmpty { problems.append("\(mailbox): deleted \(activity.id) keeps \(own.count) items") }
                continue
            }
            guard own.count == 1, let item = own.first else {
                problems.append("\(mailbox): \(activity.id) has \(own.count) items (a duplicate or a loss)")
                continue
            }
            if links[activity.id]?.itemId != item.id {
                problems.append("\(mailbox): \(activity.id)'s link points elsewhere than its item")
            }
            for field in [SoakEdit.Field.subject, .priority] where field.value(in: item) != Self.value(field, activity)
            {
                problems.append(
                    "\(mailbox): \(activity.id) differs: \(field) CRM \(Self.value(field, activity)) / Outlook "
                        + (field.value(in: item) ?? "nil")
                )
            }
        }
        for (id, own) in carrying {
            guard let activity = activities[id] else {
                problems.append("\(mailbox): items \(own.map(\.id)) carry \(id), which the CRM does not have")
                continue
            }
            if activity.mailboxEmployee != employee {
                problems.append("\(mailbox): an item of \(id) is left here (it is \(activity.mailboxEmployee)'s)")
            }
        }
        for item in items where item.extended["ActivityId"] == nil && item.fields["Categories"]?.contains("CRM") == true
        {
            problems.append(
                "\(mailbox): Outlook item \(item.fields["Subject"] ?? item.id) with the category never imported"
            )
        }
        return problems
    }

    /// Each field's last edit is what the activity holds, or recorded in a conflict it lost; an activity deleted at
    /// the end was deleted after its last edit.
    private func lostEdits(_ activities: [String: Activity]) throws -> [String] {
        let conflicts = Dictionary(grouping: try store.conflicts(includeResolved: true)) { $0.activityId }
        var problems: [String] = []
        for (id, edits) in Dictionary(grouping: log, by: \.activity) {
            guard let activity = activities[id] else { continue }
            let lastDelete = edits.last { $0.field == .delete }
            for field in [SoakEdit.Field.subject, .priority] {
                guard let last = edits.last(where: { $0.field == field }) else { continue }
                if activity.deleted {
                    // An Outlook edit racing our delete of the item ends in Deleted Items with it, recoverable there
                    // (EWS deletes whatever the version: README "The simulator", known limits).
                    if last.side == .outlook, inDeletedItems(id, field, last.value) { continue }
                    if lastDelete.map({ $0.at < last.at }) ?? true {
                        problems.append(
                            "\(id): deleted, though its \(last.side) edit of \(field) to \(last.value) came after every delete"
                        )
                    }
                    continue
                }
                // The user deleted the item (or activity) holding the edit afterwards: that version was thrown away,
                // whatever brought the activity back (a CRM edit beats an Outlook delete).
                if edits.contains(where: { $0.field == .delete && $0.side == last.side && $0.at > last.at }) {
                    continue
                }
                let held = Self.value(field, activity)
                if held == last.value || last.value == last.synced { continue }
                let lost = conflicts[id, default: []].contains {
                    $0.field == field.rawValue
                        && [$0.crmValue, $0.exchangeValue].contains { $0?.lowercased() == last.value.lowercased() }
                }
                if !lost {
                    problems.append(
                        "\(id): lost \(last.side) edit of \(field) to \(last.value) (the CRM holds \(held), no conflict recorded)"
                    )
                }
            }
        }
        return problems
    }

    /// The field's value in an activity.
    static func value(_ field: SoakEdit.Field, _ activity: Activity) -> String {
        field == .subject ? activity.subject : activity.priority.rawValue
    }

    /// Whether an item carrying the activity and holding this value is in some mailbox's Deleted Items.
    private func inDeletedItems(_ activity: String, _ field: SoakEdit.Field, _ value: String) -> Bool {
        mailboxes.contains { mailbox in
            fake.deletedItems(mailbox: mailbox).contains { item in
                item.extended["ActivityId"] == activity && field.value(in: item) == value
            }
        }
    }

    /// No request for a mailbox (notifications aside) between a throttling answer and the end of the wait it asked
    /// for; requests already under way when it was given are not the client's choice (50 ms of slack).
    private func backOffViolations() -> [String] {
        let requests = fake.requests.filter {
            !FakeExchange.notificationOperations.contains($0.operation) && $0.mailbox != nil
        }
        var problems: [String] = []
        for (mailbox, list) in Dictionary(grouping: requests, by: { $0.mailbox! }) {
            for (index, request) in list.enumerated() {
                let wait: Double
                switch request.fault {
                case .serverBusy(let milliseconds), .inBandInternalBusy(let milliseconds):
                    wait = Double(milliseconds) / 1000
                case .retryAfter(let text): wait = Double(text) ?? 0
                default: continue
                }
                let until = request.at.addingTimeInterval(wait - 0.05)
                let start = request.at.addingTimeInterval(0.05)
                if kills.contains(where: {
                    $0 >= request.at.addingTimeInterval(-0.1) && $0 <= request.at.addingTimeInterval(1)
                }) {
                    continue
                }
                if let early = list[(index + 1)...].first(where: { $0.at > start && $0.at < until }) {
                    problems.append(
                        "\(mailbox): \(early.operation) \(String(format: "%.2f", until.timeIntervalSince(early.at))) s before the back-off asked at \(request.operation) ended"
                    )
                }
            }
        }
        return problems
    }
}
