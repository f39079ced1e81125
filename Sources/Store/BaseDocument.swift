import ActivityModel
import SyncPlanning

/// Reads a link's base (`links.base`: a flat JSON object, `Store.encodeBase`'s or the JSONEncoder form before it)
/// without `JSONDecoder`, which was a tenth of a bulk first sync's CPU: every pass reads every link of its mailbox.
/// Anything it does not expect — another shape, a damaged text — is nil, and the caller falls back to
/// `JSONDecoder` (whose own failure reads as an empty base).
package enum BaseDocument {
    package static func decode(_ text: String) -> SyncFields? {
        guard let values = StoreJSON.object(text) else { return nil }
        guard case .text(let subject)? = values["subject"], case .text(let status)? = values["status"],
            let information = values.string("information"), let start = values.string("start"),
            let end = values.string("end"), let due = values.string("due"), let location = values.string("location"),
            let priority = values.string("priority"), let sensitivity = values.string("sensitivity"),
            let showAs = values.string("showAs"), let reminderMinutes = values.integer("reminderMinutes"),
            let reminderDueBy = values.integer("reminderDueBy"), let percent = values.double("percentComplete"),
            let allDay = values.flag("allDay"), let attendees = values.texts("attendees")
        else { return nil }
        guard let priorityValue = Priority(rawValue: priority ?? "normal"),
            let sensitivityValue = Sensitivity(rawValue: sensitivity ?? "normal")
        else { return nil }
        let show = showAs.map { ShowAs(rawValue: $0) }
        if case .some(.none) = show { return nil }
        return SyncFields(
            subject: subject,
            information: information,
            priority: priorityValue,
            sensitivity: sensitivityValue,
            status: status,
            percentComplete: percent,
            start: start,
            end: end,
            due: due,
            allDay: allDay ?? false,
            location: location,
            showAs: show ?? nil,
            reminderMinutes: reminderMinutes,
            reminderDueBy: reminderDueBy,
            attendees: attendees
        )
    }
}
