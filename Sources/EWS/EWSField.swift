/// A property path (`t:FieldURI`) of the fields activity-sync maps, in schema order within each class.
public enum EWSField: String, Sendable, CaseIterable, Hashable {
    case subject = "item:Subject"
    case sensitivity = "item:Sensitivity"
    case body = "item:Body"
    case categories = "item:Categories"
    case importance = "item:Importance"
    case dateTimeCreated = "item:DateTimeCreated"
    case reminderDueBy = "item:ReminderDueBy"
    case reminderIsSet = "item:ReminderIsSet"
    case reminderMinutesBeforeStart = "item:ReminderMinutesBeforeStart"
    case lastModifiedTime = "item:LastModifiedTime"
    case completeDate = "task:CompleteDate"
    case dueDate = "task:DueDate"
    case taskIsRecurring = "task:IsRecurring"
    case percentComplete = "task:PercentComplete"
    case startDate = "task:StartDate"
    case status = "task:Status"
    case start = "calendar:Start"
    case end = "calendar:End"
    case isAllDayEvent = "calendar:IsAllDayEvent"
    case legacyFreeBusyStatus = "calendar:LegacyFreeBusyStatus"
    case location = "calendar:Location"
    case calendarIsRecurring = "calendar:IsRecurring"
    case calendarItemType = "calendar:CalendarItemType"
    case requiredAttendees = "calendar:RequiredAttendees"
    case optionalAttendees = "calendar:OptionalAttendees"
    case resources = "calendar:Resources"
    case startTimeZone = "calendar:StartTimeZone"
    case endTimeZone = "calendar:EndTimeZone"

    /// The element name inside `t:Task` / `t:CalendarItem`.
    public var elementName: String {
        let name = String(rawValue.split(separator: ":")[1])
        return name
    }

    /// The item class the field belongs to; nil for fields every item has.
    public var kind: EWSItemKind? {
        if rawValue.hasPrefix("task:") { return .task }
        if rawValue.hasPrefix("calendar:") { return .calendarItem }
        return nil
    }

    /// Fields the server computes; never written.
    public var isReadOnly: Bool {
        [.dateTimeCreated, .lastModifiedTime, .taskIsRecurring, .calendarIsRecurring, .calendarItemType].contains(self)
    }

    /// Writable fields of an item class, in the schema order a request must use.
    public static func writable(for kind: EWSItemKind) -> [EWSField] {
        allCases.filter { !$0.isReadOnly && ($0.kind == nil || $0.kind == kind) }
    }
}

/// What a read returns (`m:ItemShape`).
public struct EWSItemShape: Sendable, Equatable {
    /// `IdOnly` plus the listed properties: what sync reads use, since every extra property costs the
    /// server a database call.
    public var fields: [EWSField]
    /// Extended properties to return.
    public var extendedProperties: [EWSExtendedProperty]

    /// Creates a shape.
    public init(fields: [EWSField], extendedProperties: [EWSExtendedProperty] = []) {
        self.fields = fields
        self.extendedProperties = extendedProperties
    }

    /// Only ids and change keys.
    public static let idOnly = EWSItemShape(fields: [])
}
