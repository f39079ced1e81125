import ActivityModel
import ArgumentParser

extension ActivityType: ExpressibleByArgument {}
extension Priority: ExpressibleByArgument {}
extension Sensitivity: ExpressibleByArgument {}
extension ShowAs: ExpressibleByArgument {}

/// One option per activity field, named as the JSON field with dashes; shared by add, update and
/// follow-up. On update an empty value (`--partner ""`) clears the field.
struct ActivityFields: ParsableArguments {
    @Option var subject: String?
    @Option var status: String?
    @Option var priority: Priority?
    @Option var sensitivity: Sensitivity?
    @Option var information: String?
    @Option var partner: String?
    @Option var contact: String?
    @Option var opportunity: String?
    @Option(name: .customLong("linked-activity")) var linkedActivity: String?
    @Option(help: "Owner (employee id).") var owner: String?
    @Option(name: .customLong("assigned-to"), help: "Task assignee (employee id).") var assignedTo: String?
    @Option(help: "Appointment/call organizer (employee id).") var organizer: String?
    @Option(help: "RFC 3339 with a zone (2026-12-03T09:00:00+01:00), or a date for all-day appointments.") var start:
        String?
    @Option var end: String?
    @Option(help: "Task due time, RFC 3339 with a zone.") var due: String?
    @Flag(name: .customLong("all-day"), inversion: .prefixedNo) var allDay: Bool?
    @Option(name: .customLong("duration-minutes")) var durationMinutes: Int?
    @Option(help: "incoming/outgoing (calls), inbound/outbound (e-mails).") var direction: String?
    @Option var location: String?
    @Option(name: .customLong("show-as")) var showAs: ShowAs?
    @Option(name: .customLong("reminder-minutes")) var reminderMinutes: Int?
    @Option(name: .customLong("percent-complete")) var percentComplete: Double?
    @Option(name: .customLong("attendee"), help: "EMAIL[:required|optional|resource], repeated; replaces the list.")
    var attendees: [String] = []
    @Flag(name: .customLong("synchronize"), inversion: .prefixedNo, help: "Keep in step with Exchange (default on).")
    var synchronize: Bool?
    @Option(help: "Mailing/e-mail date, RFC 3339 with a zone.") var date: String?
    @Option var from: String?
    @Option(name: .customLong("to"), help: "E-mail recipient, repeated.") var to: [String] = []
    @Option(name: .customLong("cc"), help: "E-mail copy recipient, repeated.") var cc: [String] = []

    /// Applies every option given to the activity.
    func apply(to a: inout Activity) throws {
        if let subject { a.subject = subject }
        if let status { a.status = status }
        if let priority { a.priority = priority }
        if let sensitivity { a.sensitivity = sensitivity }
        a.information = CLI.optional(information, current: a.information)
        a.partner = CLI.optional(partner, current: a.partner)
        a.contact = CLI.optional(contact, current: a.contact)
        a.opportunity = CLI.optional(opportunity, current: a.opportunity)
        a.linkedActivity = CLI.optional(linkedActivity, current: a.linkedActivity)
        if let owner { a.owner = owner }
        a.assignedTo = CLI.optional(assignedTo, current: a.assignedTo)
        a.organizer = CLI.optional(organizer, current: a.organizer)
        a.start = CLI.optional(start, current: a.start)
        a.end = CLI.optional(end, current: a.end)
        a.due = CLI.optional(due, current: a.due)
        if let allDay { a.allDay = allDay }
        if let durationMinutes { a.durationMinutes = durationMinutes }
        a.direction = CLI.optional(direction, current: a.direction)
        a.location = CLI.optional(location, current: a.location)
        if let showAs { a.showAs = showAs }
        if let reminderMinutes { a.reminderMinutes = reminderMinutes }
        if let percentComplete { a.percentComplete = percentComplete }
        if !attendees.isEmpty { a.attendees = try attendees.map(Self.attendee) }
        if let synchronize { a.synchronize = synchronize }
        a.date = CLI.optional(date, current: a.date)
        a.from = CLI.optional(from, current: a.from)
        if !to.isEmpty { a.to = to }
        if !cc.isEmpty { a.cc = cc }
    }

    static func attendee(_ text: String) throws -> Attendee {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard let email = parts.first, !email.isEmpty else {
            throw ValidationError("--attendee '\(text)': needs an e-mail address")
        }
        guard parts.count == 2 else { return Attendee(email: email) }
        guard let attendance = Attendance(rawValue: parts[1]), attendance != .organizer else {
            throw ValidationError("--attendee '\(text)': attendance is required, optional or resource")
        }
        return Attendee(email: email, attendance: attendance)
    }
}
