import ActivityModel
import EWS
import Foundation
import SyncEngine
import SyncPlanning

/// SPEC §2 on the wire: synced values ↔ a Task or CalendarItem, with the identity properties, the
/// category and the body's `CRM: ` line. Pure: the engine passes in what it knows (zone, names).
public struct ItemMapping: Sendable {
    /// The fixed property set of the identity properties.
    public static let propertySet = "ec00f11f-9b22-45fe-906c-a4e6b3326e4e"
    /// `ActivityId`: the CRM activity id.
    public static let activityId = EWSExtendedProperty(propertySetId: propertySet, name: "ActivityId")
    /// `InstanceId`: `crm.instance_id`, so two CRMs never claim each other's items.
    public static let instanceId = EWSExtendedProperty(propertySetId: propertySet, name: "InstanceId")
    /// The marker of the body line that is ours.
    public static let crmLinePrefix = "CRM: "

    /// `crm.instance_id`.
    public var instance: String
    /// `sync.category`.
    public var category: String
    /// The mailbox owner's zone (dates of tasks and all-day events are that zone's).
    public var zone: TimeZone

    public init(instance: String, category: String, zone: TimeZone) {
        self.instance = instance
        self.category = category
        self.zone = zone
    }

    /// The mapping for an employee's mailbox under these settings.
    public init(_ settings: SyncSettings, for employee: Employee) {
        self.init(instance: settings.instance, category: settings.category, zone: settings.zone(of: employee))
    }

    /// The fields every read needs (sync shape, GetItem): identity, category, and the mapped fields.
    public static func shape(for kind: ItemKind) -> EWSItemShape {
        let common: [EWSField] = [
            .subject, .sensitivity, .body, .categories, .importance, .dateTimeCreated, .reminderIsSet,
            .lastModifiedTime,
        ]
        let own: [EWSField] =
            kind == .task
            ? [.reminderDueBy, .dueDate, .percentComplete, .status, .taskIsRecurring]
            : [
                .reminderMinutesBeforeStart, .start, .end, .isAllDayEvent, .legacyFreeBusyStatus, .location,
                .calendarIsRecurring, .calendarItemType, .requiredAttendees, .optionalAttendees, .resources,
            ]
        return EWSItemShape(fields: common + own, extendedProperties: [activityId, instanceId])
    }

    // MARK: - To Exchange

    /// The item for these values. `crmLine` is the body's last line (partner, contact, opportunity…),
    /// without the prefix; nil writes none.
    public func item(
        kind: ItemKind,
        activityId: String,
        fields f: SyncFields,
        crmLine: String?,
        names: [String: String] = [:]
    ) -> EWSItem {
        var item = EWSItem(kind: kind == .task ? .task : .calendarItem)
        item.subject = f.subject
        item.body = body(information: f.information, crmLine: crmLine)
        item.categories = [category]
        item.importance = EWSImportance(rawValue: f.priority.rawValue.capitalized) ?? .normal
        item.sensitivity = f.sensitivity == .normal ? .normal : (f.sensitivity == .private ? .private : .confidential)
        item.reminderIsSet = (kind == .task ? f.reminderDueBy : f.reminderMinutes) != nil
        item.extendedProperties = [Self.activityId: activityId, Self.instanceId: instance]
        // (Never UTC in practice: a zone without a Windows id is refused before a pass — SyncRun.syncMailbox.)
        let windowsZone = WindowsTimeZone.id(forIANA: zone.identifier) ?? "UTC"
        if kind == .task {
            // (A call kept as a task has a call's status: `SyncFields(call:zone:)`.)
            let status = Self.taskStatus[SyncFields.callTaskStatus[f.status] ?? f.status] ?? .notStarted
            item.status = status
            item.percentComplete = f.percentComplete ?? (status == .completed ? 100 : 0)
            item.dueDate = f.due.flatMap { startOfDay($0) }
            if let minutes = f.reminderDueBy, let due = item.dueDate {
                item.reminderDueBy = due.addingTimeInterval(-Double(minutes) * 60)
            }
        } else {
            if f.allDay {
                // Midnight to midnight in the owner's zone; the CRM's end date is inclusive. (The next day's
                // midnight, not 24 hours on: a DST day has 23 or 25.)
                item.start = f.start.flatMap { startOfDay($0) }
                item.end = f.end.flatMap { startOfDay($0, plusDays: 1) }
            } else {
                item.start = f.start.flatMap { CRMTime.parse($0).instantValue }
                item.end = f.end.flatMap { CRMTime.parse($0).instantValue }
            }
            item.isAllDayEvent = f.allDay
            item.location = f.location
            item.legacyFreeBusyStatus = f.showAs.map(Self.freeBusy) ?? .busy
            item.reminderMinutesBeforeStart = f.reminderMinutes
            let attendees = f.attendees.map(SyncFields.attendee)
            func listed(_ attendance: Attendance) -> [EWSAttendee] {
                attendees.filter { $0.attendance == attendance }.map {
                    EWSAttendee(email: $0.email, name: names[$0.email])
                }
            }
            item.requiredAttendees = listed(.required)
            item.optionalAttendees = listed(.optional)
            item.resources = listed(.resource)
            item.startTimeZone = windowsZone
            item.endTimeZone = windowsZone
        }
        return item
    }

    /// The body: the information text, then our `CRM: ` line.
    public func body(information: String?, crmLine: String?) -> String {
        let line = crmLine.map { Self.crmLinePrefix + $0 }
        return [information, line].compactMap { $0 }.joined(separator: "\n")
    }

    // MARK: - From Exchange

    /// The synced values of an item. Fields Exchange does not carry (an appointment's status) are
    /// taken from `carrying` (the CRM's or the base values), so they never count as changed.
    public func fields(of item: EWSItem, carrying other: SyncFields?) -> SyncFields {
        // (Outlook's own items carry no line of ours: a last `CRM: ` line there is the user's, and kept.)
        var information = item.body.map {
            identity(of: item) == nil ? Self.lineEndsTrimmed($0) : Self.strippingCRMLine($0)
        }
        if information?.isEmpty == true { information = nil }
        let priority = item.importance.flatMap { Priority(rawValue: $0.rawValue.lowercased()) } ?? .normal
        let sensitivity: Sensitivity
        switch item.sensitivity {
        case .private, .personal: sensitivity = .private
        case .confidential: sensitivity = .confidential
        default: sensitivity = .normal
        }
        if item.kind == .task {
            let due = item.dueDate.map(date)
            var reminder: Int?
            if item.reminderIsSet == true, let by = item.reminderDueBy, let due, let start = startOfDay(due),
                let bounds = SyncFields.taskReminderBounds(dueDate: due, zone: zone)
            {
                // (Cut to the bounds as a Double first: a hostile date far off must not trap the conversion.)
                let minutes = min(
                    max(start.timeIntervalSince(by) / 60, Double(bounds.lowerBound)),
                    Double(bounds.upperBound)
                )
                reminder = Int(minutes.rounded())
            }
            return SyncFields(
                subject: item.subject ?? "",
                information: information,
                priority: priority,
                sensitivity: sensitivity,
                status: Self.crmStatus[item.status ?? .notStarted] ?? "not_started",
                percentComplete: item.percentComplete ?? 0,
                due: due,
                reminderDueBy: reminder
            )
        }
        let allDay = item.isAllDayEvent == true
        let start = item.start.map { allDay ? firstDay($0) : CRMTime.format($0) }
        let end = item.end.map { allDay ? lastDay($0) : CRMTime.format($0) }
        let attendees =
            (item.requiredAttendees ?? []).map { SyncFields.attendeeEntry($0.email, .required) }
            + (item.optionalAttendees ?? []).map { SyncFields.attendeeEntry($0.email, .optional) }
            + (item.resources ?? []).map { SyncFields.attendeeEntry($0.email, .resource) }
        return SyncFields(
            subject: item.subject ?? "",
            information: information,
            priority: priority,
            sensitivity: sensitivity,
            status: other?.status ?? "planned",
            start: start,
            end: end,
            allDay: allDay,
            location: item.location,
            showAs: item.legacyFreeBusyStatus.map(Self.showAs),
            reminderMinutes: item.reminderIsSet == true ? item.reminderMinutesBeforeStart : nil,
            attendees: attendees
        )
    }

    /// Fields an item of ours holds in a form we never write: an all-day item whose bounds are not the owner's
    /// midnights (a release before issue 12's 2 added 24 hours to the last day's midnight, one hour off on a DST
    /// day). Its days read as the user sees them; the bounds are written again once.
    public func misaligned(_ item: EWSItem) -> Set<SyncFields.Field> {
        guard item.kind == .calendarItem, item.isAllDayEvent == true, identity(of: item) != nil,
            let start = item.start, let end = item.end
        else { return [] }
        let aligned = start == startOfDay(firstDay(start)) && end == startOfDay(lastDay(end), plusDays: 1)
        return aligned ? [] : [.start, .end]
    }

    /// An all-day item's first and last day from its bounds: the days nearest them, so a DST day's 23 or 25
    /// hours, or an item an Outlook in another zone made a few hours off midnight, keeps the days the user saw.
    func firstDay(_ start: Date) -> String { date(start.addingTimeInterval(43_200)) }
    func lastDay(_ end: Date) -> String { date(end.addingTimeInterval(-43_200)) }

    /// The attendees' answers by lower-cased address (the organizer's own entry and unknown ones left out).
    public static func responses(of item: EWSItem) -> [String: AttendeeResponse] {
        var answers: [String: AttendeeResponse] = [:]
        for attendee in (item.requiredAttendees ?? []) + (item.optionalAttendees ?? []) + (item.resources ?? []) {
            let answer: AttendeeResponse?
            switch attendee.response {
            case .accept: answer = .accepted
            case .tentative: answer = .tentative
            case .decline: answer = .declined
            case .noResponseReceived: answer = AttendeeResponse.none
            case .organizer, .unknown, nil: answer = nil
            }
            if let answer { answers[attendee.email.lowercased()] = answer }
        }
        return answers
    }

    /// Whether an item carries the configured category.
    public func hasCategory(_ item: EWSItem) -> Bool {
        (item.categories ?? []).contains { $0.caseInsensitiveCompare(category) == .orderedSame }
    }

    /// The item's CRM identity when it belongs to this instance; nil for Outlook's own items and for
    /// another instance's (which are never touched).
    public func identity(of item: EWSItem) -> String? {
        guard item.extendedProperties[Self.instanceId] == instance else { return nil }
        return item.extendedProperties[Self.activityId]
    }

    /// Whether the item belongs to another CRM instance.
    public func belongsToOtherInstance(_ item: EWSItem) -> Bool {
        guard let other = item.extendedProperties[Self.instanceId] else { return false }
        return other != instance
    }

    /// The body without our last `CRM: ` line.
    public static func strippingCRMLine(_ body: String) -> String { text(body, strippingCRMLine: true) }

    /// On an item of ours, the text with its last `CRM: ` line (nil: it has none) and that line's content.
    public func crmLine(of item: EWSItem) -> (unstripped: String, line: String)? {
        guard identity(of: item) != nil, let whole = item.body.flatMap(Self.unstripped) else { return nil }
        let last = whole.components(separatedBy: "\n").last ?? ""
        return (whole, String(last.dropFirst(Self.crmLinePrefix.count)))
    }

    /// The body as text: LF line ends, no trailing blank lines.
    static func lineEndsTrimmed(_ body: String) -> String { text(body, strippingCRMLine: false) }

    /// The body with its last line when that starts `CRM: `, as text (nil: there is no such line).
    public static func unstripped(_ body: String) -> String? {
        let whole = lineEndsTrimmed(body)
        return whole == strippingCRMLine(body) ? nil : whole
    }

    private static func text(_ body: String, strippingCRMLine strip: Bool) -> String {
        var lines = body.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
        func dropTrailingBlankLines() {
            while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeLast() }
        }
        dropTrailingBlankLines()
        if strip, let last = lines.last, last.hasPrefix(crmLinePrefix) { lines.removeLast() }
        dropTrailingBlankLines()
        return lines.joined(separator: "\n")
    }

    // MARK: - Tables and dates

    static let taskStatus: [String: EWSTaskStatus] = [
        "not_started": .notStarted, "in_process": .inProgress, "deferred": .deferred,
        "waiting_on_someone_else": .waitingOnOthers, "completed": .completed,
    ]
    static let crmStatus: [EWSTaskStatus: String] = Dictionary(uniqueKeysWithValues: taskStatus.map { ($1, $0) })

    static func freeBusy(_ showAs: ShowAs) -> EWSFreeBusy {
        switch showAs {
        case .free: return .free
        case .tentative: return .tentative
        case .busy: return .busy
        case .oof: return .oof
        }
    }

    static func showAs(_ status: EWSFreeBusy) -> ShowAs {
        switch status {
        case .free: return .free
        case .tentative: return .tentative
        case .oof: return .oof
        case .busy, .workingElsewhere, .noData: return .busy  // SPEC §2: both read as busy
        }
    }

    /// The start of a `YYYY-MM-DD` date (plus some days) in the owner's zone.
    func startOfDay(_ text: String, plusDays: Int = 0) -> Date? {
        SyncFields.startOfDay(text, zone: zone, plusDays: plusDays)
    }

    /// The date of an instant in the owner's zone.
    func date(_ instant: Date) -> String {
        SyncFields.date(of: CRMTime.format(instant), in: zone) ?? CRMTime.format(instant)
    }
}

extension Result where Success == CRMTime {
    fileprivate var instantValue: Date? { (try? get())?.instant }
}
