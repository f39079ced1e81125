/// The journal's `MESSAGE_ID=` of the events ops look for (`journalctl MESSAGE_ID=…`): fixed 128-bit ids, listed
/// in the README's troubleshooting section.
public enum MessageID {
    /// A field changed on both sides since the last sync: a conflict recorded for ops.
    public static let conflict = "1247c86fe78246bda60a2ed56377b35c"
    /// The circuit breaker paused a mailbox instead of deleting more than the limits allow.
    public static let breakerTrip = "ee8b459422fe440abd8d38d152e09e8b"
    /// A mailbox was disabled (the account may not open it, or it does not exist): it waits for ops.
    public static let mailboxDisabled = "e7de65b6651747dcb6c1defcf35ca60c"
    /// An item was refused (retried next pass): Exchange or the CRM's rules would not take it.
    public static let itemRefused = "c8cf6e0fba464b4d8e234ca8cce5a7c1"
    /// The same failure in many mailboxes (a wrong password, Exchange unreachable): one entry, not one per mailbox.
    public static let sharedFailure = "bab5b0bab1054c77ab18e49ea0b0d752"
}
