import Foundation
import XMLKit

extension FakeExchange {
    func subscribe(_ context: FakeRequestContext) -> HTTPServerReply {
        let request = context.element.children.first
        let streaming = request?.name == "StreamingSubscriptionRequest"
        let affinity = context.headers["x-preferserveraffinity"] == "true"
        let anchor = affinity ? context.headers["x-anchormailbox"]?.lowercased() : nil
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
            subscription.anchor = anchor
            subscriptions[subscription.id] = subscription
            let watermark = streaming ? "" : "<m:Watermark>\(watermarkString(subscription))</m:Watermark>"
            return FakeResponse.success(
                "Subscribe",
                "<m:SubscriptionId>\(subscription.id)</m:SubscriptionId>\(watermark)"
            )
        }
        var headers = [("Content-Type", "text/xml; charset=utf-8")]
        // Exchange names the backend server holding the group's subscriptions in this cookie.
        if let anchor { headers.append(("Set-Cookie", "X-BackEndOverrideCookie=\(Self.backend(anchor)); path=/")) }
        return .respond(status: 200, headers: headers, body: FakeResponse.messages("Subscribe", [message]))
    }

    /// The fake's "mailbox server" of an anchor mailbox.
    static func backend(_ anchor: String) -> String { "MBX01~" + anchor }

    /// A mailbox server failover: every subscription is lost; open streams end with
    /// ErrorSubscriptionNotFound, as Exchange reports it.
    public func failover() {
        lock.withLock { subscriptions = [:] }
        condition.lock()
        eventGeneration += 1
        condition.broadcast()
        condition.unlock()
    }

    /// The streaming subscriptions that exist now, by mailbox (tests check grouping and resubscription).
    public var streamingSubscriptions: [String: Int] {
        lock.withLock {
            subscriptions.values.filter(\.streaming).reduce(into: [:]) { $0[$1.mailbox, default: 0] += 1 }
        }
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
        // Subscriptions made with affinity live on their anchor's server: the connection must carry that
        // server's cookie, and one connection cannot reach subscriptions on another server.
        let cookie = context.headers["cookie"] ?? ""
        let missing = lock.withLock {
            ids.filter { id in
                guard let subscription = subscriptions[id], subscription.streaming else { return true }
                guard let anchor = subscription.anchor else { return false }
                return !cookie.contains("X-BackEndOverrideCookie=\(Self.backend(anchor))")
            }
        }
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
        // The connection is charged to the impersonated mailbox's budget (the account's without impersonation),
        // counted while the producer runs so a dropped connection gives its place back.
        let budget = context.mailbox
        return .stream(headers: [("Content-Type", "text/xml; charset=utf-8")]) { [self] write in
            let admitted = lock.withLock {
                guard openStreams[budget, default: 0] < _hangingConnectionLimit else { return false }
                openStreams[budget, default: 0] += 1
                return true
            }
            guard admitted else {
                let error = FakeResponse.error(
                    "GetStreamingEvents",
                    "ErrorExceededConnectionCount",
                    "You have exceeded the available concurrent connections for your account.  Try again once "
                        + "your other requests have completed."
                )
                _ = write(FakeResponse.messages("GetStreamingEvents", [error]))
                return
            }
            defer { lock.withLock { openStreams[budget, default: 1] -= 1 } }
            let deadline = Date().addingTimeInterval(lifetime)
            guard write(streamingEnvelope(notifications: "", status: "OK")) else { return }
            // Lock order is always `lock` then `condition` (notify holds `lock`); this loop never holds
            // both, and the generation counter closes the gap between taking events and waiting.
            while Date() < deadline {
                let lost = lock.withLock { ids.first { subscriptions[$0] == nil } }
                if let lost {
                    let error = FakeResponse.error(
                        "GetStreamingEvents",
                        "ErrorSubscriptionNotFound",
                        "Subscription \(lost) was not found."
                    )
                    _ = write(FakeResponse.messages("GetStreamingEvents", [error]))
                    return
                }
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
