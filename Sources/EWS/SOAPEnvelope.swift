import XMLKit

/// Builds the SOAP 1.1 envelope around an operation's body.
enum SOAPEnvelope {
    static func build(body: String, serverVersion: String, impersonate: String?, timeZoneId: String?) -> String {
        var header = "<t:RequestServerVersion Version=\"\(XMLEscaping.escape(serverVersion))\"/>"
        if let impersonate {
            header +=
                "<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>"
                + XMLEscaping.escape(impersonate)
                + "</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>"
        }
        if let timeZoneId {
            header +=
                "<t:TimeZoneContext><t:TimeZoneDefinition Id=\"\(XMLEscaping.escape(timeZoneId))\"/></t:TimeZoneContext>"
        }
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
            + "<soap:Envelope xmlns:soap=\"\(SOAPNamespace.envelope)\" xmlns:m=\"\(SOAPNamespace.messages)\""
            + " xmlns:t=\"\(SOAPNamespace.types)\"><soap:Header>\(header)</soap:Header>"
            + "<soap:Body>\(body)</soap:Body></soap:Envelope>"
    }
}

/// One `*ResponseMessage` of an answer: its class and code, and the element for reading the payload.
struct ResponseMessage {
    var element: XMLElement
    var error: EWSError?

    init(_ element: XMLElement) {
        self.element = element
        let responseClass = element.attributes["ResponseClass"] ?? "Error"
        let messageXml = element.child("MessageXml")
        var code = element.childText("ResponseCode") ?? "NoError"
        var text = element.childText("MessageText")
        // Under load Exchange wraps the real cause in ErrorInternalServerError, the inner code and text in
        // MessageXml (an inner ErrorServerBusy with its BackOffMilliseconds): the inner one is what happened.
        if code == "ErrorInternalServerError", let inner = Self.value("InnerErrorResponseCode", in: messageXml) {
            code = inner
            text = Self.value("InnerErrorMessageText", in: messageXml) ?? text
        }
        if responseClass == "Error" {
            error = EWSError(
                EWSError.throttlingCodes.contains(code) ? .throttled : .item,
                text ?? code,
                responseCode: code,
                backOffMilliseconds: Self.backOff(in: messageXml)
            )
        }
    }

    /// `<t:Value Name="…">` inside MessageXml, where Exchange puts the wait and inner errors.
    static func value(_ name: String, in messageXml: XMLElement?) -> String? {
        messageXml?.children.first { $0.name == "Value" && $0.attributes["Name"] == name }?.text
    }

    /// `<t:Value Name="BackOffMilliseconds">` inside MessageXml, where Exchange puts the wait.
    /// A number past every integer type still asks for a long wait: it is held to the longest honoured (an hour);
    /// NaN, negatives and words ask for none (the usual retry delay applies).
    static func backOff(in messageXml: XMLElement?) -> Int? {
        guard let text = value("BackOffMilliseconds", in: messageXml), let asked = Double(text), asked >= 0 else {
            return nil
        }
        return Int(min(asked, MailboxThrottle.longestWait * 1000))
    }
}

/// Reads an answer envelope: a SOAP fault becomes an error; otherwise the response messages.
enum SOAPResponse {
    /// The body's first element (`m:XxxResponse`) with its response messages.
    static func messages(in root: XMLElement) throws(EWSError) -> [ResponseMessage] {
        let body = try self.body(of: root)
        if let fault = body.children.first(where: { $0.name == "Fault" }) { throw faultError(fault) }
        guard let response = body.children.first, response.namespace == SOAPNamespace.messages else {
            throw EWSError(.malformedResponse, "the SOAP body holds no EWS response")
        }
        guard let list = response.child("ResponseMessages") else {
            throw EWSError(.malformedResponse, "\(response.name) has no ResponseMessages")
        }
        return list.children.map(ResponseMessage.init)
    }

    static func body(of root: XMLElement) throws(EWSError) -> XMLElement {
        guard root.name == "Envelope", root.namespace == SOAPNamespace.envelope else {
            throw EWSError(
                .malformedResponse,
                "the answer is not a SOAP 1.1 envelope (root {\(root.namespace)}\(root.name))"
            )
        }
        guard let body = root.child("Body") else { throw EWSError(.malformedResponse, "the envelope has no Body") }
        return body
    }

    /// A SOAP fault as an error; Exchange puts its code in `detail/e:ResponseCode`.
    static func faultError(_ fault: XMLElement) -> EWSError {
        let detail = fault.child("detail")
        let faultCode = fault.childText("faultcode").map { String($0.split(separator: ":").last ?? "") }
        let code = detail?.childText("ResponseCode") ?? faultCode ?? "SOAPFault"
        let message = detail?.childText("Message") ?? fault.childText("faultstring") ?? code
        let kind: EWSError.Kind = EWSError.throttlingCodes.contains(code) ? .throttled : .fault
        return EWSError(
            kind,
            message,
            responseCode: code,
            backOffMilliseconds: ResponseMessage.backOff(in: detail?.child("MessageXml"))
        )
    }
}
