import Foundation
import XMLKit

extension EWSClient {
    static let eventTypes = ["CreatedEvent", "DeletedEvent", "ModifiedEvent", "MovedEvent", "CopiedEvent"]

    /// Subscribe with a pull subscription on the folders; `timeoutMinutes` is how long it lives unpolled.
    public func subscribePull(
        folders: [EWSFolder],
        mailbox: String,
        timeoutMinutes: Int = 30
    ) async throws -> EWSSubscription {
        let body =
            "<m:Subscribe><m:PullSubscriptionRequest>\(subscriptionTargets(folders, mailbox: mailbox))"
            + "<t:Timeout>\(min(max(timeoutMinutes, 1), 1440))</t:Timeout></m:PullSubscriptionRequest></m:Subscribe>"
        return try await subscribe(body: body, mailbox: mailbox)
    }

    /// Subscribe with a streaming subscription on the folders. With `groupAnchor` (the first mailbox of a
    /// group sharing one GetStreamingEvents connection) the request carries that mailbox as
    /// X-AnchorMailbox and X-PreferServerAffinity, so every subscription of the group lands on one server;
    /// `affinityCookie` (from the anchor's own Subscribe) goes with the other members' requests.
    public func subscribeStreaming(
        folders: [EWSFolder],
        mailbox: String,
        groupAnchor: String? = nil,
        affinityCookie: String? = nil
    ) async throws -> EWSSubscription {
        let body =
            "<m:Subscribe><m:StreamingSubscriptionRequest>\(subscriptionTargets(folders, mailbox: mailbox))"
            + "</m:StreamingSubscriptionRequest></m:Subscribe>"
        return try await subscribe(body: body, mailbox: mailbox, groupAnchor: groupAnchor, cookie: affinityCookie)
    }

    /// Unsubscribe: ends a subscription now instead of letting it expire (subscriptions count against
    /// the mailbox's EWSMaxSubscriptions while they live). `groupAnchor` as for the Subscribe.
    public func unsubscribe(_ subscription: String, mailbox: String, groupAnchor: String? = nil) async throws {
        var call = Call(
            operation: "Unsubscribe",
            body:
                "<m:Unsubscribe><m:SubscriptionId>\(XMLEscaping.escape(subscription))</m:SubscriptionId></m:Unsubscribe>",
            mailbox: mailbox
        )
        call.anchorMailbox = groupAnchor
        let answer: Answer<Never> = try await send(call)
        let message = try Self.single(answer.messages, "Unsubscribe")
        if let error = message.error, error.responseCode != "ErrorSubscriptionNotFound" { throw error }
    }

    /// GetEvents on a pull subscription.
    public func getEvents(subscription: String, watermark: String, mailbox: String) async throws -> EWSEventBatch {
        let body =
            "<m:GetEvents><m:SubscriptionId>\(XMLEscaping.escape(subscription))</m:SubscriptionId>"
            + "<m:Watermark>\(XMLEscaping.escape(watermark))</m:Watermark></m:GetEvents>"
        let answer: Answer<Never> = try await send(Call(operation: "GetEvents", body: body, mailbox: mailbox))
        let message = try Self.single(answer.messages, "GetEvents")
        guard let notification = message.element.child("Notification") else {
            throw EWSError(.malformedResponse, "GetEvents answer without a Notification")
        }
        let events = Self.events(in: notification)
        return EWSEventBatch(
            events: events,
            watermark: events.last?.watermark ?? notification.childText("PreviousWatermark"),
            moreEvents: notification.childText("MoreEvents") == "true"
        )
    }

    /// GetStreamingEvents: one long-lived connection carrying the events of several subscriptions of
    /// mailboxes on the same server. The stream ends when the server closes the connection after
    /// `connectionTimeoutMinutes`; the caller then opens the next one. `anchorMailbox` is the mailbox
    /// the group is anchored on (its X-AnchorMailbox); `affinityCookie` is replayed from Subscribe. The connection
    /// impersonates `member` (the anchor unless told), and Exchange charges it to that mailbox's budget.
    public func streamEvents(
        subscriptions: [String],
        anchorMailbox: String,
        impersonating member: String? = nil,
        connectionTimeoutMinutes: Int = 30,
        affinityCookie: String? = nil
    ) -> AsyncThrowingStream<EWSEvent, any Error> {
        let ids = subscriptions.map { "<t:SubscriptionId>\(XMLEscaping.escape($0))</t:SubscriptionId>" }.joined()
        let minutes = min(max(connectionTimeoutMinutes, 1), 30)
        let body =
            "<m:GetStreamingEvents><m:SubscriptionIds>\(ids)</m:SubscriptionIds>"
            + "<m:ConnectionTimeout>\(minutes)</m:ConnectionTimeout></m:GetStreamingEvents>"
        var headers = [("X-PreferServerAffinity", "true")]
        if let affinityCookie { headers.append(("Cookie", affinityCookie)) }
        return AsyncThrowingStream { continuation in
            let splitter = EnvelopeSplitter(limit: configuration.maxResponseBytes) { envelope in
                do {
                    for event in try Self.streamingEvents(envelope) { continuation.yield(event) }
                    return true
                } catch {
                    continuation.finish(throwing: error)
                    return false
                }
            }
            let call = Call(
                operation: "GetStreamingEvents",
                body: body,
                mailbox: member ?? anchorMailbox,
                extraHeaders: headers,
                timeoutSeconds: Double(minutes * 60 + 60),
                anchorMailbox: anchorMailbox,
                onBodyChunk: { splitter.feed($0) }
            )
            let task = Task {
                do {
                    let _: Answer<Never> = try await send(call)
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func subscriptionTargets(_ folders: [EWSFolder], mailbox: String) -> String {
        "<t:FolderIds>\(folders.map { folderXML($0, mailbox: mailbox) }.joined())</t:FolderIds><t:EventTypes>"
            + Self.eventTypes.map { "<t:EventType>\($0)</t:EventType>" }.joined() + "</t:EventTypes>"
    }

    private func subscribe(
        body: String,
        mailbox: String,
        groupAnchor: String? = nil,
        cookie: String? = nil
    ) async throws -> EWSSubscription {
        var call = Call(operation: "Subscribe", body: body, mailbox: mailbox)
        if let groupAnchor {
            call.anchorMailbox = groupAnchor
            call.extraHeaders = [("X-PreferServerAffinity", "true")]
        }
        if let cookie { call.extraHeaders.append(("Cookie", cookie)) }
        let answer: Answer<Never> = try await send(call)
        let message = try Self.single(answer.messages, "Subscribe")
        guard let id = message.element.childText("SubscriptionId") else {
            throw EWSError(.malformedResponse, "Subscribe answer without SubscriptionId")
        }
        return EWSSubscription(
            id: id,
            watermark: message.element.childText("Watermark"),
            affinityCookie: Self.affinityCookie(answer.headers["set-cookie"])
        )
    }

    /// The `X-BackEndOverrideCookie=value` pair among the Set-Cookie lines, without its attributes.
    public static func affinityCookie(_ setCookie: String?) -> String? {
        setCookie?.split(separator: "\n").lazy
            .map { $0.split(separator: ";", maxSplits: 1).first.map(String.init) ?? "" }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix("X-BackEndOverrideCookie=") }
    }

    static func events(in notification: XMLElement) -> [EWSEvent] {
        let subscription = notification.childText("SubscriptionId") ?? ""
        return notification.children.filter { $0.name.hasSuffix("Event") }.map { event in
            EWSEvent(
                type: event.name,
                subscriptionId: subscription,
                itemId: event.child("ItemId")?.attributes["Id"],
                folderId: event.child("ParentFolderId")?.attributes["Id"] ?? event.child("FolderId")?.attributes["Id"],
                watermark: event.childText("Watermark")
            )
        }
    }

    /// Events of one envelope of a streaming answer; a failed subscription ends the stream with its error.
    static func streamingEvents(_ envelope: [UInt8]) throws -> [EWSEvent] {
        let root: XMLElement
        do { root = try XMLParser.parse(envelope) } catch {
            throw EWSError(.malformedResponse, "streaming notification refused: \(error)")
        }
        var events: [EWSEvent] = []
        for message in try SOAPResponse.messages(in: root) {
            if let error = message.error { throw error }
            for notification in message.element.child("Notifications")?.children("Notification") ?? [] {
                events += Self.events(in: notification)
            }
        }
        return events
    }
}

/// Cuts a streaming answer into its consecutive SOAP envelopes as bytes arrive. Linear in the bytes fed,
/// however they are chunked: the search resumes where the last one stopped (a 200 KB answer fed in small
/// chunks, rescanned from its start each time, pinned the transfer thread), and a tag's prefix is looked for
/// within `longestPrefix` bytes only.
public final class EnvelopeSplitter: @unchecked Sendable {
    private var buffer: [UInt8] = []
    /// Where the next search for a closing tag starts: nothing before it ends an envelope.
    private var scanned = 0
    private let limit: Int
    private let onEnvelope: ([UInt8]) -> Bool
    private let lock = NSLock()
    private static let marker = Array("Envelope>".utf8)
    /// The longest namespace prefix looked for in `</prefix:Envelope>`.
    public static let longestPrefix = 64
    /// Bytes looked at so far (the proof, in tests, that the work is linear).
    public private(set) var examined = 0

    public init(limit: Int, onEnvelope: @escaping ([UInt8]) -> Bool) {
        self.limit = limit
        self.onEnvelope = onEnvelope
    }

    /// Adds bytes; returns false to stop the transfer (bad envelope or one larger than the limit).
    public func feed(_ bytes: [UInt8]) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        buffer += bytes
        var start = 0
        var keepGoing = true
        while keepGoing, let end = closingEnvelopeEnd() {
            keepGoing = onEnvelope(Array(buffer[start..<end]))
            start = end
        }
        // (Cut once per feed, not once per envelope: many small envelopes in one chunk stay linear.)
        if start > 0 {
            buffer.removeFirst(start)
            scanned -= start
        }
        return keepGoing && buffer.count <= limit
    }

    /// The index just past the first `</prefix:Envelope>` at or after `scanned`; moves `scanned` past it, or
    /// to the start of a tag cut off at the end of the buffer.
    private func closingEnvelopeEnd() -> Int? {
        let marker = Self.marker
        let open = UInt8(ascii: "<")
        let slash = UInt8(ascii: "/")
        let colon = UInt8(ascii: ":")
        let close = UInt8(ascii: ">")
        var index = scanned
        while index + 1 < buffer.count {
            examined += 1
            guard buffer[index] == open, buffer[index + 1] == slash else {
                index += 1
                continue
            }
            var cursor = index + 2
            let stop = min(buffer.count, cursor + Self.longestPrefix)
            while cursor < stop, buffer[cursor] != colon, buffer[cursor] != close, buffer[cursor] != open {
                examined += 1
                cursor += 1
            }
            if cursor == buffer.count {
                scanned = index  // (The tag goes on in the next chunk.)
                return nil
            }
            let name = buffer[cursor] == colon ? cursor + 1 : index + 2
            if name + marker.count > buffer.count {
                scanned = index
                return nil
            }
            if buffer[name..<name + marker.count].elementsEqual(marker) {
                scanned = name + marker.count
                return scanned
            }
            index += 1
        }
        scanned = max(scanned, index)
        return nil
    }
}
