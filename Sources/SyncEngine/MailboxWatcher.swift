/// Tells the daemon *when* mailboxes changed (push notifications); a pass finds out *what* changed.
/// The EWS notification hub is one; a Graph change-notification watcher is the next.
public protocol MailboxWatcher: Sendable {
    /// Watches exactly these mailboxes from now on (others are let go).
    func watch(_ mailboxes: [String])
    /// Ends every subscription (at shutdown).
    func stop() async
}
