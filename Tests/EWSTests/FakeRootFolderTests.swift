import EWS
import EWSTestServer
import Testing

/// Issue 17: other clients (exchangelib) open the mailbox's root first; the fake has it as Exchange does.
@Suite("the fake's root folders")
struct FakeRootFolderTests {
    @Test("root and msgfolderroot answer as folders holding no items; an unknown one is ErrorFolderNotFound")
    func rootFolders() async throws {
        let fixture = try FakeExchangeFixture()
        defer { fixture.finish() }
        let folders = try await fixture.client().getFolders(
            [.distinguished("root"), .distinguished("msgfolderroot"), .distinguished("junkemail")],
            mailbox: FakeExchangeFixture.alice
        )
        #expect(folders[0].value?.totalCount == 0 && folders[1].value?.displayName == "Top of Information Store")
        #expect(folders[0].value?.id != folders[1].value?.id)
        guard case .failure(let error) = folders[2] else {
            Issue.record("junkemail is no folder of the fake")
            return
        }
        #expect(error.responseCode == "ErrorFolderNotFound")
    }
}
