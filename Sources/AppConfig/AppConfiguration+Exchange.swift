import EWS
import Foundation

extension AppConfiguration {
    /// Where a credential file named in the configuration lives: an absolute path as it is; a relative
    /// name in `$CREDENTIALS_DIRECTORY` (systemd's LoadCredential=), else next to the configuration file.
    package func credentialPath(
        _ name: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        if name.hasPrefix("/") { return name }
        if let directory = environment["CREDENTIALS_DIRECTORY"] { return "\(directory)/\(name)" }
        if let file { return ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name) }
        return name
    }

    /// Reads a secret; refuses a file that others may read or write (its contents are never printed).
    package func readSecret(
        _ key: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> String {
        let path = credentialPath(string(key) ?? "", environment: environment)
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ConfigurationError(description: unreadableSecret(key, path, errno: errno, environment))
        }
        if let refusal = Self.secretFileRefusal(mode: info.st_mode, owner: info.st_uid, group: info.st_gid) {
            throw ConfigurationError(description: "\(key): secret file \(path) \(refusal)")
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ConfigurationError(description: unreadableSecret(key, path, errno: errno, environment))
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        guard let data = try? handle.read(upToCount: 1 << 20), let text = String(data: data, encoding: .utf8)
        else {
            throw ConfigurationError(description: "\(key): secret file \(path) is not UTF-8 text")
        }
        let secret = text.trimmingCharacters(in: .newlines)
        guard !secret.isEmpty else { throw ConfigurationError(description: "\(key): secret file \(path) is empty") }
        return secret
    }

    /// Why a secret file cannot be read, and — for a permission problem, the usual one when an admin runs a
    /// command as the service user — how to run it with the secret the unit hands the daemon.
    func unreadableSecret(_ key: String, _ path: String, errno code: Int32, _ environment: [String: String]) -> String {
        let reason = String(cString: strerror(code))
        guard code == EACCES || code == EPERM else { return "\(key): cannot read secret file \(path) (\(reason))" }
        let user = getpwuid(geteuid()).flatMap { $0.pointee.pw_name.map { String(cString: $0) } } ?? "uid \(geteuid())"
        let name = string(key) ?? ""
        var text = "\(key): user \(user) may not read secret file \(path) (\(reason))."
        // (A relative name is what the unit's credential is looked up by; an absolute path bypasses credentials.)
        if environment["CREDENTIALS_DIRECTORY"] == nil && !name.hasPrefix("/") {
            text +=
                " The unit hands it to the daemon through LoadCredential=, which a command run by hand does not get:"
                + " run it with the unit's credential (sudo systemd-run --pipe --wait --quiet -p User=\(user)"
                + " -p LoadCredential=\(name):\(path) activity-sync …), or"
        } else {
            text += " To run commands as the service user,"
        }
        return text
            + " let the service user's group read the file (chown root:activity-sync \(path); chmod 0640 \(path))"
    }

    /// What a start warns about (the daemon, `run --once`, `config check`: every time, not once): no TLS
    /// verification, and secrets in clear text to a loopback host or where `allow_cleartext` allows it.
    package func exchangeWarnings() -> [String] {
        var warnings: [String] = []
        if !bool("exchange.tls.verify") {
            warnings.append(
                "TLS certificate verification is off (exchange.tls.verify: false): anyone on the path can read and change what is synced"
            )
        }
        for key in ["exchange.url", "exchange.auth.token_url"] {
            guard let target = string(key), Self.cleartext(target) else { continue }
            warnings.append(
                "\(key) is http://: the service account's secret goes in clear text"
                    + (Self.loopback(target) ? " (to this host)" : "")
            )
        }
        return warnings
    }

    package static func cleartext(_ url: String) -> Bool { url.lowercased().hasPrefix("http://") }

    /// A loopback host: localhost, 127.0.0.0/8, ::1.
    package static func loopback(_ url: String) -> Bool {
        guard let host = URLComponents(string: url)?.host?.lowercased() else { return false }
        return host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }

    /// Why a secret file's permissions are refused, or nil: only its owner may write it and others may not
    /// read it; its group may read it only when root owns it and the group is this process's (the service
    /// user's: `root:activity-sync 0640`).
    package static func secretFileRefusal(
        mode: mode_t,
        owner: uid_t,
        group: gid_t,
        serviceGroup: gid_t = getgid()
    ) -> String? {
        if mode & 0o022 != 0 { return "is writable by others than its owner; chmod go-w it" }
        if mode & 0o004 != 0 { return "is readable by others; chmod o-r it" }
        if mode & 0o040 != 0 && !(owner == 0 && group == serviceGroup) {
            return "is readable by its group, which only a root-owned file in the service user's group may be; "
                + "chmod g-r it (or chown root:<service group>)"
        }
        return nil
    }

    /// The EWS client's configuration, with the secrets read; every missing piece is named.
    package func ewsConfiguration(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> EWSConfiguration {
        guard let url = string("exchange.url") else {
            throw ConfigurationError(description: "exchange.url is required to reach Exchange")
        }
        // (Checked first, and the URL never printed then: it holds a secret.)
        if let parts = URLComponents(string: url), parts.user != nil || parts.password != nil {
            throw ConfigurationError(
                description: "exchange.url holds a user name or password: put the account in exchange.auth.username "
                    + "and the password in the file exchange.auth.password_file names"
            )
        }
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
            throw ConfigurationError(description: "exchange.url '\(url)': must be an http(s) URL")
        }
        for (key, target) in [("exchange.url", url), ("exchange.auth.token_url", string("exchange.auth.token_url"))] {
            guard let target, Self.cleartext(target), !Self.loopback(target), !bool("exchange.tls.allow_cleartext")
            else { continue }
            throw ConfigurationError(
                description: "\(key) '\(target)': http:// to a host other than this one would send the service "
                    + "account's secret in clear text; use https://, or set exchange.tls.allow_cleartext: true"
            )
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
