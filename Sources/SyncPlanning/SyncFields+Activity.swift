import ActivityModel
import Foundation

extension SyncFields {
    /// The values of a CRM activity as they are kept in step with Exchange. A task's due time counts by
    /// its date in the owner's zone (Outlook keeps task dates only, so an unchanged date never counts as
    /// a change); a call's end is its start plus its duration.
    public init(activity a: Activity, zone: TimeZone) {
        var end = a.end
        if a.type == .call, let start = a.start, let minutes = a.durationMinutes,
            let instant = CRMTime.parse(start).value?.instant
        {
            end = CRMTime.format(instant.addingTimeInterval(Double(minutes) * 60))
        }
        self.init(
            subject: a.subject,
            // (Compared with LF line ends: Exchange's text bodies come back either way.)
            information: a.information.map(Self.lineFeeds),
            priority: a.priority,
            sensitivity: a.sensitivity,
            status: a.type == .task && Self.completed(a) ? "completed" : a.status,
            percentComplete: a.type == .task ? (Self.completed(a) ? 100 : a.percentComplete ?? 0) : nil,
            start: a.type == .task ? nil : a.start,
            end: a.type == .task ? nil : end,
            due: a.type == .task ? a.due.flatMap { Self.date(of: $0, in: zone) } : nil,
            allDay: a.type == .appointment && a.allDay,
            // (A task keeps no place and no free/busy: the CRM's own, never compared, so an Outlook edit of the task
            // does not read as them taken off.)
            location: a.type == .task ? nil : a.location,
            // An appointment or call without show-as shows as busy in Outlook: compare it as busy.
            showAs: a.type == .task ? nil : a.type.hasAttendees ? (a.showAs ?? .busy) : a.showAs,
            reminderMinutes: a.type == .task ? nil : a.reminderMinutes,
            reminderDueBy: a.type == .task
                ? Self.taskReminder(minutes: a.reminderMinutes, due: a.due, zone: zone) : nil,
            attendees: a.type.hasAttendees
                ? a.attendees.filter { !Self.withheld($0) }.map { Self.attendeeEntry($0.email, $0.attendance) } : []
        )
    }

    /// Writes the values into the activity. A due date that did not change keeps the activity's time of
    /// day; a new one gets the old time of day (or the start of the day) in the owner's zone. New
    /// attendees come in invited, with the attendance Exchange has; existing ones keep their other details
    /// (the organizer stays the organizer).
    public func apply(to a: inout Activity, zone: TimeZone) {
        a.subject = subject
        // (The CRM's own text stays as it was written, CRLF included, unless it changed.)
        if a.information.map(Self.lineFeeds) != information { a.information = information }
        a.priority = priority
        a.sensitivity = sensitivity
        // (Status and percent as Exchange keeps them: written only when that form changed, so a value Exchange
        // coerced — completed at 30 % reads back at 100 % — never rewrites the CRM's own.)
        let held = SyncFields(activity: a, zone: zone)
        if a.type.statuses.contains(status) && held.status != status { a.status = status }
        if a.type == .task {
            if held.percentComplete != percentComplete { a.percentComplete = percentComplete }
            if let due {
                if a.due.flatMap({ Self.date(of: $0, in: zone) }) != due {
                    a.due = Self.instant(onDate: due, keepingTimeOf: a.due, in: zone)
                }
            } else {
                a.due = nil
            }
        } else {
            a.start = start
            if a.type == .call, let start, let end, let s = CRMTime.parse(start).value?.instant,
                let e = CRMTime.parse(end).value?.instant
            {
                a.durationMinutes = max(0, Int((e.timeIntervalSince(s) / 60).rounded()))
            } else {
                a.end = end
            }
            a.allDay = a.type == .appointment && allDay
        }
        if a.type != .task {
            a.location = location
            if !(a.showAs == nil && showAs == .busy) { a.showAs = showAs }  // busy is the unset default
        }
        if a.type == .task { applyTaskReminder(to: &a, zone: zone) } else { a.reminderMinutes = reminderMinutes }
        if a.type.hasAttendees {
            let existing = Dictionary(a.attendees.map { ($0.email.lowercased(), $0) }, uniquingKeysWith: { x, _ in x })
            // (The CRM's withheld attendees are not on the item: they stay as they are, and are never added twice.)
            let withheld = a.attendees.filter(Self.withheld)
            let kept = Set(withheld.map { $0.email.lowercased() })
            a.attendees =
                withheld
                + attendees.compactMap { entry in
                    let (email, attendance) = Self.attendee(entry)
                    if kept.contains(email) { return nil }
                    guard var attendee = existing[email] else { return Attendee(email: email, attendance: attendance) }
                    attendee.attendance = attendance
                    return attendee
                }
        }
    }

    /// A task Exchange keeps as completed: status completed, or 100 % done (`[R:percentcomplete]`: 100 ≡
    /// Completed) — compared as completed at 100 %, whatever the CRM's other half says.
    static func completed(_ a: Activity) -> Bool { a.status == "completed" || a.percentComplete == 100 }

    /// An attendee the item never carries (issue 12's 1): an opted-out contact (`invite: false`) gets no meeting
    /// mail, and Exchange sends every attendee on the item one, so such a contact is left off it (and out of the
    /// comparison); the organizer is the mailbox's owner, never an attendee of her own meeting.
    public static func withheld(_ attendee: Attendee) -> Bool { !attendee.invite || attendee.attendance == .organizer }

    /// A task's reminder back in the CRM's terms (minutes before its due instant). One later than the CRM's
    /// due time on the due day moves that due time to the reminder (Outlook shows no due time; the CRM's
    /// minutes cannot count forward), so both sides keep the reminder the user set.
    func applyTaskReminder(to a: inout Activity, zone: TimeZone) {
        guard let dueText = a.due, let due else {
            // (Without a due date there is no reminder to compare: the CRM's own, if any, stays.)
            if a.due != nil { a.reminderMinutes = nil }
            return
        }
        guard let reminder = reminderDueBy, let into = Self.minutesIntoDay(dueText, zone: zone) else {
            a.reminderMinutes = nil
            return
        }
        if reminder + into >= 0 {
            a.reminderMinutes = reminder + into
        } else if let start = Self.startOfDay(due, zone: zone) {
            a.due = CRMTime.format(start.addingTimeInterval(Double(-reminder) * 60))
            a.reminderMinutes = 0
        }
    }

    /// The compared form of a CRM task's reminder (see `reminderDueBy`), within what Exchange can hold.
    public static func taskReminder(minutes: Int?, due: String?, zone: TimeZone) -> Int? {
        guard let minutes, let due, let into = minutesIntoDay(due, zone: zone), let date = date(of: due, in: zone),
            let bounds = taskReminderBounds(dueDate: date, zone: zone)
        else { return nil }
        return min(max(minutes - into, bounds.lowerBound), bounds.upperBound)
    }

    /// What the compared form of a task's reminder can be: from the last minute of the due day (a later one
    /// reads as that: the CRM cannot hold a reminder after its due day) to a year before the day. The
    /// same bounds on both sides, so a value cut to them compares equal and is never written back.
    public static func taskReminderBounds(dueDate: String, zone: TimeZone) -> ClosedRange<Int>? {
        guard let start = startOfDay(dueDate, zone: zone), let next = startOfDay(dueDate, zone: zone, plusDays: 1)
        else { return nil }
        let dayMinutes = Int((next.timeIntervalSince(start) / 60).rounded())
        return -(dayMinutes - 1)...taskReminderMostMinutes
    }

    /// A task reminder's farthest from its due day: a year before it.
    public static let taskReminderMostMinutes = 525_600

    /// Minutes from the start of an instant's day (in the zone) to the instant.
    static func minutesIntoDay(_ text: String, zone: TimeZone) -> Int? {
        guard let instant = CRMTime.parse(text).value?.instant, let date = date(of: text, in: zone),
            let start = startOfDay(date, zone: zone)
        else { return nil }
        return Int((instant.timeIntervalSince(start) / 60).rounded(.down))
    }

    /// The first instant of a `YYYY-MM-DD` date (plus some days) in a zone: midnight, or the first minute after
    /// a transition that skips midnight.
    public static func startOfDay(_ date: String, zone: TimeZone, plusDays: Int = 0) -> Date? {
        guard case .date(let year, let month, let day) = CRMTime.parse(date).value else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        guard let noon = calendar.date(from: DateComponents(year: year, month: month, day: day + plusDays, hour: 12))
        else { return nil }
        return calendar.startOfDay(for: noon)
    }

    /// `YYYY-MM-DD` of an RFC 3339 instant in a zone.
    public static func date(of text: String, in zone: TimeZone) -> String? {
        guard let instant = CRMTime.parse(text).value?.instant else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        guard let year = parts.year, let month = parts.month, let day = parts.day else { return nil }
        return CRMTime.date(year: year, month: month, day: day).text
    }

    static func instant(onDate date: String, keepingTimeOf previous: String?, in zone: TimeZone) -> String? {
        guard case .date(let year, let month, let day) = CRMTime.parse(date).value else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        var parts = DateComponents(year: year, month: month, day: day)
        if let previous = previous.flatMap({ CRMTime.parse($0).value?.instant }) {
            let time = calendar.dateComponents([.hour, .minute, .second], from: previous)
            parts.hour = time.hour
            parts.minute = time.minute
            parts.second = time.second
        }
        return calendar.date(from: parts).map(CRMTime.format)
    }
}

extension Result {
    fileprivate var value: Success? { try? get() }
}

extension SyncFields {
    /// Text with CRLF (and lone CR) line ends as LF.
    static func lineFeeds(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }
}

extension SyncFields {
    /// A task's base stored before task reminders were compared as Exchange keeps them holds the CRM's
    /// minutes in `reminderMinutes`; the item then got `ReminderDueBy` = the due day's start − those minutes,
    /// which is the same number in today's form (`reminderDueBy`).
    public var isOldTaskBase: Bool { percentComplete != nil && reminderMinutes != nil && reminderDueBy == nil }

    /// The old base as Exchange holds it (the same number), where the CRM's side is not known.
    public var upgradedTaskBase: SyncFields {
        guard isOldTaskBase else { return self }
        var base = self
        (base.reminderDueBy, base.reminderMinutes) = (reminderMinutes, nil)
        return base
    }

    /// The old base in today's form, each side judged against what it held then: the CRM by its minutes
    /// (`crmMinutes`), Exchange by the number the old release wrote. The base is the value of the side that
    /// moved, so only a real edit counts: an Outlook edit comes into the CRM, and an item the old release
    /// wrote wrongly (neither side changed) gets the CRM's value once (`crm`, today's form); both changed is a
    /// conflict, as it always was.
    public func upgradedTaskBase(crmMinutes: Int?, crm: Int?, exchange: Int?) -> SyncFields {
        guard isOldTaskBase, let old = reminderMinutes else { return self }
        var base = upgradedTaskBase
        if exchange != old && crmMinutes == old { base.reminderDueBy = crm }
        return base
    }
}
