import Foundation
import XMLKit

/// What an operation handler needs to know about the request.
struct FakeRequestContext {
    var mailbox: String
    var operation: String
    var element: XMLElement
    var headers: [String: String] = [:]
}

extension FakeExchange {
    func handle(_ request: HTTPServerRequest) -> HTTPServerReply {
        if request.path.hasPrefix("/oauth2/") { return issueToken(request) }
        if request.path.hasPrefix("/control/") { return control(request) }
        guard request.method == "POST", request.path.lowercased() == "/ews/exchange.asmx" else {
            return .respond(status: 404, headers: [], body: Array("not found".utf8))
        }
        guard let account = authenticate(request.headers["authorization"]) else {
            record(operation: "unauthenticated", mailbox: nil, violations: [], fault: nil, itemCount: 0)
            return .respond(status: 401, headers: [("WWW-Authenticate", "Basic realm=\"fake-exchange\"")], body: [])
        }
        let violations = validator?.validateEnvelope(request.body) ?? []
        guard let root = try? XMLParser.parse(request.body), let body = root.child("Body"),
            let element = body.children.first
        else {
            record(operation: "unparseable", mailbox: nil, violations: violations, fault: nil, itemCount: 0)
            return faultReply("ErrorSchemaValidation", "The request failed schema validation: not well-formed.")
        }
        let operation = element.name
        let impersonated = root.path("Header", "ExchangeImpersonation", "ConnectingSID", "PrimarySmtpAddress")?.text
        let mailbox = (impersonated ?? delegateMailbox(element) ?? account.username).lowercased()
        let fault = takeFault(operation: operation, mailbox: mailbox)
        record(
            operation: operation,
            mailbox: mailbox,
            violations: violations,
            fault: fault,
            itemCount: Self.itemCount(element),
            attributes: element.attributes,
            headers: request.headers.filter { Self.routingHeaders.contains($0.key) }
        )
        let counted = !Self.notificationOperations.contains(operation)
        if counted { enter(mailbox) }
        defer { if counted { leave(mailbox) } }
        if !violations.isEmpty {
            return faultReply("ErrorSchemaValidation", "The request failed schema validation: \(violations[0])")
        }
        if case .inBandInternalBusy(let milliseconds) = fault {
            let busy = FakeResponse.error(
                operation,
                "ErrorInternalServerError",
                "An internal server error occurred. The operation failed.",
                backOff: milliseconds,
                inner: ("ErrorServerBusy", "The server cannot service this request right now. Try again later.")
            )
            let messages = Array(repeating: busy, count: max(1, Self.itemCount(element)))
            return .respond(
                status: 200,
                headers: [("Content-Type", "text/xml; charset=utf-8")],
                body: FakeResponse.messages(operation, messages)
            )
        }
        if let reply = replyBeforeApplying(fault) { return reply }
        if let denied = checkAccess(account: account, mailbox: mailbox, impersonating: impersonated != nil) {
            return denied
        }
        let reply = dispatch(
            FakeRequestContext(mailbox: mailbox, operation: operation, element: element, headers: request.headers)
        )
        return replyAfterApplying(fault, reply)
    }

    private func dispatch(_ context: FakeRequestContext) -> HTTPServerReply {
        let body: [UInt8]
        switch context.operation {
        case "GetFolder": body = getFolder(context)
        case "GetUserConfiguration": body = getUserConfiguration(context)
        case "SyncFolderItems": body = syncFolderItems(context)
        case "FindItem": body = findItem(context)
        case "GetItem": body = getItem(context)
        case "CreateItem": body = createItem(context)
        case "UpdateItem": body = updateItem(context)
        case "DeleteItem": body = deleteItem(context)
        case "Subscribe": return subscribe(context)
        case "Unsubscribe": body = unsubscribe(context)
        case "GetEvents": body = getEvents(context)
        case "GetStreamingEvents": return getStreamingEvents(context)
        default:
            return faultReply("ErrorInvalidRequest", "The fake does not implement \(context.operation).")
        }
        return .respond(status: 200, headers: [("Content-Type", "text/xml; charset=utf-8")], body: body)
    }

    func faultReply(_ code: String, _ text: String, backOff: Int? = nil) -> HTTPServerReply {
        .respond(
            status: 500,
            headers: [("Content-Type", "text/xml; charset=utf-8")],
            body: FakeResponse.fault(code, text, backOff: backOff)
        )
    }

    private func replyBeforeApplying(_ fault: Fault?) -> HTTPServerReply? {
        switch fault {
        case .serverBusy(let milliseconds):
            return faultReply(
                "ErrorServerBusy",
                "The server cannot service this request right now. Try again later.",
                backOff: milliseconds
            )
        case .httpStatus(let status): return .respond(status: status, headers: [], body: [])
        case .retryAfter(let text): return .respond(status: 503, headers: [("Retry-After", text)], body: [])
        case .dropConnection: return .drop
        case .userEdit(let mailbox, let itemId, let fields):
            userUpdate(mailbox: mailbox, itemId: itemId, fields: fields.mapValues { Optional($0) })
            return nil
        case .killClient(let pid, false):
            kill(pid, SIGKILL)
            return .drop
        case .unauthorized: return .respond(status: 401, headers: [], body: [])
        case .rawBody(let bytes):
            return .respond(status: 200, headers: [("Content-Type", "text/xml; charset=utf-8")], body: bytes)
        case .hugeBody(let megabytes):
            return .stream(headers: [("Content-Type", "text/xml; charset=utf-8")]) { write in
                let open = Array("<s:Envelope xmlns:s=\"\(SOAPNamespace.envelope)\"><s:Body><m:Padding>".utf8)
                guard write(open) else { return }
                let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
                for _ in 0..<megabytes where !write(chunk) { return }
            }
        case .endlessPages:
            let body =
                "<s:Envelope xmlns:s=\"\(SOAPNamespace.envelope)\"><s:Body><m:SyncFolderItemsResponse "
                + "xmlns:m=\"\(SOAPNamespace.messages)\" xmlns:t=\"\(SOAPNamespace.types)\"><m:ResponseMessages>"
                + "<m:SyncFolderItemsResponseMessage ResponseClass=\"Success\"><m:ResponseCode>NoError</m:ResponseCode>"
                + "<m:SyncState>endless-\(UUID().uuidString)</m:SyncState>"
                + "<m:IncludesLastItemInRange>false</m:IncludesLastItemInRange><m:Changes/>"
                + "</m:SyncFolderItemsResponseMessage></m:ResponseMessages></m:SyncFolderItemsResponse></s:Body></s:Envelope>"
            return .respond(status: 200, headers: [("Content-Type", "text/xml; charset=utf-8")], body: Array(body.utf8))
        case .bigText(let megabytes):
            return .stream(headers: [("Content-Type", "text/xml; charset=utf-8")]) { write in
                let open = Array("<s:Envelope xmlns:s=\"\(SOAPNamespace.envelope)\"><s:Body><m:Padding>".utf8)
                guard write(open) else { return }
                let text = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
                for _ in 0..<megabytes {
                    guard write(Array("<t:Text>".utf8) + text + Array("</t:Text>".utf8)) else { return }
                }
                _ = write(Array("</m:Padding></s:Body></s:Envelope>".utf8))
            }
        case .silence(let seconds):
            Thread.sleep(forTimeInterval: seconds)
            return .drop
        case .slowDrip(let secondsPerByte):
            return .stream(headers: [("Content-Type", "text/xml; charset=utf-8")]) { write in
                let text =
                    "<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope xmlns:s=\"\(SOAPNamespace.envelope)\">"
                for byte in Array(text.utf8) + Array(repeating: UInt8(ascii: " "), count: 100_000) {
                    Thread.sleep(forTimeInterval: secondsPerByte)
                    guard write([byte]) else { return }
                }
            }
        case .answer(let status, let body):
            return .respond(status: status, headers: [("Content-Type", "text/xml; charset=utf-8")], body: body)
        case .tinyElements(let megabytes):
            return .stream(headers: [("Content-Type", "text/xml; charset=utf-8")]) { write in
                let open = Array("<s:Envelope xmlns:s=\"\(SOAPNamespace.envelope)\"><s:Body><m:Padding>".utf8)
                guard write(open) else { return }
                let chunk = Array(String(repeating: "<a/>", count: 1 << 18).utf8)
                for _ in 0..<megabytes where !write(chunk) { return }
                _ = write(Array("</m:Padding></s:Body></s:Envelope>".utf8))
            }
        default: return nil
        }
    }

    private func replyAfterApplying(_ fault: Fault?, _ reply: HTTPServerReply) -> HTTPServerReply {
        switch (fault, reply) {
        case (.dropAfterApplying, _): return .drop
        case (.killClient(let pid, true), _):
            kill(pid, SIGKILL)
            return .drop
        case (.delay(let seconds), _):
            Thread.sleep(forTimeInterval: seconds)
            return reply
        case (.malformedXML, .respond(let status, let headers, let body)):
            return .respond(status: status, headers: headers, body: Array(body.prefix(body.count / 2)))
        case (.rewrite(let replacements), .respond(let status, let headers, let body)):
            return .respond(status: status, headers: headers, body: Self.rewrite(body, replacements))
        default: return reply
        }
    }

    private func checkAccess(account: Account, mailbox: String, impersonating: Bool) -> HTTPServerReply? {
        let allowed =
            account.mayImpersonate.contains("*") || account.mayImpersonate.contains(mailbox)
            || account.username.lowercased() == mailbox
        if !allowed {
            return impersonating
                ? faultReply(
                    "ErrorImpersonateUserDenied",
                    "The account does not have permission to impersonate the requested user."
                )
                : faultReply("ErrorAccessDenied", "Access is denied. Check credentials and try again.")
        }
        let exists = lock.withLock { mailboxes[mailbox] != nil }
        if !exists {
            return faultReply("ErrorNonExistentMailbox", "The SMTP address has no mailbox associated with it.")
        }
        return nil
    }

    private func authenticate(_ header: String?) -> Account? {
        guard let header else { return nil }
        if header.hasPrefix("Basic "), let data = Data(base64Encoded: String(header.dropFirst(6))),
            let pair = String(data: data, encoding: .utf8), let colon = pair.firstIndex(of: ":")
        {
            let user = String(pair[..<colon])
            let password = String(pair[pair.index(after: colon)...])
            return lock.withLock { accounts[user].flatMap { $0.password == password ? $0 : nil } }
        }
        if header.hasPrefix("Bearer ") {
            let token = String(header.dropFirst(7))
            return lock.withLock {
                guard let grant = tokens[token], grant.expires > Date() else { return nil }
                return Account(username: "app:\(grant.clientId)", password: "", mayImpersonate: ["*"])
            }
        }
        return nil
    }

    private func issueToken(_ request: HTTPServerRequest) -> HTTPServerReply {
        var form: [String: String] = [:]
        for pair in String(decoding: request.body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).removingPercentEncoding ?? String($0)
            }
            if parts.count == 2 { form[parts[0]] = parts[1] }
        }
        record(operation: "token", mailbox: nil, violations: [], fault: nil, itemCount: 0)
        return lock.withLock {
            guard form["grant_type"] == "client_credentials", let id = form["client_id"],
                let secret = clients[id], secret == form["client_secret"]
            else {
                return .respond(
                    status: 401,
                    headers: [("Content-Type", "application/json")],
                    body: Array("{\"error\":\"invalid_client\"}".utf8)
                )
            }
            let token = "tok-" + UUID().uuidString
            tokens[token] = (id, Date().addingTimeInterval(Double(_tokenLifetime)))
            let json =
                "{\"token_type\":\"Bearer\",\"expires_in\":\(_tokenExpiresInText ?? String(_tokenLifetime)),\"access_token\":\"\(token)\"}"
            return .respond(status: 200, headers: [("Content-Type", "application/json")], body: Array(json.utf8))
        }
    }

    private func takeFault(operation: String, mailbox: String) -> Fault? {
        lock.withLock {
            guard
                let index = faults.firstIndex(where: { rule in
                    (rule.operation == nil || rule.operation == operation)
                        && (rule.mailbox == nil || rule.mailbox == mailbox)
                })
            else { return nil }
            if faults[index].skip > 0 {
                faults[index].skip -= 1
                return nil
            }
            let fault = faults[index].fault
            faults[index].remaining -= 1
            if faults[index].remaining <= 0 { faults.remove(at: index) }
            return fault
        }
    }

    func record(
        operation: String,
        mailbox: String?,
        violations: [String],
        fault: Fault?,
        itemCount: Int,
        attributes: [String: String] = [:],
        headers: [String: String] = [:]
    ) {
        lock.withLock {
            log.append(
                RecordedRequest(
                    operation: operation,
                    mailbox: mailbox,
                    at: Date(),
                    violations: violations,
                    fault: fault,
                    itemCount: itemCount,
                    attributes: attributes,
                    headers: headers
                )
            )
        }
    }

    static let routingHeaders: Set<String> = ["x-anchormailbox", "x-preferserveraffinity", "cookie"]
    /// Operations that run beside passes by design (not counted in flight, not held to a mailbox's back-off checks).
    public static let notificationOperations: Set<String> = [
        "Subscribe", "Unsubscribe", "GetEvents", "GetStreamingEvents",
    ]

    private func enter(_ mailbox: String) {
        lock.withLock {
            inFlight[mailbox, default: 0] += 1
            _peakPerMailboxInFlight = max(_peakPerMailboxInFlight, inFlight[mailbox]!)
            _peakMailboxesInFlight = max(_peakMailboxesInFlight, inFlight.values.filter { $0 > 0 }.count)
        }
    }

    private func leave(_ mailbox: String) {
        lock.withLock { inFlight[mailbox, default: 1] -= 1 }
    }

    /// The mailbox named in a delegate-access folder id, or the owner of the first item id.
    private func delegateMailbox(_ element: XMLElement) -> String? {
        if let address = element.descendant("DistinguishedFolderId")?.path("Mailbox", "EmailAddress")?.text {
            return address
        }
        if let id = element.descendant("ItemId")?.attributes["Id"] { return lock.withLock { itemIndex[id] } }
        return nil
    }

    private static func itemCount(_ element: XMLElement) -> Int {
        (element.child("Items") ?? element.child("ItemIds") ?? element.child("ItemChanges"))?.children.count ?? 0
    }
}
