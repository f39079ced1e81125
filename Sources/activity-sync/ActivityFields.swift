import ActivityModel
import ArgumentParser

extension ActivityType: ExpressibleByArgument {}
extension Priority: ExpressibleByArgument {}
extension Sensitivity: ExpressibleByArgument {}
extension ShowAs: ExpressibleByArgument {}

/// One option per activity field, named as the JSON field with dashes; shared by add, update and
/// follow-up. On update an empty value (`--partner ""`) clears the field.
struct ActivityFields: ParsableArguments {
    @Option(help: "What it is about; Outlook's subject.") var subject: String?
    @Option(
        help:
            "Appointments and calls: planned, held, not_held; tasks: not_started, in_process, deferred, completed, waiting_on_someone_else; e-mails: draft, sent, received."
    ) var status: String?
    @Option(help: "How urgent (Outlook's importance).") var priority: Priority?
    @Option(help: "private and confidential items show as such to Outlook delegates, and plans mask their subjects.")
    var sensitivity: Sensitivity?
    @Option(help: "Free text; Outlook's body (empty clears it).") var information: String?
    @Option(help: "Business partner id (empty clears it).") var partner: String?
    @Option(help: "Contact id (empty clears it).") var contact: String?
    @Option(help: "Opportunity id (empty clears it).") var opportunity: String?
    @Option(name: .customLong("linked-activity"), help: "Another activity's id this one belongs to.")
    var linkedActivity: String?
    @Option(name: .customLong("assigned-to"), help: "Task assignee (employee id); the task goes to their mailbox.")
    var assignedTo: String?
    @Option(help: "Appointment/call organizer (employee id).") var organizer: String?
    @Option(help: "RFC 3339 with a zone (2026-12-03T09:00:00+01:00), or a date for all-day appointments.") var start:
        String?
    @Option(help: "End, as --start (after the start).") var end: String?
    @Option(help: "Task due time, RFC 3339 with a zone.") var due: String?
    @Flag(name: .customLong("all-day"), inversion: .prefixedNo, help: "An all-day appointment (dates, no times).")
    var allDay: Bool?
    @Option(name: .customLong("duration-minutes"), help: "A call's length.") var durationMinutes: Int?
    @Option(help: "incoming/outgoing (calls), inbound/outbound (e-mails).") var direction: String?
    @Option(help: "Where an appointment takes place.") var location: String?
    @Option(name: .customLong("show-as"), help: "How the appointment shows in the calendar.") var showAs: ShowAs?
    @Option(name: .customLong("reminder-minutes"), help: "Reminder this many minutes before the start or due time.")
    var reminderMinutes: Int?
    @Option(name: .customLong("percent-complete"), help: "A task's progress, 0 to 100.") var percentComplete: Double?
    @Option(name: .customLong("attendee"), help: "EMAIL[:required|optional|resource], repeated; replaces the list.")
    var attendees: [String] = []
    @Flag(name: .customLong("synchronize"), inversion: .prefixedNo, help: "Keep in step with Exchange (default on).")
    var synchronize: Bool?
    @Option(help: "Mailing/e-mail date, RFC 3339 with a zone.") var date: String?
    @Option(help: "E-mail sender address.") var from: String?
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
