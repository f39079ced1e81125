import Foundation

/// The two item classes activity-sync reads and writes.
public enum EWSItemKind: String, Sendable, CaseIterable {
    /// `t:Task` in a tasks folder.
    case task = "Task"
    /// `t:CalendarItem` in a calendar folder.
    case calendarItem = "CalendarItem"
}

/// An item's identity on the server: opaque, case-sensitive id plus the version stamp of its content.
public struct EWSItemId: Hashable, Sendable, CustomStringConvertible {
    /// The opaque, case-sensitive ItemId (it may change when a user moves the item).
    public var id: String
    /// Changes on every write to the item, by anyone.
    public var changeKey: String?

    /// Creates an id.
    public init(id: String, changeKey: String? = nil) {
        self.id = id
        self.changeKey = changeKey
    }

    public var description: String { id }
}

/// `t:Importance`.
public enum EWSImportance: String, Sendable, CaseIterable {
    case low = "Low"
    case normal = "Normal"
    case high = "High"
}

/// `t:Sensitivity`.
public enum EWSSensitivity: String, Sendable, CaseIterable {
    case normal = "Normal"
    case personal = "Personal"
    case `private` = "Private"
    case confidential = "Confidential"
}

/// `t:Status` of a task.
public enum EWSTaskStatus: String, Sendable, CaseIterable {
    case notStarted = "NotStarted"
    case inProgress = "InProgress"
    case completed = "Completed"
    case waitingOnOthers = "WaitingOnOthers"
    case deferred = "Deferred"
}

/// `t:LegacyFreeBusyStatus` of a calendar item.
public enum EWSFreeBusy: String, Sendable, CaseIterable {
    case free = "Free"
    case tentative = "Tentative"
    case busy = "Busy"
    case oof = "OOF"
    case workingElsewhere = "WorkingElsewhere"
    case noData = "NoData"
}

/// An attendee's answer (`t:ResponseType`).
public enum EWSResponseType: String, Sendable, CaseIterable {
    case unknown = "Unknown"
    case organizer = "Organizer"
    case tentative = "Tentative"
    case accept = "Accept"
    case decline = "Decline"
    case noResponseReceived = "NoResponseReceived"
}

/// One attendee of a calendar item.
public struct EWSAttendee: Sendable, Equatable {
    /// SMTP address.
    public var email: String
    /// Display name, when known.
    public var name: String?
    /// The attendee's answer, when the server reports one (read-only on our side).
    public var response: EWSResponseType?

    /// Creates an attendee.
    public init(email: String, name: String? = nil, response: EWSResponseType? = nil) {
        self.email = email
        self.name = name
        self.response = response
    }
}

/// A named extended property of type String, addressed by property set GUID and name.
public struct EWSExtendedProperty: Hashable, Sendable {
    /// The property set GUID.
    public var propertySetId: String
    /// The property name inside the set.
    public var name: String

    /// Creates a property reference.
    public init(propertySetId: String, name: String) {
        self.propertySetId = propertySetId
        self.name = name
    }
}

/// A Task or CalendarItem with the fields activity-sync maps. A field that is nil was not read (or is
/// not to be written); the shape of the request decides which fields a read fills.
public struct EWSItem: Sendable, Equatable {
    /// Task or calendar item.
    public var kind: EWSItemKind
    /// Server identity; nil on items not yet created.
    public var itemId: EWSItemId?
    /// `item:Subject`.
    public var subject: String?
    /// `item:Sensitivity`.
    public var sensitivity: EWSSensitivity?
    /// `item:Body` as plain text.
    public var body: String?
    /// True when the server returned the body as HTML.
    public var bodyIsHTML: Bool = false
    /// `item:Categories`.
    public var categories: [String]?
    /// `item:Importance`.
    public var importance: EWSImportance?
    /// `item:ReminderDueBy`.
    public var reminderDueBy: Date?
    /// `item:ReminderIsSet`.
    public var reminderIsSet: Bool?
    /// `item:ReminderMinutesBeforeStart`.
    public var reminderMinutesBeforeStart: Int?
    /// Extended String properties (the CRM identity lives here).
    public var extendedProperties: [EWSExtendedProperty: String] = [:]
    /// `item:LastModifiedTime` (read-only).
    public var lastModifiedTime: Date?
    /// `item:DateTimeCreated` (read-only; a copy gets its own, a move keeps it).
    public var dateTimeCreated: Date?

    /// `task:CompleteDate`.
    public var completeDate: Date?
    /// `task:DueDate`.
    public var dueDate: Date?
    /// `task:PercentComplete` (0…100).
    public var percentComplete: Double?
    /// `task:StartDate`.
    public var startDate: Date?
    /// `task:Status`.
    public var status: EWSTaskStatus?

    /// `calendar:Start`.
    public var start: Date?
    /// `calendar:End`.
    public var end: Date?
    /// `calendar:IsAllDayEvent`.
    public var isAllDayEvent: Bool?
    /// `calendar:LegacyFreeBusyStatus`.
    public var legacyFreeBusyStatus: EWSFreeBusy?
    /// `calendar:Location`.
    public var location: String?
    /// `calendar:IsRecurring` / `task:IsRecurring` (read-only).
    public var isRecurring: Bool?
    /// `calendar:CalendarItemType` (Single, RecurringMaster, Occurrence, Exception; read-only).
    public var calendarItemType: String?
    /// `calendar:RequiredAttendees`.
    public var requiredAttendees: [EWSAttendee]?
    /// `calendar:OptionalAttendees`.
    public var optionalAttendees: [EWSAttendee]?
    /// `calendar:Resources`.
    public var resources: [EWSAttendee]?
    /// `calendar:StartTimeZone` (Windows zone id), written so all-day events land on the right day.
    public var startTimeZone: String?
    /// `calendar:EndTimeZone` (Windows zone id).
    public var endTimeZone: String?

    /// Creates an empty item of a kind.
    public init(kind: EWSItemKind, itemId: EWSItemId? = nil) {
        self.kind = kind
        self.itemId = itemId
    }
}
