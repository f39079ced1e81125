import Foundation

/// The long-running loop: a round of passes over every mailbox, then a wait of about `interval` seconds
/// (±10 % jitter, so many instances do not hit Exchange in step) that ends early when the CRM store
/// changes — CLI writes and imports bump its change sequence, polled each second — or on SIGTERM.
/// systemd hears READY=1 after the first round, STATUS= after each, WATCHDOG=1 while waiting.
public struct SyncDaemon: Sendable {
    /// One round of passes; returns a one-line summary for STATUS=.
    public typealias Round = @Sendable () async -> String

    let interval: @Sendable () -> Double
    let reload: @Sendable () -> Void
    let changeSequence: @Sendable () -> Int64
    let notifier: SystemdNotifier
    let stop: StopSignal

    /// `interval` is read before every wait; `reload` runs on SIGHUP (the wait then ends, so the new
    /// settings apply from the next round on).
    public init(
        interval: @escaping @Sendable () -> Double,
        reload: @escaping @Sendable () -> Void = {},
        changeSequence: @escaping @Sendable () -> Int64,
        notifier: SystemdNotifier,
        stop: StopSignal
    ) {
        self.interval = interval
        self.reload = reload
        self.changeSequence = changeSequence
        self.notifier = notifier
        self.stop = stop
    }

    /// Runs rounds until stopped.
    public func run(_ round: Round) async {
        var ready = false
        while !stop.isStopped {
            let summary = await round()
            if !ready {
                notifier.notify("READY=1\nSTATUS=\(summary)")
                ready = true
            } else {
                notifier.notify("STATUS=\(summary)")
            }
            await wait(since: changeSequence())
        }
        notifier.notify("STOPPING=1\nSTATUS=stopping")
    }

    private func wait(since sequence: Int64) async {
        let deadline = Date().addingTimeInterval(interval() * Double.random(in: 0.9...1.1))
        var lastPing = Date()
        while Date() < deadline && !stop.isStopped {
            try? await Task.sleep(for: .milliseconds(200))
            if let every = notifier.watchdogInterval, Date().timeIntervalSince(lastPing) >= every {
                notifier.notify("WATCHDOG=1")
                lastPing = Date()
            }
            if changeSequence() != sequence { return }  // a local change: sync it now
            if stop.takeReload() {
                notifier.notify("RELOADING=1")
                reload()
                notifier.notify("READY=1\nSTATUS=configuration reloaded")
                return
            }
        }
    }
}
