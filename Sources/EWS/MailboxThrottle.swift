import Bounds
/// Per-mailbox "not before" times: after `ErrorServerBusy`, Exchange wants no request for that
/// mailbox until `BackOffMilliseconds` has passed; retrying early only prolongs the throttling.
public actor MailboxThrottle {
    /// The longest wait honoured, whatever a server asks (`Retry-After`, `BackOffMilliseconds`) or an earlier
    /// process stored: a hostile or broken answer must not park a mailbox for days.
    public static let longestWait: Double = 3600
    /// The longest wait sat out inside a pass (see `waitTurn`).
    public static let longestWaitInPass: Double = 60
    private var notBefore: [String: ContinuousClock.Instant] = [:]
    /// When Exchange throttled each mailbox in the last hour, for `status` and metrics.
    private var throttledAt: [String: [ContinuousClock.Instant]] = [:]
    private let clock = ContinuousClock()
    private let observer: EWSObserver?

    public init(observer: EWSObserver? = nil) { self.observer = observer }

    /// Set when the process is stopping: waits end at once (the work left is journalled or re-planned).
    private var abandoned = false

    /// Waits until the mailbox may be contacted again; cancellation or `abandonWaits` ends the wait with
    /// `CancellationError` (SIGTERM must not sit out a back-off of minutes).
    /// A wait longer than `longestWaitInPass` is not sat out inside a pass: it ends the pass as throttled (the
    /// write outcomes say until when), so a mailbox Exchange sent away for an hour holds no concurrency slot
    /// meanwhile and `run --once` says so instead of hanging; the daemon starts its next pass then.
    public func waitTurn(_ mailbox: String) async throws {
        while let until = notBefore[mailbox.lowercased()], until > clock.now {
            if abandoned { throw CancellationError() }
            let remaining = until - clock.now
            if remaining > .seconds(Self.longestWaitInPass) {
                let seconds = Double(remaining.components.seconds)
                throw EWSError(
                    .throttled,
                    "the server asked for no request to this mailbox for another \(Int(seconds)) s; "
                        + "the pass ends here and the mailbox is synced after that",
                    backOffMilliseconds: Int(seconds * 1000)
                )
            }
            try await clock.sleep(until: min(until, clock.now.advanced(by: .milliseconds(100))))
        }
    }

    public func abandonWaits() { abandoned = true }

    /// Forbids requests for the mailbox for `seconds` (never shortens an existing wait).
    /// `throttled`: Exchange asked for the wait (ServerBusy, 429/503), as opposed to a network retry.
    public func backOff(_ mailbox: String, seconds asked: Double, throttled: Bool = false) {
        let key = mailbox.lowercased()
        let seconds = Bounded.seconds(asked, atMost: Self.longestWait)
        if throttled {
            let hourAgo = clock.now.advanced(by: .seconds(-3600))
            throttledAt[key, default: []].removeAll { $0 < hourAgo }
            throttledAt[key, default: []].append(clock.now)
            observer?.throttled(mailbox, seconds)
        }
        let until = clock.now.advanced(by: Bounded.duration(seconds: seconds, atMost: Self.longestWait))
        if let existing = notBefore[key], existing >= until { return }
        notBefore[key] = until
    }

    /// Remaining wait for a mailbox, for `status` and metrics.
    public func remaining(_ mailbox: String) -> Duration? {
        guard let until = notBefore[mailbox.lowercased()], until > clock.now else { return nil }
        return until - clock.now
    }

    /// Throttling events of the mailbox in the last `seconds` (at most an hour is remembered).
    public func throttledCount(_ mailbox: String, lastSeconds seconds: Double) -> Int {
        let since = clock.now.advanced(by: .zero - Bounded.duration(seconds: seconds, atMost: 3600))
        return throttledAt[mailbox.lowercased()]?.filter { $0 >= since }.count ?? 0
    }
}
