import EWS
import Foundation
import Testing

/// Issue 11: the streaming-notification splitter is linear however its bytes arrive, and cuts envelopes right.
@Suite("streaming answers: envelopes cut in linear time, however chunked")
struct EnvelopeSplitterTests {
    static func envelope(_ body: String, prefix: String = "s:") -> String {
        "<\(prefix)Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><\(prefix)Body>\(body)"
            + "</\(prefix)Body></\(prefix)Envelope>"
    }

    static func split(
        _ text: String,
        chunk: Int,
        limit: Int = 64 << 20
    ) -> (envelopes: [String], examined: Int, ok: Bool) {
        var envelopes: [String] = []
        let splitter = EnvelopeSplitter(limit: limit) {
            envelopes.append(String(decoding: $0, as: UTF8.self))
            return true
        }
        let bytes = Array(text.utf8)
        var ok = true
        for start in stride(from: 0, to: bytes.count, by: chunk) where ok {
            ok = splitter.feed(Array(bytes[start..<min(start + chunk, bytes.count)]))
        }
        return (envelopes, splitter.examined, ok)
    }

    @Test("envelopes come out whole, with or without a prefix, at any chunking", arguments: [1, 2, 7, 64, 4096])
    func cuts(chunk: Int) {
        let parts = [
            Self.envelope("<m:A/>"), Self.envelope("<m:B>x&lt;/y</m:B>", prefix: ""), Self.envelope("</m:Evil>"),
        ]
        let (envelopes, _, ok) = Self.split(parts.joined(), chunk: chunk)
        #expect(ok)
        #expect(envelopes == parts, "chunk \(chunk)")
    }

    @Test(
        "a 200 KB answer fed a byte at a time, and 100,000 unclosed '</' are looked at a bounded number of times each",
        arguments: [1, 3, 1024]
    )
    func linear(chunk: Int) {
        let big = Self.envelope(String(repeating: "<t:Item>x</t:Item>", count: 11_000))
        let (envelopes, examined, _) = Self.split(big, chunk: chunk)
        #expect(envelopes.count == 1)
        #expect(examined <= 3 * big.utf8.count, "\(examined) looks at \(big.utf8.count) bytes")

        let hostile = "<s:Envelope><s:Body>" + String(repeating: "</", count: 100_000)
        let (none, worst, ok) = Self.split(hostile, chunk: chunk, limit: 1 << 20)
        #expect(none.isEmpty && ok)
        #expect(worst <= (EnvelopeSplitter.longestPrefix + 3) * hostile.utf8.count, "\(worst)")
    }

    @Test("an envelope past the limit stops the transfer")
    func limit() {
        let (_, _, ok) = Self.split(Self.envelope(String(repeating: "x", count: 10_000)), chunk: 512, limit: 4096)
        #expect(!ok)
    }
}
