import Crypto
import EWS
import Foundation
import JWTKit
import X509

/// The app's certificate and private key (one PEM file: the key and the certificate uploaded to the app
/// registration), and the signed client assertion made with them.
public struct ClientCertificate: Sendable {
    /// How the assertion is signed: PS256 with `x5t#S256` (Microsoft's current page), or RS256 with the SHA-1
    /// `x5t` where a tenant still needs the older form.
    public enum Algorithm: String, Sendable, CaseIterable {
        case ps256 = "PS256"
        case rs256 = "RS256"
    }

    let key: JWTKit.Insecure.RSA.PrivateKey
    /// The certificate's thumbprints, base64url as the JWT headers carry them.
    public let thumbprintSHA256: String
    public let thumbprintSHA1: String
    /// The SHA-1 thumbprint in hex, as the Entra portal shows it (for logs and `status`).
    public let thumbprintSHA1Hex: String
    /// When the certificate stops being accepted.
    public let notValidAfter: Date
    public var algorithm: Algorithm

    /// Reads a PEM text holding an RSA private key (PKCS#1 or PKCS#8, at least 2048 bits) and its certificate.
    public init(pem: String, algorithm: Algorithm = .ps256) throws(EWSError) {
        func refuse(_ why: String) -> EWSError {
            var error = EWSError(.configuration, "graph.certificate_file: \(why)")
            error.backend = "Graph"
            return error
        }
        // (A key exported with a password, as from a Windows .pfx: the daemon has no one to ask for it.)
        if pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || pem.contains("Proc-Type: 4,ENCRYPTED") {
            throw refuse(
                "the private key is encrypted; store it decrypted (openssl pkey -in KEY -out KEY.pem) with the file's "
                    + "owner-only permissions"
            )
        }
        guard let keyBlock = Self.block(in: pem, labels: ["PRIVATE KEY", "RSA PRIVATE KEY"]) else {
            throw refuse("no PEM private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY) in the file")
        }
        guard let certificateBlock = Self.block(in: pem, labels: ["CERTIFICATE"]),
            let der = Data(base64Encoded: certificateBlock.base64, options: .ignoreUnknownCharacters)
        else { throw refuse("no PEM certificate (BEGIN CERTIFICATE) in the file") }
        do {
            key = try JWTKit.Insecure.RSA.PrivateKey(pem: keyBlock.text)
        } catch {
            throw refuse("the private key is not an RSA key of at least 2048 bits (\(error))")
        }
        let certificate: Certificate
        do { certificate = try Certificate(derEncoded: Array(der)) } catch {
            throw refuse("the certificate cannot be read (\(error))")
        }
        guard (try? JWTKit.Insecure.RSA.PublicKey(certificatePEM: certificateBlock.text)) == key.publicKey else {
            throw refuse("the certificate does not belong to the private key")
        }
        thumbprintSHA256 = Self.base64URL(Data(SHA256.hash(data: der)))
        let sha1 = Data(Crypto.Insecure.SHA1.hash(data: der))
        thumbprintSHA1 = Self.base64URL(sha1)
        thumbprintSHA1Hex = sha1.map { String(format: "%02X", $0) }.joined()
        notValidAfter = certificate.notValidAfter
        self.algorithm = algorithm
    }

    /// The client assertion for a token request: `aud` the token URL, `iss` = `sub` the client id, a fresh
    /// `jti`, valid from `now` for five minutes (Microsoft accepts up to ten).
    public func assertion(clientId: String, tokenURL: String, now: Date = Date()) async throws -> String {
        let keys = JWTKeyCollection()
        var header = JWTHeader()
        switch algorithm {
        case .ps256:
            await keys.add(pss: key, digestAlgorithm: .sha256)
            header.x5tS256 = thumbprintSHA256
        case .rs256:
            await keys.add(rsa: key, digestAlgorithm: .sha256)
            header.x5t = thumbprintSHA1
        }
        header.typ = "JWT"
        let claims = ClientAssertionClaims(
            aud: AudienceClaim(value: [tokenURL]),
            iss: IssuerClaim(value: clientId),
            sub: SubjectClaim(value: clientId),
            jti: IDClaim(value: UUID().uuidString),
            nbf: NotBeforeClaim(value: now),
            iat: IssuedAtClaim(value: now),
            exp: ExpirationClaim(value: now.addingTimeInterval(300))
        )
        return try await keys.sign(claims, header: header)
    }

    private struct Block {
        var text: String
        var base64: String
    }

    /// The first PEM block with one of the labels: its whole text and its base64 body.
    private static func block(in pem: String, labels: [String]) -> Block? {
        for label in labels {
            let begin = "-----BEGIN \(label)-----"
            let end = "-----END \(label)-----"
            guard let start = pem.range(of: begin),
                let stop = pem.range(of: end, range: start.upperBound..<pem.endIndex)
            else { continue }
            return Block(
                text: String(pem[start.lowerBound..<stop.upperBound]),
                base64: String(pem[start.upperBound..<stop.lowerBound])
            )
        }
        return nil
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// The claims of a client assertion (RFC 7523 as Microsoft Entra ID reads it).
public struct ClientAssertionClaims: JWTPayload {
    public var aud: AudienceClaim
    public var iss: IssuerClaim
    public var sub: SubjectClaim
    public var jti: IDClaim
    public var nbf: NotBeforeClaim
    public var iat: IssuedAtClaim
    public var exp: ExpirationClaim

    public init(
        aud: AudienceClaim,
        iss: IssuerClaim,
        sub: SubjectClaim,
        jti: IDClaim,
        nbf: NotBeforeClaim,
        iat: IssuedAtClaim,
        exp: ExpirationClaim
    ) {
        self.aud = aud
        self.iss = iss
        self.sub = sub
        self.jti = jti
        self.nbf = nbf
        self.iat = iat
        self.exp = exp
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        try nbf.verifyNotBefore()
    }
}
