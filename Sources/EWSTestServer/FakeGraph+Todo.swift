import Foundation
import XMLKit

/// Microsoft To Do, served from the fake Exchange's mailboxes (a list is a task folder; the default list is the
/// tasks folder EWS syncs), with To Do's documented quirks: no extended properties (open extensions and
/// linkedResources instead), a due date's time of day dropped (kept as the midnight of its date in the zone
/// sent), a completion date at UTC midnight, no percentage, ids that change when a task moves between lists, and
/// delta per list.
extension FakeGraph {
    // MARK: - As a user in To Do or Outlook

    /// A task a user made in To Do; its Graph id. `list`: a list's display name (nil: the default list).
    @discardableResult
    public func userCreateTodoTask(
        mailbox: String,
        list: String? = nil,
        title: String,
        extra: [String: Any] = [:]
    )
        -> String
    {
        var json = extra
        json["title"] = title
        return exchange.lock.withLock {
            let address = mailbox.lowercased()
            guard let folder = todoFolder(address, named: list) else { return "" }
            var item = exchange.storeNew(
                XMLElement(name: "Task", namespace: SOAPNamespace.types),
                in: folder,
                mailbox: address
            )
            Self.apply(json, to: &item)
            exchange.save(&item)
            return Self.todoId(item.id)
        }
    }

    /// A user's edit in To Do (properties as Graph names them; null removes).
    public func userUpdateTodoTask(mailbox: String, id: String, properties: [String: Any]) {
        exchange.lock.withLock {
            guard var item = todoItem(mailbox.lowercased(), id) else { return }
            Self.apply(properties, to: &item)
            exchange.save(&item)
        }
    }

    /// A user deletes the task (into Deleted Items).
    public func userDeleteTodoTask(mailbox: String, id: String) {
        exchange.lock.withLock {
            if let item = todoItem(mailbox.lowercased(), id) { exchange.remove(item) }
        }
    }

    /// A user moves the task to another list: To Do gives it a new id; what it carries goes with it.
    @discardableResult
    public func userMoveTodoTask(mailbox: String, id: String, toList name: String) -> String? {
        guard let ewsId = Self.ewsId(todo: id),
            let folder = exchange.lock.withLock({ todoFolder(mailbox.lowercased(), named: name)?.name }),
            let moved = exchange.userMove(mailbox: mailbox, itemId: ewsId, to: folder)
        else { return nil }
        return Self.todoId(moved)
    }

    /// A list a user made in To Do.
    public func userCreateTodoList(mailbox: String, name: String) {
        exchange.lock.withLock {
            guard let owner = exchange.mailboxes[mailbox.lowercased()] else { return }
            let folder = "list-\(owner.todoLists.count)"
            owner.folders[folder] = FakeFolder(name: folder, id: "AQMk-\(folder)-\(UUID().uuidString)")
            owner.todoLists.append(FakeTodoList(folder: folder, displayName: name, wellknown: "none"))
        }
    }

    /// The tasks of a list as Graph answers them, with their extensions and linkedResources (for assertions).
    public func todoTasks(mailbox: String, list: String? = nil) -> [[String: Any]] {
        exchange.lock.withLock {
            guard let folder = todoFolder(mailbox.lowercased(), named: list) else { return [] }
            return folder.order.compactMap { folder.items[$0] }.map {
                task($0, expand: ["extensions", "linkedResources"])
            }
        }
    }

    /// A task's id as activity-sync holds it: `{list id}|{task id}` (To Do addresses a task through its list).
    public func todoRef(mailbox: String, id: String) -> String? {
        exchange.lock.withLock {
            guard let item = todoItem(mailbox.lowercased(), id),
                let folder = exchange.mailboxes[mailbox.lowercased()]?.folders[item.folder]
            else { return nil }
            return Self.listId(folder) + "|" + id
        }
    }

    // MARK: - Ids

    /// A task's Graph id: not its EWS id (they differ as Graph's and EWS's ids do), but one the fake maps back.
    static func todoId(_ ewsId: String) -> String { "AQMkTd" + base64URL(Data(ewsId.utf8)) }

    static func ewsId(todo id: String) -> String? {
        guard id.hasPrefix("AQMkTd"), let data = base64URLDecode(String(id.dropFirst(6))) else { return nil }
        return String(data: data, encoding: .utf8)
    }

    static func listId(_ folder: FakeFolder) -> String { "AQMkLs" + base64URL(Data(folder.id.utf8)) }

    /// The list folder by display name (nil: the default list). Call with the exchange's lock held.
    func todoFolder(_ mailbox: String, named name: String?) -> FakeFolder? {
        guard let owner = exchange.mailboxes[mailbox] else { return nil }
        let list = owner.todoLists.first { name == nil ? $0.wellknown == "defaultList" : $0.displayName == name }
        return list.flatMap { owner.folders[$0.folder] }
    }

    /// The list folder by Graph id. Call with the exchange's lock held.
    func todoFolder(_ mailbox: String, id: String) -> FakeFolder? {
        guard let owner = exchange.mailboxes[mailbox] else { return nil }
        return owner.todoLists.compactMap { owner.folders[$0.folder] }.first { Self.listId($0) == id }
    }

    /// A task by Graph id, in any list. Call with the exchange's lock held.
    func todoItem(_ mailbox: String, _ id: String) -> FakeItem? {
        Self.ewsId(todo: id).flatMap { exchange.findItem($0, mailbox: mailbox) }.flatMap {
            $0.kind == "Task" ? $0 : nil
        }
    }

    // MARK: - Routes

    func todo(
        method: String,
        route: String,
        query: [String: String],
        headers: [String: String],
        body: [UInt8]
    ) -> Answer {
        guard lock.withLock({ todoAllowed }) else {
            return Self.response(
                403,
                Self.errorBody("ErrorAccessDenied", "Access is denied. Check credentials and try again.")
            )
        }
        guard let (mailbox, path) = userRoute(route) else { return Self.unknownUser(route) }
        let rest = Array(path.dropFirst())  // after users/{id}/todo
        guard rest.first == "lists" else {
            return Self.response(404, Self.errorBody("ResourceNotFound", "Unknown To Do route."))
        }
        if rest.count == 1 {
            return method == "GET"
                ? lists(mailbox) : Self.response(405, Self.errorBody("BadRequest", "Lists are read."))
        }
        let generation = lock.withLock { mailboxes[mailbox]?.generation ?? 0 }
        return exchange.lock.withLock { () -> Answer in
            guard let folder = todoFolder(mailbox, id: rest[1]) else {
                return Self.response(
                    404,
                    Self.errorBody("ErrorItemNotFound", "The specified object was not found in the store.")
                )
            }
            let tail = Array(rest.dropFirst(2))
            switch (method, tail.count) {
            case ("GET", 1) where tail[0] == "tasks": return listTasks(mailbox, folder, query: query, headers: headers)
            case ("POST", 1) where tail[0] == "tasks": return createTask(mailbox, folder, body: body)
            case ("GET", 2) where tail == ["tasks", "delta"]:
                return todoDelta(mailbox, folder, generation: generation, query: query, headers: headers)
            default: break
            }
            guard tail.count >= 2, tail[0] == "tasks", var item = todoItem(mailbox, tail[1]), item.folder == folder.name
            else { return Self.notFound }
            switch (method, tail.count) {
            case ("GET", 2):
                return Answer(status: 200, body: task(item, expand: Self.expanded(query["$expand"])))
            case ("PATCH", 2):
                if let match = headers["if-match"], match != "W/\"\(item.changeKey)\"" { return Self.conflict }
                guard let json = checkedJSON(body, as: "graph.todoTask") else { return invalidBody(body) }
                if json["extensions"] != nil || json["linkedResources"] != nil {
                    return Self.response(
                        400,
                        Self.errorBody("BadRequest", "Navigation properties cannot be set in an update.")
                    )
                }
                Self.apply(json, to: &item)
                exchange.save(&item)
                return Answer(status: 200, body: task(item, expand: []))
            case ("DELETE", 2):
                if let match = headers["if-match"], match != "W/\"\(item.changeKey)\"" { return Self.conflict }
                exchange.remove(item)
                return Answer(status: 204)
            default:
                return extensionRoute(method, tail: Array(tail.dropFirst(2)), item: &item, body: body)
            }
        }
    }

    func lists(_ mailbox: String) -> Answer {
        exchange.lock.withLock {
            guard let owner = exchange.mailboxes[mailbox] else { return Self.notFound }
            let value = owner.todoLists.compactMap { list -> [String: Any]? in
                guard let folder = owner.folders[list.folder] else { return nil }
                return [
                    "id": Self.listId(folder), "displayName": list.displayName, "isOwner": true, "isShared": false,
                    "wellknownListName": list.wellknown,
                ]
            }
            return Answer(status: 200, body: ["value": value])
        }
    }

    /// A list's tasks, paged (`$top` or `Prefer: odata.maxpagesize`, 10 by default) with `$skip` links.
    func listTasks(
        _ mailbox: String,
        _ folder: FakeFolder,
        query: [String: String],
        headers: [String: String]
    )
        -> Answer
    {
        if query["$filter"] != nil {
            return Self.response(400, Self.errorBody("BadRequest", "The query filter is not supported here."))
        }
        let size = Int(query["$top"] ?? "") ?? Self.pageSize(headers) ?? 10
        let skip = Int(query["$skip"] ?? "") ?? 0
        let all = folder.order.compactMap { folder.items[$0] }
        let page = all.dropFirst(skip).prefix(max(1, size))
        var body: [String: Any] = ["value": page.map { task($0, expand: Self.expanded(query["$expand"])) }]
        if skip + page.count < all.count {
            var next = query
            next["$skip"] = String(skip + page.count)
            next["$top"] = String(size)
            let text = next.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.escape($0.value))" }.joined(
                separator: "&"
            )
            body["@odata.nextLink"] =
                "http://127.0.0.1:\(port)/v1.0/users/\(mailbox)/todo/lists/\(Self.listId(folder))/tasks?\(text)"
        }
        return Answer(status: 200, body: body)
    }

    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~$")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func pageSize(_ headers: [String: String]) -> Int? {
        Int(
            headers["prefer"]?.components(separatedBy: "odata.maxpagesize=").dropFirst().first?.prefix { $0.isNumber }
                ?? ""
        )
    }

    /// `$expand=extensions($filter=id eq '…'),linkedResources`: the names expanded (an extension filter names one).
    static func expanded(_ expand: String?) -> Set<String> {
        guard let expand else { return [] }
        var names: Set<String> = []
        if expand.contains("linkedResources") { names.insert("linkedResources") }
        if let range = expand.range(of: "extensions") {
            let after = expand[range.upperBound...]
            if after.hasPrefix("($filter=id eq '"), let end = after.dropFirst(16).firstIndex(of: "'") {
                names.insert("extension:" + after[after.index(after.startIndex, offsetBy: 16)..<end])
            } else {
                names.insert("extensions")
            }
        }
        return names
    }

    /// Delta of one list: the first round lists every task; later rounds what changed since (a task gone or
    /// moved out is `@removed`). Pages of `Prefer: odata.maxpagesize`.
    func todoDelta(
        _ mailbox: String,
        _ folder: FakeFolder,
        generation: Int,
        query: [String: String],
        headers: [String: String]
    ) -> Answer {
        if query["$expand"] != nil || query["$filter"] != nil {
            return Self.response(400, Self.errorBody("BadRequest", "The query option is not supported with delta."))
        }
        var since = 0
        var cut = folder.seq
        var offset = 0
        if let token = query["$deltatoken"] ?? query["$skiptoken"] {
            let parts = String(data: Self.base64URLDecode(token) ?? Data(), encoding: .utf8)?.split(separator: "|")
                .map(String.init)
            guard let parts, parts.count == 5, parts[0] == folder.id, let tokenSince = Int(parts[2]),
                let tokenCut = Int(parts[3]), let tokenOffset = Int(parts[4])
            else {
                return Self.response(400, Self.errorBody("ErrorInvalidIdMalformed", "The delta token is malformed."))
            }
            guard Int(parts[1]) == generation else {
                return Self.response(
                    410,
                    Self.errorBody("syncStateNotFound", "The sync state generation is not valid.")
                )
            }
            (since, cut, offset) = (tokenSince, tokenCut, tokenOffset)
            if query["$deltatoken"] != nil { (cut, offset) = (folder.seq, 0) }
        }
        let changed = folder.records.filter { $0.value.lastSeq > since }.sorted { $0.value.lastSeq < $1.value.lastSeq }
        var entries: [[String: Any]] = []
        for (id, record) in changed {
            if let item = folder.items[id], !record.deleted {
                entries.append(task(item, expand: []))
            } else if since > 0 && record.createdSeq <= since {
                entries.append(["id": Self.todoId(id), "@removed": ["reason": "deleted"]])
            }
        }
        let page = Array(entries.dropFirst(offset).prefix(max(1, Self.pageSize(headers) ?? 100)))
        var body: [String: Any] = ["value": page]
        let base = "http://127.0.0.1:\(port)/v1.0/users/\(mailbox)/todo/lists/\(Self.listId(folder))/tasks/delta"
        func token(_ since: Int, _ cut: Int, _ offset: Int) -> String {
            Self.base64URL(Data("\(folder.id)|\(generation)|\(since)|\(cut)|\(offset)".utf8))
        }
        if offset + page.count < entries.count {
            body["@odata.nextLink"] = "\(base)?$skiptoken=\(token(since, cut, offset + page.count))"
        } else {
            body["@odata.deltaLink"] = "\(base)?$deltatoken=\(token(cut, cut, 0))"
        }
        return Answer(status: 200, body: body)
    }

    func createTask(_ mailbox: String, _ folder: FakeFolder, body: [UInt8]) -> Answer {
        guard let json = checkedJSON(body, as: "graph.todoTask") else { return invalidBody(body) }
        var item = exchange.storeNew(
            XMLElement(name: "Task", namespace: SOAPNamespace.types),
            in: folder,
            mailbox: mailbox
        )
        Self.apply(json, to: &item)
        for value in json["extensions"] as? [[String: Any]] ?? [] { Self.putExtension(value, on: &item) }
        for value in json["linkedResources"] as? [[String: Any]] ?? [] { Self.putLinkedResource(value, on: &item) }
        exchange.save(&item)
        return Answer(status: 201, body: task(item, expand: []))
    }

    /// `…/tasks/{id}/extensions[/{name}]` and `…/linkedResources[/{id}]`: an extension or a link added, changed
    /// or taken off a task (the task's version moves, as any change of the item does).
    func extensionRoute(_ method: String, tail: [String], item: inout FakeItem, body: [UInt8]) -> Answer {
        switch (method, tail.first, tail.count) {
        case ("POST", "extensions", 1):
            guard let json = checkedJSON(body, as: "graph.extension"), let name = json["extensionName"] as? String
            else { return invalidBody(body) }
            guard item.extensions[name] == nil else {
                return Self.response(
                    409,
                    Self.errorBody("NameAlreadyExists", "An extension with this name already exists.")
                )
            }
            Self.putExtension(json, on: &item)
            exchange.save(&item)
            return Answer(status: 201, body: Self.extensionJSON(name, item.extensions[name] ?? [:]))
        case ("PATCH", "extensions", 2):
            let name = Self.extensionName(tail[1])
            guard item.extensions[name] != nil else { return Self.notFound }
            guard let json = checkedJSON(body, as: "graph.extension") else { return invalidBody(body) }
            var merged = json
            merged["extensionName"] = name
            for (key, value) in item.extensions[name] ?? [:] where merged[key] == nil {
                merged[key] = Self.any(value)
            }
            Self.putExtension(merged, on: &item)
            exchange.save(&item)
            return Answer(status: 200, body: Self.extensionJSON(name, item.extensions[name] ?? [:]))
        case ("DELETE", "extensions", 2):
            guard item.extensions.removeValue(forKey: Self.extensionName(tail[1])) != nil else { return Self.notFound }
            exchange.save(&item)
            return Answer(status: 204)
        case ("POST", "linkedResources", 1):
            guard let json = checkedJSON(body, as: "graph.linkedResource") else { return invalidBody(body) }
            let id = Self.putLinkedResource(json, on: &item)
            exchange.save(&item)
            return Answer(status: 201, body: item.linkedResources.first { $0["id"] == id } ?? [:])
        case ("DELETE", "linkedResources", 2):
            let before = item.linkedResources.count
            item.linkedResources.removeAll { $0["id"] == tail[1] }
            guard item.linkedResources.count < before else { return Self.notFound }
            exchange.save(&item)
            return Answer(status: 204)
        default:
            return Self.response(405, Self.errorBody("BadRequest", "Unsupported \(method) on a task."))
        }
    }

    /// The body, when it is JSON Graph's metadata accepts for the type (else nil; the violation recorded): what
    /// Graph answers 400 `RequestBodyRead`.
    func checkedJSON(_ body: [UInt8], as type: String) -> [String: Any]? {
        guard let value = JSONValue.parse(body),
            let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        else {
            lock.withLock { violationLog.append("a body that is not JSON") }
            return nil
        }
        let found = metadata.violations(of: value, as: type)
        guard found.isEmpty else {
            lock.withLock { violationLog += found }
            return nil
        }
        return object
    }

    // MARK: - Values

    /// An extension's name from its id (`Microsoft.OutlookServices.OpenTypeExtension.{name}` or the name).
    static func extensionName(_ id: String) -> String {
        id.hasPrefix(outlookExtensionPrefix) ? String(id.dropFirst(outlookExtensionPrefix.count)) : id
    }

    static let outlookExtensionPrefix = "Microsoft.OutlookServices.OpenTypeExtension."

    static func putExtension(_ json: [String: Any], on item: inout FakeItem) {
        guard let name = json["extensionName"] as? String else { return }
        var properties: [String: JSONValue] = [:]
        for (key, value) in json where key != "extensionName" && !key.hasPrefix("@odata.") && key != "id" {
            if let text = value as? String { properties[key] = .string(text) }
        }
        item.extensions[name] = properties
    }

    @discardableResult
    static func putLinkedResource(_ json: [String: Any], on item: inout FakeItem) -> String {
        var link: [String: String] = ["id": UUID().uuidString.lowercased()]
        for key in ["applicationName", "displayName", "externalId", "webUrl"] {
            if let value = json[key] as? String { link[key] = value }
        }
        item.linkedResources.append(link)
        return link["id"] ?? ""
    }

    static func extensionJSON(_ name: String, _ properties: [String: JSONValue]) -> [String: Any] {
        var json: [String: Any] = [
            "@odata.type": "#microsoft.graph.openTypeExtension", "id": outlookExtensionPrefix + name,
            "extensionName": name,
        ]
        for (key, value) in properties { json[key] = any(value) }
        return json
    }

    static func any(_ value: JSONValue) -> Any {
        switch value {
        case .null: return NSNull()
        case .bool(let flag): return flag
        case .number(let number): return number
        case .string(let text): return text
        case .array(let list): return list.map(any)
        case .object(let object): return object.mapValues(any)
        }
    }

    static let statuses = [
        "notStarted": "NotStarted", "inProgress": "InProgress", "completed": "Completed",
        "waitingOnOthers": "WaitingOnOthers", "deferred": "Deferred",
    ]

    /// Writes Graph's properties of a task into the item's fields, as To Do keeps them.
    static func apply(_ json: [String: Any], to item: inout FakeItem) {
        func set(_ name: String, _ text: String?) {
            item.fields[name] = text.map { FakeExchange.field(name, $0) }
        }
        for (key, value) in json {
            switch key {
            case "title": set("Subject", value as? String)
            case "body": set("Body", (value as? [String: Any])?["content"] as? String)
            case "importance": set("Importance", (value as? String)?.capitalized)
            case "isReminderOn": set("ReminderIsSet", (value as? Bool) == true ? "true" : "false")
            case "categories": set("Categories", (value as? [String])?.joined(separator: ","))
            case "reminderDateTime": set("ReminderDueBy", instant(value).map(XSDateTime.format))
            // The time of day is dropped: the midnight of the date sent, in its zone (docs issues #2136, #16991).
            case "dueDateTime": set("DueDate", midnight(value).map(XSDateTime.format))
            case "startDateTime": set("StartDate", midnight(value).map(XSDateTime.format))
            case "status":
                set("Status", (value as? String).flatMap { statuses[$0] })
                FakeExchange.coerceTask(&item, processed: "Status")
                // Completed "today", returned at UTC midnight (docs-contrib #8664).
                let done = item.fields["Status"]?.text == "Completed"
                set("CompleteDate", done ? String(XSDateTime.format(Date()).prefix(10)) + "T00:00:00Z" : nil)
            default: continue
            }
        }
    }

    /// The midnight of a `dateTimeTimeZone`'s date in its zone (To Do keeps the date only).
    static func midnight(_ value: Any) -> Date? {
        guard let object = value as? [String: Any], let text = object["dateTime"] as? String,
            let zone = zone(object["timeZone"] as? String ?? "UTC")
        else { return nil }
        return instant(["dateTime": String(text.prefix(10)) + "T00:00:00", "timeZone": zone.identifier])
    }

    /// A task as Graph answers it (times in UTC; `expand`: `extensions`, `extension:{name}`, `linkedResources`).
    func task(_ item: FakeItem, expand: Set<String>) -> [String: Any] {
        func text(_ name: String) -> String? { item.fields[name]?.text }
        func dateTime(_ name: String) -> [String: String]? {
            text(name).flatMap(Self.instant).map { ["dateTime": Self.utc($0, fraction: true), "timeZone": "UTC"] }
        }
        let status = Self.statuses.first { $0.value == text("Status") }?.key ?? "notStarted"
        var json: [String: Any] = [
            "id": Self.todoId(item.id), "@odata.etag": "W/\"\(item.changeKey)\"", "title": text("Subject") ?? "",
            "body": ["contentType": "text", "content": text("Body") ?? ""],
            "importance": (text("Importance") ?? "Normal").lowercased(), "status": status,
            "isReminderOn": text("ReminderIsSet") == "true", "hasAttachments": false,
            "categories": item.fields["Categories"]?.children.map(\.text) ?? [],
            "createdDateTime":
                (text("DateTimeCreated").flatMap(Self.instant).map { Self.utc($0, fraction: true) }
                ?? "") + "Z",
            "lastModifiedDateTime": Self.utc(item.lastModified, fraction: true) + "Z",
            "bodyLastModifiedDateTime": Self.utc(item.lastModified, fraction: true) + "Z",
        ]
        json["dueDateTime"] = dateTime("DueDate")
        json["reminderDateTime"] = dateTime("ReminderDueBy")
        json["startDateTime"] = dateTime("StartDate")
        json["completedDateTime"] = dateTime("CompleteDate")
        if expand.contains("linkedResources") { json["linkedResources"] = item.linkedResources }
        let wanted = expand.compactMap {
            $0.hasPrefix("extension:") ? Self.extensionName(String($0.dropFirst(10))) : nil
        }
        if expand.contains("extensions") || !wanted.isEmpty {
            json["extensions"] = item.extensions.sorted { $0.key < $1.key }
                .filter { expand.contains("extensions") || wanted.contains($0.key) }
                .map { Self.extensionJSON($0.key, $0.value) }
        }
        return json
    }
}
