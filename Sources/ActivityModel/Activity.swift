/// A CRM activity: appointment, call, task, mailing or e-mail.
///
/// Times are kept in their canonical text form: timed values as RFC 3339 in UTC with `Z`, dates (all-day
/// appointments) as `YYYY-MM-DD`. `CRMTime` parses and canonicalises them.
public struct Activity: Sendable, Equatable {
    public var id: String
    public var type: ActivityType
    public var subject: String
    public var status: String
    public var priority: Priority = .normal
    public var sensitivity: Sensitivity = .normal
    public var information: String?
    public var partner: String?
    public var contact: String?
    public var opportunity: String?
    /// The activity this one follows up (its origin).
    public var linkedActivity: String?
    /// Employee id; required.
    public var owner: String
    /// Task assignee (employee id).
    public var assignedTo: String?
    /// Appointment/call organizer (employee id).
    public var organizer: String?
    public var start: String?
    public var end: String?
    /// Task due time.
    public var due: String?
    public var allDay: Bool = false
    public var durationMinutes: Int?
    /// `incoming`/`outgoing` for calls, `inbound`/`outbound` for e-mails.
    public var direction: String?
    public var location: String?
    public var showAs: ShowAs?
    public var reminderMinutes: Int?
    public var percentComplete: Double?
    public var attendees: [Attendee] = []
    /// Whether the activity is kept in step with Exchange.
    public var synchronize: Bool = true
    public var origin: ActivityOrigin = .manual
    public var template: String?
    /// Tombstone: deleted, restorable.
    public var deleted: Bool = false
    /// Mailing/e-mail date.
    public var date: String?
    public var from: String?
    public var to: [String] = []
    public var cc: [String] = []
    /// Read-only bookkeeping, filled by the store.
    public var createdAt: String?
    public var updatedAt: String?
    public var changeSeq: Int64?

    /// Creates an activity in its type's initial status.
    public init(id: String, type: ActivityType, subject: String, owner: String, status: String? = nil) {
        self.id = id
        self.type = type
        self.subject = subject
        self.owner = owner
        self.status = status ?? type.initialStatus
    }

    /// The employee whose mailbox the activity lives in: organizer (appointment, call) or assignee
    /// (task), else the owner.
    public var mailboxEmployee: String {
        switch type {
        case .task: return assignedTo ?? owner
        default: return organizer ?? owner
        }
    }
}

extension Activity {
    /// The activity without the store's bookkeeping (created/updated times, change number): two writes
    /// with equal content are one, and the second takes no change number.
    public var content: Activity {
        var copy = self
        copy.createdAt = nil
        copy.updatedAt = nil
        copy.changeSeq = nil
        return copy
    }
}
