import Bounds
import EWS
import Foundation
import Logging
import SyncEngine

/// Tells the scheduler *when* a mailbox changed in Exchange; the pass it triggers (SyncFolderItems)
/// finds out *what* changed. Events carry no ChangeKey and one Outlook edit fires several, so all an
/// event does is wake its mailbox; the scheduler debounces.
///
/// `streaming`: mailboxes are grouped (up to `groupSize`) on one GetStreamingEvents connection each,
/// every subscription of a group made with the group's first mailbox as X-AnchorMailbox and
/// X-PreferServerAffinity, and the connection replaying the X-BackEndOverrideCookie Exchange returned,
/// so the group's subscriptions and its connection meet on one mailbox server. A connection that ends
/// after its ConnectionTimeout is reopened; a lost subscription (failover, expiry) is made again and
/// its mailboxes woken, since events may have been missed. `pull`: one pull subscription per mailbox,
/// GetEvents every `pullInterval`. The periodic pass stays the safety net either way.
public final class NotificationHub: MailboxWatcher, @unchecked Sendable {
    public enum Mode: String, Sendable {
        case streaming, pull, none
    }

    /// The current client (a reload replaces it; the next subscription or connection uses the new one).
    let currentClient: @Sendable () -> EWSClient?
    var client: EWSClient {
        get throws {
            // (A reload may leave no mailbox on EWS: the watchers it leaves are closed by the next watch.)
            guard let client = currentClient() else { throw EWSError(.configuration, "no mailbox is on EWS") }
            return client
        }
    }
    let mode: Mode
    let groupSize: Int
    let pullInterval: Double
    let connectionMinutes: Int
    let onChange: @Sendable (String) -> Void
    let logger: Logger
    private let lock = NSLock()
    /// Running watchers by their member list (a group's mailboxes, or one mailbox under pull).
    private var watchers: [[String]: Task<Void, Never>] = [:]
    /// Watchers closed whose Unsubscribe calls are still under way (awaited, briefly, by `stop`).
    private var unsubscribing = 0

    static let folders: [EWSFolder] = [.tasks, .calendar]
    static let lostSubscription: Set<String> = [
        "ErrorSubscriptionNotFound", "ErrorExpiredSubscription", "ErrorInvalidSubscription", "ErrorInvalidWatermark",
        "ErrorProxiedSubscriptionCallFailure", "ErrorMissedNotificationEvents",
    ]

    public init(
        client: @escaping @Sendable () -> EWSClient?,
        mode: Mode,
        groupSize: Int = 200,
        pullInterval: Double = 10,
        connectionMinutes: Int = 30,
        logger: Logger,
        onChange: @escaping @Sendable (String) -> Void
    ) {
        self.currentClient = client
        self.mode = mode
        self.groupSize = max(groupSize, 1)
        self.pullInterval = pullInterval
        self.connectionMinutes = connectionMinutes
        self.logger = logger
        self.onChange = onChange
    }

    /// Watches exactly these mailboxes from now on. Groups whose members did not change keep their
    /// connection; the others are closed and opened again with their new members.
    public func watch(_ mailboxes: [String]) {
        guard mode != .none else { return }
        let sorted = Array(Set(mailboxes.map { $0.lowercased() })).sorted()
        let wanted: [[String]] =
            mode == .pull
            ? sorted.map { [$0] }
            : stride(from: 0, to: sorted.count, by: groupSize).map {
                Array(sorted[$0..<min($0 + groupSize, sorted.count)])
            }
        lock.withLock {
            for (members, task) in watchers where !wanted.contains(members) {
                task.cancel()
                watchers[members] = nil
            }
            for members in wanted where watchers[members] == nil {
                watchers[members] = Task { [self] in
                    if mode == .pull { await pull(members[0]) } else { await stream(members) }
                }
            }
        }
    }

    /// Closes every watcher and gives their Unsubscribe calls up to `grace` seconds (shutdown must stay
    /// within systemd's stop timeout; a subscription not ended expires on the server by itself).
    /// Ends every subscription, waiting up to a second for the Unsubscribe calls.
    public func stop() async { await stop(grace: 1) }

    public func stop(grace: Double) async {
        let closing = lock.withLock {
            defer { watchers = [:] }
            return Array(watchers.values)
        }
        for task in closing { task.cancel() }
        for task in closing { await task.value }
        let deadline = Date().addingTimeInterval(grace)
        while lock.withLock({ unsubscribing }) > 0, Date() < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Ends the subscriptions of a closed watcher, outside its cancelled task.
    private func unsubscribe(_ subscriptions: [String: EWSSubscription], anchor: String?) {
        guard !subscriptions.isEmpty, let client = currentClient() else { return }
        lock.withLock { unsubscribing += 1 }
        Task.detached { [self] in
            for (mailbox, subscription) in subscriptions {
                try? await client.unsubscribe(subscription.id, mailbox: mailbox, groupAnchor: anchor)
            }
            lock.withLock { unsubscribing -= 1 }
        }
    }

    // MARK: - Streaming

    private func stream(_ members: [String]) async {
        // The group's anchor: its first member — or, when that one cannot subscribe (no right to impersonate it,
        // a mailbox gone), the first that can. Without a subscribed anchor there is no backend cookie, and every
        // connection of the group would miss its subscriptions. Chosen again whenever no subscription is left.
        var anchor = members[0]
        var subscriptions: [String: EWSSubscription] = [:]
        var subscribedBefore: Set<String> = []
        var backOff = 1.0
        // The member the connection impersonates: Exchange charges the connection to that mailbox's budget of
        // hanging connections (10; other applications impersonating it share the budget). Refused, the next
        // member's budget is tried, as Microsoft advises ("the code can impersonate another user").
        var connectingMember = 0
        defer { unsubscribe(subscriptions, anchor: anchor) }
        while !Task.isCancelled {
            let missing = members.filter { subscriptions[$0] == nil }
            let (chosen, results) = await subscribeAll(
                missing,
                anchor: subscriptions.isEmpty ? nil : anchor,
                cookie: Self.groupCookie(subscriptions, anchor: anchor)
            )
            if let chosen, chosen != anchor || subscriptions.isEmpty {
                if chosen != members[0] {
                    logger.notice(
                        "streaming group anchored on another member: the first could not subscribe",
                        metadata: ["first": "\(members[0])", "anchor": "\(chosen)"]
                    )
                }
                anchor = chosen
            }
            for (mailbox, result) in results {
                switch result {
                case .success(let subscription):
                    subscriptions[mailbox] = subscription
                    // Events may have been missed while it had no subscription: a pass finds out.
                    if !subscribedBefore.insert(mailbox).inserted { onChange(mailbox) }
                case .failure(let error):
                    // The pass reports the mailbox's own trouble (impersonation, missing mailbox).
                    logger.notice(
                        "streaming subscription failed; retrying",
                        metadata: ["mailbox": "\(mailbox)", "error": "\(error)"]
                    )
                }
            }
            guard !subscriptions.isEmpty else {
                await pause(&backOff)
                continue
            }
            let byId = Dictionary(subscriptions.map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
            let cookie = Self.groupCookie(subscriptions, anchor: anchor)
            // (Only a member that could subscribe is impersonated: one Exchange refuses to impersonate would fail
            // every connection.)
            connectingMember = Self.subscribedMember(from: connectingMember, of: members, in: subscriptions)
            let opened = Date()
            do {
                for try await event in try client.streamEvents(
                    subscriptions: Array(byId.keys),
                    anchorMailbox: anchor,
                    impersonating: members[connectingMember],
                    connectionTimeoutMinutes: connectionMinutes,
                    affinityCookie: cookie
                ) {
                    backOff = 1
                    if event.type == "StatusEvent" { continue }
                    if let mailbox = byId[event.subscriptionId] { onChange(mailbox) }
                }
                // The server closed the connection after its ConnectionTimeout: open the next one (at
                // once, unless it closed at once, or some members still need their subscription).
                if subscriptions.count < members.count || Date().timeIntervalSince(opened) < 1 {
                    await pause(&backOff)
                }
            } catch let error as EWSError where error.responseCode == "ErrorExceededConnectionCount" {
                let refused = members[connectingMember]
                connectingMember = Self.subscribedMember(
                    from: (connectingMember + 1) % members.count,
                    of: members,
                    in: subscriptions
                )
                logger.notice(
                    "streaming connection refused: the mailbox's budget of connections is used up; trying another",
                    metadata: [
                        "anchor": "\(anchor)", "charged": "\(refused)", "next": "\(members[connectingMember])",
                        "seconds": "\(backOff)",
                    ]
                )
                await pause(&backOff)
            } catch let error as EWSError where Self.lostSubscription.contains(error.responseCode ?? "") {
                logger.notice(
                    "streaming subscriptions lost; subscribing again",
                    metadata: ["anchor": "\(anchor)", "error": "\(error)"]
                )
                subscriptions = [:]
                await pause(&backOff)
            } catch {
                if Task.isCancelled { return }
                logger.notice(
                    "streaming connection failed; reconnecting",
                    metadata: ["anchor": "\(anchor)", "error": "\(error)", "seconds": "\(backOff)"]
                )
                await pause(&backOff)
            }
        }
    }

    /// The backend cookie the group's requests carry: the anchor's, else any member's.
    static func groupCookie(_ subscriptions: [String: EWSSubscription], anchor: String) -> String? {
        subscriptions[anchor]?.affinityCookie ?? subscriptions.values.compactMap(\.affinityCookie).first
    }

    /// The first member from `start` on (cyclically) that holds a subscription; `start` when none does.
    static func subscribedMember(
        from start: Int,
        of members: [String],
        in subscriptions: [String: EWSSubscription]
    )
        -> Int
    {
        let order = Array(start..<members.count) + Array(0..<start)
        return order.first { subscriptions[members[$0]] != nil } ?? start
    }

    /// Subscribes the members as Microsoft describes for a group: the anchor first, then the others ten
    /// at a time with the anchor's X-BackEndOverrideCookie. `cookie` is the anchor's, when it is
    /// subscribed already.
    /// `anchor` nil: none is subscribed yet — the members are tried in order, each as its own anchor, until one
    /// subscribes; it anchors the rest. Answers the anchor (nil: no member could subscribe) and each result.
    private func subscribeAll(
        _ mailboxes: [String],
        anchor: String?,
        cookie: String?
    ) async -> (anchor: String?, results: [(String, Result<EWSSubscription, any Error>)]) {
        var results: [(String, Result<EWSSubscription, any Error>)] = []
        var cookie = cookie
        var rest = mailboxes
        var anchor = anchor
        while anchor == nil, !rest.isEmpty {
            let candidate = rest.removeFirst()
            let result = await subscribeOne(candidate, anchor: candidate, cookie: nil)
            if case .success(let subscription) = result {
                anchor = candidate
                cookie = subscription.affinityCookie ?? cookie
            }
            results.append((candidate, result))
        }
        guard let anchor else { return (nil, results) }
        for start in stride(from: 0, to: rest.count, by: 10) {
            let chunk = rest[start..<min(start + 10, rest.count)]
            await withTaskGroup(of: (String, Result<EWSSubscription, any Error>).self) { group in
                for mailbox in chunk {
                    group.addTask { [self, cookie] in
                        (mailbox, await subscribeOne(mailbox, anchor: anchor, cookie: cookie))
                    }
                }
                for await result in group { results.append(result) }
            }
        }
        return (anchor, results)
    }

    private func subscribeOne(
        _ mailbox: String,
        anchor: String,
        cookie: String?
    ) async -> Result<EWSSubscription, any Error> {
        do {
            return .success(
                try await client.subscribeStreaming(
                    folders: Self.folders,
                    mailbox: mailbox,
                    groupAnchor: anchor,
                    affinityCookie: cookie
                )
            )
        } catch {
            return .failure(error)
        }
    }

    // MARK: - Pull

    private func pull(_ mailbox: String) async {
        var subscription: EWSSubscription?
        var watermark = ""
        var backOff = 1.0
        defer { unsubscribe(subscription.map { [mailbox: $0] } ?? [:], anchor: nil) }
        while !Task.isCancelled {
            do {
                if subscription == nil {
                    // Lives a few polls unpolled, so a stopped daemon leaves nothing behind for long.
                    let made = try await client.subscribePull(
                        folders: Self.folders,
                        mailbox: mailbox,
                        timeoutMinutes: 5
                    )
                    subscription = made
                    watermark = made.watermark ?? ""
                }
                let batch = try await client.getEvents(
                    subscription: subscription!.id,
                    watermark: watermark,
                    mailbox: mailbox
                )
                watermark = batch.watermark ?? watermark
                backOff = 1
                if batch.events.contains(where: { $0.type != "StatusEvent" }) { onChange(mailbox) }
                if batch.moreEvents { continue }
                try await Task.sleep(for: Bounded.duration(seconds: pullInterval, atMost: 86_400))
            } catch let error as EWSError where Self.lostSubscription.contains(error.responseCode ?? "") {
                subscription = nil
                onChange(mailbox)
            } catch {
                if Task.isCancelled { return }
                logger.notice(
                    "pull notifications failed; retrying",
                    metadata: ["mailbox": "\(mailbox)", "error": "\(error)", "seconds": "\(backOff)"]
                )
                await pause(&backOff)
            }
        }
    }

    /// Waits `backOff` seconds (cancellable) and doubles it, up to a minute.
    private func pause(_ backOff: inout Double) async {
        try? await Task.sleep(for: Bounded.duration(seconds: backOff, atMost: 3600))
        backOff = min(backOff * 2, 60)
    }
}
