import Foundation
import XMLKit

extension FakeExchange {
    func getItem(_ context: FakeRequestContext) -> [UInt8] {
        let shape = FakeItemShape(context.element.child("ItemShape"))
        let messages = lock.withLock {
            (context.element.child("ItemIds")?.children ?? []).map { idElement -> String in
                guard let item = findItem(idElement.attributes["Id"], mailbox: context.mailbox) else {
                    return FakeResponse.error(
                        "GetItem",
                        "ErrorItemNotFound",
                        "The specified object was not found in the store."
                    )
                }
                return FakeResponse.success("GetItem", "<m:Items>\(shape.xml(item))</m:Items>")
            }
        }
        return FakeResponse.messages("GetItem", messages)
    }

    func createItem(_ context: FakeRequestContext) -> [UInt8] {
        let folderName = Self.folderName(context.element.child("SavedItemFolderId")?.children.first)
        let messages = lock.withLock {
            (context.element.child("Items")?.children ?? []).map { element -> String in
                guard let mailbox = mailboxes[context.mailbox],
                    let folder = folderName.flatMap({ mailbox.folder(id: $0) })
                        ?? mailbox.folders[element.name == "Task" ? "tasks" : "calendar"]
                else {
                    return FakeResponse.error(
                        "CreateItem",
                        "ErrorFolderNotFound",
                        "The specified folder could not be found."
                    )
                }
                guard element.name == "Task" || element.name == "CalendarItem" else {
                    return FakeResponse.error(
                        "CreateItem",
                        "ErrorInvalidItemForOperation",
                        "Only tasks and calendar items."
                    )
                }
                if element.name == "CalendarItem", let error = missingMeetingAttribute("CreateItem", context) {
                    return error
                }
                let item = storeNew(element, in: folder, mailbox: context.mailbox)
                _onClientWrite?(context.mailbox, item.fields["Subject"]?.text ?? "")
                recordMeetingMail("CreateItem", mode: context.element.attributes["SendMeetingInvitations"], item: item)
                return FakeResponse.success("CreateItem", "<m:Items>\(FakeItemShape(nil).xml(item))</m:Items>")
            }
        }
        return FakeResponse.messages("CreateItem", messages)
    }

    func updateItem(_ context: FakeRequestContext) -> [UInt8] {
        let overwrite = context.element.attributes["ConflictResolution"] ?? "AutoResolve"
        let messages = lock.withLock {
            (context.element.child("ItemChanges")?.children ?? []).map { change -> String in
                let idElement = change.child("ItemId")
                guard var item = findItem(idElement?.attributes["Id"], mailbox: context.mailbox) else {
                    return FakeResponse.error(
                        "UpdateItem",
                        "ErrorItemNotFound",
                        "The specified object was not found in the store."
                    )
                }
                guard let changeKey = idElement?.attributes["ChangeKey"] else {
                    return FakeResponse.error(
                        "UpdateItem",
                        "ErrorChangeKeyRequiredForWriteOperations",
                        "When making a request that requires a ChangeKey, you must include a valid one."
                    )
                }
                if changeKey != item.changeKey && overwrite == "NeverOverwrite" {
                    return FakeResponse.error(
                        "UpdateItem",
                        "ErrorIrresolvableConflict",
                        "The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item."
                    )
                }
                if item.kind == "CalendarItem", let error = missingMeetingAttribute("UpdateItem", context) {
                    return error
                }
                let before = item
                let updates = change.child("Updates")?.children ?? []
                for update in updates { Self.apply(update, to: &item) }
                save(&item)
                _onClientWrite?(context.mailbox, item.fields["Subject"]?.text ?? "")
                recordMeetingMail(
                    "UpdateItem",
                    mode: context.element.attributes["SendMeetingInvitationsOrCancellations"],
                    item: item,
                    before: before,
                    changedFields: Set(
                        updates.compactMap { $0.children.first?.attributes["FieldURI"].map(FakeItemShape.localName) }
                    )
                )
                return FakeResponse.success("UpdateItem", "<m:Items>\(FakeItemShape.idOnly(item))</m:Items>")
            }
        }
        return FakeResponse.messages("UpdateItem", messages)
    }

    func deleteItem(_ context: FakeRequestContext) -> [UInt8] {
        let messages = lock.withLock {
            (context.element.child("ItemIds")?.children ?? []).map { idElement -> String in
                guard let item = findItem(idElement.attributes["Id"], mailbox: context.mailbox) else {
                    return FakeResponse.error(
                        "DeleteItem",
                        "ErrorItemNotFound",
                        "The specified object was not found in the store."
                    )
                }
                if item.kind == "CalendarItem", let error = missingMeetingAttribute("DeleteItem", context) {
                    return error
                }
                remove(item)
                recordMeetingMail(
                    "DeleteItem",
                    mode: context.element.attributes["SendMeetingCancellations"],
                    item: item
                )
                return FakeResponse.success("DeleteItem", "")
            }
        }
        return FakeResponse.messages("DeleteItem", messages)
    }

    // MARK: - Store primitives (caller holds the lock)

    func findItem(_ id: String?, mailbox: String) -> FakeItem? {
        guard let id, itemIndex[id] == mailbox, let owner = mailboxes[mailbox] else { return nil }
        return owner.folders.values.lazy.compactMap { $0.items[id] }.first
    }

    func storeNew(_ element: XMLElement, in folder: FakeFolder, mailbox: String) -> FakeItem {
        var item = FakeItem(
            id: nextId("item"),
            changeKey: nextChangeKey(),
            kind: element.name,
            folder: folder.name,
            mailbox: mailbox,
            fields: [:],
            extended: [:],
            lastModified: Date()
        )
        for child in element.children {
            if child.name == "ExtendedProperty" {
                if let path = child.child("ExtendedFieldURI"), let key = FakeItemShape.propertyKey(path) {
                    item.extended[key] = child.childText("Value") ?? ""
                }
            } else {
                item.fields[child.name] = child
                Self.coerceTask(&item, processed: child.name)
            }
        }
        Self.fillDefaults(&item)
        itemIndex[item.id] = mailbox
        folder.items[item.id] = item
        folder.touch(item.id, created: true)
        notify(mailbox: mailbox, folder: folder, type: "CreatedEvent", itemId: item.id)
        return item
    }

    func save(_ item: inout FakeItem) {
        item.changeKey = nextChangeKey()
        item.lastModified = Date()
        guard let folder = mailboxes[item.mailbox]?.folders[item.folder] else { return }
        folder.items[item.id] = item
        folder.touch(item.id)
        notify(mailbox: item.mailbox, folder: folder, type: "ModifiedEvent", itemId: item.id)
    }

    func remove(_ item: FakeItem) {
        guard let mailbox = mailboxes[item.mailbox], let folder = mailbox.folders[item.folder] else { return }
        folder.items[item.id] = nil
        folder.touch(item.id, deleted: true)
        itemIndex[item.id] = nil
        mailbox.deletedItems.append(item)
        notify(mailbox: item.mailbox, folder: folder, type: "DeletedEvent", itemId: item.id)
    }

    static func apply(_ update: XMLElement, to item: inout FakeItem) {
        guard let path = update.children.first else { return }
        let key = FakeItemShape.propertyKey(path)
        let name = path.attributes["FieldURI"].map(FakeItemShape.localName)
        switch update.name {
        case "SetItemField":
            guard let value = update.children.dropFirst().first?.children.first else { return }
            if let key {
                item.extended[key] = value.childText("Value") ?? ""
            } else if let name {
                item.fields[name] = value
                coerceTask(&item, processed: name)
            }
        case "DeleteItemField":
            if let key { item.extended[key] = nil } else if let name { item.fields[name] = nil }
        default:
            break
        }
    }

    /// A task's PercentComplete 100 is Status Completed (`[R:percentcomplete]`: "100 ≡ Status=Completed",
    /// the last processed wins): a task set Completed is at 100 %, one set to 100 % is Completed, and one set
    /// below 100 % while Completed is in progress again (as Outlook shows it).
    static func coerceTask(_ item: inout FakeItem, processed name: String) {
        guard item.kind == "Task" else { return }
        func set(_ field: String, _ text: String) {
            item.fields[field] = XMLElement(name: field, namespace: SOAPNamespace.types, text: text)
        }
        let status = item.fields["Status"]?.text
        let percent = item.fields["PercentComplete"].flatMap { Double($0.text) }
        if name == "Status", status == "Completed", percent != 100 { set("PercentComplete", "100") }
        if name == "PercentComplete", percent == 100, status != "Completed" { set("Status", "Completed") }
        if name == "PercentComplete", let percent, percent < 100, status == "Completed" { set("Status", "InProgress") }
    }

    static func fillDefaults(_ item: inout FakeItem) {
        func setDefault(_ name: String, _ text: String) {
            if item.fields[name] == nil {
                item.fields[name] = XMLElement(name: name, namespace: SOAPNamespace.types, text: text)
            }
        }
        if item.kind == "Task" {
            setDefault("Status", "NotStarted")
            setDefault("PercentComplete", "0")
            setDefault("IsRecurring", item.fields["Recurrence"] == nil ? "false" : "true")
        } else {
            let recurring = item.fields["Recurrence"] != nil
            setDefault("IsRecurring", recurring ? "true" : "false")
            setDefault("CalendarItemType", recurring ? "RecurringMaster" : "Single")
            setDefault("IsAllDayEvent", "false")
            setDefault("LegacyFreeBusyStatus", "Busy")
        }
        setDefault("Sensitivity", "Normal")
        setDefault("Importance", "Normal")
        setDefault("DateTimeCreated", format(Date()))
    }

    /// The distinguished name or id of a folder reference.
    static func folderName(_ element: XMLElement?) -> String? {
        element?.attributes["Id"]
    }

    static func format(_ date: Date) -> String { XSDateTime.format(date) }
}

extension FakeItemShape {
    static func idOnly(_ item: FakeItem) -> String {
        "<t:\(item.kind)><t:ItemId Id=\"\(item.id)\" ChangeKey=\"\(item.changeKey)\"/></t:\(item.kind)>"
    }
}
