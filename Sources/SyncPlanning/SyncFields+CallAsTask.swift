import ActivityModel
import Foundation

/// A call kept as an Outlook or To Do task (`sync.calls_as: task`). A task keeps a due date, a status and a
/// reminder, not a time of day, a duration, a place or attendees: the call is compared in the form the task
/// keeps — due on the call's day, held as completed, not held as deferred — and what the task cannot hold (its
/// start time and duration, named in the body's `CRM:` line) is read back from the base, never taken for a
/// change or written back as one.
extension SyncFields {
    /// The task status Outlook shows for each status of a call.
    public static let callTaskStatus: [String: String] = [
        "planned": "not_started", "held": "completed", "not_held": "deferred",
    ]

    /// A call's values as a task keeps them. `start` and `end` hold the call's instants (no task holds them, so a
    /// change of the time within the day is the CRM's own and rewrites the line).
    public init(call a: Activity, zone: TimeZone) {
        let whole = SyncFields(activity: a, zone: zone)
        self.init(
            subject: whole.subject,
            information: whole.information,
            priority: whole.priority,
            sensitivity: whole.sensitivity,
            status: a.status,
            start: whole.start,
            end: whole.end,
            due: a.start.flatMap { Self.date(of: $0, in: zone) },
            reminderDueBy: Self.taskReminder(minutes: a.reminderMinutes, due: a.start, zone: zone)
        )
    }

    /// The values of an activity as kept in an item of `kind`: a call as a task in the form above, everything else
    /// as `init(activity:zone:)`.
    public init(activity a: Activity, zone: TimeZone, kind: ItemKind) {
        if a.type == .call && kind == .task {
            self.init(call: a, zone: zone)
        } else {
            self.init(activity: a, zone: zone)
        }
    }

    /// A task's values read in the terms of the call it keeps (`carrying`: the base, else the CRM's values): its
    /// status as the call's (completed is held, deferred not held, any other planned), its start on the due date at
    /// the carried time of day (and its end as long after), and what a task does not hold taken from `carrying`.
    public func asCall(carrying: SyncFields, zone: TimeZone) -> SyncFields {
        var call = carrying
        if let due, due != carrying.due, let start = carrying.start,
            let moved = Self.instant(onDate: due, keepingTimeOf: start, in: zone)
        {
            call.start = moved
            if let end = carrying.end, let from = CRMTime.parse(start).value?.instant,
                let to = CRMTime.parse(end).value?.instant, let new = CRMTime.parse(moved).value?.instant
            {
                call.end = CRMTime.format(new.addingTimeInterval(to.timeIntervalSince(from)))
            }
        }
        call.subject = subject
        call.information = information
        call.priority = priority
        call.sensitivity = sensitivity
        call.status = status == "completed" ? "held" : status == "deferred" ? "not_held" : "planned"
        call.due = due
        call.reminderDueBy = reminderDueBy
        return call
    }

    /// Writes a task's values into the call it keeps: a new due date moves the call to that day at its time, a new
    /// status or reminder is the call's; the duration, place and attendees stay the CRM's. A due date taken off
    /// leaves the call where it is (a call needs a start: the date is written back).
    public func apply(toCall a: inout Activity, zone: TimeZone) {
        var generic = a
        apply(to: &generic, zone: zone)
        a.subject = generic.subject
        a.information = generic.information
        a.priority = generic.priority
        a.sensitivity = generic.sensitivity
        let held = SyncFields(call: a, zone: zone)
        if held.status != status, a.type.statuses.contains(status) { a.status = status }
        if let due, held.due != due { a.start = Self.instant(onDate: due, keepingTimeOf: a.start, in: zone) }
        if held.reminderDueBy != reminderDueBy {
            if let reminder = reminderDueBy, let start = a.start, let into = Self.minutesIntoDay(start, zone: zone) {
                // (A reminder after the call's start, on its day, rings at the start: the call does not move.)
                a.reminderMinutes = max(0, reminder + into)
            } else {
                a.reminderMinutes = nil
            }
        }
    }

    /// Writes the values into an activity kept in an item of `kind`.
    public func apply(to a: inout Activity, zone: TimeZone, kind: ItemKind) {
        if a.type == .call && kind == .task { apply(toCall: &a, zone: zone) } else { apply(to: &a, zone: zone) }
    }
}

extension Result {
    fileprivate var value: Success? { try? get() }
}
