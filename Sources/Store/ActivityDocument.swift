import ActivityModel
import Bounds
import Foundation

/// The `doc` column: an activity as compact JSON (only fields that differ from their defaults), written
/// by hand because Foundation's JSONEncoder cost half of the time of a bulk import. It is read back with
/// the ordinary `Decodable` conformance, which fills in the defaults.
enum ActivityDocument {
    static func encode(_ a: Activity) -> String {
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

    static func decode(_ doc: String) throws -> Activity {
        try JSONDecoder().decode(Activity.self, from: Data(doc.utf8))
    }
}
