/// A recorded conflict (both values, the policy's winner).
public struct ConflictRecord: Sendable, Equatable {
    public var id: Int64
    public var activityId: String
    public var mailbox: String
    public var field: String
    public var crmValue: String?
    public var exchangeValue: String?
    public var baseValue: String?
    public var winner: String
    public var policy: String
    public var at: String
    public var resolved: Bool
    /// Resolved by hand: the side taken (crm or exchange), by whom and when.
    public var taken: String? = nil
    public var resolvedBy: String? = nil
    public var resolvedAt: String? = nil
}
