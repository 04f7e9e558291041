// swift-tools-version:6.1
//
// Loopdesk: a self-learning customer-support answer engine.
// Module layout and dependency direction follow docs/ARCHITECTURE.md.
import PackageDescription

let package = Package(
    name: "Loopdesk",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "loopdesk-core", targets: ["LoopdeskCoreCLI"]),
        .executable(name: "loopdesk", targets: ["LoopdeskCLI"]),
        .library(name: "VectorIndex", targets: ["VectorIndex"]),
        .library(name: "Wire", targets: ["Wire"]),
        .library(name: "Embedding", targets: ["Embedding"]),
        .library(name: "Ranking", targets: ["Ranking"]),
        .executable(name: "ranking-bench", targets: ["RankingBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.20.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", from: "0.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // C: OpenBLAS / LAPACKE headers, SIMD distance kernels with runtime CPU dispatch,
        // prefetch and the few atomics the index needs on raw memory.
        .target(
            name: "CSupport",
            path: "CSupport",
            cSettings: [.headerSearchPath("include")],
            linkerSettings: [.linkedLibrary("openblas"), .linkedLibrary("lapacke"), .linkedLibrary("m")]
        ),
        // Swift: the libc import, the locks, the little-endian byte codec, the
        // mapped file and the monotonic clock, once for every module; no dependencies.
        .target(name: "Primitives"),
        .target(name: "VectorIndex", dependencies: ["Primitives", "CSupport"]),
        .target(name: "Wire", dependencies: ["Primitives"]),
        .target(
            name: "CoreServer",
            dependencies: [
                "CSupport",
                "Primitives",
                "VectorIndex",
                "Ranking",
                "Wire",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(name: "Embedding", dependencies: ["Primitives", "CSupport"]),
        .target(name: "Ranking", dependencies: ["Primitives", "CSupport"]),
        // Inline SVG line and bar charts for the dashboard and the replay report; no dependencies.
        .target(name: "Charts"),
        .executableTarget(name: "RankingBench", dependencies: ["Primitives", "Ranking"]),
        // The answer service's domain: knowledge base, conversations, ask / decide / learn, store.
        .target(
            name: "Support",
            dependencies: [
                "Primitives",
                "Wire",
                "Embedding",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "SwiftCSV", package: "SwiftCSV"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The shared store: ``PostgresStore``, a ``SupportStore`` in one PostgreSQL schema per workspace
        // (docs/OPERATIONS.md, "PostgreSQL store"); a target of its own so that Support names no PostgreSQL library.
        .target(
            name: "SupportPostgres",
            dependencies: [
                "Support",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Report pages shared by the dashboard, the CLI and the replay (the roll-out's before and after).
        .target(name: "ReportPages", dependencies: ["Support", "Charts"]),
        // HTTP API and dashboard pages of the answer service.
        .target(
            name: "SupportHTTP",
            dependencies: [
                "Primitives",
                "Support",
                "Charts",
                "ReportPages",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The evaluation harness: replays a labelled ticket stream with simulated outcomes.
        .target(
            name: "Replay",
            dependencies: [
                "Primitives",
                "Support",
                "Charts",
                "ReportPages",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The command-line values both executables parse (a log level today).
        .target(
            name: "CommandLineValues",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "LoopdeskCoreCLI",
            dependencies: [
                "Primitives",
                "CSupport",
                "CommandLineValues",
                "VectorIndex",
                "Ranking",
                "Wire",
                "CoreServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "LoopdeskCLI",
            dependencies: [
                "Primitives",
                "CSupport",
                "CommandLineValues",
                "Embedding",
                "Support",
                "SupportPostgres",
                "SupportHTTP",
                "Replay",
                "ReportPages",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What the test targets share: a temporary directory, a core running in the test process,
        // the test embedder and a fake core; a regular target so that test targets can depend on it.
        .target(
            name: "LoopdeskTestSupport",
            dependencies: [
                "Primitives",
                "CoreServer",
                "Embedding",
                "Wire",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/LoopdeskTestSupport"
        ),
        // A helpdesk's test double as a process (scripts/demo-helpdesk.sh): prints every request it gets.
        .executableTarget(name: "FakeHelpdesk", dependencies: ["LoopdeskTestSupport"], path: "Tests/FakeHelpdesk"),
        .testTarget(name: "PrimitivesTests", dependencies: ["Primitives"]),
        .testTarget(name: "VectorIndexTests", dependencies: ["VectorIndex", "CSupport", "Primitives", "LoopdeskTestSupport"]),
        .testTarget(name: "WireTests", dependencies: ["Wire", "Primitives", "LoopdeskTestSupport"]),
        .testTarget(name: "CoreServerTests", dependencies: ["CoreServer", "VectorIndex", "Ranking", "Wire", "Primitives", "LoopdeskTestSupport",
                                                           .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "RankingTests", dependencies: ["Ranking"]),
        .testTarget(name: "EmbeddingTests", dependencies: ["Embedding", "CSupport", "LoopdeskTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SupportTests", dependencies: ["Support", "SupportPostgres", "Wire", "Embedding", "LoopdeskTestSupport",
                                                         .product(name: "GRDB", package: "GRDB.swift"),
                                                         .product(name: "Logging", package: "swift-log")],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "SupportHTTPTests", dependencies: ["SupportHTTP", "Support", "SupportPostgres", "ReportPages", "Embedding", "Wire",
                                                             "LoopdeskTestSupport",
                                                             .product(name: "Hummingbird", package: "hummingbird"),
                                                             .product(name: "HummingbirdTesting", package: "hummingbird"),
                                                             .product(name: "HTTPTypes", package: "swift-http-types"),
                                                             .product(name: "Crypto", package: "swift-crypto"),
                                                             .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "ReplayTests", dependencies: ["Replay", "Support", "LoopdeskTestSupport"]),
        .testTarget(name: "ChartsTests", dependencies: ["Charts"]),
    ]
)

// Fuzz targets (scripts/fuzz-*.sh; docs/OPERATIONS.md, "Fuzzing"): only when LOOPDESK_FUZZ=1,
// so a normal build and CI never see them. Built with `--sanitize=fuzzer --sanitize=address`
// and `-enable-testing`: the harnesses reach the decoders' internal entry points.
if Context.environment["LOOPDESK_FUZZ"] == "1" {
    package.targets += [
        .executableTarget(name: "FuzzWire", dependencies: ["Wire"], path: "scripts/fuzz/FuzzWire"),
        .executableTarget(name: "FuzzPersistence", dependencies: ["VectorIndex"], path: "scripts/fuzz/FuzzPersistence"),
        .executableTarget(name: "FuzzJSON", dependencies: ["Support", "SupportHTTP"], path: "scripts/fuzz/FuzzJSON"),
    ]
}
