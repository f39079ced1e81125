import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM/SIGINT as a flag the daemon's loop checks between steps, so a stop never interrupts a pass
/// half-way: the pass in flight finishes and commits, waits end at once.
public final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var sources: [DispatchSourceSignal] = []

    public init() {}

    private var reloadRequested = false

    /// Routes SIGTERM and SIGINT (stop) and SIGHUP (reload the configuration) here.
    public func install() {
        for number in [SIGTERM, SIGINT, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                if number == SIGHUP { self?.requestReload() } else { self?.stop() }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Asks for the configuration to be read again.
    public func requestReload() { lock.withLock { reloadRequested = true } }

    /// Whether a reload was asked for since the last call (clears the request).
    public func takeReload() -> Bool {
        lock.withLock {
            defer { reloadRequested = false }
            return reloadRequested
        }
    }

    /// Asks the loop to stop.
    public func stop() { lock.withLock { stopped = true } }

    /// Whether a stop was asked for.
    public var isStopped: Bool { lock.withLock { stopped } }
}
