import Foundation
import XMLKit

/// A read-only view of an item in the fake, for test assertions.
public struct FakeItemSnapshot: Sendable, Equatable {
    /// The ItemId.
    public var id: String
    /// The current ChangeKey.
    public var changeKey: String
    /// `Task` or `CalendarItem`.
    public var kind: String
    /// `tasks` or `calendar`.
    public var folder: String
    /// Field texts by element name (`Subject`, `Status`, `Start` …); lists and structures as XML.
    public var fields: [String: String]
    /// Extended String properties by name.
    public var extended: [String: String]
}

/// Acting "as a user in Outlook": edits that bypass EWS but show up in sync states and notifications.
extension FakeExchange {
    /// Items of a folder, in creation order.
    public func items(mailbox: String, folder: String) -> [FakeItemSnapshot] {
        lock.withLock {
            guard let folder = mailboxes[mailbox.lowercased()]?.folders[folder] else { return [] }
            return folder.order.compactMap { folder.items[$0] }.map(Self.snapshot)
        }
    }

    /// Items moved to Deleted Items of a mailbox (recoverable by the user).
    public func deletedItems(mailbox: String) -> [FakeItemSnapshot] {
        lock.withLock { (mailboxes[mailbox.lowercased()]?.deletedItems ?? []).map(Self.snapshot) }
    }

    /// Creates an item as a user would; `fields` are element texts (`Subject`, `Start`, `DueDate` …).
    @discardableResult
    public func userCreate(
        mailbox: String,
        folder: String,
        kind: String,
        fields: [String: String],
        extended: [String: String] = [:],
        propertySet: String = ""
    ) -> String {
        var element = XMLElement(name: kind, namespace: SOAPNamespace.types)
        for (name, text) in fields { element.children.append(Self.field(name, text)) }
        return lock.withLock {
            guard let target = mailboxes[mailbox.lowercased()]?.folders[folder] else { return "" }
            var item = storeNew(element, in: target, mailbox: mailbox.lowercased())
            if !extended.isEmpty {
                for (name, value) in extended {
                    item.extended[FakePropertyKey(propertySet: propertySet.lowercased(), name: name)] = value
                }
                target.items[item.id] = item
            }
            return item.id
        }
    }

    /// Changes fields of an item as a user would (a nil value removes the field).
    public func userUpdate(mailbox: String, itemId: String, fields: [String: String?]) {
        lock.withLock {
            guard var item = findItem(itemId, mailbox: mailbox.lowercased()) else { return }
            for (name, text) in fields { item.fields[name] = text.map { Self.field(name, $0) } }
            save(&item)
        }
    }

    /// Deletes an item as a user would (into Deleted Items).
    public func userDelete(mailbox: String, itemId: String) {
        lock.withLock {
            if let item = findItem(itemId, mailbox: mailbox.lowercased()) { remove(item) }
        }
    }

    /// Moves an item to another folder of the mailbox: a new ItemId, the same properties.
    @discardableResult
    public func userMove(mailbox: String, itemId: String, to folderName: String) -> String? {
        lock.withLock {
            let address = mailbox.lowercased()
            guard let item = findItem(itemId, mailbox: address), let target = mailboxes[address]?.folders[folderName],
                let source = mailboxes[address]?.folders[item.folder]
            else { return nil }
            source.items[item.id] = nil
            source.touch(item.id, deleted: true)
            itemIndex[item.id] = nil
            notify(mailbox: address, folder: source, type: "DeletedEvent", itemId: item.id)
            return placeAsNew(item, in: target, mailbox: address)
        }
    }

    /// Restores an item from Deleted Items into the folder it came from, as Outlook does: Exchange gives the
    /// restored item a new ItemId (a move between folders always does; "EWS ItemIds change when an item
    /// moves to another folder", EWS identifiers reference, learn.microsoft.com), with its properties kept.
    @discardableResult
    public func userRestore(mailbox: String, itemId: String) -> String? {
        lock.withLock {
            let address = mailbox.lowercased()
            guard let owner = mailboxes[address], let index = owner.deletedItems.firstIndex(where: { $0.id == itemId }),
                let target = owner.folders[owner.deletedItems[index].folder]
            else { return nil }
            return placeAsNew(owner.deletedItems.remove(at: index), in: target, mailbox: address)
        }
    }

    /// Copies an item as a user would (Ctrl+C/Ctrl+V, or a drag with Ctrl): a new ItemId and
    /// DateTimeCreated, every property copied — extended properties included, so the copy carries the
    /// original's identity.
    @discardableResult
    public func userCopy(mailbox: String, itemId: String, to folderName: String? = nil) -> String? {
        lock.withLock {
            let address = mailbox.lowercased()
            guard let item = findItem(itemId, mailbox: address),
                let target = mailboxes[address]?.folders[folderName ?? item.folder]
            else { return nil }
            var copy = item
            copy.lastModified = Date()
            copy.fields["DateTimeCreated"] = XMLElement(
                name: "DateTimeCreated",
                namespace: SOAPNamespace.types,
                text: XSDateTime.format(Date())
            )
            return placeAsNew(copy, in: target, mailbox: address)
        }
    }

    /// Server-side processing that touches an item without a user (the calendar assistant, a retention
    /// tag, a mobile device's sync): the ChangeKey moves, no synced field changes, and the item shows as
    /// changed in SyncFolderItems.
    public func serverTouch(mailbox: String, itemId: String) {
        lock.withLock {
            guard var item = findItem(itemId, mailbox: mailbox.lowercased()) else { return }
            save(&item)
        }
    }

    /// Puts an item into a folder under a new ItemId and ChangeKey, as Exchange does for anything that
    /// arrives in a folder (a move, a restore, a copy); returns the new id. Call with the lock held.
    func placeAsNew(_ item: FakeItem, in target: FakeFolder, mailbox address: String) -> String {
        var placed = item
        placed.id = nextId("item")
        placed.changeKey = nextChangeKey()
        placed.folder = target.name
        itemIndex[placed.id] = address
        target.items[placed.id] = placed
        target.touch(placed.id, created: true)
        notify(mailbox: address, folder: target, type: "CreatedEvent", itemId: placed.id)
        return placed.id
    }

    static func field(_ name: String, _ text: String) -> XMLElement {
        if name == "Body" {
            return XMLElement(name: name, namespace: SOAPNamespace.types, attributes: ["BodyType": "Text"], text: text)
        }
        // Categories as a user sets them: `CRM,Red`.
        if name == "Categories" {
            let names = text.split(separator: ",").map {
                XMLElement(
                    name: "String",
                    namespace: SOAPNamespace.types,
                    text: $0.trimmingCharacters(in: .whitespaces)
                )
            }
            return XMLElement(name: name, namespace: SOAPNamespace.types, children: names)
        }
        // Attendee lists as a user edits them (or answers come in): `address[=ResponseType],…`.
        if attendeeLists.contains(name) {
            let attendees = text.split(separator: ",").map { entry in
                let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                let email = XMLElement(name: "EmailAddress", namespace: SOAPNamespace.types, text: parts[0])
                let mailbox = XMLElement(name: "Mailbox", namespace: SOAPNamespace.types, children: [email])
                let response =
                    parts.count == 2
                    ? [XMLElement(name: "ResponseType", namespace: SOAPNamespace.types, text: parts[1])] : []
                return XMLElement(name: "Attendee", namespace: SOAPNamespace.types, children: [mailbox] + response)
            }
            return XMLElement(name: name, namespace: SOAPNamespace.types, children: attendees)
        }
        return XMLElement(name: name, namespace: SOAPNamespace.types, text: text)
    }

    static func snapshot(_ item: FakeItem) -> FakeItemSnapshot {
        var fields: [String: String] = [:]
        for (name, element) in item.fields {
            if name == "Categories" {
                fields[name] = element.children.map(\.text).joined(separator: ",")
            } else {
                fields[name] =
                    element.children.isEmpty
                    ? element.text : element.children.map { $0.xmlString(prefix: "t") }.joined()
            }
        }
        return FakeItemSnapshot(
            id: item.id,
            changeKey: item.changeKey,
            kind: item.kind,
            folder: item.folder,
            fields: fields,
            extended: Dictionary(item.extended.map { ($0.key.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        )
    }
}
