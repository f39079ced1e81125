import Foundation
import XMLKit

/// The hostile mode (issue 15): the worst answers a broken or hostile server — or a rewriting proxy in front of a
/// good one — sends, by name. Tests inject them for one mailbox (`inject(_:operation:mailbox:times:)`) and assert
/// which limit the client met and that the other mailboxes kept syncing; `ews-test-server --hostile KIND` serves
/// them to a running daemon.
extension FakeExchange {
    public enum Hostile: String, CaseIterable, Sendable {
        /// "Billion laughs": a DTD whose entities expand to gigabytes.
        case entityBomb = "entity-bomb"
        /// An external entity naming a local file (`file:///etc/passwd`).
        case externalEntity = "external-entity"
        /// 100,000 nested elements (700 KB: within the byte limit, far past any nesting an answer has).
        case deepDocument = "deep-document"
        /// 200 MB of one element's text, streamed.
        case hugeBody = "huge-body"
        /// 15 MB of empty elements (within the byte limit; a bomb for a parser that keeps every element).
        case tinyElements = "tiny-elements"
        /// 15 MB of text in elements of 1 MiB (within every limit: the most text a parser keeps), no response in it.
        case bigText = "big-text"
        /// A well-formed SyncFolderItems answer whose one subject is 3 MiB long.
        case longText = "long-text"
        /// SyncFolderItems that always has "more" (no changes, a new state, never the last page).
        case endlessPages = "endless-pages"
        /// The request is read and never answered (the connection stays open 30 s, then closes).
        case silent
        /// A well-formed beginning, one byte every 200 ms (never a whole answer within any timeout).
        case slowDrip = "slow-drip"
        /// HTTP 503 with `Retry-After: 1e300`.
        case retryAfterExtreme = "retry-after-extreme"
        /// `ErrorServerBusy` with a `BackOffMilliseconds` past every integer type.
        case backOffExtreme = "back-off-extreme"
        /// The real answer with its numbers at their extremes (as a rewriting proxy would): a percentage of
        /// 1E300, a reminder of 2^63 minutes.
        case extremeNumbers = "extreme-numbers"
        /// A 200 answer whose bytes are not UTF-8, though it says so.
        case invalidUTF8 = "invalid-utf8"

        /// What the fake does for it.
        public var fault: Fault {
            switch self {
            case .entityBomb: return .rawBody(Array(Self.entityBombDocument.utf8))
            case .externalEntity:
                return .rawBody(
                    Array(
                        ("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                            + "<s:Envelope xmlns:s=\"\(SOAPNamespace.envelope)\"><s:Body>&xxe;</s:Body></s:Envelope>")
                            .utf8
                    )
                )
            case .deepDocument:
                return .rawBody(
                    Array(
                        ("<s:Envelope xmlns:s=\"\(SOAPNamespace.envelope)\"><s:Body>"
                            + String(repeating: "<a>", count: 100_000) + String(repeating: "</a>", count: 100_000)
                            + "</s:Body></s:Envelope>").utf8
                    )
                )
            case .hugeBody: return .hugeBody(megabytes: 200)
            case .tinyElements: return .tinyElements(megabytes: 15)
            case .bigText: return .bigText(megabytes: 15)
            case .longText: return .rawBody(Array(Self.longTextDocument.utf8))
            case .endlessPages: return .endlessPages
            case .silent: return .silence(seconds: 30)
            case .slowDrip: return .slowDrip(secondsPerByte: 0.2)
            case .retryAfterExtreme: return .retryAfter("1e300")
            case .backOffExtreme:
                return .answer(
                    status: 500,
                    body: FakeResponse.fault(
                        "ErrorServerBusy",
                        "The server cannot service this request right now. Try again later.",
                        backOffText: "99999999999999999999999999"
                    )
                )
            case .extremeNumbers:
                return .rewrite(["PercentComplete": "1E300", "ReminderMinutesBeforeStart": "9223372036854775808"])
            case .invalidUTF8:
                return .rawBody(
                    Array("<s:Envelope xmlns:s=\"\(SOAPNamespace.envelope)\"><s:Body><m:X>".utf8)
                        + [0xC3, 0x28, 0xFF, 0xFE] + Array("</m:X></s:Body></s:Envelope>".utf8)
                )
            }
        }

        static let entityBombDocument: String = {
            var dtd = "<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
            for level in 1...9 {
                let previous = level == 1 ? "lol" : "lol\(level - 1)"
                dtd += "<!ENTITY lol\(level) \"" + String(repeating: "&\(previous);", count: 10) + "\">"
            }
            return "<?xml version=\"1.0\"?>\(dtd)]><s:Envelope xmlns:s=\"\(SOAPNamespace.envelope)\"><s:Body>&lol9;"
                + "</s:Body></s:Envelope>"
        }()

        static let longTextDocument: String = {
            let item =
                "<t:Create><t:Task><t:ItemId Id=\"AAMkLong\" ChangeKey=\"CK\"/><t:Subject>"
                + String(repeating: "x", count: 3 << 20) + "</t:Subject></t:Task></t:Create>"
            return String(
                decoding: FakeResponse.messages(
                    "SyncFolderItems",
                    [
                        FakeResponse.success(
                            "SyncFolderItems",
                            "<m:SyncState>long</m:SyncState><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange>"
                                + "<m:Changes>\(item)</m:Changes>"
                        )
                    ]
                ),
                as: UTF8.self
            )
        }()
    }

    /// Serves a hostile answer to every matching request from now on (nil: any operation, any mailbox).
    public func serveHostile(_ kind: Hostile, operation: String? = nil, mailbox: String? = nil) {
        inject(kind.fault, operation: operation, mailbox: mailbox, times: .max)
    }

    /// The answer's text with every element of these local names holding the given text instead (a rewriting
    /// proxy). Answers are the fake's own, so a plain scan for `<prefix:Name>` suffices.
    static func rewrite(_ body: [UInt8], _ replacements: [String: String]) -> [UInt8] {
        var text = String(decoding: body, as: UTF8.self)
        for (name, value) in replacements {
            let pattern = "(<[A-Za-z]+:\(name)>)[^<]*(</[A-Za-z]+:\(name)>)"
            guard let expression = try? NSRegularExpression(pattern: pattern) else { continue }
            text = expression.stringByReplacingMatches(
                in: text,
                range: NSRange(text.startIndex..., in: text),
                withTemplate: "$1\(value)$2"
            )
        }
        return Array(text.utf8)
    }
}
