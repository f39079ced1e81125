import Foundation
import XMLKit

extension FakeExchange {
    /// Sets the mailbox's own time zone (a Windows id), as a user does in Outlook on the web's regional
    /// settings; nil removes it.
    public func setMailboxTimeZone(_ mailbox: String, _ windowsId: String?) {
        lock.withLock { mailboxes[mailbox.lowercased()]?.timeZone = windowsId }
    }

    /// GetUserConfiguration of `OWA.UserOptions` on the root folder: the dictionary with the `timezone`
    /// entry when one was set; `ErrorItemNotFound` otherwise, as for any configuration a mailbox lacks.
    func getUserConfiguration(_ context: FakeRequestContext) -> [UInt8] {
        let name = context.element.child("UserConfigurationName")?.attributes["Name"] ?? ""
        let zone = lock.withLock { mailboxes[context.mailbox]?.timeZone }
        guard name == "OWA.UserOptions", let zone else {
            return FakeResponse.messages(
                "GetUserConfiguration",
                [
                    FakeResponse.error(
                        "GetUserConfiguration",
                        "ErrorItemNotFound",
                        "The specified object was not found in the store."
                    )
                ]
            )
        }
        func object(_ type: String, _ value: String) -> String {
            "<t:Type>\(type)</t:Type><t:Value>\(XMLEscaping.escape(value))</t:Value>"
        }
        let payload =
            "<m:UserConfiguration><t:UserConfigurationName Name=\"OWA.UserOptions\">"
            + "<t:DistinguishedFolderId Id=\"root\"/></t:UserConfigurationName><t:Dictionary><t:DictionaryEntry>"
            + "<t:DictionaryKey>\(object("String", "timezone"))</t:DictionaryKey>"
            + "<t:DictionaryValue>\(object("String", zone))</t:DictionaryValue>"
            + "</t:DictionaryEntry></t:Dictionary></m:UserConfiguration>"
        return FakeResponse.messages("GetUserConfiguration", [FakeResponse.success("GetUserConfiguration", payload)])
    }
}
