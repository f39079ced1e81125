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

    /// Routes SIGTERM and SIGINT here (instead of ending the process).
    public func install() {
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.stop() }
            source.resume()
            sources.append(source)
        }
    }

    /// Asks the loop to stop.
    public func stop() { lock.withLock { stopped = true } }

    /// Whether a stop was asked for.
    public var isStopped: Bool { lock.withLock { stopped } }
}
