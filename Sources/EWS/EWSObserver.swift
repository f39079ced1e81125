/// Hooks for metrics: what the client did, told as it happens. The closures run on the client's
/// tasks and must be quick (they increment counters).
public struct EWSObserver: Sendable {
    /// A finished call: operation, mailbox, outcome (`success`, `item_error`, or an `EWSError.Kind`
    /// raw value such as `throttled` or `transport`), and its duration in seconds including retries.
    public var request: @Sendable (_ operation: String, _ mailbox: String, _ outcome: String, _ seconds: Double) -> Void
    /// Exchange asked for a pause: the mailbox and how many seconds.
    public var throttled: @Sendable (_ mailbox: String, _ seconds: Double) -> Void

    public init(
        request: @escaping @Sendable (String, String, String, Double) -> Void,
        throttled: @escaping @Sendable (String, Double) -> Void
    ) {
        self.request = request
        self.throttled = throttled
    }
}
