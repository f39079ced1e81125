/// At most `limit` requests in flight per mailbox: Outlook answers a fifth concurrent request of one app to one
/// mailbox with 429, so the client waits its turn instead of being throttled.
actor InFlightLimit {
    private let limit: Int
    private var running: [String: Int] = [:]
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    init(limit: Int) { self.limit = max(1, limit) }

    func acquire(_ mailbox: String) async {
        let key = mailbox.lowercased()
        if running[key, default: 0] < limit {
            running[key, default: 0] += 1
            return
        }
        await withCheckedContinuation { waiting[key, default: []].append($0) }
    }

    /// Hands the slot to the next waiter, or frees it.
    func release(_ mailbox: String) {
        let key = mailbox.lowercased()
        if var queue = waiting[key], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[key] = queue.isEmpty ? nil : queue
            next.resume()
        } else {
            running[key, default: 1] -= 1
            if running[key] == 0 { running[key] = nil }
        }
    }
}
