import ActivityModel
import EWS
import Foundation
import Graph
import GraphMailbox

extension AppConfiguration {
    /// How an employee's mailbox is reached: their own `backend`, else `exchange.backend`.
    package func backend(of employee: Employee) -> String { employee.backend ?? string("exchange.backend") ?? "ews" }

    /// The Graph client's configuration, with the key or secret read; every missing piece is named.
    package func graphConfiguration(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> GraphConfiguration {
        guard let clientId = string("graph.client_id") else {
            throw ConfigurationError(description: "graph.client_id is required for mailboxes on Microsoft Graph")
        }
        let tenant = string("graph.tenant_id")
        var tokenURL = string("graph.token_url") ?? ""
        if tokenURL.contains("{tenant_id}") {
            guard let tenant else {
                throw ConfigurationError(
                    description:
                        "graph.tenant_id is required for mailboxes on Microsoft Graph (graph.token_url names it)"
                )
            }
            guard tenant.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }) else {
                throw ConfigurationError(description: "graph.tenant_id '\(tenant)': a tenant id or domain name")
            }
            tokenURL = tokenURL.replacingOccurrences(of: "{tenant_id}", with: tenant)
        }
        let baseURL = string("graph.base_url") ?? ""
        for (key, target) in [("graph.base_url", baseURL), ("graph.token_url", tokenURL)] {
            guard target.hasPrefix("https://") || target.hasPrefix("http://") else {
                throw ConfigurationError(description: "\(key) '\(target)': must be an http(s) URL")
            }
            guard Self.cleartext(target), !Self.loopback(target), !bool("exchange.tls.allow_cleartext") else {
                continue
            }
            throw ConfigurationError(
                description: "\(key) '\(target)': http:// to a host other than this one would send the app's token or "
                    + "credentials in clear text; use https://, or set exchange.tls.allow_cleartext: true"
            )
        }
        let credential: GraphCredential
        if string("graph.client_secret_file") != nil {
            credential = .secret(try readSecret("graph.client_secret_file", environment: environment))
        } else {
            // (The key is a secret: the same file checks as a password's.)
            let pem = try readSecret("graph.certificate_file", environment: environment)
            let algorithm: ClientCertificate.Algorithm = string("graph.signing") == "RS256" ? .rs256 : .ps256
            do { credential = .certificate(try ClientCertificate(pem: pem, algorithm: algorithm)) } catch {
                throw ConfigurationError(
                    description: "\(error.message) (\(credentialPath(string("graph.certificate_file") ?? "")))"
                )
            }
        }
        let caFile = string("exchange.tls.ca_file")
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw ConfigurationError(description: "exchange.tls.ca_file '\(caFile)': not a readable file")
        }
        return GraphConfiguration(
            baseURL: baseURL,
            tokenURL: tokenURL,
            clientId: clientId,
            credential: credential,
            tls: TLSOptions(verify: bool("exchange.tls.verify"), caFile: caFile),
            timeoutSeconds: Double(int("exchange.timeout_seconds"))
        )
    }

    /// Where Graph mailboxes keep tasks (`graph.tasks`, `graph.todo_list`).
    package var graphTasks: GraphTaskMode {
        switch string("graph.tasks") {
        case "none": return .none
        case "calendar": return .calendar
        default: return .todo(list: string("graph.todo_list"))
        }
    }

    /// What a Graph start warns about: the certificate expires soon.
    package func graphWarnings(_ configuration: GraphConfiguration, now: Date = Date()) -> [String] {
        certificateWarnings(configuration, now: now)
    }

    /// A certificate that expires within 30 days (or has): the app's tokens stop then, and every Graph mailbox.
    package func certificateWarnings(_ configuration: GraphConfiguration, now: Date = Date()) -> [String] {
        var warnings: [String] = []
        if case .certificate(let certificate) = configuration.credential {
            let days = certificate.notValidAfter.timeIntervalSince(now) / 86_400
            if days < 30 {
                warnings.append(
                    days < 0
                        ? "graph.certificate_file: the certificate \(certificate.thumbprintSHA1Hex) expired on "
                            + "\(CRMTime.format(certificate.notValidAfter)); upload a new one to the app registration"
                        : "graph.certificate_file: the certificate \(certificate.thumbprintSHA1Hex) expires in "
                            + "\(Int(days)) days (\(CRMTime.format(certificate.notValidAfter))); upload its successor"
                )
            }
        }
        return warnings
    }
}
