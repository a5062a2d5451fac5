// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "streamvault",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "streamvault", targets: ["streamvault"]),
        .library(name: "LibAV", targets: ["LibAV"]),
        .library(name: "Packager", targets: ["Packager"]),
        .library(name: "Catalog", targets: ["Catalog"]),
        .library(name: "Ingest", targets: ["Ingest"]),
        .library(name: "Delivery", targets: ["Delivery"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibAV", pkgConfig: "libavformat"),
        .target(name: "LibAV", dependencies: ["CLibAV", .product(name: "Logging", package: "swift-log")]),
        .target(name: "Packager", dependencies: ["LibAV", .product(name: "Logging", package: "swift-log")]),
        .target(name: "Catalog", dependencies: [
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Ingest", dependencies: [
            "Catalog", "Packager", "LibAV",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .target(name: "COpenBeneath"),
        .target(name: "Delivery", dependencies: [
            "Catalog", "COpenBeneath",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "CompressNIO", package: "compress-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .executableTarget(
            name: "streamvault",
            dependencies: [
                "Packager", "Catalog", "Ingest", "Delivery",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "claims-benchmark", dependencies: ["Catalog"], path: "Sources/ClaimsBenchmark"),
        .executableTarget(name: "bare-route-benchmark", dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
                          path: "Sources/BareRouteBenchmark"),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "LibAVTests", dependencies: ["LibAV", "TestSupport"]),
        .testTarget(name: "PackagerTests", dependencies: ["Packager", "LibAV", "TestSupport"]),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "Catalog", "Packager", "TestSupport"]),
        .testTarget(name: "DeliveryTests", dependencies: [
            "Delivery", "Catalog", "TestSupport", .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "EndToEndTests", dependencies: ["streamvault", "Packager", "TestSupport"], exclude: ["Browser"]),
    ],
    swiftLanguageModes: [.v6]
)
