import Foundation
import XMLKit

extension FakeExchange {
    func subscribe(_ context: FakeRequestContext) -> [UInt8] {
        let request = context.element.children.first
        let streaming = request?.name == "StreamingSubscriptionRequest"
        let message: String = lock.withLock {
            guard let mailbox = mailboxes[context.mailbox] else {
                return FakeResponse.error("Subscribe", "ErrorNonExistentMailbox", "No such mailbox.")
            }
            let names = (request?.child("FolderIds")?.children ?? []).compactMap { Self.folderName($0) }
            let folders = Set(names.compactMap { mailbox.folder(id: $0)?.name })
            let subscription = FakeSubscription(
                id: nextId("sub"),
                mailbox: context.mailbox,
                folders: folders,
                streaming: streaming
            )
            subscriptions[subscription.id] = subscription
            let watermark = streaming ? "" : "<m:Watermark>\(watermarkString(subscription))</m:Watermark>"
            return FakeResponse.success(
                "Subscribe",
                "<m:SubscriptionId>\(subscription.id)</m:SubscriptionId>\(watermark)"
            )
        }
        return FakeResponse.messages("Subscribe", [message])
    }

    func unsubscribe(_ context: FakeRequestContext) -> [UInt8] {
        let id = context.element.childText("SubscriptionId") ?? ""
        let found = lock.withLock { subscriptions.removeValue(forKey: id) != nil }
        return FakeResponse.messages(
            "Unsubscribe",
            [
                found
                    ? FakeResponse.success("Unsubscribe", "")
                    : FakeResponse.error("Unsubscribe", "ErrorSubscriptionNotFound", "The subscription was not found.")
            ]
        )
    }

    func getEvents(_ context: FakeRequestContext) -> [UInt8] {
        let id = context.element.childText("SubscriptionId") ?? ""
        let message: String = lock.withLock {
            guard let subscription = subscriptions[id], !subscription.streaming, subscription.mailbox == context.mailbox
            else {
                return FakeResponse.error("GetEvents", "ErrorSubscriptionNotFound", "The subscription was not found.")
            }
            let previous = watermarkString(subscription)
            let events = subscription.queue
            subscription.queue = []
            var body =
                "<m:Notification><t:SubscriptionId>\(id)</t:SubscriptionId>"
                + "<t:PreviousWatermark>\(previous)</t:PreviousWatermark><t:MoreEvents>false</t:MoreEvents>"
            if events.isEmpty {
                body += "<t:StatusEvent><t:Watermark>\(previous)</t:Watermark></t:StatusEvent>"
            }
            body += events.map(Self.eventXML).joined() + "</m:Notification>"
            return FakeResponse.success("GetEvents", body)
        }
        return FakeResponse.messages("GetEvents", [message])
    }

    func getStreamingEvents(_ context: FakeRequestContext) -> HTTPServerReply {
        let ids = (context.element.child("SubscriptionIds")?.children ?? []).map(\.text)
        let minutes = Double(context.element.childText("ConnectionTimeout") ?? "30") ?? 30
        let missing = lock.withLock { ids.filter { subscriptions[$0]?.streaming != true } }
        if let first = missing.first {
            let body = FakeResponse.messages(
                "GetStreamingEvents",
                [
                    FakeResponse.error(
                        "GetStreamingEvents",
                        "ErrorSubscriptionNotFound",
                        "Subscription \(first) was not found."
                    )
                ]
            )
            return .respond(status: 200, headers: [("Content-Type", "text/xml; charset=utf-8")], body: body)
        }
        let lifetime = lock.withLock { _streamingLifetime } ?? minutes * 60
        return .stream(headers: [("Content-Type", "text/xml; charset=utf-8")]) { [self] write in
            let deadline = Date().addingTimeInterval(lifetime)
            guard write(streamingEnvelope(notifications: "", status: "OK")) else { return }
            // Lock order is always `lock` then `condition` (notify holds `lock`); this loop never holds
            // both, and the generation counter closes the gap between taking events and waiting.
            while Date() < deadline {
                condition.lock()
                let generation = eventGeneration
                condition.unlock()
                let pending = takeStreamingEvents(ids)
                if !pending.isEmpty {
                    if !write(streamingEnvelope(notifications: pending, status: "OK")) { return }
                    continue
                }
                condition.lock()
                if eventGeneration == generation && !isStopped {
                    _ = condition.wait(until: min(deadline, Date().addingTimeInterval(1)))
                }
                let stopped = isStopped
                condition.unlock()
                if stopped { return }
            }
            _ = write(streamingEnvelope(notifications: "", status: "Closed"))
        }
    }

    private func takeStreamingEvents(_ ids: [String]) -> String {
        lock.withLock {
            ids.compactMap { id -> String? in
                guard let subscription = subscriptions[id], !subscription.queue.isEmpty else { return nil }
                let events = subscription.queue
                subscription.queue = []
                return "<m:Notification><t:SubscriptionId>\(id)</t:SubscriptionId>"
                    + events.map(Self.eventXML).joined() + "</m:Notification>"
            }.joined()
        }
    }

    private func streamingEnvelope(notifications: String, status: String) -> [UInt8] {
        let payload =
            (notifications.isEmpty ? "" : "<m:Notifications>\(notifications)</m:Notifications>")
            + "<m:ConnectionStatus>\(status)</m:ConnectionStatus>"
        return FakeResponse.messages("GetStreamingEvents", [FakeResponse.success("GetStreamingEvents", payload)])
    }

    /// Queues an event for every subscription on the folder (caller holds the lock).
    func notify(mailbox: String, folder: FakeFolder, type: String, itemId: String) {
        for subscription in subscriptions.values
        where subscription.mailbox == mailbox && subscription.folders.contains(folder.name) {
            subscription.watermarkSeq += 1
            subscription.queue.append((type, itemId, folder.id, watermarkString(subscription)))
        }
        condition.lock()
        eventGeneration += 1
        condition.broadcast()
        condition.unlock()
    }

    private func watermarkString(_ subscription: FakeSubscription) -> String {
        Data("wm|\(subscription.id)|\(subscription.watermarkSeq)".utf8).base64EncodedString()
    }

    private static func eventXML(_ event: (type: String, itemId: String, folderId: String, watermark: String)) -> String
    {
        "<t:\(event.type)><t:Watermark>\(event.watermark)</t:Watermark><t:TimeStamp>\(format(Date()))</t:TimeStamp>"
            + "<t:ItemId Id=\"\(event.itemId)\" ChangeKey=\"AAAA\"/><t:ParentFolderId Id=\"\(event.folderId)\" ChangeKey=\"AQAAAA==\"/>"
            + "</t:\(event.type)>"
    }
}
