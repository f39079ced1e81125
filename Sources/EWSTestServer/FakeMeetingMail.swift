import Foundation
import XMLKit

/// A meeting message Exchange sent on a calendar write, one per recipient, so tests assert who got what.
public struct FakeMeetingMail: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case request, update, cancellation
    }

    /// The organizer's mailbox.
    public var from: String
    public var to: String
    public var kind: Kind
    public var subject: String

    public var description: String { "\(kind.rawValue) \(from) → \(to): \(subject)" }
}

extension FakeExchange {
    /// Every meeting message sent so far.
    public var meetingMail: [FakeMeetingMail] { lock.withLock { mail } }

    /// The attributes Exchange requires on writes of calendar items (`[R:createitem]`, `[R:updateitem]`,
    /// `[R:deleteitem]`: "required for calendar items"), and the error it answers without one.
    static let meetingAttributes: [String: (attribute: String, error: String)] = [
        "CreateItem": ("SendMeetingInvitations", "ErrorSendMeetingInvitationsRequired"),
        "UpdateItem": ("SendMeetingInvitationsOrCancellations", "ErrorSendMeetingInvitationsOrCancellationsRequired"),
        "DeleteItem": ("SendMeetingCancellations", "ErrorSendMeetingCancellationsRequired"),
    ]

    /// The error for a calendar write without its meeting attribute, or nil.
    func missingMeetingAttribute(_ operation: String, _ context: FakeRequestContext) -> String? {
        guard let rule = Self.meetingAttributes[operation], context.element.attributes[rule.attribute] == nil else {
            return nil
        }
        return FakeResponse.error(
            operation,
            rule.error,
            "The \(rule.attribute) attribute is required for calendar items."
        )
    }

    /// The item fields that list attendees.
    static let attendeeLists = ["RequiredAttendees", "OptionalAttendees", "Resources"]

    /// The attendees' addresses on an item, lower-cased (required, optional and resources).
    static func attendees(of item: FakeItem) -> [String] {
        attendeeLists.flatMap { list in
            (item.fields[list]?.children ?? []).compactMap {
                $0.child("Mailbox")?.childText("EmailAddress")?.lowercased()
            }
        }
    }

    /// Records the messages a calendar write sends (caller holds the lock). `before` is the item before an
    /// update (nil: a create or a delete); `mode` is the operation's meeting attribute. `SendToNone` sends
    /// nothing; `…ToAll…` every attendee; `…ToChanged…` the added (a request) and removed (a cancellation) ones,
    /// and the others only when something besides the attendee lists changed (`[R:updateitem]`: "only to
    /// attendees that are affected by the change").
    func recordMeetingMail(
        _ operation: String,
        mode: String?,
        item: FakeItem,
        before: FakeItem? = nil,
        changedFields: Set<String> = []
    ) {
        guard item.kind == "CalendarItem", let mode, mode != "SendToNone" else { return }
        let subject = item.fields["Subject"]?.text ?? ""
        let now = Self.attendees(of: item)
        func send(_ kind: FakeMeetingMail.Kind, _ recipients: [String]) {
            mail += recipients.map { FakeMeetingMail(from: item.mailbox, to: $0, kind: kind, subject: subject) }
        }
        switch operation {
        case "CreateItem": send(.request, now)
        case "DeleteItem": send(.cancellation, now)
        default:
            let old = before.map(Self.attendees(of:)) ?? []
            let added = now.filter { !old.contains($0) }
            let removed = old.filter { !now.contains($0) }
            let kept = now.filter { old.contains($0) }
            let otherChange = !changedFields.subtracting(Self.attendeeLists).isEmpty
            send(.request, added)
            send(.cancellation, removed)
            if mode.contains("ToAll") || otherChange { send(.update, kept) }
        }
    }
}
