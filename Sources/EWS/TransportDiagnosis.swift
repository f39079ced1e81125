/// What a failed connection most likely means and what to change, in the words of the configuration: the text
/// the person on call reads in `check`, `status` and the log instead of a bare libcurl message.
public enum TransportDiagnosis {
    /// TLS failures that fail the same way on every attempt: retrying them only delays the answer.
    static let permanentCodes: Set<Int> = [
        1,  // unsupported protocol
        3,  // malformed URL
        58,  // the client certificate is unusable
        59,  // no shared cipher
        60,  // the server's certificate is not trusted
        77,  // the CA file cannot be read
        83,  // issuer check failed
        90,  // pinned key mismatch
        91,  // certificate status invalid
    ]

    /// Whether a transport failure will recur on a retry (a certificate problem, a plain-HTTP port).
    public static func isPermanent(curlCode: Int?, message: String) -> Bool {
        guard let curlCode else { return false }
        return permanentCodes.contains(curlCode) || (curlCode == 35 && message.contains(plainPortHint))
    }

    static let plainPortHint = "the port speaks plain HTTP"

    /// libcurl's own text, with the likely cause and the fix appended.
    static func explain(curlCode: Int, detail: String, https: Bool, stuckInHandshake: Bool) -> String {
        let lowered = detail.lowercased()
        switch curlCode {
        case 6:
            return "\(detail) — the host name in the URL does not resolve: check exchange.url and this host's DNS"
        case 7:
            return "\(detail) — nothing accepts connections there: is Exchange up, are the host and port in "
                + "exchange.url right, does a firewall refuse it?"
        case 28 where https && stuckInHandshake:
            return "\(detail) — connected, but no TLS handshake: \(plainPortHint)? Use http:// or the HTTPS port"
        case 35
        where ["wrong version number", "packet length too long", "unknown protocol", "record layer failure"]
            .contains(where: lowered.contains):
            return "\(detail) — the server did not answer in TLS: \(plainPortHint); use http:// or the HTTPS port"
        case 60, 83:
            return "\(detail) — the server's certificate is not trusted: if Exchange uses a private CA or a "
                + "self-signed certificate, set exchange.tls.ca_file to that CA's certificate (PEM); never switch "
                + "exchange.tls.verify off outside a lab"
        case 77:
            return "\(detail) — exchange.tls.ca_file cannot be used: it must be a PEM file the service user can read"
        default:
            return detail
        }
    }
}
