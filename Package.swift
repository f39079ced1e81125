// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "activity-sync",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "activity-sync", targets: ["activity-sync"]),
        .executable(name: "ews-test-server", targets: ["ews-test-server"]),
        .library(name: "EWSTestServer", targets: ["EWSTestServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        // Microsoft Graph's app-only auth: the signed client assertion (PS256/RS256) and the certificate's
        // thumbprint. (jwt-kit brings swift-crypto and swift-certificates; both are named for their own APIs.)
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
    ],
    targets: [
        // C libraries: a module map plus typed inline wrappers for the variadic calls.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),

        // Total conversions of numbers and dates at the edges (clamped, never a trap); no dependencies.
        .target(name: "Bounds"),
        // The one wrapper of libxml2: hardened parsing into values, and XSD validation.
        .target(name: "XMLKit", dependencies: ["CLibXML2", "Bounds"]),
        // CRM domain values and validation rules; no I/O.
        .target(name: "ActivityModel", dependencies: ["Bounds"]),
        // The pure sync planner: values in, a plan out (no I/O, no clock).
        .target(name: "SyncPlanning", dependencies: ["ActivityModel"]),
        // The EWS client: SOAP building/parsing, libcurl transport, auth, throttling. No sync decisions.
        .target(
            name: "EWS",
            dependencies: ["CCurl", "XMLKit", "Bounds", .product(name: "Logging", package: "swift-log")]
        ),
        // The Microsoft Graph client: app-only OAuth (certificate assertion or secret), JSON requests on the
        // EWS module's libcurl event loop, $batch, per-mailbox throttling. No sync decisions.
        .target(
            name: "Graph",
            dependencies: [
                "EWS", "Bounds", .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The Graph adapter of the sync engine: events ↔ the EWS item values `ItemMapping` maps (one mapping for
        // both backends), calendarView delta for changes.
        .target(
            name: "GraphMailbox",
            dependencies: ["Graph", "EWS", "EWSMailbox", "SyncEngine", "SyncPlanning", "ActivityModel", "Bounds"]
        ),
        // The EWS adapter of the sync engine: SPEC §2's mapping between synced values and items, the
        // engine's MailboxService over EWS, and the notification hub (its MailboxWatcher).
        .target(
            name: "EWSMailbox",
            dependencies: [
                "EWS", "SyncEngine", "SyncPlanning", "ActivityModel", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The sync engine: gather, plan, journal, execute, commit — over its own protocols only
        // (MailboxService, SyncStore, MailboxWatcher); no adapter is imported here.
        .target(name: "SyncEngine", dependencies: ["SyncPlanning", "ActivityModel"]),
        // In-memory MailboxService and SyncStore, kept equal to the real adapters by one contract suite.
        .target(name: "SyncTestKit", dependencies: ["SyncEngine", "SyncPlanning", "ActivityModel"]),
        // The deterministic simulator: the real engine on the doubles through seeded histories of CRM and
        // Outlook habits, faults and crashes, checked against sync's invariants (scripts/simulate).
        .target(name: "SyncSimulator", dependencies: ["SyncEngine", "SyncTestKit", "SyncPlanning", "ActivityModel"]),
        .executableTarget(
            name: "sync-simulate",
            dependencies: ["SyncSimulator", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // The daemon's loop, signals and sd_notify.
        .target(name: "Daemon", dependencies: ["Bounds", .product(name: "Logging", package: "swift-log")]),
        // SQLite store: activities, change tracking, sync bookkeeping tables; the engine's SyncStore.
        .target(
            name: "Store",
            dependencies: [
                "ActivityModel", "SyncEngine", "SyncPlanning", .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // A fake Exchange on 127.0.0.1 that validates every request against the official schema, and a fake
        // Microsoft Graph that validates every body against Graph's v1.0 metadata and checks client assertions.
        .target(
            name: "EWSTestServer",
            dependencies: [
                "XMLKit", "ActivityModel", .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            resources: [.copy("Resources/ews-schema"), .copy("Resources/graph-schema")]
        ),
        .executableTarget(
            name: "ews-test-server",
            dependencies: ["EWSTestServer"]
        ),
        // The soak (issue 15): the daemon binary against the fake with random users, faults and SIGKILLs.
        .executableTarget(
            name: "sync-soak",
            dependencies: [
                "EWSTestServer", "Store", "ActivityModel", "SyncSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The YAML configuration (SPEC §5): every key checked, and what the daemon builds from the values.
        .target(
            name: "AppConfig",
            dependencies: [
                "ActivityModel", "Daemon", "EWS", "Graph", "GraphMailbox", "SyncEngine", "SyncPlanning",
                .product(name: "Logging", package: "swift-log"), .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "activity-sync",
            dependencies: [
                "EWS", "EWSMailbox", "Graph", "GraphMailbox", "Store", "ActivityModel", "SyncPlanning", "SyncEngine",
                "Daemon", "EWSTestServer", "AppConfig",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            plugins: ["BuildInfoPlugin"]
        ),
        // `--version` names the commit: a prebuild command writes it into BuildInfo.swift on every build.
        .plugin(name: "BuildInfoPlugin", capability: .buildTool(), path: "Sources/BuildInfoPlugin"),

        // What each libFuzzer target runs on one input, and what FuzzReplayTests replays the seeds and crashers through.
        .target(
            name: "FuzzHarness",
            dependencies: [
                "ActivityModel", "AppConfig", "EWS", "EWSMailbox", "Graph", "GraphMailbox", "Store", "SyncEngine",
                "SyncPlanning",
            ],
            path: "Fuzz/FuzzHarness"
        ),

        // Benchmarks (not tests): see Benchmarks/README.md.
        .executableTarget(
            name: "store-benchmark",
            dependencies: ["Store", "ActivityModel"],
            path: "Benchmarks/StoreBenchmark"
        ),

        .testTarget(name: "XMLKitTests", dependencies: ["XMLKit", "Bounds"]),
        .testTarget(name: "EWSTests", dependencies: ["EWS", "EWSTestServer", "XMLKit"], exclude: ["Resources"]),
        .testTarget(
            name: "GraphTests",
            dependencies: [
                "Graph", "GraphMailbox", "EWS", "EWSMailbox", "EWSTestServer", "SyncEngine", "SyncPlanning",
                "ActivityModel",
            ]
        ),

        .testTarget(name: "ActivityModelTests", dependencies: ["ActivityModel", "Bounds"]),
        .testTarget(
            name: "EWSMailboxTests",
            dependencies: [
                "EWSMailbox", "EWS", "EWSTestServer", "SyncEngine", "SyncPlanning", "ActivityModel", "XMLKit",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "SyncEngineTests",
            dependencies: [
                "SyncEngine", "SyncPlanning", "SyncTestKit", "EWSMailbox", "EWS", "EWSTestServer", "Store",
                "Graph", "GraphMailbox",
                "ActivityModel",
                .product(name: "Logging", package: "swift-log"),
                // (Only to damage a stored record, as a failing disk would.)
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(name: "SyncSimulatorTests", dependencies: ["SyncSimulator", "SyncTestKit", "SyncEngine"]),
        .testTarget(name: "SyncPlanningTests", dependencies: ["SyncPlanning", "ActivityModel"]),
        .testTarget(
            name: "StoreTests",
            dependencies: [
                "Store", "ActivityModel", "SyncEngine", "SyncPlanning", .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(name: "DaemonUnitTests", dependencies: ["Daemon", "EWSTestServer"]),
        .testTarget(name: "FuzzReplayTests", dependencies: ["FuzzHarness", "Store"]),
        .testTarget(
            name: "CLITests",
            dependencies: [
                "ActivityModel", "Store", "EWS", "EWSTestServer", .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
    ]
)

// libFuzzer targets (issue 15), built only by scripts/fuzz (AddressSanitizer and libFuzzer's coverage; each entry
// point hands over to libFuzzer's driver, which only that build links), so an ordinary build leaves them out.
if Context.environment["ACTIVITY_SYNC_FUZZ"] == "1" {
    package.targets += [
        .target(name: "FuzzEntry", path: "Fuzz/FuzzEntry"),
        .executableTarget(name: "fuzz-soap", dependencies: ["FuzzHarness", "FuzzEntry"], path: "Fuzz/fuzz-soap"),
        .executableTarget(
            name: "fuzz-splitter",
            dependencies: ["FuzzHarness", "FuzzEntry"],
            path: "Fuzz/fuzz-splitter"
        ),
        .executableTarget(name: "fuzz-graph", dependencies: ["FuzzHarness", "FuzzEntry"], path: "Fuzz/fuzz-graph"),
        .executableTarget(
            name: "fuzz-import",
            dependencies: ["FuzzHarness", "FuzzEntry", "Store"],
            path: "Fuzz/fuzz-import"
        ),
        .executableTarget(name: "fuzz-config", dependencies: ["FuzzHarness", "FuzzEntry"], path: "Fuzz/fuzz-config"),
        // (An ordinary program: it writes the SOAP, splitter and Graph seed corpora from the fakes' answers.)
        .executableTarget(
            name: "fuzz-seeds",
            dependencies: ["EWS", "EWSMailbox", "EWSTestServer", "Graph", "GraphMailbox", "SyncEngine", "FuzzHarness"],
            path: "Fuzz/fuzz-seeds"
        ),
    ]
}
