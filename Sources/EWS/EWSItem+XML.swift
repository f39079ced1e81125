import Bounds
import Foundation
import XMLKit

extension EWSItem {
    /// Writes `<t:Task>`/`<t:CalendarItem>` with the given fields (all writable ones when nil) and the
    /// extended properties, in the order the schema's xs:sequence requires: ItemType fields, then
    /// ExtendedProperty, then the class's own fields.
    func xml(fields: [EWSField]? = nil, includeExtended: Bool = true) -> String {
        let chosen = Set(fields ?? EWSField.writable(for: kind))
        var out = "<t:\(kind.rawValue)>"
        var wroteExtended = !includeExtended
        for field in EWSField.writable(for: kind) {
            if field.kind != nil && !wroteExtended {
                out += extendedPropertiesXML()
                wroteExtended = true
            }
            if chosen.contains(field), let element = value(of: field) { out += element }
        }
        if !wroteExtended { out += extendedPropertiesXML() }
        return out + "</t:\(kind.rawValue)>"
    }

    func extendedPropertiesXML(only: EWSExtendedProperty? = nil) -> String {
        extendedProperties.keys.sorted { $0.name < $1.name }.filter { only == nil || $0 == only }.map { property in
            "<t:ExtendedProperty>\(property.fieldURIXML)<t:Value>\(XMLEscaping.escape(extendedProperties[property]!))"
                + "</t:Value></t:ExtendedProperty>"
        }.joined()
    }

    /// The element for one field, or nil when the item has no value for it.
    func value(of field: EWSField) -> String? {
        let name = field.elementName
        func element(_ text: String?) -> String? {
            text.map { "<t:\(name)>\(XMLEscaping.escape($0))</t:\(name)>" }
        }
        switch field {
        case .subject: return element(subject)
        case .sensitivity: return element(sensitivity?.rawValue)
        case .body:
            return body.map { "<t:Body BodyType=\"Text\">\(XMLEscaping.escape($0))</t:Body>" }
        case .categories:
            return categories.map { list in
                "<t:Categories>" + list.map { "<t:String>\(XMLEscaping.escape($0))</t:String>" }.joined()
                    + "</t:Categories>"
            }
        case .importance: return element(importance?.rawValue)
        case .reminderDueBy: return element(reminderDueBy.map(XSDateTime.format))
        case .reminderIsSet: return element(reminderIsSet.map { $0 ? "true" : "false" })
        case .reminderMinutesBeforeStart: return element(reminderMinutesBeforeStart.map(String.init))
        case .lastModifiedTime: return element(lastModifiedTime.map(XSDateTime.format))
        case .dateTimeCreated: return element(dateTimeCreated.map(XSDateTime.format))
        case .completeDate: return element(completeDate.map(XSDateTime.format))
        case .dueDate: return element(dueDate.map(XSDateTime.format))
        case .taskIsRecurring, .calendarIsRecurring: return element(isRecurring.map { $0 ? "true" : "false" })
        case .percentComplete: return element(percentComplete.map { Self.formatNumber($0) })
        case .startDate: return element(startDate.map(XSDateTime.format))
        case .status: return element(status?.rawValue)
        case .start: return element(start.map(XSDateTime.format))
        case .end: return element(end.map(XSDateTime.format))
        case .isAllDayEvent: return element(isAllDayEvent.map { $0 ? "true" : "false" })
        case .legacyFreeBusyStatus: return element(legacyFreeBusyStatus?.rawValue)
        case .location: return element(location)
        case .calendarItemType: return element(calendarItemType)
        case .requiredAttendees: return Self.attendeesXML(name, requiredAttendees)
        case .optionalAttendees: return Self.attendeesXML(name, optionalAttendees)
        case .resources: return Self.attendeesXML(name, resources)
        case .startTimeZone: return startTimeZone.map { "<t:StartTimeZone Id=\"\(XMLEscaping.escape($0))\"/>" }
        case .endTimeZone: return endTimeZone.map { "<t:EndTimeZone Id=\"\(XMLEscaping.escape($0))\"/>" }
        }
    }

    private static func attendeesXML(_ name: String, _ attendees: [EWSAttendee]?) -> String? {
        // The schema wants a non-empty array: an empty list is written by deleting the field instead.
        guard let attendees, !attendees.isEmpty else { return nil }
        let inner = attendees.map { attendee in
            let displayName = attendee.name.map { "<t:Name>\(XMLEscaping.escape($0))</t:Name>" } ?? ""
            return "<t:Attendee><t:Mailbox>\(displayName)<t:EmailAddress>\(XMLEscaping.escape(attendee.email))"
                + "</t:EmailAddress></t:Mailbox></t:Attendee>"
        }.joined()
        return "<t:\(name)>\(inner)</t:\(name)>"
    }

    static func formatNumber(_ value: Double) -> String {
        Bounded.text(value)
    }

    /// Reads an item from `<t:Task>`/`<t:CalendarItem>`; nil for other item classes (messages, contacts).
    init?(xml element: XMLElement) {
        guard let kind = EWSItemKind(rawValue: element.name) else { return nil }
        self.init(kind: kind)
        for child in element.children { read(child) }
    }

    private mutating func read(_ child: XMLElement) {
        let text = child.text
        switch child.name {
        case "ItemId":
            if let id = child.attributes["Id"] { itemId = EWSItemId(id: id, changeKey: child.attributes["ChangeKey"]) }
        case "Subject": subject = text
        case "Sensitivity": sensitivity = EWSSensitivity(rawValue: text)
        case "Body":
            body = text
            bodyIsHTML = child.attributes["BodyType"] == "HTML"
        case "Categories": categories = child.children("String").map(\.text)
        case "Importance": importance = EWSImportance(rawValue: text)
        case "ReminderDueBy": reminderDueBy = XSDateTime.parse(text)
        case "ReminderIsSet": reminderIsSet = text == "true"
        case "ReminderMinutesBeforeStart": reminderMinutesBeforeStart = Int(text)
        case "ExtendedProperty": readExtendedProperty(child)
        case "LastModifiedTime": lastModifiedTime = XSDateTime.parse(text)
        case "DateTimeCreated": dateTimeCreated = XSDateTime.parse(text)
        case "CompleteDate": completeDate = XSDateTime.parse(text)
        case "DueDate": dueDate = XSDateTime.parse(text)
        case "IsRecurring": isRecurring = text == "true"
        case "PercentComplete": percentComplete = Double(text)
        case "StartDate": startDate = XSDateTime.parse(text)
        case "Status": status = EWSTaskStatus(rawValue: text)
        case "Start": start = XSDateTime.parse(text)
        case "End": end = XSDateTime.parse(text)
        case "IsAllDayEvent": isAllDayEvent = text == "true"
        case "LegacyFreeBusyStatus": legacyFreeBusyStatus = EWSFreeBusy(rawValue: text)
        case "Location": location = text
        case "CalendarItemType": calendarItemType = text
        case "RequiredAttendees": requiredAttendees = Self.readAttendees(child)
        case "OptionalAttendees": optionalAttendees = Self.readAttendees(child)
        case "Resources": resources = Self.readAttendees(child)
        case "StartTimeZone": startTimeZone = child.attributes["Id"]
        case "EndTimeZone": endTimeZone = child.attributes["Id"]
        default: break
        }
    }

    private mutating func readExtendedProperty(_ element: XMLElement) {
        guard let uri = element.child("ExtendedFieldURI"), let name = uri.attributes["PropertyName"],
            let set = uri.attributes["PropertySetId"], let value = element.childText("Value")
        else { return }
        extendedProperties[EWSExtendedProperty(propertySetId: set.lowercased(), name: name)] = value
    }

    private static func readAttendees(_ element: XMLElement) -> [EWSAttendee] {
        element.children("Attendee").compactMap { attendee in
            guard let email = attendee.path("Mailbox", "EmailAddress")?.text else { return nil }
            return EWSAttendee(
                email: email,
                name: attendee.path("Mailbox", "Name")?.text,
                response: attendee.childText("ResponseType").flatMap(EWSResponseType.init)
            )
        }
    }
}

extension EWSExtendedProperty {
    /// `<t:ExtendedFieldURI …/>` addressing this property.
    var fieldURIXML: String {
        "<t:ExtendedFieldURI PropertySetId=\"\(propertySetId)\" PropertyName=\"\(XMLEscaping.escape(name))\""
            + " PropertyType=\"String\"/>"
    }
}
