/// The five kinds of CRM activity.
public enum ActivityType: String, Codable, Sendable, CaseIterable {
    case appointment
    case call
    case task
    case mailing
    case email

    /// Statuses valid for the type; the first is the initial one.
    public var statuses: [String] {
        switch self {
        case .appointment, .call: return ["planned", "held", "not_held"]
        case .task: return ["not_started", "in_process", "deferred", "completed", "waiting_on_someone_else"]
        case .mailing: return ["completed"]
        case .email: return ["draft", "sent", "received"]
        }
    }

    /// The status a new activity of this type starts in.
    public var initialStatus: String { statuses[0] }

    /// Whether activities of this type can be synchronised with Exchange at all.
    public var isSynchronisable: Bool { self == .appointment || self == .call || self == .task }

    /// Whether the type carries attendees.
    public var hasAttendees: Bool { self == .appointment || self == .call }
}

/// Low, normal or high.
public enum Priority: String, Codable, Sendable, CaseIterable {
    case low
    case normal
    case high
}

/// Who may see the activity's details.
public enum Sensitivity: String, Codable, Sendable, CaseIterable {
    case normal
    case `private`
    case confidential
}

/// How an appointment shows in the calendar.
public enum ShowAs: String, Codable, Sendable, CaseIterable {
    case free
    case tentative
    case busy
    case oof
}

/// How an attendee takes part.
public enum Attendance: String, Codable, Sendable, CaseIterable {
    case required
    case optional
    case resource
    case organizer
}

/// An attendee's answer.
public enum AttendeeResponse: String, Codable, Sendable, CaseIterable {
    case accepted
    case tentative
    case declined
    case none
}

/// Where an activity came from.
public enum ActivityOrigin: String, Codable, Sendable, CaseIterable {
    case manual
    case template
    case followUp = "follow_up"
    case exchange
}
