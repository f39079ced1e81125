import XMLKit

/// Writes the fake's SOAP answers.
enum FakeResponse {
    static func envelope(_ body: String) -> [UInt8] {
        let text =
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
            + "<s:Envelope xmlns:s=\"\(SOAPNamespace.envelope)\"><s:Header>"
            + "<h:ServerVersionInfo MajorVersion=\"15\" MinorVersion=\"1\" MajorBuildNumber=\"2507\" MinorBuildNumber=\"6\""
            + " Version=\"V2017_07_11\" xmlns:h=\"\(SOAPNamespace.types)\"/></s:Header><s:Body>\(body)</s:Body></s:Envelope>"
        return Array(text.utf8)
    }

    /// `<m:{operation}Response>` with the given response messages.
    static func messages(_ operation: String, _ messages: [String]) -> [UInt8] {
        envelope(
            "<m:\(operation)Response xmlns:m=\"\(SOAPNamespace.messages)\" xmlns:t=\"\(SOAPNamespace.types)\">"
                + "<m:ResponseMessages>\(messages.joined())</m:ResponseMessages></m:\(operation)Response>"
        )
    }

    static func success(_ operation: String, _ payload: String) -> String {
        "<m:\(operation)ResponseMessage ResponseClass=\"Success\"><m:ResponseCode>NoError</m:ResponseCode>"
            + payload + "</m:\(operation)ResponseMessage>"
    }

    static func error(
        _ operation: String,
        _ code: String,
        _ text: String,
        backOff: Int? = nil,
        inner: (code: String, text: String)? = nil
    ) -> String {
        var values: [String] = []
        if let inner {
            values.append("<t:Value Name=\"InnerErrorMessageText\">\(XMLEscaping.escape(inner.text))</t:Value>")
            values.append("<t:Value Name=\"InnerErrorResponseCode\">\(inner.code)</t:Value>")
            values.append("<t:Value Name=\"InnerErrorDescriptiveLinkKey\">0</t:Value>")
        }
        if let backOff { values.append("<t:Value Name=\"BackOffMilliseconds\">\(backOff)</t:Value>") }
        let xml = values.isEmpty ? "" : "<m:MessageXml>\(values.joined())</m:MessageXml>"
        return "<m:\(operation)ResponseMessage ResponseClass=\"Error\"><m:MessageText>\(XMLEscaping.escape(text))"
            + "</m:MessageText><m:ResponseCode>\(code)</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>"
            + xml + "</m:\(operation)ResponseMessage>"
    }

    /// A SOAP fault as Exchange sends it (with HTTP 500).
    static func fault(_ code: String, _ text: String, backOff: Int? = nil, backOffText: String? = nil) -> [UInt8] {
        let xml =
            (backOffText ?? backOff.map(String.init)).map {
                "<t:MessageXml xmlns:t=\"\(SOAPNamespace.types)\"><t:Value Name=\"BackOffMilliseconds\">\($0)</t:Value></t:MessageXml>"
            } ?? ""
        return envelope(
            "<s:Fault><faultcode xmlns:a=\"\(SOAPNamespace.types)\">a:\(code)</faultcode>"
                + "<faultstring xml:lang=\"en-US\">\(XMLEscaping.escape(text))</faultstring><detail>"
                + "<e:ResponseCode xmlns:e=\"\(SOAPNamespace.errors)\">\(code)</e:ResponseCode>"
                + "<e:Message xmlns:e=\"\(SOAPNamespace.errors)\">\(XMLEscaping.escape(text))</e:Message>\(xml)</detail></s:Fault>"
        )
    }
}
