import ActivityModel
import AppConfig
import EWS
import EWSMailbox
import Foundation
import Graph
import GraphMailbox
import Store

/// What each libFuzzer target runs on one input (`Fuzz/fuzz-*` hand their inputs here, on the main thread, through
/// `runToEnd`), and what `FuzzReplayTests` runs every committed seed and every crasher through in CI. Each answers the outcome — "ok" or
/// the error as the daemon would log it — and must never trap, hang or leak, whatever the input.
public enum FuzzHarness {
    /// The mailbox every harness call names, and the mapping its items are read with (the seed generator's too).
    public static let alice = "alice@contoso.test"
    public static let mapping = ItemMapping(
        instance: "fuzz",
        category: "CRM",
        zone: TimeZone(identifier: "Europe/Berlin")!
    )

    /// Any answer to any EWS operation the daemon sends. The first byte picks the operation and folder
    /// (`MailboxServiceDriver.decode`: the engine's MailboxService calls over EWS, which run the client's parsing and
    /// the item mapping; 10–13 the client's GetFolder, GetEvents, Subscribe and GetUserConfiguration), the second
    /// the HTTP status; the rest is the answers' bodies.
    public static func soap(_ bytes: [UInt8]) async -> String {
        let input = FuzzInput(bytes)
        let client = input.ewsClient()
        let (operation, folder) = MailboxServiceDriver.decode(input.selector)
        do {
            switch operation - MailboxServiceDriver.operations {
            case 0: _ = try await client.getFolders([.calendar, .tasks], mailbox: alice)
            case 1: _ = try await client.getEvents(subscription: "sub", watermark: "wm", mailbox: alice)
            case 2: _ = try await client.subscribePull(folders: [.calendar, .tasks], mailbox: alice)
            case 3: _ = try await client.mailboxTimeZone(mailbox: alice)
            default:
                let service = EWSMailboxService(client: client, mailbox: alice, mapping: mapping)
                return await MailboxServiceDriver.run(service, operation: operation, folder: folder)
            }
            return "ok"
        } catch {
            return "\(error)"
        }
    }

    /// A streaming-notification answer (GetStreamingEvents) of any bytes, arriving in chunks whose sizes the first
    /// byte chooses: the envelope splitter and each envelope's events, through the client's stream.
    public static func splitter(_ bytes: [UInt8]) async -> String {
        let input = FuzzInput(bytes)
        let sizes = [[1], [7, 1, 64], [512], [4096], [65536], [3, 200_000]]
        let client = input.ewsClient(chunks: sizes[input.selector % sizes.count])
        var events = 0
        do {
            for try await event in client.streamEvents(subscriptions: ["sub"], anchorMailbox: alice) {
                _ = "\(event)"
                events += 1
            }
            return "ok: \(events) events"
        } catch {
            return "\(error)"
        }
    }

    /// Any answer to any Microsoft Graph call the daemon makes. The first byte picks the operation and folder (as
    /// for `soap`), whether events carry attendees (bit 5) and the task mode (bits 6–7: To Do, a named To Do list,
    /// tasks as events, To Do); the second the HTTP status; the rest is the answers' bodies.
    public static func graph(_ bytes: [UInt8]) async -> String {
        let input = FuzzInput(bytes)
        let client = GraphClient(
            configuration: GraphConfiguration(
                baseURL: "https://graph.fuzz.invalid/v1.0",
                tokenURL: "https://login.fuzz.invalid/tenant/oauth2/v2.0/token",
                clientId: "fuzz",
                credential: .secret("secret"),
                retry: RetryPolicy(maxAttempts: 1)
            ),
            loop: FuzzTransport(input.answers(contentType: "application/json"))
        )
        let (operation, folder) = MailboxServiceDriver.decode(input.selector)
        let modes: [GraphTaskMode] = [.todo(list: nil), .todo(list: "CRM"), .calendar, .todo(list: nil)]
        let service = GraphMailboxService(
            client: client,
            mailbox: alice,
            mapping: mapping,
            window: (pastDays: 30, futureDays: 365),
            attendeesOnEvents: input.selector & 32 != 0,
            tasks: modes[input.selector >> 6]
        )
        return await MailboxServiceDriver.run(service, operation: operation, folder: folder)
    }

    /// `import` of any JSON document — decoding with the error that names the path, the CRM's rules, the
    /// all-or-nothing upsert into a real SQLite store — then `export` of what the store holds.
    public static func importDocument(_ bytes: [UInt8], into store: Store) -> String {
        do {
            let document = try CRMDocument.decode(Data(bytes))
            _ = try store.importDocument(document)
            _ = try JSONEncoder().encode(try store.exportDocument())
            return "ok"
        } catch {
            return "\(error)"
        }
    }

    /// Any configuration file, written into `folder` and read from there as the daemon reads it — YAML parsing
    /// with its size and alias bounds, every key's check — and everything the daemon builds from the values (sync
    /// settings, the EWS and Graph clients' configurations with the secrets `folder/secret` holds, the Graph task
    /// mode, the log level, the store path, the warnings).
    public static func config(_ bytes: [UInt8], in folder: String) -> String {
        let file = folder + "/activity-sync.yaml"
        _ = FileManager.default.createFile(atPath: file, contents: Data(bytes))
        let environment = ["CREDENTIALS_DIRECTORY": folder]
        do {
            let configuration = try AppConfiguration.load(explicitPath: file, environment: [:])
            _ = configuration.syncSettings
            _ = configuration.graphTasks
            _ = configuration.logLevel
            _ = configuration.storePath(environment: environment)
            _ = configuration.exchangeWarnings()
            if let ews = try? configuration.ewsConfiguration(environment: environment) { _ = "\(ews.url)" }
            if let graph = try? configuration.graphConfiguration(environment: environment) {
                _ = configuration.graphWarnings(graph)
            }
            return "ok"
        } catch {
            return "\(error)"
        }
    }

    /// A folder for `config`'s files, with the secret its keys may name.
    public static func configFolder(_ path: String) -> String {
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path + "/secret", contents: Data("pw\n".utf8))
        return path
    }
}
