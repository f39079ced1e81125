import EWS
import EWSTestServer
import Foundation
import Testing
import XMLKit

@Suite("the fake validates requests against the official EWS schema")
struct EWSSchemaTests {
    typealias F = FakeExchangeFixture

    static func exampleFolder() throws -> URL {
        URL(fileURLWithPath: try #require(FakeExchange.bundledSchemaFolder)).appendingPathComponent("examples")
    }

    @Test("Microsoft's and our brief example requests are valid; the misordered one is not")
    func examplesValidate() throws {
        let validator = try XMLSchemaValidator(
            schemaPath: try Self.exampleFolder().deletingLastPathComponent().path + "/ews-validate.xsd"
        )
        let files = try FileManager.default.contentsOfDirectory(atPath: try Self.exampleFolder().path + "/brief")
        #expect(files.count == 10)
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: try Self.exampleFolder().appendingPathComponent("brief/\(file)")))
            #expect(validator.validateEnvelope(bytes) == [], "\(file)")
        }
        let bad = try [UInt8](
            Data(contentsOf: try Self.exampleFolder().appendingPathComponent("invalid-task-field-order.xml"))
        )
        #expect(validator.validateEnvelope(bad).count >= 1)
    }

    @Test("an invalid request is answered with ErrorSchemaValidation, as Exchange does")
    func invalidRequestRejected() async throws {
        let fixture = try F()
        defer { fixture.fake.stop() }
        let bad = try [UInt8](
            Data(contentsOf: try Self.exampleFolder().appendingPathComponent("invalid-task-field-order.xml"))
        )
        let response = try await CurlEventLoop.shared.perform(
            HTTPRequest(
                url: fixture.fake.url,
                headers: [("Content-Type", "text/xml; charset=utf-8")],
                body: bad,
                authentication: .basic(username: "svc-crm", password: "s3cret")
            )
        )
        #expect(response.status == 500)
        #expect(String(decoding: response.body, as: UTF8.self).contains("ErrorSchemaValidation"))
        #expect(fixture.fake.schemaViolations.count >= 1)
    }
}
