import Foundation

/// The rules an activity must satisfy before it is written, and its canonical form.
public enum ActivityRules {
    /// Checks every rule and returns the activity with canonical times, or every broken rule.
    ///
    /// `previous` is the stored version when this is an update (an e-mail that was sent may not change).
    public static func validated(
        _ activity: Activity,
        previous: Activity? = nil,
        references: some CRMReferences
    ) -> Result<Activity, ValidationError> {
        var issues: [ValidationIssue] = []
        var result = activity
        issues += ActivityLimits.id("id", activity.id)
        if activity.subject.trimmingCharacters(in: .whitespaces).isEmpty {
            issues.append(.init("subject", activity.subject, "must not be empty"))
        }
        issues += limits(activity)
        if !activity.type.statuses.contains(activity.status) {
            issues.append(
                .init(
                    "status",
                    activity.status,
                    "not valid for \(activity.type.rawValue) (valid: \(activity.type.statuses.joined(separator: ", ")))"
                )
            )
        }
        issues += referenceRules(activity, references)
        issues += times(activity, into: &result)
        issues += typeRules(activity)
        issues += attendees(activity, references)
        if let previous, previous.type == .email, previous.status != "draft", !sameContent(previous, activity) {
            issues.append(.init("status", previous.status, "only draft e-mails may be edited"))
        }
        return issues.isEmpty
            ? .success(result) : .failure(ValidationError(record: "activity \(activity.id)", issues: issues))
    }

    private static func referenceRules(_ a: Activity, _ refs: some CRMReferences) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        func check(_ field: String, _ id: String?, _ exists: (String) -> Bool, _ kind: String) {
            if let id, !exists(id) { issues.append(.init(field, id, "unknown \(kind)")) }
        }
        check("owner", a.owner, { refs.employee($0) != nil }, "employee")
        check("assigned_to", a.assignedTo, { refs.employee($0) != nil }, "employee")
        check("organizer", a.organizer, { refs.employee($0) != nil }, "employee")
        check("partner", a.partner, { refs.partner($0) != nil }, "business partner")
        check("contact", a.contact, { refs.contact($0) != nil }, "contact")
        check("opportunity", a.opportunity, { refs.opportunity($0) != nil }, "opportunity")
        check("linked_activity", a.linkedActivity, { $0 != a.id && refs.activity($0) != nil }, "activity")
        check("template", a.template, { refs.template($0) != nil }, "template")
        if a.assignedTo != nil && a.type != .task && a.type != .mailing {
            issues.append(.init("assigned_to", a.assignedTo, "only tasks and mailings are assigned"))
        }
        if a.organizer != nil && !a.type.hasAttendees {
            issues.append(.init("organizer", a.organizer, "only appointments and calls have an organizer"))
        }
        return issues
    }

    /// Parses every time field, writes the canonical form into `result`, and checks their order.
    private static func times(_ a: Activity, into result: inout Activity) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        func parse(_ field: String, _ text: String?, dateOnly: Bool) -> CRMTime? {
            guard let text else { return nil }
            switch CRMTime.parse(text) {
            case .failure(.noZone):
                issues.append(.init(field, text, "a time needs a zone (Z or an offset such as +01:00)"))
            case .failure:
                issues.append(.init(field, text, dateOnly ? "not a date (YYYY-MM-DD)" : "not an RFC 3339 time"))
            case .success(let time):
                if case .date = time, !dateOnly {
                    issues.append(
                        .init(field, text, "a date where a time is needed (only all-day appointments use dates)")
                    )
                } else if case .instant = time, dateOnly {
                    issues.append(.init(field, text, "an all-day appointment takes dates (YYYY-MM-DD)"))
                } else {
                    return time
                }
            }
            return nil
        }
        let allDay = a.allDay && a.type == .appointment
        let start = parse("start", a.start, dateOnly: allDay)
        let end = parse("end", a.end, dateOnly: allDay)
        let due = parse("due", a.due, dateOnly: false)
        let date = parse("date", a.date, dateOnly: false)
        result.start = start?.text ?? a.start
        result.end = end?.text ?? a.end
        result.due = due?.text ?? a.due
        result.date = date?.text ?? a.date
        if let start, let end, end.text < start.text {
            issues.append(.init("end", a.end, "end before start (\(a.start ?? ""))"))
        }
        if a.type == .task, let start = start?.instant, let due = due?.instant, due < start {
            issues.append(.init("due", a.due, "due before start (\(a.start ?? ""))"))
        }
        return issues
    }

    private static func typeRules(_ a: Activity) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        switch a.type {
        case .appointment:
            if a.start == nil { issues.append(.init("start", nil, "an appointment needs a start")) }
            if a.end == nil { issues.append(.init("end", nil, "an appointment needs an end")) }
        case .call:
            if a.start == nil { issues.append(.init("start", nil, "a call needs a start")) }
            if let direction = a.direction, !["incoming", "outgoing"].contains(direction) {
                issues.append(.init("direction", direction, "a call is incoming or outgoing"))
            }
        case .task:
            break
        case .email:
            if let direction = a.direction, !["inbound", "outbound"].contains(direction) {
                issues.append(.init("direction", direction, "an e-mail is inbound or outbound"))
            }
        case .mailing:
            break
        }
        if a.type != .task, a.due != nil { issues.append(.init("due", a.due, "only tasks have a due time")) }
        if a.allDay && a.type != .appointment {
            issues.append(.init("all_day", "true", "only appointments are all-day"))
        }
        return issues
    }

    /// Every field within `ActivityLimits`.
    private static func limits(_ a: Activity) -> [ValidationIssue] {
        typealias L = ActivityLimits
        var issues = L.text("subject", a.subject, limit: L.subjectLength)
        issues += L.text("location", a.location, limit: L.locationLength)
        issues += L.text("information", a.information, limit: L.informationBytes, multiline: true)
        issues += L.text("direction", a.direction, limit: L.shortTextLength)
        issues += L.text("from", a.from, limit: L.emailLength)
        issues += L.number("duration_minutes", a.durationMinutes, L.minutes)
        issues += L.number("reminder_minutes", a.reminderMinutes, L.minutes)
        issues += L.number("percent_complete", a.percentComplete, L.percentComplete)
        for (field, list) in [("attendees", a.attendees.map(\.email)), ("to", a.to), ("cc", a.cc)] {
            if list.count > L.recipients {
                issues.append(.init(field, "\(list.count) addresses", "more than \(L.recipients)"))
            }
            for email in list.prefix(L.recipients) { issues += L.text(field, email, limit: L.emailLength) }
        }
        for attendee in a.attendees.prefix(L.recipients) {
            issues += L.text("attendees", attendee.name, limit: L.nameLength)
        }
        return issues
    }

    private static func attendees(_ a: Activity, _ refs: some CRMReferences) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        if !a.attendees.isEmpty && !a.type.hasAttendees {
            issues.append(.init("attendees", nil, "only appointments and calls have attendees"))
        }
        for attendee in a.attendees {
            if !attendee.email.contains("@") {
                issues.append(.init("attendees", attendee.email, "not an e-mail address"))
            }
            if attendee.invite, let contact = refs.contacts(withEmail: attendee.email).first(where: \.optedOut) {
                issues.append(
                    .init("attendees", attendee.email, "contact \(contact.id) opted out and may not be invited")
                )
            }
        }
        return issues
    }

    /// Equal apart from bookkeeping (used for the "sent e-mails are frozen" rule).
    static func sameContent(_ a: Activity, _ b: Activity) -> Bool {
        var x = a
        var y = b
        x.createdAt = nil
        x.updatedAt = nil
        x.changeSeq = nil
        y.createdAt = nil
        y.updatedAt = nil
        y.changeSeq = nil
        return x == y
    }
}
