import EWS
import Foundation

/// The fuzzing harnesses' transport: a client's requests are answered with the fuzzer's answers in turn (an
/// operation may need several: To Do's lists, then each list's delta; a next page), and once they are used up with
/// a network failure — no sleeping, no endless paging. A token request is answered with a valid token, so the
/// Graph client reaches its decoding. A streaming request gets its answer in chunks whose sizes the input chooses
/// (the splitter must not care how the bytes arrive).
public final class FuzzTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [HTTPResponse]
    private let chunks: [Int]

    public init(_ answers: [HTTPResponse], chunks: [Int] = [4096]) {
        self.answers = answers
        self.chunks = chunks.map { max(1, $0) }
    }

    public func perform(_ request: HTTPRequest) async throws -> HTTPResponse {
        if request.url.contains("/oauth2/") {
            let token = #"{"token_type":"Bearer","expires_in":3599,"access_token":"fuzz"}"#
            return HTTPResponse(status: 200, headers: ["content-type": "application/json"], body: Array(token.utf8))
        }
        guard let answer = lock.withLock({ answers.isEmpty ? nil : answers.removeFirst() }) else {
            throw TransportFailure(
                error: EWSError(.transport, "fuzz: one answer per input"),
                requestMayHaveBeenSent: false
            )
        }
        guard let onBodyChunk = request.onBodyChunk else { return answer }
        var offset = 0
        var index = 0
        while offset < answer.body.count {
            let size = chunks[index % chunks.count]
            let end = min(answer.body.count, offset + size)
            guard onBodyChunk(Array(answer.body[offset..<end])) else { break }
            offset = end
            index += 1
        }
        return HTTPResponse(status: answer.status, headers: answer.headers, body: [])
    }
}

/// One fuzz input through an async harness, from libFuzzer's callback: always 0 (libFuzzer's "go on").
public func runInput(
    _ data: UnsafePointer<UInt8>,
    _ size: Int,
    _ harness: @escaping @Sendable ([UInt8]) async -> String
) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = runToEnd { await harness(bytes) }
    return 0
}

/// Runs an async body to its end from libFuzzer's synchronous callback (on the main thread, never a task's: it
/// blocks its thread); answers what it answered.
public func runToEnd(_ body: @escaping @Sendable () async -> String) -> String {
    final class Box: @unchecked Sendable { var value = "" }
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    Task {
        box.value = await body()
        done.signal()
    }
    done.wait()
    return box.value
}

/// The fuzzer's input cut into a selector byte, a status byte and the answers' bodies (separated by `separator`).
public struct FuzzInput {
    /// Between two answers' bodies in an input (no server sends it: NUL bytes are no XML or JSON).
    public static let separator = Array("\u{0}\u{0}NEXT\u{0}\u{0}".utf8)

    public var selector: Int
    public var status: Int
    public var bodies: [[UInt8]]

    public init(_ bytes: [UInt8]) {
        selector = bytes.first.map(Int.init) ?? 0
        // (Mostly 200; sometimes the statuses the clients treat apart.)
        let statuses = [200, 200, 200, 200, 500, 500, 503, 429, 401, 404]
        status = bytes.count > 1 ? statuses[Int(bytes[1]) % statuses.count] : 200
        bodies = Self.split(Array(bytes.dropFirst(2)))
    }

    /// An EWS client whose answers are this input's (one attempt per call: no back-off waits).
    public func ewsClient(chunks: [Int] = [4096]) -> EWSClient {
        EWSClient(
            configuration: EWSConfiguration(
                url: "https://exchange.fuzz.invalid/EWS/Exchange.asmx",
                credentials: .basic(username: "svc", password: "pw"),
                retry: RetryPolicy(maxAttempts: 1)
            ),
            loop: FuzzTransport(answers(contentType: "text/xml"), chunks: chunks)
        )
    }

    /// The answers, each with the input's status and this content type.
    public func answers(contentType: String) -> [HTTPResponse] {
        bodies.map { HTTPResponse(status: status, headers: ["content-type": contentType], body: $0) }
    }

    static func split(_ bytes: [UInt8]) -> [[UInt8]] {
        var parts: [[UInt8]] = []
        var start = 0
        var index = 0
        let mark = separator
        while index + mark.count <= bytes.count {
            if bytes[index] == 0, Array(bytes[index..<index + mark.count]) == mark {
                parts.append(Array(bytes[start..<index]))
                index += mark.count
                start = index
            } else {
                index += 1
            }
        }
        parts.append(Array(bytes[start...]))
        return parts
    }
}
