import Foundation
import XMLKit

extension FakeExchange {
    func getFolder(_ context: FakeRequestContext) -> [UInt8] {
        let messages = lock.withLock {
            (context.element.child("FolderIds")?.children ?? []).map { reference -> String in
                // The mailbox's root folders exist as Exchange has them (clients such as exchangelib open `root`
                // first); they hold no items, only the folders.
                if let name = Self.folderName(reference), ["root", "msgfolderroot"].contains(name),
                    mailboxes[context.mailbox] != nil
                {
                    let id = Data("\(context.mailbox)/\(name)".utf8).base64EncodedString()
                    let display = name == "root" ? "" : "Top of Information Store"
                    return FakeResponse.success(
                        "GetFolder",
                        "<m:Folders><t:Folder><t:FolderId Id=\"\(id)\" ChangeKey=\"AQAAAA==\"/>"
                            + "<t:DisplayName>\(display)</t:DisplayName><t:TotalCount>0</t:TotalCount>"
                            + "<t:ChildFolderCount>2</t:ChildFolderCount><t:UnreadCount>0</t:UnreadCount>"
                            + "</t:Folder></m:Folders>"
                    )
                }
                guard let name = Self.folderName(reference), let folder = mailboxes[context.mailbox]?.folder(id: name)
                else {
                    return FakeResponse.error(
                        "GetFolder",
                        "ErrorFolderNotFound",
                        "The specified folder could not be found in the store."
                    )
                }
                let element = folder.name == "calendar" ? "CalendarFolder" : "TasksFolder"
                let display = folder.name == "calendar" ? "Calendar" : "Tasks"
                return FakeResponse.success(
                    "GetFolder",
                    "<m:Folders><t:\(element)><t:FolderId Id=\"\(folder.id)\" ChangeKey=\"AQAAAA==\"/>"
                        + "<t:DisplayName>\(display)</t:DisplayName><t:TotalCount>\(folder.items.count)</t:TotalCount>"
                        + "</t:\(element)></m:Folders>"
                )
            }
        }
        return FakeResponse.messages("GetFolder", messages)
    }

    func syncFolderItems(_ context: FakeRequestContext) -> [UInt8] {
        let shape = FakeItemShape(context.element.child("ItemShape"))
        let max = Int(context.element.childText("MaxChangesReturned") ?? "512") ?? 512
        let message: String = lock.withLock {
            guard let name = Self.folderName(context.element.child("SyncFolderId")?.children.first),
                let folder = mailboxes[context.mailbox]?.folder(id: name)
            else {
                return FakeResponse.error(
                    "SyncFolderItems",
                    "ErrorSyncFolderNotFound",
                    "The specified folder could not be found."
                )
            }
            var since = 0
            if let state = context.element.childText("SyncState"), !state.isEmpty {
                guard let seq = folder.decodeState(state) else {
                    return FakeResponse.error(
                        "SyncFolderItems",
                        "ErrorInvalidSyncStateData",
                        "Synchronization state data is corrupt or otherwise invalid."
                    )
                }
                since = seq
            }
            return syncPage(folder, since: since, max: max, shape: shape)
        }
        return FakeResponse.messages("SyncFolderItems", [message])
    }

    /// Net changes since `since`, oldest first, one per item: created and deleted since then is nothing.
    private func syncPage(_ folder: FakeFolder, since: Int, max: Int, shape: FakeItemShape) -> String {
        let changed = folder.records.filter { $0.value.lastSeq > since }.sorted { $0.value.lastSeq < $1.value.lastSeq }
        var changes: [String] = []
        var lastIncluded = since
        var complete = true
        for (id, record) in changed {
            if changes.count == max {
                complete = false
                break
            }
            lastIncluded = record.lastSeq
            if record.deleted {
                if record.createdSeq <= since { changes.append("<t:Delete><t:ItemId Id=\"\(id)\"/></t:Delete>") }
            } else if let item = folder.items[id] {
                let tag = record.createdSeq > since ? "Create" : "Update"
                changes.append("<t:\(tag)>\(shape.xml(item))</t:\(tag)>")
            }
        }
        let state = FakeFolder.encodeState(
            folder: folder.id,
            epoch: folder.epoch,
            seq: complete ? folder.seq : lastIncluded
        )
        return FakeResponse.success(
            "SyncFolderItems",
            "<m:SyncState>\(state)</m:SyncState><m:IncludesLastItemInRange>\(complete)</m:IncludesLastItemInRange>"
                + "<m:Changes>\(changes.joined())</m:Changes>"
        )
    }

    /// Properties FindItem cannot return: Exchange answers `ErrorInvalidPropertyRequest` for the body and
    /// the recipient lists ("FindItem … does not return the message body or attendee collections"; the
    /// FindItem operation reference, learn.microsoft.com: use GetItem for them).
    static let notInFindItem: Set<String> = [
        "item:Body", "item:UniqueBody", "calendar:RequiredAttendees", "calendar:OptionalAttendees",
        "calendar:Resources", "message:ToRecipients", "message:CcRecipients", "message:BccRecipients",
    ]

    func findItem(_ context: FakeRequestContext) -> [UInt8] {
        let requested = context.element.child("ItemShape")?.child("AdditionalProperties")?.children.compactMap {
            $0.attributes["FieldURI"]
        }
        if let refused = requested?.first(where: Self.notInFindItem.contains) {
            return FakeResponse.messages(
                "FindItem",
                [
                    FakeResponse.error(
                        "FindItem",
                        "ErrorInvalidPropertyRequest",
                        "\(refused) cannot be used in FindItem requests."
                    )
                ]
            )
        }
        let shape = FakeItemShape(context.element.child("ItemShape"))
        let view = context.element.child("IndexedPageItemView")
        let restriction = context.element.child("Restriction")?.children.first
        let message: String = lock.withLock {
            guard let name = Self.folderName(context.element.child("ParentFolderIds")?.children.first),
                let folder = mailboxes[context.mailbox]?.folder(id: name)
            else {
                return FakeResponse.error("FindItem", "ErrorFolderNotFound", "The specified folder could not be found.")
            }
            let matching = folder.order.compactMap { folder.items[$0] }.filter { item in
                restriction.map { Self.matches($0, item) } ?? true
            }
            let offset = Int(view?.attributes["Offset"] ?? "0") ?? 0
            var size = Int(view?.attributes["MaxEntriesReturned"] ?? "1000") ?? 1000
            size = min(size, restriction == nil ? 1000 : 250, _findPageLimit ?? Int.max)
            let page = matching.dropFirst(offset).prefix(size)
            let next = offset + page.count
            return FakeResponse.success(
                "FindItem",
                "<m:RootFolder IndexedPagingOffset=\"\(next)\" TotalItemsInView=\"\(matching.count)\""
                    + " IncludesLastItemInRange=\"\(next >= matching.count)\"><t:Items>"
                    + page.map(shape.xml).joined() + "</t:Items></m:RootFolder>"
            )
        }
        return FakeResponse.messages("FindItem", [message])
    }

    /// Evaluates IsEqualTo / IsNotEqualTo / And / Or / Not on extended properties and text fields.
    static func matches(_ restriction: XMLElement, _ item: FakeItem) -> Bool {
        switch restriction.name {
        case "And": return restriction.children.allSatisfy { matches($0, item) }
        case "Or": return restriction.children.contains { matches($0, item) }
        case "Not": return !(restriction.children.first.map { matches($0, item) } ?? false)
        case "IsEqualTo", "IsNotEqualTo":
            guard let path = restriction.children.first,
                let constant = restriction.child("FieldURIOrConstant")?.child("Constant")?.attributes["Value"]
            else { return false }
            let value: String?
            if let key = FakeItemShape.propertyKey(path) {
                value = item.extended[key]
            } else {
                value = path.attributes["FieldURI"].flatMap { item.fields[FakeItemShape.localName($0)]?.text }
            }
            return (value == constant) == (restriction.name == "IsEqualTo")
        default:
            return false
        }
    }
}
