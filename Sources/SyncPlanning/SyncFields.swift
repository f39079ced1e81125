import ActivityModel
import Bounds
import Foundation

/// The values of one linked pair that are kept in step, in a form both sides map to and from, so the
/// planner compares values, never wire formats. Times are canonical text (UTC `Z`, or dates for all-day
/// and for task due dates, which Outlook keeps as dates only).
public struct SyncFields: Sendable, Equatable, Codable {
    public var subject: String
    public var information: String?
    public var priority: Priority
    public var sensitivity: Sensitivity
    public var status: String
    public var percentComplete: Double?
    public var start: String?
    public var end: String?
    public var due: String?
    public var allDay: Bool
    public var location: String?
    public var showAs: ShowAs?
    /// An appointment's or call's reminder (`ReminderMinutesBeforeStart`); nil on tasks, whose reminder is
    /// `reminderDueBy`.
    public var reminderMinutes: Int?
    /// A task's reminder as Exchange keeps it (`ReminderDueBy`, an instant): minutes before the start of the
    /// due day in the owner's zone, negative on the day itself (15:45 on the due day is -945). Outlook keeps
    /// no due time, so only this form round-trips; the CRM's minutes before its due instant are converted
    /// with that instant's time of day (`SyncFields(activity:zone:)`, `apply(to:zone:)`). Nil without a
    /// reminder or without a due date (the CRM's reminder of a task without one is not synced).
    public var reminderDueBy: Int?
    /// Attendees as `email`, `email;optional` or `email;resource`, lower-cased and sorted: how someone
    /// takes part is part of the value (moving a colleague to optional is a change like any other).
    /// Responses are Exchange's and not merged.
    public var attendees: [String]

    /// Creates field values.
    public init(
        subject: String,
        information: String? = nil,
        priority: Priority = .normal,
        sensitivity: Sensitivity = .normal,
        status: String,
        percentComplete: Double? = nil,
        start: String? = nil,
        end: String? = nil,
        due: String? = nil,
        allDay: Bool = false,
        location: String? = nil,
        showAs: ShowAs? = nil,
        reminderMinutes: Int? = nil,
        reminderDueBy: Int? = nil,
        attendees: [String] = []
    ) {
        self.subject = subject
        self.information = information
        self.priority = priority
        self.sensitivity = sensitivity
        self.status = status
        self.percentComplete = percentComplete
        self.start = start
        self.end = end
        self.due = due
        self.allDay = allDay
        self.location = location
        self.showAs = showAs
        self.reminderMinutes = reminderMinutes
        self.reminderDueBy = reminderDueBy
        self.attendees = attendees.map { $0.lowercased() }.sorted()
    }

    /// The fields, by their CRM (JSON) names, for merging one at a time.
    public enum Field: String, Sendable, CaseIterable, Codable, Comparable {
        case subject, information, priority, sensitivity, status
        case percentComplete = "percent_complete"
        case start, end, due
        case allDay = "all_day"
        case location
        case showAs = "show_as"
        case reminderMinutes = "reminder_minutes"
        case reminderDueBy = "reminder_due_by"
        case attendees

        public static func < (a: Field, b: Field) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    /// A field's value as text, for conflict records and the audit log.
    public func text(_ field: Field) -> String? {
        switch field {
        case .subject: return subject
        case .information: return information
        case .priority: return priority.rawValue
        case .sensitivity: return sensitivity.rawValue
        case .status: return status
        case .percentComplete: return percentComplete.map(Bounded.text)
        case .start: return start
        case .end: return end
        case .due: return due
        case .allDay: return String(allDay)
        case .location: return location
        case .showAs: return showAs?.rawValue
        case .reminderMinutes: return reminderMinutes.map(String.init)
        case .reminderDueBy: return reminderDueBy.map(String.init)
        case .attendees: return attendees.joined(separator: ", ")
        }
    }

    /// Copies one field's value from another value set.
    public mutating func take(_ field: Field, from other: SyncFields) {
        switch field {
        case .subject: subject = other.subject
        case .information: information = other.information
        case .priority: priority = other.priority
        case .sensitivity: sensitivity = other.sensitivity
        case .status: status = other.status
        case .percentComplete: percentComplete = other.percentComplete
        case .start: start = other.start
        case .end: end = other.end
        case .due: due = other.due
        case .allDay: allDay = other.allDay
        case .location: location = other.location
        case .showAs: showAs = other.showAs
        case .reminderMinutes: reminderMinutes = other.reminderMinutes
        case .reminderDueBy: reminderDueBy = other.reminderDueBy
        case .attendees: attendees = other.attendees
        }
    }

    /// The fields whose values differ.
    public func changedFields(from other: SyncFields) -> [Field] {
        Field.allCases.filter { text($0) != other.text($0) }
    }
}

extension SyncFields {
    /// Sets a field from its text form (as `text(_:)` writes it); false when the text is not a value of
    /// that field. Used to resolve a recorded conflict by hand.
    public mutating func setText(_ field: Field, _ value: String?) -> Bool {
        switch field {
        case .subject: subject = value ?? ""
        case .information: information = value
        case .location: location = value
        case .status:
            guard let value else { return false }
            status = value
        case .priority:
            guard let parsed = value.flatMap(Priority.init(rawValue:)) else { return false }
            priority = parsed
        case .sensitivity:
            guard let parsed = value.flatMap(Sensitivity.init(rawValue:)) else { return false }
            sensitivity = parsed
        case .percentComplete:
            guard value == nil || Double(value!) != nil else { return false }
            percentComplete = value.flatMap(Double.init)
        case .start: start = value
        case .end: end = value
        case .due: due = value
        case .allDay:
            guard let value, let parsed = Bool(value) else { return false }
            allDay = parsed
        case .showAs:
            guard value == nil || ShowAs(rawValue: value!) != nil else { return false }
            showAs = value.flatMap(ShowAs.init(rawValue:))
        case .reminderMinutes:
            guard value == nil || Int(value!) != nil else { return false }
            reminderMinutes = value.flatMap(Int.init)
        case .reminderDueBy:
            // (-1499: the last minute of a 25-hour due day; the exact bound needs the day, which comes later.)
            guard value == nil || Int(value!).map((-1499...Self.taskReminderMostMinutes).contains) == true else {
                return false
            }
            reminderDueBy = value.flatMap(Int.init)
        case .attendees:
            attendees = (value ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                .filter { !$0.isEmpty }.sorted()
        }
        return true
    }
}

extension SyncFields {
    /// The synced value of one attendee: required (and the organizer) plain, the others with their kind.
    public static func attendeeEntry(_ email: String, _ attendance: Attendance) -> String {
        switch attendance {
        case .required, .organizer: return email.lowercased()
        case .optional, .resource: return email.lowercased() + ";" + attendance.rawValue
        }
    }

    /// E-mail and attendance of a synced attendee value (plain: required).
    public static func attendee(_ entry: String) -> (email: String, attendance: Attendance) {
        let parts = entry.split(separator: ";", maxSplits: 1).map(String.init)
        let attendance = parts.count == 2 ? Attendance(rawValue: parts[1]) ?? .required : .required
        return (parts.first ?? entry, attendance)
    }
}

extension SyncFields {
    /// SPEC §3's base rule: per field, the value both sides are confirmed to hold; a field on which they
    /// differ keeps its previous base (without one: Exchange's value, so the CRM's differing value reads as
    /// the CRM's change next pass and is sent again rather than lost).
    public static func confirmedBase(previous: SyncFields?, crm: SyncFields, exchange: SyncFields) -> SyncFields {
        var base = previous ?? exchange
        for field in Field.allCases where crm.text(field) == exchange.text(field) { base.take(field, from: crm) }
        return base
    }
}
