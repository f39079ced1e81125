/// Per-mailbox "not before" times: after `ErrorServerBusy`, Exchange wants no request for that
/// mailbox until `BackOffMilliseconds` has passed; retrying early only prolongs the throttling.
actor MailboxThrottle {
    private var notBefore: [String: ContinuousClock.Instant] = [:]
    private let clock = ContinuousClock()

    /// Waits until the mailbox may be contacted again (cancellable: SIGTERM ends the wait).
    func waitTurn(_ mailbox: String) async throws {
        while let until = notBefore[mailbox.lowercased()], until > clock.now {
            try await clock.sleep(until: until)
        }
    }

    /// Forbids requests for the mailbox for `seconds` (never shortens an existing wait).
    func backOff(_ mailbox: String, seconds: Double) {
        let key = mailbox.lowercased()
        let until = clock.now.advanced(by: .milliseconds(Int(seconds * 1000)))
        if let existing = notBefore[key], existing >= until { return }
        notBefore[key] = until
    }

    /// Remaining wait for a mailbox, for `status` and metrics.
    func remaining(_ mailbox: String) -> Duration? {
        guard let until = notBefore[mailbox.lowercased()], until > clock.now else { return nil }
        return until - clock.now
    }
}
