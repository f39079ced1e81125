import EWS
import Foundation

extension AppConfiguration {
    /// Where a credential file named in the configuration lives: an absolute path as it is; a relative
    /// name in `$CREDENTIALS_DIRECTORY` (systemd's LoadCredential=), else next to the configuration file.
    func credentialPath(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if name.hasPrefix("/") { return name }
        if let directory = environment["CREDENTIALS_DIRECTORY"] { return "\(directory)/\(name)" }
        if let file { return ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name) }
        return name
    }

    /// Reads a secret; refuses a file that others may read or write (its contents are never printed).
    func readSecret(_ key: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String
    {
        let path = credentialPath(string(key) ?? "", environment: environment)
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ConfigurationError(
                description: "\(key): cannot read secret file \(path) (\(String(cString: strerror(errno))))"
            )
        }
        guard info.st_mode & 0o006 == 0 else {
            throw ConfigurationError(
                description: "\(key): secret file \(path) is readable or writable by others; chmod o-rwx it"
            )
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw ConfigurationError(description: "\(key): cannot read secret file \(path)")
        }
        let secret = text.trimmingCharacters(in: .newlines)
        guard !secret.isEmpty else { throw ConfigurationError(description: "\(key): secret file \(path) is empty") }
        return secret
    }

    /// The EWS client's configuration, with the secrets read; every missing piece is named.
    func ewsConfiguration(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> EWSConfiguration {
        guard let url = string("exchange.url") else {
            throw ConfigurationError(description: "exchange.url is required to reach Exchange")
        }
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
            throw ConfigurationError(description: "exchange.url '\(url)': must be an http(s) URL")
        }
        func required(_ key: String) throws -> String {
            guard let value = string(key) else {
                throw ConfigurationError(
                    description: "\(key) is required for exchange.auth.method \(string("exchange.auth.method") ?? "")"
                )
            }
            return value
        }
        let credentials: EWSCredentials
        switch string("exchange.auth.method") {
        case "basic":
            credentials = .basic(
                username: try required("exchange.auth.username"),
                password: try readSecret("exchange.auth.password_file", environment: environment)
            )
        case "negotiate":
            let user = string("exchange.auth.username")
            credentials = .negotiate(
                username: user,
                password: user == nil ? nil : try readSecret("exchange.auth.password_file", environment: environment)
            )
        case "oauth2":
            credentials = .oauth2(
                OAuth2ClientCredentials(
                    tokenURL: try required("exchange.auth.token_url"),
                    clientId: try required("exchange.auth.client_id"),
                    clientSecret: try readSecret("exchange.auth.client_secret_file", environment: environment),
                    scope: string("exchange.auth.scope") ?? ""
                )
            )
        default:
            credentials = .ntlm(
                username: try required("exchange.auth.username"),
                password: try readSecret("exchange.auth.password_file", environment: environment)
            )
        }
        let caFile = string("exchange.tls.ca_file")
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw ConfigurationError(description: "exchange.tls.ca_file '\(caFile)': not a readable file")
        }
        return EWSConfiguration(
            url: url,
            serverVersion: string("exchange.version") ?? "Exchange2016",
            credentials: credentials,
            impersonation: bool("exchange.impersonation"),
            tls: TLSOptions(verify: bool("exchange.tls.verify"), caFile: caFile),
            timeoutSeconds: Double(int("exchange.timeout_seconds"))
        )
    }
}
