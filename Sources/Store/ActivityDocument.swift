import ActivityModel
import Bounds
import Foundation

/// The `doc` column: an activity as compact JSON (only fields that differ from their defaults), written
/// by hand because Foundation's JSONEncoder cost half of the time of a bulk import. It is read back with
/// the ordinary `Decodable` conformance, which fills in the defaults.
package enum ActivityDocument {
    package static func encode(_ a: Activity) -> String {
        var out = "{"
        var first = true
        func key(_ name: String) {
            if !first { out += "," }
            first = false
            out += "\""
            out += name
            out += "\":"
        }
        func string(_ name: String, _ value: String?) {
            guard let value else { return }
            key(name)
            appendQuoted(value, to: &out)
        }
        func strings(_ name: String, _ values: [String]) {
            guard !values.isEmpty else { return }
            key(name)
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                appendQuoted(value, to: &out)
            }
            out += "]"
        }
        string("id", a.id)
        string("type", a.type.rawValue)
        string("subject", a.subject)
        string("status", a.status)
        string("owner", a.owner)
        if a.priority != .normal { string("priority", a.priority.rawValue) }
        if a.sensitivity != .normal { string("sensitivity", a.sensitivity.rawValue) }
        string("information", a.information)
        string("partner", a.partner)
        string("contact", a.contact)
        string("opportunity", a.opportunity)
        string("linked_activity", a.linkedActivity)
        string("assigned_to", a.assignedTo)
        string("organizer", a.organizer)
        string("start", a.start)
        string("end", a.end)
        string("due", a.due)
        if a.allDay {
            key("all_day")
            out += "true"
        }
        if let minutes = a.durationMinutes {
            key("duration_minutes")
            out += String(minutes)
        }
        string("direction", a.direction)
        string("location", a.location)
        string("show_as", a.showAs?.rawValue)
        if let minutes = a.reminderMinutes {
            key("reminder_minutes")
            out += String(minutes)
        }
        if let percent = a.percentComplete {
            key("percent_complete")
            out += Bounded.text(percent)
        }
        if !a.attendees.isEmpty {
            key("attendees")
            out += "["
            for (index, attendee) in a.attendees.enumerated() {
                if index > 0 { out += "," }
                out += "{\"email\":"
                appendQuoted(attendee.email, to: &out)
                if let name = attendee.name {
                    out += ",\"name\":"
                    appendQuoted(name, to: &out)
                }
                out += ",\"attendance\":\"\(attendee.attendance.rawValue)\",\"invite\":\(attendee.invite)"
                out += ",\"response\":\"\(attendee.response.rawValue)\"}"
            }
            out += "]"
        }
        if !a.synchronize {
            key("synchronize")
            out += "false"
        }
        if a.origin != .manual { string("origin", a.origin.rawValue) }
        string("template", a.template)
        string("date", a.date)
        string("from", a.from)
        strings("to", a.to)
        strings("cc", a.cc)
        return out + "}"
    }

    /// JSON string escaping (RFC 8259): quotes, backslashes and control characters.
    static func appendQuoted(_ value: String, to out: inout String) {
        out += "\""
        // Most texts need no escaping: append them whole.
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out += value
            out += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// The activity a `doc` holds: read by hand (`StoreJSON`) where it has the shape `encode` writes, else by the
    /// `Decodable` conformance, which both must agree with (`ActivityDocumentTests`).
    static func decode(_ doc: String) throws -> Activity {
        if let activity = fastDecode(doc) { return activity }
        return try JSONDecoder().decode(Activity.self, from: Data(doc.utf8))
    }

    /// What `Activity.init(from:)` reads, the same defaults filled in; nil for anything else (a member of another
    /// type, an unknown enumeration value, a repeated key): the `Decodable` path then decides.
    package static func fastDecode(_ doc: String) -> Activity? {
        guard let values = StoreJSON.object(doc),
            case .text(let id)? = values["id"], case .text(let typeName)? = values["type"],
            let type = ActivityType(rawValue: typeName), case .text(let subject)? = values["subject"],
            case .text(let owner)? = values["owner"], let status = values.string("status"),
            let priority = values.string("priority"), let sensitivity = values.string("sensitivity"),
            let information = values.string("information"), let partner = values.string("partner"),
            let contact = values.string("contact"), let opportunity = values.string("opportunity"),
            let linkedActivity = values.string("linked_activity"), let assignedTo = values.string("assigned_to"),
            let organizer = values.string("organizer"), let start = values.string("start"),
            let end = values.string("end"), let due = values.string("due"), let allDay = values.flag("all_day"),
            let durationMinutes = values.integer("duration_minutes"), let direction = values.string("direction"),
            let location = values.string("location"), let showAs = values.string("show_as"),
            let reminderMinutes = values.integer("reminder_minutes"),
            let percentComplete = values.double("percent_complete"), let synchronize = values.flag("synchronize"),
            let origin = values.string("origin"), let template = values.string("template"),
            let deleted = values.flag("deleted"), let date = values.string("date"), let from = values.string("from"),
            let to = values.texts("to"), let cc = values.texts("cc"), let attendees = attendees(values["attendees"])
        else { return nil }
        var activity = Activity(id: id, type: type, subject: subject, owner: owner, status: status)
        guard let priority = Priority(rawValue: priority ?? "normal"),
            let sensitivity = Sensitivity(rawValue: sensitivity ?? "normal"),
            let origin = ActivityOrigin(rawValue: origin ?? "manual")
        else { return nil }
        activity.priority = priority
        activity.sensitivity = sensitivity
        if let showAs {
            guard let value = ShowAs(rawValue: showAs) else { return nil }
            activity.showAs = value
        }
        activity.information = information
        activity.partner = partner
        activity.contact = contact
        activity.opportunity = opportunity
        activity.linkedActivity = linkedActivity
        activity.assignedTo = assignedTo
        activity.organizer = organizer
        activity.start = start
        activity.end = end
        activity.due = due
        activity.allDay = allDay ?? false
        activity.durationMinutes = durationMinutes
        activity.direction = direction
        activity.location = location
        activity.reminderMinutes = reminderMinutes
        activity.percentComplete = percentComplete
        activity.attendees = attendees
        activity.synchronize = synchronize ?? true
        activity.origin = origin
        activity.template = template
        activity.deleted = deleted ?? false
        activity.date = date
        activity.from = from
        activity.to = to
        activity.cc = cc
        return activity
    }

    /// The attendees as `Attendee.init(from:)` reads them (absent or null: none).
    private static func attendees(_ value: StoreJSON.Value?) -> [Attendee]? {
        switch value {
        case nil, .null?: return []
        case .list(let items)?:
            var attendees: [Attendee] = []
            for item in items {
                guard case .object(let values) = item, case .text(let email)? = values["email"],
                    let name = values.string("name"), let attendance = values.string("attendance"),
                    let invite = values.flag("invite"), let response = values.string("response"),
                    let attendanceValue = Attendance(rawValue: attendance ?? "required"),
                    let responseValue = AttendeeResponse(rawValue: response ?? "none")
                else { return nil }
                attendees.append(
                    Attendee(
                        email: email,
                        name: name,
                        attendance: attendanceValue,
                        invite: invite ?? true,
                        response: responseValue
                    )
                )
            }
            return attendees
        default: return nil
        }
    }
}
