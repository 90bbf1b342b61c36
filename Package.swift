// swift-tools-version:6.0
import PackageDescription

// Layers, bottom to top; data flows one way: HTTP/CLI → service → libpq wrapper → PostgreSQL.
//   CLibPQ        the C library (Debian's libpq-dev)
//   Dates         calendar dates without time zones (shared by the wrapper and the money math)
//   Postgres      the one safe Swift layer over libpq: connections, pool, transactions, COPY
//   RavnaqMoney   pure money math: amounts, loan schedules, allocation, arrears — no database
//   RavnaqCore    the service layer: domain rules and their SQL, migrations, the private cluster
//   RavnaqHTTP    Hummingbird 2: one controller per resource, problem+json in one place
//   RavnaqWeb     the web app: server-rendered pages on the same services, signed in by session
//   ravnaq        the CLI (swift-argument-parser), which also runs `serve`
let package = Package(
    name: "ravnaq",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ravnaq", targets: ["ravnaq"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        // Already in Hummingbird's graph; named for the one channel handler of RavnaqHTTP.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        // The web app's templates (logic-less: the pages' figures are worked out in Swift).
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        // Reading the XLSX files people import (a ZIP archive), through zlib (Debian's zlib1g-dev),
        // whose deflate — by ZIPFoundation's module CZlib — also compresses the XLSX files written.
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        // The notification worker's webhook POSTs (http and https, timeouts); already in
        // Hummingbird's graph. Foundation's URLSession crashed here when a request was cancelled.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // GET /metrics in Prometheus' text format, for Hummingbird's request metrics (swift-metrics,
        // already in its graph) and Ravnaq's own.
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(name: "Dates"),
        .target(
            name: "Postgres",
            dependencies: ["CLibPQ", "Dates", .product(name: "Logging", package: "swift-log")]
        ),
        .target(name: "RavnaqMoney", dependencies: ["Dates"]),
        .executableTarget(name: "EmbedFiles"),
        .plugin(
            name: "EmbedFilesPlugin",
            capability: .buildTool(),
            dependencies: ["EmbedFiles"]
        ),
        .target(
            name: "RavnaqCore",
            dependencies: [
                "Postgres", "RavnaqMoney", "Dates",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            plugins: ["EmbedFilesPlugin"]
        ),
        .target(
            name: "RavnaqHTTP",
            dependencies: [
                "RavnaqCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "RavnaqWeb",
            dependencies: [
                "RavnaqCore", "RavnaqHTTP", "RavnaqMoney", "Dates",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            plugins: ["EmbedFilesPlugin"]
        ),
        .executableTarget(
            name: "ravnaq",
            dependencies: [
                "RavnaqCore", "RavnaqHTTP", "RavnaqWeb", "RavnaqMoney",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // `serve --metrics-port` runs a second, small Application.
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        // Starts one throwaway PostgreSQL cluster per test run and hands each test its own database.
        .target(name: "TestSupport", dependencies: ["RavnaqCore", "Postgres", "Dates"], path: "Tests/TestSupport"),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"]),
        .testTarget(name: "RavnaqMoneyTests", dependencies: ["RavnaqMoney"]),
        // Runs the built `ravnaq` binary against a test database, as a coordinator would.
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "RavnaqCore", "Dates", .product(name: "Logging", package: "swift-log")],
                    exclude: ["Stubs"]),
        .testTarget(name: "RavnaqCoreTests", dependencies: ["RavnaqCore", "RavnaqMoney", "Dates", "Postgres", "TestSupport",
                                                     .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "RavnaqHTTPTests",
            dependencies: [
                "RavnaqHTTP", "RavnaqWeb", "RavnaqCore", "RavnaqMoney", "Postgres", "Dates", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                // A webhook receiver and one that answers garbage, for the notification worker's tests.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ]
)
