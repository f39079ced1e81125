import Bounds
import CCurl
import Foundation

/// One easy handle and everything it points at, alive for the duration of one transfer.
final class CurlTransfer: @unchecked Sendable {
    let easy: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    private let request: HTTPRequest
    private var body: [UInt8] = []
    private var responseHeaders: [String: String] = [:]
    private(set) var exceededLimit = false
    private(set) var stoppedByConsumer = false
    private var continuation: CheckedContinuation<HTTPResponse, any Error>?
    private let lock = NSLock()

    init(_ request: HTTPRequest, freshConnection: Bool = false) throws(EWSError) {
        guard let easy = curl_easy_init() else { throw EWSError(.transport, "curl_easy_init failed") }
        self.easy = easy
        self.request = request
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        try configure()
        // curl silently resends a request when a reused connection dies before any answer byte arrives.
        // For a write that would apply it twice, so writes always get a connection of their own.
        if freshConnection { _ = ccurl_setopt_long(easy, CURLOPT_FRESH_CONNECT, 1) }
    }

    deinit {
        curl_easy_cleanup(easy)
        errorBuffer.deallocate()
        if let headerList { curl_slist_free_all(headerList) }
    }

    func attach(_ continuation: CheckedContinuation<HTTPResponse, any Error>) {
        lock.lock()
        self.continuation = continuation
        lock.unlock()
    }

    /// Completes the waiting caller exactly once.
    func finish(_ result: Result<HTTPResponse, any Error>) {
        lock.lock()
        let continuation = self.continuation
        self.continuation = nil
        lock.unlock()
        continuation?.resume(with: result)
    }

    /// Turns curl's completion code into the caller's result.
    func complete(code: CURLcode) {
        if exceededLimit {
            finish(
                .failure(
                    TransportFailure(
                        error: EWSError(
                            .malformedResponse,
                            "answer larger than \(request.maxResponseBytes) bytes; refused",
                            limit: "answer_bytes"
                        ),
                        requestMayHaveBeenSent: true
                    )
                )
            )
            return
        }
        var status = 0
        _ = ccurl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        if code != CURLE_OK && !(stoppedByConsumer && code == CURLE_WRITE_ERROR) {
            var requestSize = 0
            _ = ccurl_getinfo_long(easy, CURLINFO_REQUEST_SIZE, &requestSize)
            let detail = String(cString: errorBuffer)
            var connected: curl_off_t = 0
            var handshaken: curl_off_t = 0
            _ = ccurl_getinfo_off(easy, CURLINFO_CONNECT_TIME_T, &connected)
            _ = ccurl_getinfo_off(easy, CURLINFO_APPCONNECT_TIME_T, &handshaken)
            let text = TransportDiagnosis.explain(
                curlCode: Int(code.rawValue),
                detail: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail,
                https: request.url.lowercased().hasPrefix("https:"),
                stuckInHandshake: connected > 0 && handshaken == 0
            )
            let notSent: Set<UInt32> = [
                CURLE_COULDNT_RESOLVE_PROXY.rawValue, CURLE_COULDNT_RESOLVE_HOST.rawValue,
                CURLE_COULDNT_CONNECT.rawValue, CURLE_SSL_CONNECT_ERROR.rawValue,
                CURLE_PEER_FAILED_VERIFICATION.rawValue, CURLE_SSL_CACERT_BADFILE.rawValue,
                CURLE_UNSUPPORTED_PROTOCOL.rawValue, CURLE_URL_MALFORMAT.rawValue,
            ]
            let sent = requestSize > 0 && !notSent.contains(code.rawValue)
            finish(
                .failure(
                    TransportFailure(
                        error: EWSError(
                            .transport,
                            text,
                            httpStatus: status == 0 ? nil : status,
                            curlCode: Int(code.rawValue)
                        ),
                        requestMayHaveBeenSent: sent
                    )
                )
            )
            return
        }
        finish(.success(HTTPResponse(status: status, headers: responseHeaders, body: body)))
    }

    // MARK: - Callbacks (run on the event loop thread)

    fileprivate func receive(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if let onBodyChunk = request.onBodyChunk {
            if !onBodyChunk(Array(bytes)) {
                stoppedByConsumer = true
                return false
            }
            return true
        }
        guard body.count + bytes.count <= request.maxResponseBytes else {
            exceededLimit = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    fileprivate func receiveHeader(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let line = String(bytes: bytes, encoding: .utf8) else { return }
        if line.hasPrefix("HTTP/") {
            responseHeaders = [:]  // a new response (after 401 or 100-continue) starts over
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        // Several Set-Cookie and WWW-Authenticate lines are all kept (one per line); other repeated headers: the
        // last wins.
        if name == "set-cookie" || name == "www-authenticate", let previous = responseHeaders[name] {
            responseHeaders[name] = previous + "\n" + value
        } else {
            responseHeaders[name] = value
        }
    }

    // MARK: - Setup

    private func configure() throws(EWSError) {
        func check(_ code: CURLcode, _ what: String) throws(EWSError) {
            guard code == CURLE_OK else {
                throw EWSError(
                    .configuration,
                    "\(what): \(String(cString: curl_easy_strerror(code)))",
                    curlCode: Int(code.rawValue)
                )
            }
        }
        try check(ccurl_setopt_str(easy, CURLOPT_URL, request.url), "URL")
        try check(ccurl_setopt_str(easy, CURLOPT_PROTOCOLS_STR, "http,https"), "protocols")
        _ = ccurl_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        if request.method == "GET" {
            _ = ccurl_setopt_long(easy, CURLOPT_HTTPGET, 1)
        } else {
            _ = ccurl_setopt_long(easy, CURLOPT_POST, 1)
            _ = ccurl_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
            request.body.withUnsafeBytes { raw in
                _ = ccurl_setopt_ptr(
                    easy,
                    CURLOPT_COPYPOSTFIELDS,
                    UnsafeMutableRawPointer(mutating: raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!)
                )
            }
            // PATCH and DELETE ride on curl's POST machinery with the method replaced.
            if request.method != "POST" {
                try check(ccurl_setopt_str(easy, CURLOPT_CUSTOMREQUEST, request.method), "method")
            }
        }
        _ = ccurl_setopt_long(easy, CURLOPT_TIMEOUT_MS, Bounded.milliseconds(request.timeoutSeconds, atMost: 86_400))
        _ = ccurl_setopt_long(
            easy,
            CURLOPT_CONNECTTIMEOUT_MS,
            Bounded.milliseconds(request.connectTimeoutSeconds, atMost: 86_400)
        )
        _ = ccurl_setopt_str(easy, CURLOPT_ACCEPT_ENCODING, "")  // every encoding curl supports (gzip)
        _ = ccurl_setopt_ptr(easy, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))
        _ = ccurl_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, request.tls.verify ? 1 : 0)
        _ = ccurl_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, request.tls.verify ? 2 : 0)
        if let caFile = request.tls.caFile { try check(ccurl_setopt_str(easy, CURLOPT_CAINFO, caFile), "ca_file") }
        configureAuthentication()
        var list: UnsafeMutablePointer<curl_slist>?
        // An empty Expect header stops curl from waiting for "100 Continue" on larger bodies.
        for (name, value) in request.headers + [("Expect", "")] {
            list = curl_slist_append(list, value.isEmpty ? "\(name):" : "\(name): \(value)")
        }
        headerList = list
        _ = ccurl_setopt_slist(easy, CURLOPT_HTTPHEADER, list)
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = ccurl_setopt_ptr(easy, CURLOPT_WRITEDATA, me)
        _ = ccurl_setopt_write(easy, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            guard let data, let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            let bytes = UnsafeBufferPointer(
                start: UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self),
                count: size * count
            )
            return transfer.receive(bytes) ? size * count : 0
        }
        _ = ccurl_setopt_ptr(easy, CURLOPT_HEADERDATA, me)
        _ = ccurl_setopt_write(easy, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            guard let data, let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            transfer.receiveHeader(
                UnsafeBufferPointer(
                    start: UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self),
                    count: size * count
                )
            )
            return size * count
        }
    }

    private func configureAuthentication() {
        switch request.authentication {
        case .none:
            break
        case .basic(let username, let password):
            _ = ccurl_setopt_long(easy, CURLOPT_HTTPAUTH, ccurl_auth_basic)
            _ = ccurl_setopt_str(easy, CURLOPT_USERNAME, username)
            _ = ccurl_setopt_str(easy, CURLOPT_PASSWORD, password)
        case .ntlm(let username, let password):
            _ = ccurl_setopt_long(easy, CURLOPT_HTTPAUTH, ccurl_auth_ntlm)
            _ = ccurl_setopt_str(easy, CURLOPT_USERNAME, username)
            _ = ccurl_setopt_str(easy, CURLOPT_PASSWORD, password)
        case .negotiate(let username, let password):
            _ = ccurl_setopt_long(easy, CURLOPT_HTTPAUTH, ccurl_auth_negotiate)
            // GSS-API takes the identity from the ticket cache; curl still needs a (blank) user to try.
            _ = ccurl_setopt_str(easy, CURLOPT_USERNAME, username ?? "")
            _ = ccurl_setopt_str(easy, CURLOPT_PASSWORD, password ?? "")
        }
    }
}
