import Foundation

/// Outlook at a distance, for benchmarks that run the fake in its own process (`ews-test-server --control`):
/// `POST /control/outlook-edit` with `{"mailbox": ADDRESS, "count": N, "offset": K, "subject": TEXT}` edits the
/// subjects of N of the mailbox's items (tasks, then calendar, in creation order, from the K-th) as a user would —
/// the ChangeKey moves, SyncFolderItems lists them, subscriptions get events — and answers
/// `{"edited": [{"item_id": …, "subject": …}]}`. TEXT is the subject, numbered " 1", " 2" … when N > 1.
/// Off unless enabled: a real Exchange has no such door.
extension FakeExchange {
    /// Serves `/control/` requests (when `controlEnabled`).
    public var controlEnabled: Bool {
        get { lock.withLock { _controlEnabled } }
        set { lock.withLock { _controlEnabled = newValue } }
    }

    func control(_ request: HTTPServerRequest) -> HTTPServerReply {
        guard controlEnabled, request.method == "POST", request.path == "/control/outlook-edit",
            let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
            let mailbox = object["mailbox"] as? String, let subject = object["subject"] as? String
        else {
            return .respond(status: 404, headers: [], body: Array("not found".utf8))
        }
        let count = object["count"] as? Int ?? 1
        let offset = object["offset"] as? Int ?? 0
        let items = (items(mailbox: mailbox, folder: "tasks") + items(mailbox: mailbox, folder: "calendar"))
            .dropFirst(max(offset, 0)).prefix(max(count, 0))
        var edited: [[String: String]] = []
        for (index, item) in items.enumerated() {
            let text = count > 1 ? "\(subject) \(index + 1)" : subject
            userUpdate(mailbox: mailbox, itemId: item.id, fields: ["Subject": text])
            edited.append(["item_id": item.id, "subject": text])
        }
        let body = (try? JSONSerialization.data(withJSONObject: ["edited": edited])) ?? Data()
        return .respond(status: 200, headers: [("Content-Type", "application/json")], body: Array(body))
    }
}
