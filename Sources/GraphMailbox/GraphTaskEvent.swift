import ActivityModel
import EWS
import EWSMailbox
import Foundation
import SyncEngine
import SyncPlanning

/// A task (or a call kept as one) as an event of the primary calendar (`graph.tasks: calendar`, for a tenant that
/// will not grant To Do's `Tasks.ReadWrite.All`): an all-day event on its due date, shown as free, marked
/// `ActivityKind = task` beside the identity. What maps both ways: subject, text, priority, sensitivity, and the
/// due date — the event's day (an event a user made timed is due on its start's date). What the CRM keeps: the
/// status and percentage, named in our line (`CRM: … · Task: in progress, 40 %`), and the reminder, which rings at
/// the day's start or the minutes before it the task says (an event has no reminder after its start) — neither read
/// back (`unkept`). A task without a due date has no day: it is refused, named.
enum GraphTaskEvent {
    static let marker = " · Task: "
    static let refusedWithoutDue =
        "a task without a due date has no day in the calendar (graph.tasks: calendar): give it one in the CRM"

    static let words = [
        "not_started": "not started", "in_process": "in progress", "deferred": "deferred",
        "waiting_on_someone_else": "waiting on someone else", "completed": "completed", "planned": "planned",
        "held": "held", "not_held": "not held",
    ]

    /// The status as our line names it.
    static func statusLine(_ fields: SyncFields) -> String {
        var text = words[fields.status] ?? fields.status
        if let percent = fields.percentComplete, percent > 0, percent < 100 { text += ", \(Int(percent)) %" }
        return "Task: " + text
    }

    /// The event values for a task's (nil: no due date): `ItemMapping`'s all-day appointment on the due date, shown
    /// as free, reminding at the day's start or the minutes before it, marked as a task.
    static func item(_ fields: SyncFields, activityId: String, line: String?, mapping: ItemMapping) -> EWSItem? {
        guard let due = fields.due else { return nil }
        let day = SyncFields(
            subject: fields.subject,
            information: fields.information,
            priority: fields.priority,
            sensitivity: fields.sensitivity,
            status: "planned",
            start: due,
            end: due,
            allDay: true,
            showAs: .free,
            reminderMinutes: fields.reminderDueBy.map { max(0, $0) }
        )
        let ours = [line, statusLine(fields)].compactMap { $0 }.joined(separator: " · ")
        var item = mapping.item(kind: .calendarItem, activityId: activityId, fields: day, crmLine: ours)
        guard item.start != nil else { return nil }
        item.extendedProperties[GraphEvent.activityKind] = "task"
        return item
    }

    /// Whether an event keeps a task of this instance.
    static func keepsTask(_ item: EWSItem, mapping: ItemMapping) -> Bool {
        item.extendedProperties[GraphEvent.activityKind] == "task" && mapping.identity(of: item) != nil
    }

    /// A task's values from its event: what the CRM keeps holds placeholders (`unkept`).
    static func fields(of item: EWSItem, mapping: ItemMapping) -> SyncFields {
        let event = mapping.fields(of: item, carrying: nil)
        var due: String?
        if let start = item.start {
            let instant = item.isAllDayEvent == true ? start.addingTimeInterval(43_200) : start
            due = SyncFields.date(of: CRMTime.format(instant), in: mapping.zone)
        }
        return SyncFields(
            subject: event.subject,
            information: event.information,
            priority: event.priority,
            sensitivity: event.sensitivity,
            status: "not_started",
            percentComplete: 0,
            due: due
        )
    }

    static let unkept: Set<SyncFields.Field> = [.status, .percentComplete, .reminderDueBy]

    /// Our line without the status we add (the engine's line is the references').
    static func lineWithoutStatus(_ line: String) -> String? {
        if line.hasPrefix("Task: ") { return nil }
        return line.range(of: marker).map { String(line[..<$0.lowerBound]) } ?? line
    }
}
