import Foundation
import XMLKit

/// An extended property key as the fake stores it.
struct FakePropertyKey: Hashable {
    var propertySet: String
    var name: String
}

/// One item in the fake's store: its fields as the XML elements a client sent (by local name), so the
/// fake round-trips every field without a typed model of its own.
struct FakeItem {
    var id: String
    var changeKey: String
    var kind: String
    var folder: String
    var mailbox: String
    var fields: [String: XMLElement]
    var extended: [FakePropertyKey: String]
    var lastModified: Date
    /// Graph open extensions (Microsoft To Do carries no extended properties), by extension name.
    var extensions: [String: [String: JSONValue]] = [:]
    /// Graph linkedResources (To Do), each with its id.
    var linkedResources: [[String: String]] = []
}

/// Change bookkeeping per item id of a folder, which SyncFolderItems states are computed from.
struct FakeChangeRecord {
    var createdSeq: Int
    var lastSeq: Int
    var deleted: Bool
}

/// A folder of a fake mailbox: items plus the change log behind its sync states.
final class FakeFolder {
    let name: String
    let id: String
    var items: [String: FakeItem] = [:]
    var order: [String] = []
    var records: [String: FakeChangeRecord] = [:]
    var seq = 0
    /// Bumped to invalidate every sync state handed out so far (ErrorInvalidSyncStateData).
    var epoch = 1

    init(name: String, id: String) {
        self.name = name
        self.id = id
    }

    func touch(_ itemId: String, created: Bool = false, deleted: Bool = false) {
        seq += 1
        if created {
            records[itemId] = FakeChangeRecord(createdSeq: seq, lastSeq: seq, deleted: false)
            order.append(itemId)
        } else {
            records[itemId]?.lastSeq = seq
        }
        if deleted {
            records[itemId]?.deleted = true
            order.removeAll { $0 == itemId }
        }
    }

    var syncStateNow: String { Self.encodeState(folder: id, epoch: epoch, seq: seq) }

    static func encodeState(folder: String, epoch: Int, seq: Int) -> String {
        Data("v1|\(folder)|\(epoch)|\(seq)".utf8).base64EncodedString()
    }

    /// The seq a state stands for, or nil when it is not one of this folder's current states.
    func decodeState(_ state: String) -> Int? {
        guard let data = Data(base64Encoded: state), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "|").map(String.init)
        guard parts.count == 4, parts[0] == "v1", parts[1] == id, Int(parts[2]) == epoch, let seq = Int(parts[3]),
            seq <= self.seq
        else { return nil }
        return seq
    }
}

/// A fake mailbox: the calendar and tasks folders, plus Deleted Items for what was deleted.
final class FakeMailbox {
    let address: String
    var folders: [String: FakeFolder]
    /// Microsoft To Do's lists, each a task folder: the default list is the tasks folder (as Exchange keeps it).
    var todoLists: [FakeTodoList] = [
        FakeTodoList(folder: "tasks", displayName: "Tasks", wellknown: "defaultList"),
        FakeTodoList(folder: "flaggedEmails", displayName: "Flagged Emails", wellknown: "flaggedEmails"),
    ]
    var deletedItems: [FakeItem] = []
    /// The `timezone` of its `OWA.UserOptions` (nil: never set, as for a mailbox never opened on the web).
    var timeZone: String?

    init(address: String) {
        self.address = address
        let token = Data(address.lowercased().utf8).base64EncodedString()
        folders = [
            "calendar": FakeFolder(name: "calendar", id: "AQMk-calendar-\(token)"),
            "tasks": FakeFolder(name: "tasks", id: "AQMk-tasks-\(token)"),
            "flaggedEmails": FakeFolder(name: "flaggedEmails", id: "AQMk-flagged-\(token)"),
        ]
    }

    func folder(id: String) -> FakeFolder? {
        folders.values.first { $0.id == id } ?? folders[id]
    }
}

/// A subscription (pull or streaming) and its queue of events not yet delivered.
final class FakeSubscription {
    let id: String
    let mailbox: String
    let folders: Set<String>
    let streaming: Bool
    /// The group anchor (X-AnchorMailbox) of a subscription made with X-PreferServerAffinity.
    var anchor: String?
    var queue: [(type: String, itemId: String, folderId: String, watermark: String)] = []
    var watermarkSeq = 0

    init(id: String, mailbox: String, folders: Set<String>, streaming: Bool) {
        self.id = id
        self.mailbox = mailbox
        self.folders = folders
        self.streaming = streaming
    }
}

/// A Microsoft To Do list of a fake mailbox: a task folder, its name and its well-known kind.
struct FakeTodoList {
    var folder: String
    var displayName: String
    var wellknown: String
}
