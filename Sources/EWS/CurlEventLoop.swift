import CCurl
import Foundation

/// curl's global state must be set up once, before any thread uses curl.
private let curlReady: Void = { _ = curl_global_init(ccurl_global_all) }()

/// One thread that runs every HTTP transfer of the process on one curl multi handle.
///
/// The daemon holds thousands of mailboxes and a long-lived `GetStreamingEvents` connection per group
/// of them; a thread per mailbox or per connection would not scale, so all transfers share this loop.
/// The multi handle also owns the connection cache, so connections (and the NTLM authentication bound
/// to them) are reused across requests.
public final class CurlEventLoop: HTTPTransport, @unchecked Sendable {
    /// The process-wide loop.
    public static let shared = CurlEventLoop()

    private let multi: UnsafeMutableRawPointer
    private let lock = NSLock()
    private var pendingAdds: [CurlTransfer] = []
    private var pendingCancels: [UnsafeMutableRawPointer] = []
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]

    /// Creates a loop with its own thread and connection cache.
    public init() {
        _ = curlReady
        multi = curl_multi_init()
        // Enough idle connections for many mailboxes talking to one server.
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 256)
        let thread = Thread { [unowned self] in self.run() }
        thread.name = "curl-event-loop"
        thread.start()
    }

    /// Performs a request; cancelling the calling task aborts the transfer.
    public func perform(_ request: HTTPRequest) async throws -> HTTPResponse {
        let transfer: CurlTransfer
        do { transfer = try CurlTransfer(request, freshConnection: request.isNotIdempotent) } catch {
            throw TransportFailure(error: error, requestMayHaveBeenSent: false)
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.attach(continuation)
                lock.lock()
                pendingAdds.append(transfer)
                lock.unlock()
                curl_multi_wakeup(multi)
            }
        } onCancel: {
            lock.lock()
            pendingCancels.append(transfer.easy)
            lock.unlock()
            curl_multi_wakeup(multi)
        }
    }

    /// When the loop last went round (it does at least once a second: `curl_multi_poll` waits 1 s at most).
    private var lastTick = DispatchTime.now()  // (under `lock`)

    /// Seconds since the loop last went round: more than a few means the transfer thread is stuck (a
    /// callback that does not return), and every request with it — the daemon then stops feeding systemd's
    /// watchdog, which restarts it.
    public var secondsSinceTick: Double {
        let tick = lock.withLock { lastTick }
        return Double(DispatchTime.now().uptimeNanoseconds - tick.uptimeNanoseconds) / 1e9
    }

    private func run() {
        var running: Int32 = 0
        while true {
            lock.withLock { lastTick = DispatchTime.now() }
            takeQueued()
            curl_multi_perform(multi, &running)
            var left: Int32 = 0
            while let message = curl_multi_info_read(multi, &left) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                let code = ccurl_msg_result(message)
                lock.lock()
                let done = active.removeValue(forKey: easy)
                lock.unlock()
                curl_multi_remove_handle(multi, easy)
                done?.complete(code: code)
            }
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }

    private func takeQueued() {
        lock.lock()
        let adds = pendingAdds
        let cancels = pendingCancels
        pendingAdds = []
        pendingCancels = []
        for transfer in adds { active[transfer.easy] = transfer }
        var cancelled: [CurlTransfer] = []
        for id in cancels {
            if let transfer = active.removeValue(forKey: id) { cancelled.append(transfer) }
        }
        lock.unlock()
        for transfer in adds where !cancelled.contains(where: { $0 === transfer }) {
            curl_multi_add_handle(multi, transfer.easy)
        }
        for transfer in cancelled {
            curl_multi_remove_handle(multi, transfer.easy)
            transfer.finish(.failure(CancellationError()))
        }
    }
}
