import ActivityModel
import EWSTestServer
import Foundation
import Store
import SyncSimulator

/// One thing a user did, as the checker reads it: a field of an activity set to a value on one side, or the
/// activity (its item) deleted there.
struct SoakEdit: Sendable {
    enum Side: String, Sendable { case crm, outlook }
    enum Field: String, Sendable { case subject, priority, delete }
    var at: Date
    var side: Side
    var activity: String
    var field: Field
    var value: String
    /// The value both sides last synced (the link's base) when the edit was made: an edit back to it is no change
    /// to a state-based sync (the known limit the simulator's checker accepts too).
    var synced: String?
}

extension SoakEdit.Field {
    /// The item's element the field is (`Subject`, `Importance`).
    var element: String { self == .subject ? "Subject" : "Importance" }

    /// The field's value in an item, in the CRM's terms (an importance as a priority: `high`).
    func value(in item: FakeItemSnapshot) -> String? {
        self == .subject ? item.fields["Subject"] : (item.fields["Importance"] ?? "Normal").lowercased()
    }
}

/// Users on both sides and a misbehaving server, at random: CRM creates, edits and deletes through the store (as
/// the CLI writes them), Outlook edits, deletes and creates with the category through the fake, and faults the
/// fake answers with (ServerBusy, 503 with Retry-After, 500, drops before and after applying, slow answers,
/// half answers, in-band busy, stale sync states). Every value written is new, so an edit is never mistaken for
/// another.
final class SoakDriver {
    let fake: FakeExchange
    let store: Store
    let mailboxes: [String]
    var random: SimRandom
    private(set) var log: [SoakEdit] = []
    private(set) var counts: [String: Int] = [:]
    /// The server's misbehaviour and the users' creates, with their times (for reading a failure: `--keep`).
    private(set) var events: [(at: Date, what: String)] = []
    private var serial = 0

    init(fake: FakeExchange, store: Store, mailboxes: [String], seed: UInt64) {
        self.fake = fake
        self.store = store
        self.mailboxes = mailboxes
        random = SimRandom(seed: seed)
    }

    /// The employee id of a mailbox (`E1` for the first).
    func employee(_ index: Int) -> String { "E\(index + 1)" }

    /// One random step. `faults`: whether the server may misbehave.
    func step(faults: Bool) {
        let roll = random.below(100)
        do {
            switch roll {
            case 0..<10: try crmCreate()
            case 10..<26: try crmEdit(.subject)
            case 26..<31: try crmEdit(.priority)
            case 31..<33: try crmDelete()
            case 33..<52: outlookEdit(.subject)
            case 52..<57: outlookEdit(.priority)
            case 57..<59: outlookDelete()
            case 59..<64: outlookCreate()
            case 64..<98 where faults: injectFault()
            case 98..<100 where faults:
                let mailbox = mailboxes[random.below(mailboxes.count)]
                fake.invalidateSyncStates(mailbox: mailbox)
                counts["fault: stale sync state", default: 0] += 1
                events.append((Date(), "stale sync states \(mailbox)"))
            default: break
            }
        } catch {
            // A store write that met the daemon's long write: the user tries again later, as anyone would.
            counts["crm write refused: \(error)".prefix(60).description, default: 0] += 1
        }
    }

    private func next() -> String {
        serial += 1
        return "\(serial)"
    }

    private func record(_ side: SoakEdit.Side, _ activity: String, _ field: SoakEdit.Field, _ value: String) {
        let base = (try? store.link(activityId: activity))?.base
        let synced = field == .subject ? base?.subject : field == .priority ? base?.priority.rawValue : nil
        log.append(SoakEdit(at: Date(), side: side, activity: activity, field: field, value: value, synced: synced))
        counts["\(side.rawValue) \(field == .delete ? "delete" : "edit \(field.rawValue)")", default: 0] += 1
    }

    // MARK: - The CRM

    private func crmCreate() throws {
        let index = random.below(mailboxes.count)
        let task = random.chance(70)
        var activity = Activity(
            id: "S\(next())",
            type: task ? .task : .appointment,
            subject: "CRM \(serial)",
            owner: employee(index)
        )
        if !task {
            let start = Date().addingTimeInterval(Double(1 + random.below(30)) * 86_400).timeIntervalSince1970
            let hour = (start / 3600).rounded(.down) * 3600
            activity.start = CRMTime.format(Date(timeIntervalSince1970: hour))
            activity.end = CRMTime.format(Date(timeIntervalSince1970: hour + 3600))
        }
        _ = try store.addActivity(activity)
        counts["crm create", default: 0] += 1
    }

    private func liveActivity() throws -> Activity? {
        let all = try store.activities()
        return all.isEmpty ? nil : all[random.below(all.count)]
    }

    private func crmEdit(_ field: SoakEdit.Field) throws {
        guard let activity = try liveActivity() else { return }
        let value = field == .subject ? "CRM \(next())" : Priority.allCases[random.below(3)].rawValue
        if field == .priority && activity.priority.rawValue == value { return }  // no edit: the value it has
        _ = try store.updateActivity(activity.id) { edited in
            if field == .subject { edited.subject = value } else { edited.priority = Priority(rawValue: value)! }
        }
        record(.crm, activity.id, field, value)
    }

    private func crmDelete() throws {
        guard let activity = try liveActivity() else { return }
        try store.deleteActivity(activity.id)
        record(.crm, activity.id, .delete, "")
    }

    // MARK: - Outlook

    /// An item of a random mailbox that carries an activity (a user edits what they see synced).
    private func carryingItem() -> (mailbox: String, item: FakeItemSnapshot, activity: String)? {
        let mailbox = mailboxes[random.below(mailboxes.count)]
        let items = (fake.items(mailbox: mailbox, folder: "tasks") + fake.items(mailbox: mailbox, folder: "calendar"))
            .filter { $0.extended["ActivityId"] != nil }
        guard !items.isEmpty else { return nil }
        let item = items[random.below(items.count)]
        return (mailbox, item, item.extended["ActivityId"]!)
    }

    private func outlookEdit(_ field: SoakEdit.Field) {
        guard let (mailbox, item, activity) = carryingItem() else { return }
        let value = field == .subject ? "Outlook \(next())" : Priority.allCases[random.below(3)].rawValue
        if field.value(in: item) == value { return }  // no edit: the value it has
        fake.userUpdate(
            mailbox: mailbox,
            itemId: item.id,
            fields: [field.element: field == .subject ? value : value.capitalized]
        )
        record(.outlook, activity, field, value)
    }

    private func outlookDelete() {
        guard let (mailbox, item, activity) = carryingItem() else { return }
        fake.userDelete(mailbox: mailbox, itemId: item.id)
        record(.outlook, activity, .delete, item.id)
    }

    private func outlookCreate() {
        let mailbox = mailboxes[random.below(mailboxes.count)]
        let id = fake.userCreate(
            mailbox: mailbox,
            folder: "tasks",
            kind: "Task",
            fields: ["Subject": "Outlook \(next())", "Categories": "CRM"]
        )
        counts["outlook create", default: 0] += 1
        events.append((Date(), "outlook create \(mailbox) \(id)"))
    }

    // MARK: - The server

    private func injectFault() {
        let faults: [(String, FakeExchange.Fault)] = [
            ("ServerBusy", .serverBusy(backOffMilliseconds: 200 + random.below(2800))),
            ("503 Retry-After", .retryAfter(String(1 + random.below(3)))),
            ("503", .httpStatus(503)),
            ("500", .httpStatus(500)),
            ("drop before applying", .dropConnection),
            ("drop after applying", .dropAfterApplying),
            ("slow answer", .delay(seconds: 0.5 + Double(random.below(20)) / 10)),
            ("half an answer", .malformedXML),
            ("in-band busy", .inBandInternalBusy(backOffMilliseconds: 200 + random.below(1800))),
        ]
        let (name, fault) = faults[random.below(faults.count)]
        let operations = ["SyncFolderItems", "GetItem", "CreateItem", "UpdateItem", "DeleteItem", "FindItem", nil]
        let (operation, mailbox) = (
            operations[random.below(operations.count)], mailboxes[random.below(mailboxes.count)]
        )
        fake.inject(fault, operation: operation, mailbox: mailbox, times: 1 + random.below(3))
        counts["fault: \(name)", default: 0] += 1
        events.append((Date(), "fault \(name) \(operation ?? "any") \(mailbox)"))
    }
}
