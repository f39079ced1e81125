import Daemon
import Foundation
import Testing

/// Issue 11: systemd's watchdog is fed from the daemon's loop only while the transfer thread goes round.
@Suite("the watchdog proves progress, not just a ticking loop")
struct WatchdogTests {
    @Test("fed when due and progressing; never while the transfer thread is stuck; never without an interval")
    func feeding() {
        #expect(SyncDaemon.feedsWatchdog(every: 30, since: 31, progressing: { true }))
        #expect(!SyncDaemon.feedsWatchdog(every: 30, since: 31, progressing: { false }))
        #expect(!SyncDaemon.feedsWatchdog(every: 30, since: 5, progressing: { true }))
        #expect(!SyncDaemon.feedsWatchdog(every: nil, since: 1e9, progressing: { true }))
    }

    @Test("WATCHDOG_USEC that is no interval (NaN, inf, 0, negative, garbage) means no watchdog, never a trap")
    func extremeInterval() {
        for text in ["nan", "inf", "-inf", "0", "-5", "1e400", "soon"] {
            #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": text]).watchdogInterval == nil, "\(text)")
        }
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "60000000"]).watchdogInterval == 30)
    }
}
