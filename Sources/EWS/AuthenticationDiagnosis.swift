/// Why Exchange refused the service account, as far as its 401 tells: a scheme it does not offer reads
/// differently from a wrong password, so the person on call changes `exchange.auth.method`, not the password.
enum AuthenticationDiagnosis {
    static func explain(offered header: String?, configured: EWSCredentials, status: Int) -> String {
        let offered = schemes(in: header)
        let method: String
        switch configured {
        case .basic: method = "Basic"
        case .ntlm: method = "NTLM"
        case .negotiate: method = "Negotiate"
        case .oauth2: method = "Bearer"
        }
        let list = offered.isEmpty ? "none named" : offered.joined(separator: ", ")
        if status == 401, !offered.isEmpty,
            !offered.contains(where: { $0.caseInsensitiveCompare(method) == .orderedSame })
        {
            let methods = ["Basic": "basic", "NTLM": "ntlm", "Negotiate": "negotiate", "Bearer": "oauth2"]
            let choices = offered.compactMap { scheme in
                methods.first { $0.key.caseInsensitiveCompare(scheme) == .orderedSame }?.value
            }
            let fix = choices.isEmpty ? "" : "; set exchange.auth.method to \(choices.joined(separator: " or "))"
            return "the server does not offer \(method) authentication (it offers: \(list))\(fix)"
        }
        if status == 403 {
            return "Exchange forbids the service account (HTTP 403): the account is known but may not use EWS "
                + "(EWS disabled for it, or the app lacks the full_access_as_app permission)"
        }
        return "Exchange refused the service account's credentials with \(method) (the server offers: \(list)): "
            + "check exchange.auth.username and the password or secret"
    }

    /// The scheme names of one or more WWW-Authenticate lines (`Negotiate, NTLM` or `Basic realm="x"`).
    static func schemes(in header: String?) -> [String] {
        guard let header else { return [] }
        var names: [String] = []
        for line in header.split(separator: "\n") {
            for part in line.split(separator: ",") {
                let token = part.trimmingCharacters(in: .whitespaces)
                // A challenge starts with its scheme; auth-params (`realm="x"`) contain '='.
                // (A quoted realm may hold a comma: what follows it is no scheme either.)
                guard let first = token.split(separator: " ").first,
                    first.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" })
                else { continue }
                let name = String(first)
                if !names.contains(name) { names.append(name) }
            }
        }
        return names
    }
}
