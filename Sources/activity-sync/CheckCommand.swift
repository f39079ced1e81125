import ActivityModel
import AppConfig
import ArgumentParser
import EWS
import EWSMailbox
import Foundation
import Graph
import GraphMailbox
import Store
import SyncEngine

/// `activity-sync check [--mailbox M]... [--json]`: can the service account reach each mailbox?
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract:
            "Test each mailbox: authentication, impersonation, folders, extended property writable (exit 3 on failure)."
    )
    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("mailbox"), help: "Only this mailbox (repeatable; default: all sync users).")
    var mailboxes: [String] = []
    @Flag(help: "One JSON document instead of the table.") var json = false
    @Flag(help: "Graph mailboxes: also create one probe event outside the sync window, read it back and delete it.")
    var write = false

    struct MailboxCheck: Encodable {
        var mailbox: String
        var backend = "ews"
        /// The URL answered as EWS (or Graph) does: `ok`, or `failed` (nothing there, TLS, not EWS).
        var endpoint = "-"
        var authentication: String
        var impersonation: String
        var folders: String
        var extended_property: String
        /// The mailbox's own zone against the CRM's for it: `ok`, `unknown` (never set), or the two (a warning:
        /// all-day items and task dates would show on the wrong day in Outlook).
        var time_zone: String = "-"
        var error: String?

        var ok: Bool {
            // The service account's own row has no mailbox steps.
            if mailbox == EWSClient.serviceAccount { return endpoint == "ok" && authentication == "ok" }
            return [endpoint, authentication, impersonation, folders].allSatisfy { $0 == "ok" }
                && (extended_property == "ok" || (backend == "graph" && extended_property == "readable"))
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(mailbox, forKey: .mailbox)
            try c.encode(backend, forKey: .backend)
            try c.encode(endpoint, forKey: .endpoint)
            try c.encode(authentication, forKey: .authentication)
            try c.encode(impersonation, forKey: .impersonation)
            try c.encode(folders, forKey: .folders)
            try c.encode(extended_property, forKey: .extended_property)
            try c.encode(time_zone, forKey: .time_zone)
            try c.encode(error, forKey: .error)
        }

        enum Keys: String, CodingKey {
            case mailbox, backend, endpoint, authentication, impersonation, folders, extended_property, time_zone, error
        }
    }

    func run() async throws {
        let configuration = try global.configuration()
        let store = try global.existingStore()
        let employees = CLI.run { try store?.employees() ?? [] }
        let clients: (EWSClient?, GraphClient?)
        do {
            clients = try SyncRun.makeClients(configuration, store: store, observer: nil) { CLI.warn($0) }
        } catch let error as ConfigurationError {
            CLI.fail("configuration: \(error.description)", code: 2)
        }
        var targets = mailboxes
        if targets.isEmpty { targets = employees.filter(\.sync).compactMap(\.mailbox) }
        let settings = configuration.syncSettings
        var results: [MailboxCheck] = []
        // A fresh install has no sync users yet: the endpoint and the service account are proven all the same,
        // so a wrong password or host shows before the first employee is added, not after.
        if targets.isEmpty {
            if let client = clients.0 { results.append(await Self.checkServiceAccount(client)) }
            if let graph = clients.1 { results.append(await Self.checkApp(graph)) }
        }
        for mailbox in targets {
            let employee = employees.first { $0.mailbox?.lowercased() == mailbox.lowercased() }
            let backend = employee.map(configuration.backend(of:)) ?? configuration.string("exchange.backend") ?? "ews"
            if backend == "graph", let graph = clients.1 {
                results.append(
                    await graphCheck(
                        mailbox,
                        employee: employee,
                        client: graph,
                        settings: settings,
                        tasks: configuration.graphTasks
                    )
                )
                continue
            }
            guard let client = clients.0 else {
                CLI.fail("configuration: \(mailbox) is on EWS, which is not configured (exchange.url)", code: 2)
            }
            var result = await Self.check(
                mailbox,
                client: client,
                instance: configuration.string("crm.instance_id") ?? "default"
            )
            if result.ok {
                let employee = employees.first { $0.mailbox?.lowercased() == mailbox.lowercased() }
                let zone = employee.map(settings.zone(of:)) ?? settings.defaultZone
                result.time_zone = await Self.timeZone(mailbox, crm: zone, client: client)
            }
            results.append(result)
        }
        if json {
            CLI.printJSON(results)
        } else {
            CLI.printTable(
                [
                    "MAILBOX", "BACKEND", "ENDPOINT", "AUTH", "IMPERSONATION", "FOLDERS", "EXTENDED PROPERTY",
                    "TIME ZONE", "ERROR",
                ],
                results.map {
                    [
                        $0.mailbox, $0.backend, $0.endpoint, $0.authentication, $0.impersonation, $0.folders,
                        $0.extended_property,
                        $0.time_zone, $0.error ?? "-",
                    ]
                }
            )
            if results.contains(where: { $0.backend == "graph" && $0.extended_property == "readable" }) {
                CLI.print(
                    "Graph mailboxes were checked read-only; --write also creates, reads and deletes one probe event."
                )
            }
            if results.contains(where: { $0.mailbox == EWSClient.serviceAccount && $0.ok }) {
                CLI.print(
                    "No sync users yet: the endpoint and the service account were proven; impersonation, folders "
                        + "and the extended property are checked per mailbox once employees have sync: true."
                )
            }
            for result in results where !["ok", "unknown", "-"].contains(result.time_zone) {
                CLI.print(
                    "warning: \(result.mailbox): \(result.time_zone) — all-day items and task dates would show on the "
                        + "wrong day in Outlook; set the employee's time_zone to the mailbox's (or the mailbox's to the CRM's)"
                )
            }
        }
        if results.contains(where: { !$0.ok }) { throw ExitCode(3) }
    }

    /// A Graph mailbox: token, access to the calendar, the identity property (and a probe with `--write`). The
    /// access column says whether RBAC for Applications lets the app in (IMPERSONATION is EWS's word for it).
    func graphCheck(
        _ mailbox: String,
        employee: Employee?,
        client: GraphClient,
        settings: SyncSettings,
        tasks: GraphTaskMode
    ) async -> MailboxCheck {
        let service = GraphMailboxService(
            client: client,
            mailbox: mailbox,
            mapping: ItemMapping(settings, for: employee ?? Employee(id: "", name: "", mailbox: mailbox)),
            window: (settings.pastDays, settings.futureDays),
            attendeesOnEvents: settings.sendInvitations,
            tasks: tasks
        )
        let found = await service.checkAccess(write: write)
        return MailboxCheck(
            mailbox: mailbox,
            backend: "graph",
            endpoint: found.endpoint,
            authentication: found.authentication,
            impersonation: found.access,
            folders: found.folders,
            extended_property: found.extendedProperty,
            error: found.error
        )
    }

    /// The mailbox's own zone (Outlook on the web's regional setting) against the CRM's zone for it. A warning,
    /// not a failure: the sync works, but Outlook shows all-day items and task dates in the mailbox's zone.
    static func timeZone(_ mailbox: String, crm zone: TimeZone, client: EWSClient) async -> String {
        guard let own = try? await client.mailboxTimeZone(mailbox: mailbox) else { return "unknown" }
        let crm = WindowsTimeZone.id(forIANA: zone.identifier) ?? zone.identifier
        return own == crm ? "ok" : "mailbox \(own), CRM \(zone.identifier) (\(crm))"
    }

    /// The EWS service account with no mailbox addressed: endpoint and credentials (see
    /// `EWSClient.probeServiceAccount`); the mailbox columns stay `-`.
    static func checkServiceAccount(_ client: EWSClient) async -> MailboxCheck {
        await checkWithoutMailbox(backend: "ews") { _ = try await client.probeServiceAccount() }
    }

    /// The Graph app with no mailbox addressed: the token endpoint grants a token for the client credentials.
    static func checkApp(_ client: GraphClient) async -> MailboxCheck {
        await checkWithoutMailbox(backend: "graph") { _ = try await client.token() }
    }

    private static func checkWithoutMailbox(
        backend: String,
        _ prove: () async throws -> Void
    ) async -> MailboxCheck {
        var result = MailboxCheck(
            mailbox: EWSClient.serviceAccount,
            backend: backend,
            authentication: "-",
            impersonation: "-",
            folders: "-",
            extended_property: "-"
        )
        do {
            try await prove()
            result.endpoint = "ok"
            result.authentication = "ok"
        } catch {
            result.record(error)
        }
        return result
    }

    /// Each step only when the one before it passed; a probe task carrying the identity properties is
    /// created and hard-deleted to prove the property is writable.
    static func check(_ mailbox: String, client: EWSClient, instance: String) async -> MailboxCheck {
        var result = MailboxCheck(
            mailbox: mailbox,
            authentication: "-",
            impersonation: "-",
            folders: "-",
            extended_property: "-"
        )
        do {
            let folders = try await client.getFolders([.calendar, .tasks], mailbox: mailbox)
            result.endpoint = "ok"
            result.authentication = "ok"
            result.impersonation = "ok"
            if let failure = folders.compactMap(\.failure).first {
                result.folders = "failed"
                result.error = failure.description
                return result
            }
            result.folders = "ok"
            var probe = EWSItem(kind: .task)
            probe.subject = "activity-sync access check (deleted at once)"
            probe.extendedProperties = [ItemMapping.activityId: "check", ItemMapping.instanceId: instance]
            let created = try await client.createItems([probe], in: .tasks, mailbox: mailbox)
            switch created.first {
            case .success(let id):
                _ = try await client.deleteItems([id], mailbox: mailbox, deleteType: .hardDelete)
                result.extended_property = "ok"
            case .failure(let error):
                result.extended_property = "failed"
                result.error = error.description
            case nil:
                result.extended_property = "failed"
            }
        } catch let error as EWSError
            where error.kind == .fault
            && ["ErrorImpersonateUserDenied", "ErrorNonExistentMailbox", "ErrorAccessDenied"]
                .contains(error.responseCode ?? "")
        {
            result.endpoint = "ok"
            result.authentication = "ok"
            result.impersonation = error.responseCode == "ErrorNonExistentMailbox" ? "no such mailbox" : "denied"
            result.error = error.description
        } catch {
            result.record(error)
        }
        return result
    }
}

extension CheckCommand.MailboxCheck {
    /// A failure before the mailbox steps: under ENDPOINT when no service answered (network, TLS, a URL that
    /// is no EWS), under AUTH when it refused the credentials.
    mutating func record(_ error: any Error) {
        guard let error = error as? EWSError else {
            self.error = "\(error)"
            return
        }
        if endpoint == "-" { endpoint = error.reachedService ? "ok" : "failed" }
        if error.kind == .authentication { authentication = "failed" }
        self.error = error.description
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
