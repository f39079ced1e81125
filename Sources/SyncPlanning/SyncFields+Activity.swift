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
            status: a.status,
            percentComplete: a.type == .task ? (a.percentComplete ?? 0) : nil,
            start: a.type == .task ? nil : a.start,
            end: a.type == .task ? nil : end,
            due: a.type == .task ? a.due.flatMap { Self.date(of: $0, in: zone) } : nil,
            allDay: a.type == .appointment && a.allDay,
            location: a.location,
            // An appointment or call without show-as shows as busy in Outlook: compare it as busy.
            showAs: a.type.hasAttendees ? (a.showAs ?? .busy) : a.showAs,
            reminderMinutes: a.reminderMinutes,
            attendees: a.type.hasAttendees ? a.attendees.map { Self.attendeeEntry($0.email, $0.attendance) } : []
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
        if a.type.statuses.contains(status) { a.status = status }
        if a.type == .task {
            a.percentComplete = percentComplete
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
        a.location = location
        if !(a.showAs == nil && showAs == .busy) { a.showAs = showAs }  // busy is the unset default
        a.reminderMinutes = reminderMinutes
        if a.type.hasAttendees {
            let existing = Dictionary(a.attendees.map { ($0.email.lowercased(), $0) }, uniquingKeysWith: { x, _ in x })
            a.attendees = attendees.map { entry in
                let (email, attendance) = Self.attendee(entry)
                guard var attendee = existing[email] else { return Attendee(email: email, attendance: attendance) }
                if !(attendee.attendance == .organizer && attendance == .required) { attendee.attendance = attendance }
                return attendee
            }
        }
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
