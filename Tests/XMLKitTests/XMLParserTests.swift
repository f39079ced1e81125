import Foundation
import Testing
import XMLKit

@Suite("the hardened XML parser")
struct XMLParserTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("elements, namespaces, attributes and text (entities and UTF-8) are read")
    func basics() throws {
        let root = try XMLParser.parse(
            Self.bytes(
                "<a:root xmlns:a=\"urn:a\" x=\"1\"><a:item Id=\"AAMk1\">Kickoff &amp; review</a:item><b>élodie</b><c/></a:root>"
            )
        )
        #expect(root.name == "root")
        #expect(root.namespace == "urn:a")
        #expect(root.attributes == ["x": "1"])
        #expect(root.child("item")?.text == "Kickoff & review")
        #expect(root.child("item")?.attributes["Id"] == "AAMk1")
        #expect(root.child("b")?.text == "élodie")
        #expect(root.child("c") != nil)
    }

    @Test("children of split elements go to the callback and are not kept in the tree")
    func splitting() throws {
        var seen: [String] = []
        let root = try XMLParser.parse(
            Self.bytes("<r><Changes><x>1</x><x>2</x><x>3</x></Changes><State>s</State></r>"),
            splittingChildrenOf: ["Changes"]
        ) { seen.append($0.text) }
        #expect(seen == ["1", "2", "3"])
        #expect(root.child("Changes")?.children.isEmpty == true)
        #expect(root.childText("State") == "s")
    }

    @Test("a quadratic-blowup entity is refused with its DTD, in well under a second")
    func quadraticBlowup() {
        let entity = String(repeating: "a", count: 50_000)
        let references = String(repeating: "&e;", count: 20_000)
        let document = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY e \"\(entity)\">]><r>\(references)</r>"
        let started = Date()
        #expect(throws: XMLError(.dtdRefused, "document type declarations are not accepted")) {
            try XMLParser.parse(Self.bytes(document))
        }
        #expect(Date().timeIntervalSince(started) < 1)
    }

    @Test("an external entity referring to a local file is refused and not read")
    func externalEntity() {
        let document = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/hostname\">]><r>&x;</r>"
        #expect { try XMLParser.parse(Self.bytes(document)) } throws: { ($0 as? XMLError)?.code == .dtdRefused }
    }

    @Test("a document whose bytes break its declared encoding is refused without a word on stderr, on any thread")
    func badEncodingIsQuiet() throws {
        // (libxml2 printed `input conversion failed` to stderr from threads that had not parsed before: the journal
        // line per hostile answer found by `scripts/fuzz soap`.)
        let documents = [
            Array("<?xml version=\"1.0\" encoding=\"UTF-16\"?><a>".utf8) + [0x87, 0x02, 0x00, 0x00],
            Array("<?xml version=\"1.0\" encoding=\"ISO-2022-JP\"?><a>\u{1B}$B".utf8) + [0x87, 0x02]
                + Array("</a>".utf8),
            Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>".utf8) + [0xC3, 0x28, 0xFF] + Array("</a>".utf8),
        ]
        let captured = FileManager.default.temporaryDirectory.appendingPathComponent("stderr-\(UUID())").path
        #expect(FileManager.default.createFile(atPath: captured, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: captured) }
        let saved = dup(2)
        let file = open(captured, O_WRONLY)
        dup2(file, 2)
        final class Count: @unchecked Sendable { var refused = 0 }
        let count = Count()
        for document in documents {
            let thread = Thread {
                if (try? XMLParser.parse(document)) == nil { count.refused += 1 }
            }
            thread.start()
            while !thread.isFinished { usleep(1000) }
        }
        dup2(saved, 2)
        close(file)
        close(saved)
        #expect(count.refused == documents.count)
        // (fd 2 is the process's: Swift Testing reports the tests running beside this one there too, so what is
        // asserted is that none of it is libxml2's — its messages name the parser, the input or the conversion.)
        let written = try String(contentsOfFile: captured, encoding: .utf8)
        let libxml2 = ["conversion failed", "parser error", "encoding error", "Entity: line", "input error"]
        #expect(!libxml2.contains { written.contains($0) }, "\(written)")
    }

    @Test("an undeclared entity, a truncated document and an empty one are malformed")
    func malformed() {
        for document in ["<r>&undeclared;</r>", "<r><a>text</a", ""] {
            #expect { try XMLParser.parse(Self.bytes(document)) } throws: { ($0 as? XMLError)?.code == .malformed }
        }
    }

    @Test("documents, texts and nesting beyond the limits are refused")
    func limits() {
        let limits = XMLLimits(maxDocumentBytes: 1000, maxTextBytes: 10, maxDepth: 5)
        #expect {
            try XMLParser.parse(Self.bytes("<r>" + String(repeating: " ", count: 2000) + "</r>"), limits: limits)
        } throws: { ($0 as? XMLError)?.code == .tooLarge }
        #expect { try XMLParser.parse(Self.bytes("<r>01234567890</r>"), limits: limits) } throws: {
            ($0 as? XMLError)?.code == .tooLarge
        }
        #expect { try XMLParser.parse(Self.bytes("<a><b><c><d><e><f/></e></d></c></b></a>"), limits: limits) } throws: {
            ($0 as? XMLError)?.code == .tooLarge
        }
    }

    @Test("escaping produces parseable XML from any text, dropping characters XML cannot carry")
    func escaping() throws {
        let text = "a < b & \"c\" > 'd'\u{1}\r\nend"
        let root = try XMLParser.parse(
            Self.bytes("<r v=\"\(XMLEscaping.escape(text))\">\(XMLEscaping.escape(text))</r>")
        )
        #expect(root.text == "a < b & \"c\" > 'd'\r\nend")
        #expect(root.attributes["v"]?.hasPrefix("a < b & \"c\" > 'd'") == true)
        let element = XMLElement(name: "x", attributes: ["k": "<&>"], children: [XMLElement(name: "y", text: "1 & 2")])
        #expect(try XMLParser.parse(Self.bytes(element.xmlString(prefix: ""))) == element)
    }
}
