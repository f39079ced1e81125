import XMLKit

extension EWSClient {
    /// GetFolder: resolves distinguished folders to their ids (the mailbox and access check).
    public func getFolders(_ folders: [EWSFolder], mailbox: String) async throws -> [EWSResult<EWSFolderInfo>] {
        let body =
            "<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties>"
            + "<t:FieldURI FieldURI=\"folder:DisplayName\"/><t:FieldURI FieldURI=\"folder:TotalCount\"/>"
            + "</t:AdditionalProperties></m:FolderShape><m:FolderIds>"
            + folders.map { folderXML($0, mailbox: mailbox) }.joined() + "</m:FolderIds></m:GetFolder>"
        let answer: Answer<Never> = try await send(Call(operation: "GetFolder", body: body, mailbox: mailbox))
        return answer.messages.map { message in
            if let error = message.error { return .failure(error) }
            guard let folder = message.element.child("Folders")?.children.first,
                let id = folder.child("FolderId")?.attributes["Id"]
            else { return .failure(EWSError(.malformedResponse, "GetFolder answer without a folder")) }
            return .success(
                EWSFolderInfo(
                    id: id,
                    displayName: folder.childText("DisplayName"),
                    totalCount: folder.childText("TotalCount").flatMap { Int($0) }
                )
            )
        }
    }

    /// The service account on its own, no mailbox addressed (`check` before there are sync users): any SOAP
    /// answer proves the endpoint and the credentials — an account without a mailbox of its own gets an error
    /// code, returned here; nil means it has one. HTTP and transport failures are thrown as by every call.
    public func probeServiceAccount() async throws -> String? {
        let body =
            "<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds>"
            + "<t:DistinguishedFolderId Id=\"msgfolderroot\"/></m:FolderIds></m:GetFolder>"
        do {
            let answer: Answer<Never> = try await send(
                Call(operation: "GetFolder", body: body, mailbox: Self.serviceAccount, impersonate: false)
            )
            return answer.messages.first?.error?.responseCode
        } catch let error as EWSError where error.kind == .fault {
            return error.responseCode ?? "fault"
        }
    }

    /// The label of the service account's own requests (throttling, metrics, logs).
    public static let serviceAccount = "(service account)"

    /// SyncFolderItems: one page of changes since `syncState` (nil: from the beginning).
    public func syncFolderItems(
        _ folder: EWSFolder,
        mailbox: String,
        syncState: String?,
        shape: EWSItemShape,
        maxChanges: Int = 512
    ) async throws -> EWSSyncPage {
        let state = syncState.map { "<m:SyncState>\(XMLEscaping.escape($0))</m:SyncState>" } ?? ""
        let body =
            "<m:SyncFolderItems>\(Self.shapeXML(shape))<m:SyncFolderId>\(folderXML(folder, mailbox: mailbox))"
            + "</m:SyncFolderId>\(state)<m:MaxChangesReturned>\(min(max(maxChanges, 1), 512))</m:MaxChangesReturned>"
            + "<m:SyncScope>NormalItems</m:SyncScope></m:SyncFolderItems>"
        let answer: Answer<EWSSyncChange?> = try await send(
            Call(operation: "SyncFolderItems", body: body, mailbox: mailbox, split: ["Changes"]),
            decode: Self.syncChange
        )
        let message = try Self.single(answer.messages, "SyncFolderItems")
        guard let newState = message.element.childText("SyncState") else {
            throw EWSError(.malformedResponse, "SyncFolderItems answer without SyncState")
        }
        return EWSSyncPage(
            syncState: newState,
            includesLastItemInRange: message.element.childText("IncludesLastItemInRange") != "false",
            changes: answer.items.compactMap { $0 }
        )
    }

    /// Pages SyncFolderItems until the folder is caught up, handing each page to `apply` before asking
    /// for the next, so the caller can persist the page's state together with its changes. Stops also
    /// when the server hands back the state it was sent (a known endless loop otherwise), and after
    /// `maxPages` pages (a server that always says "more" must not hold the pass forever): returns whether
    /// the folder was caught up; if not, the last state handed to `apply` is where the next call goes on.
    @discardableResult
    public func syncFolder(
        _ folder: EWSFolder,
        mailbox: String,
        from syncState: String?,
        shape: EWSItemShape,
        maxChanges: Int = 512,
        maxPages: Int = 200,
        apply: (EWSSyncPage) async throws -> Void
    ) async throws -> Bool {
        var state = syncState
        for _ in 0..<maxPages {
            let page = try await syncFolderItems(
                folder,
                mailbox: mailbox,
                syncState: state,
                shape: shape,
                maxChanges: maxChanges
            )
            try await apply(page)
            if page.includesLastItemInRange || page.syncState == state { return true }
            state = page.syncState
        }
        return false
    }

    /// FindItem with IndexedPageItemView paging; returns every matching item of the folder.
    public func findItems(
        in folder: EWSFolder,
        mailbox: String,
        restriction: EWSRestriction? = nil,
        shape: EWSItemShape,
        pageSize: Int = 250,
        maxPages: Int = 400
    ) async throws -> [EWSItem] {
        // Exchange 2013+ caps restricted searches at 250 per page, and may return shorter pages.
        let size = restriction == nil ? min(pageSize, 1000) : min(pageSize, 250)
        var offset = 0
        var found: [EWSItem] = []
        for _ in 0..<maxPages {
            let restrictionXML = restriction.map { "<m:Restriction>\(Self.restrictionXML($0))</m:Restriction>" } ?? ""
            let body =
                "<m:FindItem Traversal=\"Shallow\">\(Self.shapeXML(shape))"
                + "<m:IndexedPageItemView MaxEntriesReturned=\"\(size)\" Offset=\"\(offset)\" BasePoint=\"Beginning\"/>"
                + restrictionXML
                + "<m:ParentFolderIds>\(folderXML(folder, mailbox: mailbox))</m:ParentFolderIds></m:FindItem>"
            let answer: Answer<EWSItem> = try await send(
                Call(operation: "FindItem", body: body, mailbox: mailbox, split: ["Items"]),
                decode: { EWSItem(xml: $0) }
            )
            let message = try Self.single(answer.messages, "FindItem")
            found += answer.items
            let root = message.element.child("RootFolder")
            let last = root?.attributes["IncludesLastItemInRange"] != "false"
            let next = root?.attributes["IndexedPagingOffset"].flatMap { Int($0) } ?? (offset + answer.items.count)
            if last || answer.items.isEmpty || next <= offset { return found }
            offset = next
        }
        // (A search cut short could miss the very item it looks for, and an item not found is created again:
        // no partial answer.)
        throw EWSError(
            .malformedResponse,
            "FindItem answered more than \(maxPages) pages; the search was given up",
            limit: "find_pages"
        )
    }

    /// GetItem for a batch of ids; one result per id, in order.
    public func getItems(_ ids: [EWSItemId], mailbox: String, shape: EWSItemShape) async throws -> [EWSResult<EWSItem>]
    {
        guard !ids.isEmpty else { return [] }
        let cut = configuration.cutsBodies ? configuration.maximumBodyKilobytes : nil
        let body =
            "<m:GetItem>\(Self.shapeXML(shape, maximumBodyKilobytes: cut))"
            + "<m:ItemIds>\(ids.map(Self.itemIdXML).joined())</m:ItemIds></m:GetItem>"
        let answer: Answer<Never> = try await send(Call(operation: "GetItem", body: body, mailbox: mailbox))
        return try Self.perItem(answer.messages, count: ids.count, "GetItem") { message in
            guard let element = message.child("Items")?.children.first, let item = EWSItem(xml: element) else {
                return .failure(EWSError(.malformedResponse, "GetItem answer without a task or calendar item"))
            }
            return .success(item)
        }
    }

    /// CreateItem for a batch of items of one folder; one result (the new id) per item, in order.
    public func createItems(
        _ items: [EWSItem],
        in folder: EWSFolder,
        mailbox: String,
        timeZoneId: String? = nil,
        meetingMail: EWSMeetingMail = .none
    ) async throws -> [EWSResult<EWSItemId>] {
        guard !items.isEmpty else { return [] }
        let invitations: String
        switch meetingMail {
        case .none: invitations = "SendToNone"
        case .all, .changed: invitations = "SendToAllAndSaveCopy"
        }
        let body =
            "<m:CreateItem SendMeetingInvitations=\"\(invitations)\"><m:SavedItemFolderId>"
            + folderXML(folder, mailbox: mailbox) + "</m:SavedItemFolderId><m:Items>"
            + items.map { $0.xml() }.joined() + "</m:Items></m:CreateItem>"
        let answer: Answer<Never> = try await send(
            Call(operation: "CreateItem", body: body, mailbox: mailbox, timeZoneId: timeZoneId, isWrite: true)
        )
        return try Self.perItem(answer.messages, count: items.count, "CreateItem", isWrite: true, Self.newItemId)
    }

    /// UpdateItem for a batch of changes; one result (the new id and ChangeKey) per change, in order.
    public func updateItems(
        _ changes: [EWSItemChange],
        mailbox: String,
        timeZoneId: String? = nil,
        conflictResolution: EWSConflictResolution = .neverOverwrite,
        meetingMail: EWSMeetingMail = .none
    ) async throws -> [EWSResult<EWSItemId>] {
        guard !changes.isEmpty else { return [] }
        let invitations: String
        switch meetingMail {
        case .none: invitations = "SendToNone"
        case .all: invitations = "SendToAllAndSaveCopy"
        case .changed: invitations = "SendToChangedAndSaveCopy"
        }
        let body =
            "<m:UpdateItem ConflictResolution=\"\(conflictResolution.rawValue)\""
            + " SendMeetingInvitationsOrCancellations=\"\(invitations)\"><m:ItemChanges>"
            + changes.map(Self.itemChangeXML).joined() + "</m:ItemChanges></m:UpdateItem>"
        let answer: Answer<Never> = try await send(
            Call(operation: "UpdateItem", body: body, mailbox: mailbox, timeZoneId: timeZoneId, isWrite: true)
        )
        return try Self.perItem(answer.messages, count: changes.count, "UpdateItem", isWrite: true, Self.newItemId)
    }

    /// DeleteItem for a batch of ids; one result per id, in order.
    public func deleteItems(
        _ ids: [EWSItemId],
        mailbox: String,
        deleteType: EWSDeleteType = .moveToDeletedItems,
        sendCancellations: Bool = false
    ) async throws -> [EWSResult<Void>] {
        guard !ids.isEmpty else { return [] }
        let cancellations = sendCancellations ? "SendToAllAndSaveCopy" : "SendToNone"
        let body =
            "<m:DeleteItem DeleteType=\"\(deleteType.rawValue)\" AffectedTaskOccurrences=\"AllOccurrences\""
            + " SendMeetingCancellations=\"\(cancellations)\"><m:ItemIds>"
            + ids.map { Self.itemIdXML(EWSItemId(id: $0.id)) }.joined() + "</m:ItemIds></m:DeleteItem>"
        let answer: Answer<Never> = try await send(
            Call(operation: "DeleteItem", body: body, mailbox: mailbox, isWrite: true)
        )
        return try Self.perItem(answer.messages, count: ids.count, "DeleteItem", isWrite: true) { _ in .success(()) }
    }
}

// MARK: - XML pieces

extension EWSClient {
    static func shapeXML(_ shape: EWSItemShape, maximumBodyKilobytes: Int? = nil) -> String {
        var paths = shape.fields.map { "<t:FieldURI FieldURI=\"\($0.rawValue)\"/>" }
        paths += shape.extendedProperties.map(\.fieldURIXML)
        let body = shape.fields.contains(.body)
        let bodyType = body ? "<t:BodyType>Text</t:BodyType>" : ""
        let cut = body ? maximumBodyKilobytes.map { "<t:MaximumBodySize>\($0)</t:MaximumBodySize>" } ?? "" : ""
        let additional = paths.isEmpty ? "" : "<t:AdditionalProperties>\(paths.joined())</t:AdditionalProperties>"
        return "<m:ItemShape><t:BaseShape>IdOnly</t:BaseShape>\(bodyType)\(cut)\(additional)</m:ItemShape>"
    }

    static func itemIdXML(_ id: EWSItemId) -> String {
        let changeKey = id.changeKey.map { " ChangeKey=\"\(XMLEscaping.escape($0))\"" } ?? ""
        return "<t:ItemId Id=\"\(XMLEscaping.escape(id.id))\"\(changeKey)/>"
    }

    static func restrictionXML(_ restriction: EWSRestriction) -> String {
        switch restriction {
        case .isEqualTo(let property, let value):
            return "<t:IsEqualTo>\(property.fieldURIXML)<t:FieldURIOrConstant><t:Constant Value=\""
                + XMLEscaping.escape(value) + "\"/></t:FieldURIOrConstant></t:IsEqualTo>"
        case .or(let parts):
            return parts.count == 1 ? restrictionXML(parts[0]) : "<t:Or>\(parts.map(restrictionXML).joined())</t:Or>"
        case .and(let parts):
            return parts.count == 1 ? restrictionXML(parts[0]) : "<t:And>\(parts.map(restrictionXML).joined())</t:And>"
        }
    }

    static func itemChangeXML(_ change: EWSItemChange) -> String {
        let kind = change.item.kind.rawValue
        let updates = change.updates.map { update -> String in
            switch update {
            case .set(let field):
                guard let value = change.item.value(of: field) else { return deleteFieldXML(field) }
                return
                    "<t:SetItemField><t:FieldURI FieldURI=\"\(field.rawValue)\"/><t:\(kind)>\(value)</t:\(kind)></t:SetItemField>"
            case .delete(let field):
                return deleteFieldXML(field)
            case .setExtended(let property):
                guard change.item.extendedProperties[property] != nil else {
                    return "<t:DeleteItemField>\(property.fieldURIXML)</t:DeleteItemField>"
                }
                return "<t:SetItemField>\(property.fieldURIXML)<t:\(kind)>"
                    + change.item.extendedPropertiesXML(only: property) + "</t:\(kind)></t:SetItemField>"
            case .deleteExtended(let property):
                return "<t:DeleteItemField>\(property.fieldURIXML)</t:DeleteItemField>"
            }
        }.joined()
        return "<t:ItemChange>\(itemIdXML(change.itemId))<t:Updates>\(updates)</t:Updates></t:ItemChange>"
    }

    private static func deleteFieldXML(_ field: EWSField) -> String {
        "<t:DeleteItemField><t:FieldURI FieldURI=\"\(field.rawValue)\"/></t:DeleteItemField>"
    }

    static func syncChange(_ element: XMLElement) -> EWSSyncChange? {
        func id(_ element: XMLElement?) -> EWSItemId? {
            guard let element, let value = element.attributes["Id"] else { return nil }
            return EWSItemId(id: value, changeKey: element.attributes["ChangeKey"])
        }
        switch element.name {
        case "Create": return element.children.first.flatMap { EWSItem(xml: $0) }.map(EWSSyncChange.created)
        case "Update": return element.children.first.flatMap { EWSItem(xml: $0) }.map(EWSSyncChange.updated)
        case "Delete": return id(element.child("ItemId")).map(EWSSyncChange.deleted)
        case "ReadFlagChange": return id(element.child("ItemId")).map(EWSSyncChange.readFlagChanged)
        default: return nil
        }
    }

    static func newItemId(_ message: XMLElement) -> EWSResult<EWSItemId> {
        guard let id = message.child("Items")?.children.first?.child("ItemId"), let value = id.attributes["Id"] else {
            return .failure(EWSError(.malformedResponse, "answer without the item's id"))
        }
        return .success(EWSItemId(id: value, changeKey: id.attributes["ChangeKey"]))
    }

    static func single(_ messages: [ResponseMessage], _ operation: String) throws -> ResponseMessage {
        guard messages.count == 1 else {
            throw EWSError(.malformedResponse, "\(operation) answered with \(messages.count) response messages, not 1")
        }
        if let error = messages[0].error { throw error }
        return messages[0]
    }

    /// One result per request item; a count mismatch means the answer cannot be matched to the items.
    static func perItem<Value>(
        _ messages: [ResponseMessage],
        count: Int,
        _ operation: String,
        isWrite: Bool = false,
        _ read: (XMLElement) -> EWSResult<Value>
    ) throws -> [EWSResult<Value>] {
        guard messages.count == count else {
            let error = EWSError(
                .malformedResponse,
                "\(operation) answered \(messages.count) messages for \(count) items"
            )
            throw isWrite ? ambiguous(error) : error
        }
        return messages.map { message in message.error.map { .failure($0) } ?? read(message.element) }
    }
}
