import ArgumentParser
import Foundation

/// `config init --auth METHOD [--output FILE]`: a starting configuration with the keys that method needs and
/// placeholders to replace; every other key keeps its default (the reference file lists them all).
struct ConfigInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a starting configuration for an authentication method (stdout, or --output FILE)."
    )

    enum Method: String, ExpressibleByArgument, CaseIterable {
        case ntlm, negotiate, basic, oauth2
        case graphCertificate = "graph-certificate"
        case graphSecret = "graph-secret"
    }

    @Option(help: "ntlm, negotiate, basic, oauth2 (EWS); graph-certificate, graph-secret (Exchange Online over Graph).")
    var auth: Method
    @Option(help: "Write the file here (refused if it exists) instead of printing it.")
    var output: String?

    func run() throws {
        let text = Self.starter(auth)
        guard let output else { return CLI.print(text) }
        guard !FileManager.default.fileExists(atPath: output) else {
            CLI.fail("\(output) exists; not overwritten (remove it, or print with no --output)")
        }
        do { try text.write(toFile: output, atomically: true, encoding: .utf8) } catch {
            CLI.fail("cannot write \(output): \(error.localizedDescription)")
        }
        chmod(output, 0o644)
        CLI.print("wrote \(output); replace the values marked CHANGE, then run: activity-sync config check")
    }

    /// The file for a method: what every install sets, then the method's keys.
    static func starter(_ method: Method) -> String {
        var lines = [
            "# activity-sync starting configuration (config init --auth \(method.rawValue)). Replace every value",
            "# marked CHANGE. Every other key keeps its default: `activity-sync config show` lists them all with",
            "# their sources, the reference file (Config/activity-sync.yaml in the source) explains each.",
            "# Secrets never go in this file: the *_file keys name files the unit hands over (LoadCredential=).",
            "store:",
            "  path: /var/lib/activity-sync/activity-sync.sqlite",
            "exchange:",
        ]
        switch method {
        case .ntlm, .negotiate, .basic:
            lines += [
                "  backend: ews",
                "  url: https://mail.example.com/EWS/Exchange.asmx   # CHANGE: your server's EWS endpoint",
                "  auth:",
                "    method: \(method.rawValue)",
                "    username: 'CONTOSO\\svc-crm'                      # CHANGE: the service account",
                "    password_file: exchange-password                # its password, one line, mode 0600",
            ]
            if method == .negotiate {
                lines.append("  # negotiate: Kerberos from the service's ticket cache (a keytab and kinit), else NTLM")
            }
        case .oauth2:
            lines += [
                "  backend: ews",
                "  url: https://outlook.office365.com/EWS/Exchange.asmx",
                "  auth:",
                "    method: oauth2",
                "    token_url: https://login.microsoftonline.com/TENANT/oauth2/v2.0/token   # CHANGE: TENANT",
                "    client_id: 00000000-0000-0000-0000-000000000000   # CHANGE: the app's (client) id",
                "    client_secret_file: exchange-client-secret      # the app's client secret, mode 0600",
                "    scope: https://outlook.office365.com/.default",
            ]
        case .graphCertificate, .graphSecret:
            lines += [
                "  backend: graph",
                "graph:",
                "  tenant_id: contoso.onmicrosoft.com                # CHANGE: the tenant's id or domain",
                "  client_id: 00000000-0000-0000-0000-000000000000   # CHANGE: the app's (client) id",
            ]
            lines +=
                method == .graphCertificate
                ? ["  certificate_file: graph-client.pem                 # private key + certificate (PEM), mode 0600"]
                : [
                    "  certificate_file: null",
                    "  client_secret_file: graph-client-secret           # the app's client secret, mode 0600",
                ]
        }
        return lines.joined(separator: "\n")
    }
}
