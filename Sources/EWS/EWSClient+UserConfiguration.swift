import Foundation
import XMLKit

extension EWSClient {
    /// The mailbox's own time zone as Outlook on the web keeps it: the `timezone` entry of the
    /// `OWA.UserOptions` configuration on the mailbox's root folder (a Windows id, e.g. "W. Europe Standard
    /// Time"; GetUserConfiguration, Exchange 2010 and later). Nil when the mailbox never had one set (the
    /// configuration or the entry is missing: Exchange answers `ErrorItemNotFound`).
    public func mailboxTimeZone(mailbox: String) async throws -> String? {
        let body =
            "<m:GetUserConfiguration><m:UserConfigurationName Name=\"OWA.UserOptions\">"
            + folderXML(.distinguished("root"), mailbox: mailbox)
            + "</m:UserConfigurationName><m:UserConfigurationProperties>Dictionary</m:UserConfigurationProperties>"
            + "</m:GetUserConfiguration>"
        let answer: Answer<Never> = try await send(
            Call(operation: "GetUserConfiguration", body: body, mailbox: mailbox)
        )
        let message = try Self.single(answer.messages, "GetUserConfiguration")
        if let error = message.error {
            if error.responseCode == "ErrorItemNotFound" { return nil }
            throw error
        }
        let entries = message.element.child("UserConfiguration")?.child("Dictionary")?.children ?? []
        let entry = entries.first { $0.child("DictionaryKey")?.childText("Value") == "timezone" }
        return entry?.child("DictionaryValue")?.childText("Value")
    }
}
