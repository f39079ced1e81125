import EWS
import Foundation

/// One Graph call for one mailbox.
public struct GraphRequest: Sendable {
    /// `GET`, `POST`, `PATCH` or `DELETE`.
    public var method: String
    /// The path below the version root (`/users/…/events`), or an absolute `@odata.nextLink`/`deltaLink`
    /// (followed only on the configured host).
    public var path: String
    /// A JSON body.
    public var body: [UInt8]?
    /// Extra headers (`If-Match`, `Prefer`).
    public var headers: [(String, String)]
    /// The mailbox the call is for: its throttling and its in-flight limit.
    public var mailbox: String

    public init(
        _ method: String,
        _ path: String,
        mailbox: String,
        body: [UInt8]? = nil,
        headers: [(String, String)] = []
    ) {
        self.method = method
        self.path = path
        self.body = body
        self.headers = headers
        self.mailbox = mailbox
        isWrite = method != "GET"
    }

    /// Whether the call changes the mailbox: never resent once it may have reached the server. (A `$batch` is a
    /// POST, but one of reads only is a read.)
    public var isWrite: Bool

    /// `/users/{address}` with the address escaped for a path segment.
    public static func user(_ address: String) -> String { "/users/" + segment(address) }

    /// A path segment: everything but unreserved characters and `@` percent-encoded.
    public static func segment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~@=")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// A Graph answer (of a request, or of one request inside a `$batch`).
public struct GraphResponse: Sendable {
    public var status: Int
    /// Header values by lower-cased name.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body as a JSON object (nil when it is none).
    public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }

    /// Graph's error object (`{"error": {"code", "message"}}`).
    var errorObject: [String: Any]? { json?["error"] as? [String: Any] }

    /// Graph's error code (`ErrorItemNotFound`, `syncStateNotFound`, `ErrorIrresolvableConflict`…).
    public var errorCode: String? { errorObject?["code"] as? String }

    /// The answer as an error for the caller's message (Graph's message cut short: it may quote the request).
    public func error(_ kind: EWSError.Kind, _ what: String) -> EWSError {
        let object = errorObject  // (the body parsed once)
        let message = (object?["message"] as? String).map { String($0.prefix(200)) }
        var error = EWSError(
            kind,
            "\(what): \(message ?? "HTTP \(status)")",
            httpStatus: status,
            responseCode: object?["code"] as? String
        )
        error.backend = "Graph"
        return error
    }
}
